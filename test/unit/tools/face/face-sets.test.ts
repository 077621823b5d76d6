// Reading the development face sets in both layouts (identities/NAME/* and flat
// <person>__<n> files with a pairs.csv that must agree with the names), and `--set NAME=DIR`.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultFaceSets, identityOfFlatName, parseSetOption, readFaceSet } from '../../../../tools/face/face-sets.js';

describe('identityOfFlatName', () => {
  it('takes the person from <person>__<n>.<jpg|png>', () => {
    expect(identityOfFlatName('kofi_annan__3.jpg')).toBe('kofi_annan');
    expect(identityOfFlatName('roh_moo-hyun__12.PNG')).toBe('roh_moo-hyun');
    expect(identityOfFlatName('a__b__1.jpeg')).toBe('a__b');
    for (const name of ['kofi_annan_3.jpg', 'kofi__x.jpg', '__1.jpg', 'kofi__1.gif', 'pairs.csv']) expect(identityOfFlatName(name), name).toBeNull();
  });

  it('gives back the person of any name it was built from', () => {
    const person = fc.stringMatching(/^[a-z][a-z_-]{0,20}$/);
    fc.assert(fc.property(person, fc.nat(999), fc.constantFrom('jpg', 'jpeg', 'png', 'JPG'), (name, n, ext) => {
      expect(identityOfFlatName(`${name}__${n}.${ext}`)).toBe(name);
    }));
  });
});

describe('parseSetOption', () => {
  it('reads NAME=DIR and refuses anything else', () => {
    expect(parseSetOption('faces2-dev=/data/faces2-dev')).toEqual({ name: 'faces2-dev', dir: '/data/faces2-dev' });
    expect(parseSetOption('x=/a=b')).toEqual({ name: 'x', dir: '/a=b' });
    for (const value of ['/data/faces', '=dir', 'name=', 'two words=/d']) {
      expect(() => parseSetOption(value), value).toThrow(expect.objectContaining({ code: 'CLI_INVALID_OPTIONS' }));
    }
  });

  it('defaults to faces and faces2-dev', () => {
    expect(defaultFaceSets().map((set) => set.name)).toEqual(['faces', 'faces2-dev']);
  });
});

describe('readFaceSet', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-face-sets-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const touch = async (...files: string[]): Promise<void> => {
    for (const file of files) {
      await mkdir(join(dir, file, '..'), { recursive: true });
      await writeFile(join(dir, file), 'image bytes are not read here');
    }
  };

  it('reads identities/NAME/* with the folder as the person', async () => {
    await touch('identities/amy/amy1.png', 'identities/amy/amy2.jpg', 'identities/raj/raj1.png', 'identities/raj/notes.txt', 'scenes/group.jpg');
    const set = await readFaceSet({ name: 'faces', dir });
    expect(set).toMatchObject({ name: 'faces', layout: 'identities', listedPairs: [] });
    expect(set.images).toEqual([
      { identity: 'amy', file: 'identities/amy/amy1.png' },
      { identity: 'amy', file: 'identities/amy/amy2.jpg' },
      { identity: 'raj', file: 'identities/raj/raj1.png' },
    ]);
  });

  it('reads flat <person>__<n> files and a pairs.csv whose labels agree with the names', async () => {
    await touch('ann__1.jpg', 'ann__2.png', 'bob__1.jpg', 'README.md');
    await writeFile(join(dir, 'pairs.csv'), 'ann__2.png,ann__1.jpg,1\nbob__1.jpg,ann__1.jpg,0\n');
    const set = await readFaceSet({ name: 'flat', dir });
    expect(set.layout).toBe('flat');
    expect(set.images).toEqual([
      { identity: 'ann', file: 'ann__1.jpg' },
      { identity: 'ann', file: 'ann__2.png' },
      { identity: 'bob', file: 'bob__1.jpg' },
    ]);
    expect(set.listedPairs).toEqual([
      { line: 1, pair: [join(dir, 'ann__2.png'), join(dir, 'ann__1.jpg')], label: 1 },
      { line: 2, pair: [join(dir, 'bob__1.jpg'), join(dir, 'ann__1.jpg')], label: 0 },
    ]);
  });

  it('refuses a pairs.csv that contradicts the names, names an image not in the set or has no label', async () => {
    await touch('ann__1.jpg', 'ann__2.png', 'bob__1.jpg');
    for (const [pairs, problem] of [
      ['ann__1.jpg,bob__1.jpg,1', /labels ann__1.jpg and bob__1.jpg the same person/],
      ['ann__1.jpg,ann__2.png,0', /different people/],
      ['ann__1.jpg,cat__1.jpg,0', /cat__1.jpg, which is not an image of the set/],
      ['ann__1.jpg,ann__2.png', /no label/],
      ['ann__1.jpg,ann__2.png,yes', /line 1/i],
    ] as const) {
      await writeFile(join(dir, 'pairs.csv'), `${pairs}\n`);
      await expect(readFaceSet({ name: 'flat', dir }), pairs).rejects.toMatchObject({ code: 'FACE_SET_INVALID', message: expect.stringMatching(problem) });
    }
  });

  it('refuses an image whose name does not say whose face it is, and a folder of neither layout', async () => {
    await touch('ann__1.jpg', 'holiday.jpg');
    await expect(readFaceSet({ name: 'flat', dir })).rejects.toMatchObject({ code: 'FACE_SET_INVALID', message: expect.stringContaining('holiday.jpg') });
    await rm(join(dir, 'holiday.jpg'));
    await rm(join(dir, 'ann__1.jpg'));
    await expect(readFaceSet({ name: 'flat', dir })).rejects.toMatchObject({ code: 'FACE_DATA_MISSING' });
    await expect(readFaceSet({ name: 'gone', dir: join(dir, 'nowhere') })).rejects.toMatchObject({ code: 'FACE_DATA_MISSING' });
  });

  const [faces, faces2Dev] = defaultFaceSets();
  it.skipIf(!existsSync(faces2Dev.dir))('reads the shared faces2-dev set: 100 images of 22 people, pairs.csv agreeing', async () => {
    const set = await readFaceSet(faces2Dev);
    expect(set.layout).toBe('flat');
    expect(set.images).toHaveLength(100);
    expect(new Set(set.images.map((image) => image.identity)).size).toBe(22);
    expect(set.listedPairs.length).toBeGreaterThan(1000);
  });

  it.skipIf(!existsSync(faces.dir))('reads the shared faces set: 13 people', async () => {
    const set = await readFaceSet(faces);
    expect(set.layout).toBe('identities');
    expect(new Set(set.images.map((image) => image.identity)).size).toBe(13);
  });
});
