// The group file behind "false matches by group": its reading, group pairs that do not depend
// on which face comes first, relatives apart, and that the committed file names every person
// of the development sets.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupOf, groupPairOf, readFaceGroups, RELATIVES, UNKNOWN_GROUP, type FaceGroups } from '../../../../tools/face/face-groups.js';
import { defaultFaceSets, readFaceSet } from '../../../../tools/face/face-sets.js';

const groups: FaceGroups = {
  sets: {
    dev: { people: { jiang: 'East Asian', roh: 'East Asian', kate: 'European', kofi: 'African' }, relatives: [['kate', 'anna']] },
  },
};

describe('group pairs', () => {
  it('names the pair of groups, with unknown for anyone not listed and relatives apart', () => {
    expect(groupPairOf(groups, 'dev', 'jiang', 'roh')).toBe('East Asian–East Asian');
    expect(groupPairOf(groups, 'dev', 'kofi', 'kate')).toBe('African–European');
    expect(groupPairOf(groups, 'dev', 'kofi', 'nobody')).toBe(`African–${UNKNOWN_GROUP}`);
    expect(groupPairOf(groups, 'other-set', 'jiang', 'roh')).toBe(`${UNKNOWN_GROUP}–${UNKNOWN_GROUP}`);
    expect(groupPairOf(groups, 'dev', 'anna', 'kate')).toBe(RELATIVES);
    expect(groupOf(groups, 'dev', 'anna')).toBe(UNKNOWN_GROUP);
  });

  it('is the same whichever face comes first', () => {
    const person = fc.constantFrom('jiang', 'roh', 'kate', 'kofi', 'anna', 'nobody');
    fc.assert(fc.property(person, person, (a, b) => {
      expect(groupPairOf(groups, 'dev', a, b)).toBe(groupPairOf(groups, 'dev', b, a));
    }));
  });
});

describe('readFaceGroups', () => {
  it('refuses a file that is not JSON or not a group file, and a missing one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-face-groups-'));
    try {
      await writeFile(join(dir, 'broken.json'), '{');
      await writeFile(join(dir, 'wrong.json'), JSON.stringify({ sets: { dev: { people: { a: 3 } } } }));
      await expect(readFaceGroups(join(dir, 'broken.json'))).rejects.toMatchObject({ code: 'FACE_SET_INVALID' });
      await expect(readFaceGroups(join(dir, 'wrong.json'))).rejects.toMatchObject({ code: 'FACE_SET_INVALID' });
      await expect(readFaceGroups(join(dir, 'none.json'))).rejects.toMatchObject({ code: 'FACE_DATA_MISSING' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads the committed file, which gives every person of the development sets a group', async () => {
    const committed = await readFaceGroups();
    for (const location of defaultFaceSets().filter((set) => existsSync(set.dir))) {
      const people = new Set((await readFaceSet(location)).images.map((image) => image.identity));
      expect(Object.keys(committed.sets[location.name]?.people ?? {}).sort(), location.name).toEqual([...people].sort());
    }
  });
});
