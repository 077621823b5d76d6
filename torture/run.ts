// `npm run torture [-- --cycles N]`: a bounded SIGKILL loop over sealing and sync. A real
// authority (SQLite in a temporary folder) and a provisioned kiosk data folder; each cycle runs
// `gatehouse enroll --synthetic` and/or `gatehouse sync --once` and SIGKILLs them at random
// moments; every --check-every cycles, and after a final clean sync, it checks the audit chain,
// SQLite integrity and that no acknowledged record was lost or delivered twice
// (torture/invariants.ts). Prints a report; exits 1 on any violation.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { acknowledgedRecords, checkSnapshot, type AuthorityRecord, type KioskRecord, type Tally } from './invariants.js';
import { authorityBin, kioskBin, run, runJson, start, startServer, type Finished, type Running } from './cli-process.js';
import { seededRandom } from './seeded-random.js';

interface TortureOptions {
  cycles: number;
  checkEvery: number;
  records: number;
  small: boolean;
  seed: number;
  keep: boolean;
}

const USAGE = 'usage: npm run torture -- [--cycles N] [--check-every K] [--records N] [--small] [--seed S] [--keep]';

function parseOptions(argv: readonly string[]): TortureOptions {
  const options: TortureOptions = { cycles: 100, checkEvery: 5, records: 4, small: false, seed: Date.now() % 2 ** 31, keep: false };
  const whole = (flag: string, text: string | undefined, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`${flag} needs a whole number ≥ ${min}. ${USAGE}`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    switch (flag) {
      case '--cycles': options.cycles = whole(flag, argv[++i], 1); break;
      case '--check-every': options.checkEvery = whole(flag, argv[++i], 1); break;
      case '--records': options.records = whole(flag, argv[++i], 1); break;
      case '--seed': options.seed = whole(flag, argv[++i], 0); break;
      case '--small': options.small = true; break;
      case '--keep': options.keep = true; break;
      default: throw new Error(`unknown option ${flag}. ${USAGE}`);
    }
  }
  return options;
}

/** How long a command takes when left alone (the median of the last runs), to spread kills over its life. */
class Durations {
  #samples: number[] = [];

  constructor(readonly initialMs: number) {}

  add(ms: number): void {
    this.#samples = [...this.#samples.slice(-19), ms];
  }
  get typicalMs(): number {
    if (this.#samples.length === 0) return this.initialMs;
    const sorted = [...this.#samples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  }
}

interface Counters {
  enrollRuns: number;
  enrollKilledBeforeFirst: number;
  enrollKilledMidSeal: number;
  enrollKilledAfterLast: number;
  syncRuns: number;
  syncKilled: number;
  checks: number;
}

class Torture {
  readonly acknowledged = new Map<string, string>();
  readonly violations: string[] = [];
  readonly counters: Counters = { enrollRuns: 0, enrollKilledBeforeFirst: 0, enrollKilledMidSeal: 0, enrollKilledAfterLast: 0, syncRuns: 0, syncKilled: 0, checks: 0 };
  readonly durations = { enroll: new Durations(4000), sync: new Durations(3000), firstAck: new Durations(1500), perRecord: new Durations(150) };
  kioskId = '';

  constructor(readonly options: TortureOptions, readonly kioskDir: string, readonly authorityDir: string, readonly rng: () => number) {}

  get enrollKills(): number {
    const c = this.counters;
    return c.enrollKilledBeforeFirst + c.enrollKilledMidSeal + c.enrollKilledAfterLast;
  }

  kiosk = (...args: string[]) => ['--data', this.kioskDir, ...args];

  /** Runs `running` with `arm` deciding when (if ever) to kill it; a run alive after 120 s is a hang (a violation). */
  async supervise(running: Running, arm: (kill: () => void) => void): Promise<{ finished: Finished; killed: boolean }> {
    let hung = false;
    arm(() => running.kill());
    const hang = setTimeout(() => { hung = running.kill(); }, 120_000);
    const finished = await running.done;
    clearTimeout(hang);
    if (hung) this.violations.push(`a command hung for 120 s and was killed: ${finished.stderr.trim().slice(0, 200)}`);
    return { finished, killed: finished.signal === 'SIGKILL' && !hung };
  }

  /**
   * Enroll runs are killed (85 %) either at a uniform moment of their life, or — twice as often —
   * a random fraction of one record's sealing time after the k-th acknowledgement, so most kills
   * land while a record is being sealed rather than while Node starts.
   */
  async enroll(): Promise<void> {
    const { records, small } = this.options;
    const running = start(kioskBin, this.kiosk('enroll', '--synthetic', String(records), ...(small ? ['--small'] : [])));
    const roll = this.rng();
    const afterAck = 1 + Math.floor(this.rng() * records);
    const delay = this.rng();
    let acks = 0;
    let lastAck = performance.now();
    const startedAt = performance.now();
    let pending = '';
    running.child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const complete = pending.slice(0, pending.lastIndexOf('\n') + 1);
      pending = pending.slice(complete.length);
      for (let line = acknowledgedRecords(complete).length; line > 0; line--) {
        acks += 1;
        const now = performance.now();
        if (acks === 1) this.durations.firstAck.add(now - startedAt);
        else this.durations.perRecord.add(now - lastAck);
        lastAck = now;
        if (roll >= 0.15 && roll < 0.72 && acks === afterAck) this.later(delay * this.durations.perRecord.typicalMs, () => running.kill());
      }
    });
    const { finished, killed } = await this.supervise(running, (kill) => {
      if (roll >= 0.72) this.later(delay * this.durations.enroll.typicalMs * 1.2, kill);
    });
    this.counters.enrollRuns += 1;
    const acknowledged = acknowledgedRecords(finished.stdout);
    for (const { recordId, digest } of acknowledged) this.acknowledged.set(recordId, digest);
    if (killed) {
      if (acknowledged.length === 0) this.counters.enrollKilledBeforeFirst += 1;
      else if (acknowledged.length < records) this.counters.enrollKilledMidSeal += 1;
      else this.counters.enrollKilledAfterLast += 1;
      return;
    }
    this.durations.enroll.add(finished.ms);
    if (finished.code !== 0 || acknowledged.length !== records) {
      this.violations.push(`enroll exited ${finished.code} with ${acknowledged.length}/${records} acknowledged: ${finished.stderr.trim().slice(0, 300)}`);
    }
  }

  /** Sync runs are killed (85 %) at a uniform moment after Node has started (as long as enroll takes to its first record). */
  async sync(): Promise<void> {
    const running = start(kioskBin, this.kiosk('sync', '--once', '--json', '--timeout', '10000'));
    const roll = this.rng();
    const delay = this.rng();
    const { finished, killed } = await this.supervise(running, (kill) => {
      if (roll < 0.15) return;
      const startup = Math.min(this.durations.firstAck.typicalMs, this.durations.sync.typicalMs * 0.8);
      this.later(startup + delay * (this.durations.sync.typicalMs - startup) * 1.2, kill);
    });
    this.counters.syncRuns += 1;
    if (killed) {
      this.counters.syncKilled += 1;
      return;
    }
    this.durations.sync.add(finished.ms);
    if (finished.code !== 0) this.violations.push(`sync exited ${finished.code}: ${(finished.stdout + finished.stderr).trim().slice(0, 300)}`);
  }

  /** A timer that does not keep a finished cycle waiting. */
  later(ms: number, run: () => void): void {
    setTimeout(run, Math.max(0, ms)).unref();
  }

  async cycle(): Promise<void> {
    const pick = this.rng();
    const runs: Array<Promise<void>> = [];
    if (pick < 0.7) runs.push(this.enroll());
    if (pick >= 0.4) runs.push(this.sync());
    await Promise.all(runs);
  }

  /** The invariants over what the CLIs report now (nothing runs meanwhile). */
  async check(drained: boolean, where: string): Promise<Tally> {
    this.counters.checks += 1;
    const before = this.violations.length;
    const audit = await runJson<{ ok: boolean; firstBroken?: { seq: number; message: string } }>(kioskBin, this.kiosk('audit', 'verify', '--json'), [0, 1]);
    if (!audit.json.ok) this.violations.push(`audit chain broken at entry ${audit.json.firstBroken?.seq}: ${audit.json.firstBroken?.message}`);
    const doctor = await runJson<{ checks: Array<{ name: string; ok: boolean; detail: string }> }>(kioskBin, this.kiosk('doctor', '--json'), [0, 1]);
    const integrity = doctor.json.checks.find((c) => /integrity/i.test(c.name));
    if (!integrity) this.violations.push('gatehouse doctor reports no database integrity check');
    else if (!integrity.ok) this.violations.push(`database integrity: ${integrity.detail}`);
    const queue = await runJson<{ records: KioskRecord[] }>(kioskBin, this.kiosk('queue', '--json', '--limit', '1000000'));
    const held = await runJson<{ records: AuthorityRecord[] }>(authorityBin, ['--data', this.authorityDir, 'records', '--json']);
    const { violations, tally } = checkSnapshot({
      acknowledged: this.acknowledged, enrollKills: this.enrollKills, kiosk: queue.json.records,
      authority: held.json.records.filter((r) => r.kioskId === this.kioskId), drained,
    });
    this.violations.push(...violations);
    for (const violation of this.violations.slice(before)) process.stderr.write(`torture: VIOLATION (${where}): ${violation}\n`);
    return tally;
  }

  /** Syncs without kills until nothing waits (records a killed round left in back-off are waited for, up to 60 s). */
  async drain(): Promise<void> {
    const until = Date.now() + 60_000;
    for (;;) {
      const round = await runJson<{ queue: { queued: number; nextAttemptAt: string | null } }>(kioskBin, this.kiosk('sync', '--once', '--json', '--timeout', '10000'), [0, 1]);
      if (round.json.queue.queued === 0) return;
      if (Date.now() > until) {
        this.violations.push(`${round.json.queue.queued} records still wait 60 s after the last kill`);
        return;
      }
      const next = round.json.queue.nextAttemptAt ? Date.parse(round.json.queue.nextAttemptAt) - Date.now() : 0;
      await sleep(Math.min(Math.max(next, 200), 5_000));
    }
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const root = mkdtempSync(join(tmpdir(), 'gatehouse-torture-'));
  const authorityDir = join(root, 'authority');
  const kioskDir = join(root, 'kiosk');
  process.stderr.write(`torture: ${options.cycles} cycles, seed ${options.seed}, data in ${root}\n`);
  const started = performance.now();
  const keys = await run(authorityBin, ['--data', authorityDir, 'keys', 'init']);
  if (keys.code !== 0) throw new Error(`gatehouse-authority keys init exited ${keys.code}: ${keys.stderr.trim()}`);
  const { running: authority, url } = await startServer(authorityBin, ['--data', authorityDir, 'serve', '--port', '0']);
  const torture = new Torture(options, kioskDir, authorityDir, seededRandom(options.seed));
  let tally: Tally | null = null;
  try {
    const token = (await run(authorityBin, ['--data', authorityDir, 'token', 'create'])).stdout.trim();
    const provisioned = await runJson<{ kioskId: string }>(kioskBin, torture.kiosk('provision', '--authority', url, '--token', token, '--name', 'torture', '--json'));
    torture.kioskId = provisioned.json.kioskId;
    for (let cycle = 1; cycle <= options.cycles; cycle++) {
      await torture.cycle();
      if (cycle % options.checkEvery === 0) await torture.check(false, `cycle ${cycle}`);
      if (cycle % 10 === 0) process.stderr.write(`torture: ${cycle}/${options.cycles} cycles, ${torture.acknowledged.size} acknowledged, ${torture.violations.length} violations\n`);
    }
    await torture.drain();
    tally = await torture.check(true, 'after the final sync');
  } catch (error) {
    torture.violations.push(`the torture run itself failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    authority.child.kill('SIGTERM');
    await authority.done;
  }
  const c = torture.counters;
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const lines = [
    `torture: ${options.cycles} cycles in ${seconds} s (seed ${options.seed}, ${options.records} ${options.small ? 'small' : '≈ 300 KB'} records per enroll run)`,
    `  enroll runs ${c.enrollRuns}: SIGKILLed ${torture.enrollKills} (before the first record ${c.enrollKilledBeforeFirst}, while sealing ${c.enrollKilledMidSeal}, after the last ${c.enrollKilledAfterLast})`,
    `  sync runs ${c.syncRuns}: SIGKILLed ${c.syncKilled}`,
    tally
      ? `  records sealed ${tally.sealed} (acknowledged ${torture.acknowledged.size}, committed but not acknowledged ${tally.unacknowledged}), delivered ${tally.delivered}, still queued ${tally.queued}`
      : '  records: the final check did not run',
    `  checks ${c.checks} (audit verify, doctor integrity, outbox vs authority), violations ${torture.violations.length}`,
    ...torture.violations.map((v) => `  VIOLATION ${v}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (torture.violations.length === 0 && !options.keep) rmSync(root, { recursive: true, force: true });
  else process.stdout.write(`  data kept in ${root}\n`);
  process.exitCode = torture.violations.length === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`torture: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
