// Smoke run of every fuzz target (a few hundred inputs each, fixed seed) so CI exercises the
// properties `npm run fuzz` checks at scale, and checks that the harness itself catches what it
// promises to catch: untyped exceptions, foreign codes and slow inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../native/device-error.js';
import { defineTarget, typed, FuzzFinding } from '../../../fuzz/fuzz-target.js';
import { runTarget } from '../../../fuzz/fuzz-runner.js';
import { allTargets } from '../../../fuzz/targets/index.js';

const SEED = 20261207;
const runsFor = (weight: number) => (weight >= 0.5 ? 300 : weight >= 0.1 ? 150 : weight >= 0.03 ? 60 : 25);

describe('fuzz targets (smoke)', () => {
  it('names every target once', () => {
    const names = allTargets.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(25);
  });

  for (const target of allTargets) {
    it(target.name, async () => {
      const report = await runTarget(target, { numRuns: runsFor(target.weight), seed: SEED, inputBudgetMs: 10_000 });
      expect(report.error ?? '', `reproduce: npm run fuzz -- --target ${target.name} --seed ${report.seed} --path ${report.path}`).toBe('');
      expect(report.failed).toBe(false);
      expect(report.runs).toBe(runsFor(target.weight));
    });
  }
});

describe('fuzz harness', () => {
  const bytes = fc.uint8Array({ maxLength: 8 });

  it('fails a target whose parser throws an untyped exception', async () => {
    const target = defineTarget({ name: 'test/untyped', weight: 1, arbitrary: bytes, check: (b) => { typed(() => { if (b.length > 3) throw new TypeError('boom'); }); } });
    const report = await runTarget(target, { numRuns: 200, seed: SEED, inputBudgetMs: 1000 });
    expect(report.failed).toBe(true);
    expect(report.error).toMatch(/untyped exception: TypeError: boom/);
    expect(report.counterexample).toBe('Uint8Array.from([0,0,0,0])');
  });

  it('accepts typed errors and refuses codes a target did not expect', () => {
    expect(typed(() => { throw new DeviceError('X_ONE', 'm'); }, ['X_ONE'])).toEqual({ ok: false, code: 'X_ONE' });
    expect(() => typed(() => { throw new DeviceError('X_TWO', 'm'); }, ['X_ONE'])).toThrow(FuzzFinding);
    expect(() => typed(() => { throw new DeviceError('lower-case', 'm'); })).toThrow(/untyped/);
  });

  it('fails an input over its time budget', async () => {
    const target = defineTarget({ name: 'test/slow', weight: 1, arbitrary: fc.nat(), check: (n) => { if (n > 5) { const until = Date.now() + 30; while (Date.now() < until) { /* spin */ } } } });
    const report = await runTarget(target, { numRuns: 100, seed: SEED, inputBudgetMs: 20 });
    expect(report.failed).toBe(true);
    expect(report.error).toMatch(/budget 20 ms/);
  });
});
