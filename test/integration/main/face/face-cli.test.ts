// `gatehouse face …` in-process with real models: one JSON object per pair, an error line for
// each unreadable input without stopping the batch, JPEG and PNG input, and `analyze`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parsePairs, registerFaceCommand } from '../../../../main/cli/commands/face.js';
import { faceFile, HAVE_FACES } from './face-images.js';

async function gatehouse(...args: string[]): Promise<{ lines: Array<Record<string, unknown>>; exitCode: typeof process.exitCode }> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  const before = process.exitCode;
  try {
    const program = new Command('gatehouse').exitOverride();
    registerFaceCommand(program);
    await program.parseAsync(['node', 'gatehouse', ...args]);
    return { lines: written.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>), exitCode: process.exitCode };
  } finally {
    spy.mockRestore();
    process.exitCode = before;
  }
}

describe('parsePairs', () => {
  it('reads pathA,pathB lines relative to the file, skipping blanks and comments', () => {
    const jobs = parsePairs('# header\n a.jpg , /abs/b.png\n\nonly-one\n', '/data');
    expect(jobs).toEqual([
      { line: 2, pair: ['/data/a.jpg', '/abs/b.png'] },
      { line: 4, error: expect.objectContaining({ code: 'FACE_PAIRS_LINE_INVALID' }) },
    ]);
  });
});

describe.skipIf(!HAVE_FACES)('gatehouse face (real models)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-face-cli-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('verifies a batch, one JSON line per pair, errors in line and the batch going on', async () => {
    await writeFile(join(dir, 'notes.jpg'), 'this is text, not a JPEG');
    const pairs = [
      `${faceFile('identities/obama/obama3.jpg')},${faceFile('identities/obama/obama.jpg')}`,
      `missing.jpg,${faceFile('identities/obama/obama.jpg')}`,
      `notes.jpg,${faceFile('identities/obama/obama.jpg')}`,
      'no comma here',
      `${faceFile('scenes/no_face.png')},${faceFile('identities/obama/obama.jpg')}`,
    ];
    await writeFile(join(dir, 'pairs.txt'), `${pairs.join('\n')}\n`);
    const { lines, exitCode } = await gatehouse('face', 'verify', '--json', '--pairs', join(dir, 'pairs.txt'));
    expect(lines).toHaveLength(5);
    const [match, missing, notImage, malformed, noFace] = lines;
    expect(match).toMatchObject({ decision: 'match', thresholds: { match: expect.any(Number), review: expect.any(Number) } });
    expect(match.distance).toEqual(expect.any(Number));
    expect(match.quality).toMatchObject({ a: { state: 'one-face', ok: expect.any(Boolean) }, b: { state: 'one-face' } });
    expect(missing).toMatchObject({ error: { code: 'FACE_IMAGE_UNREADABLE' }, pair: [join(dir, 'missing.jpg'), expect.any(String)] });
    expect(notImage).toMatchObject({ error: { code: 'FACE_IMAGE_UNSUPPORTED' }, pair: [join(dir, 'notes.jpg'), expect.any(String)] });
    expect(malformed).toMatchObject({ error: { code: 'FACE_PAIRS_LINE_INVALID' }, line: 4 });
    expect(noFace).toMatchObject({ decision: 'no-face', distance: null, quality: { a: { state: 'no-face' } } });
    expect(exitCode).toBe(1);
  });

  it('verifies two PNG stills given on the command line', async () => {
    const { lines, exitCode } = await gatehouse('face', 'verify', '--json', faceFile('identities/raj/raj1.png'), faceFile('identities/howard/howard1.png'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ decision: 'no-match', modelHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(exitCode).toBeUndefined();
  });

  it('analyzes an image: every face with its box and quality', async () => {
    const { lines } = await gatehouse('face', 'analyze', '--json', faceFile('scenes/two_faces.jpg'));
    expect(lines[0]).toMatchObject({ state: 'several-faces', width: 2000, height: 1428 });
    const faces = lines[0].faces as Array<Record<string, unknown>>;
    expect(faces).toHaveLength(2);
    for (const face of faces) {
      expect(face).toMatchObject({ box: { width: expect.any(Number) }, ok: expect.any(Boolean), measures: { interEyePx: expect.any(Number) } });
    }
  });
});
