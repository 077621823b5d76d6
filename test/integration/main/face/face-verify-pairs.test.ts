// `gatehouse face verify --pairs` with real models describes each distinct image once however
// many lines name it, and gives the same answers as verifying each pair on its own (A as a live
// capture, B as a portrait), including an image with several faces on either side; and the
// pairs file's lines, with or without a label, parse back to what was written.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DescribedImages, parsePairs, registerFaceCommand, verifyPairs, type FaceDescriber, type FaceErrorJson, type FaceVerifyJson } from '../../../../main/cli/commands/face.js';
import { FaceAnalyzer } from '../../../../main/face/face-analyzer.js';
import { decodeImage } from '../../../../main/face/rgba-image.js';
import { faceFile, HAVE_FACES } from './face-images.js';

describe('parsePairs', () => {
  it('reads pathA,pathB with an optional label 0 or 1, and refuses other labels', () => {
    expect(parsePairs('a.jpg,b.jpg,1\nc.jpg , d.jpg , 0\na.jpg,b.jpg,2\na.jpg,b.jpg,1,extra\n', '/data')).toEqual([
      { line: 1, pair: ['/data/a.jpg', '/data/b.jpg'], label: 1 },
      { line: 2, pair: ['/data/c.jpg', '/data/d.jpg'], label: 0 },
      { line: 3, error: expect.objectContaining({ code: 'FACE_PAIRS_LINE_INVALID' }) },
      { line: 4, error: expect.objectContaining({ code: 'FACE_PAIRS_LINE_INVALID' }) },
    ]);
  });

  it('gives back every line it was built from, in order, with its line number', () => {
    const path = fc.stringMatching(/^[A-Za-z0-9_./-]{1,30}$/).filter((p) => !p.startsWith('#'));
    const row = fc.record({ a: path, b: path, label: fc.option(fc.constantFrom(0 as const, 1 as const), { nil: undefined }), blankBefore: fc.boolean() });
    fc.assert(fc.property(fc.array(row, { maxLength: 20 }), fc.constantFrom('\n', '\r\n'), (rows, newline) => {
      const lines: string[] = [];
      const expected = rows.map(({ a, b, label, blankBefore }) => {
        if (blankBefore) lines.push(' ', '# a comment');
        lines.push(label === undefined ? `${a},${b}` : ` ${a} ,${b}, ${label}`);
        const pair = [resolve('/base', a), resolve('/base', b)];
        return label === undefined ? { line: lines.length, pair } : { line: lines.length, pair, label };
      });
      expect(parsePairs(lines.join(newline), '/base')).toEqual(expected);
    }));
  });
});

describe.skipIf(!HAVE_FACES)('face verify --pairs (real models)', () => {
  let analyzer: FaceAnalyzer;
  let dir: string;
  const obama = faceFile('identities/obama/obama.jpg');
  const obama3 = faceFile('identities/obama/obama3.jpg');
  const biden2 = faceFile('identities/biden/biden2.jpg');
  const twoFaces = faceFile('scenes/two_faces.jpg');
  const lines = [
    `${obama3},${obama},1`,
    `${obama},${obama3},1`,
    `${biden2},${obama},0`,
    `${twoFaces},${obama}`, // several faces as the live capture: none counts
    `${obama},${twoFaces}`, // several faces as the portrait: the largest counts
    'missing.jpg,identities/obama/obama.jpg',
    `${obama3},${obama},1`,
  ];

  beforeAll(async () => {
    analyzer = await FaceAnalyzer.load();
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-face-pairs-'));
    await writeFile(join(dir, 'pairs.csv'), `${lines.join('\n')}\n`);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('describes each distinct image once and answers as the per-pair path does', async () => {
    let described = 0;
    const counting: FaceDescriber = {
      info: analyzer.info,
      describe: (image, role) => {
        described++;
        return analyzer.describe(image, role);
      },
    };
    const images = new DescribedImages(counting);
    const results: Array<FaceVerifyJson | FaceErrorJson> = [];
    for await (const result of verifyPairs(images, parsePairs(lines.join('\n'), dir))) results.push(result);

    expect(results).toHaveLength(lines.length);
    expect(described).toBe(4); // obama, obama3, biden2, two_faces; missing.jpg is never read
    expect(images.count).toBe(5);
    expect(results[5]).toMatchObject({ error: { code: 'FACE_IMAGE_UNREADABLE' }, pair: [join(dir, 'missing.jpg'), expect.any(String)] });
    expect(results[6]).toEqual(results[0]);
    expect(results[3]).toMatchObject({ decision: 'no-face', quality: { a: { state: 'several-faces' } } });
    expect(results[4]).toMatchObject({ quality: { b: { state: 'several-faces' } }, distance: expect.any(Number) });
    expect(results.slice(0, 3).map((r) => (r as FaceVerifyJson).label)).toEqual([1, 1, 0]);

    const load = (path: string) => decodeImage(readFileSync(path));
    for (const [i, [a, b]] of [[obama3, obama], [obama, obama3], [biden2, obama], [twoFaces, obama], [obama, twoFaces]].entries()) {
      const alone = await analyzer.verify([load(a)], load(b));
      const batch = results[i] as FaceVerifyJson;
      expect(batch.decision, `line ${i + 1}`).toBe(alone.decision);
      expect(batch.distance, `line ${i + 1}`).toBe(alone.distance === null ? null : Math.round(alone.distance * 1000) / 1000);
      expect(batch.quality.a.state).toBe(alone.live[0].state);
      expect(batch.quality.b.state).toBe(alone.portrait.state);
      expect(batch.quality.a.score).toBe(alone.live[0].quality ? Math.round(alone.live[0].quality.score * 1000) / 1000 : null);
    }
  });

  it('prints one line per pair in file order and says how many images it described', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => out.push(String(chunk)) > 0);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => err.push(String(chunk)) > 0);
    const exitCode = process.exitCode;
    try {
      const program = new Command('gatehouse').exitOverride();
      registerFaceCommand(program);
      await program.parseAsync(['node', 'gatehouse', 'face', 'verify', '--json', '--pairs', join(dir, 'pairs.csv')]);
      expect(process.exitCode).toBe(1);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      process.exitCode = exitCode;
    }
    const printed = out.join('').trim().split('\n').map((line) => JSON.parse(line) as { pair: string[] });
    expect(printed.map((json) => json.pair.map((p) => p.split('/').pop()).join(','))).toEqual([
      'obama3.jpg,obama.jpg', 'obama.jpg,obama3.jpg', 'biden2.jpg,obama.jpg', 'two_faces.jpg,obama.jpg', 'obama.jpg,two_faces.jpg', 'missing.jpg,obama.jpg', 'obama3.jpg,obama.jpg',
    ]);
    expect(err.join('')).toContain('7 lines, 5 distinct images, each described once');
  });
});
