// Reading the audit log through a real kiosk's RPC, as the audit log section and tools do:
// oldest first after a sequence number (unchanged for tools), newest first a page at a time,
// filtered by operator (as actor or as the one acted on), by actor, and by action or prefix,
// and the list of actions the log holds.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScreenSession } from '../../../../main/auth/screen-session.js';
import { RpcCodes } from '../../../../main/rpc/define.js';
import { errorOf, openKioskHarness, outputOf, type KioskHarness } from '../../../fixtures/kiosk-harness.js';

interface Entry { seq: number; actor: string | null; action: string; details: Record<string, unknown> }

let h: KioskHarness;
let supervisor: ScreenSession;
beforeAll(async () => {
  h = await openKioskHarness();
  // The log: a wrong PIN for Otto, logins of the officer and the supervisor, the supervisor unlocking Otto.
  await h.call(h.openScreen().screen, 'auth.login', { name: h.operator('target').name, pin: '000000' });
  await h.loggedIn('officer');
  supervisor = (await h.loggedIn('supervisor')).screen;
  outputOf(await h.call(supervisor, 'operators.unlock', { id: h.operator('target').id }));
});
afterAll(() => h.close());

const list = async (query: Record<string, unknown>) => outputOf<Entry[]>(await h.call(supervisor, 'audit.list', query));
const summary = (entries: Entry[]) => entries.map((entry) => [entry.seq, entry.action]);

describe('audit.list', () => {
  it('reads oldest first after a sequence number, as before', async () => {
    expect(summary(await list({ afterSeq: 1, limit: 2 }))).toEqual([[2, 'auth.login'], [3, 'auth.login']]);
    expect(summary(await list({}))).toEqual([[1, 'auth.login'], [2, 'auth.login'], [3, 'auth.login'], [4, 'operator.unlock']]);
  });

  it('pages newest first before a sequence number', async () => {
    const first = await list({ order: 'newest-first', limit: 3 });
    expect(summary(first)).toEqual([[4, 'operator.unlock'], [3, 'auth.login'], [2, 'auth.login']]);
    expect(summary(await list({ order: 'newest-first', limit: 3, beforeSeq: first.at(-1)!.seq }))).toEqual([[1, 'auth.login']]);
  });

  it('filters by operator, as the actor or the one acted on, by actor, and by action or action prefix', async () => {
    const otto = h.operator('target').id;
    expect(summary(await list({ order: 'newest-first', operatorId: otto }))).toEqual([[4, 'operator.unlock'], [1, 'auth.login']]);
    const sven = `operator:${h.operator('supervisor').id}`;
    expect((await list({ actor: sven })).map((entry) => entry.action)).toEqual(['operator.unlock']);
    expect(summary(await list({ actor: 'anonymous', action: 'auth.login' }))).toEqual([[1, 'auth.login'], [2, 'auth.login'], [3, 'auth.login']]);
    expect(summary(await list({ action: 'operator.' }))).toEqual([[4, 'operator.unlock']]);
    expect(await list({ action: 'operator' })).toEqual([]);
    expect(errorOf(await h.call(supervisor, 'audit.list', { action: "auth.%' OR 1=1" })).code).toBe(RpcCodes.invalidInput);
  });

  it('names the actions the log holds', async () => {
    expect(outputOf(await h.call(supervisor, 'audit.actions'))).toEqual(['auth.login', 'operator.unlock']);
    expect(errorOf(await h.call((await h.loggedIn('officer')).screen, 'audit.actions')).code).toBe(RpcCodes.forbidden);
  });
});
