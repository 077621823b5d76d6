// The dispatcher against a small contract of its own: typed errors for every failure,
// nothing internal leaked, output checked against its schema, a procedure's authorise hook
// run between input validation and the handler, and a state change and its audit entry
// committed or rolled back together.

import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { DeviceError } from '../../../../native/device-error.js';
import { GatehouseError } from '../../../../main/errors.js';
import { officerLoggedIn, officerPresent, procedure, RpcCodes, type Refusal } from '../../../../main/rpc/define.js';
import { RpcDispatcher, type Caller, type HandlerContext, type Handlers } from '../../../../main/rpc/dispatcher.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';

const Counter = z.object({ n: z.number().int() });

const contract = {
  'test.echo': procedure({ summary: 'echo', input: Counter.strict(), output: Counter, access: 'anyone' }),
  'test.defaults': procedure({
    summary: 'defaults', input: z.object({ limit: z.number().int().default(7) }).strict(), output: Counter, access: 'anyone',
  }),
  'test.supervisorOnly': procedure({ summary: 'supervisors', input: z.object({}).strict(), output: Counter, access: ['supervisor'] }),
  'test.boom': procedure({ summary: 'boom', input: z.object({}).strict(), output: Counter, access: 'anyone' }),
  'test.asyncBoom': procedure({ summary: 'async boom', input: z.object({}).strict(), output: Counter, access: 'anyone' }),
  'test.thrownString': procedure({ summary: 'throws a string', input: z.object({}).strict(), output: Counter, access: 'anyone' }),
  'test.domainError': procedure({ summary: 'domain', input: z.object({}).strict(), output: Counter, access: 'anyone' }),
  'test.deviceError': procedure({ summary: 'device', input: z.object({}).strict(), output: Counter, access: 'anyone' }),
  'test.badOutput': procedure({ summary: 'bad output', input: z.object({}).strict(), output: Counter, access: 'anyone' }),
  'test.extraOutput': procedure({ summary: 'extra output', input: z.object({}).strict(), output: Counter, access: 'anyone' }),
  'test.write': procedure({
    summary: 'write', input: z.object({ key: z.string() }).strict(), output: Counter, access: 'anyone', audit: 'test.write',
  }),
  'test.writeThenFail': procedure({
    summary: 'write then fail', input: z.object({}).strict(), output: Counter, access: 'anyone', audit: 'test.write-then-fail',
  }),
  'test.unsafeAudit': procedure({
    summary: 'unsafe audit', input: z.object({}).strict(), output: Counter, access: 'anyone', audit: 'test.unsafe',
  }),
  'test.readOnlyCommit': procedure({ summary: 'commits without audit', input: z.object({}).strict(), output: Counter, access: 'anyone' }),
  'test.needsOfficer': procedure({
    summary: 'an officer at the screen', input: z.object({ key: z.string() }).strict(), output: Counter, access: 'anyone', audit: 'test.needs-officer',
    authorise: (_input, caller) => officerPresent(caller, 'Call an officer to record this.'),
  }),
  'test.needsOfficerLoggedIn': procedure({
    summary: 'an officer logged in', input: z.object({}).strict(), output: Counter, access: 'anyone',
    authorise: (_input, caller) => officerLoggedIn(caller, 'An officer must log in to start this.'),
  }),
  'test.inputRule': procedure({
    summary: 'a rule on the input', input: z.object({ n: z.number().int().default(3) }).strict(), output: Counter, access: ['officer', 'supervisor'],
    authorise: (input, caller) => authoriseInputRule(input, caller),
  }),
} as const;

/** Numbers above 10 need a supervisor; records what it was asked. */
const inputRuleCalls: Array<[unknown, Caller]> = [];
function authoriseInputRule(input: { n: number }, caller: Caller): Refusal | null {
  inputRuleCalls.push([input, caller]);
  return input.n > 10 && caller.role !== 'supervisor' ? { code: RpcCodes.forbidden, message: 'Above 10 needs a supervisor.' } : null;
}

const INTERNAL_DETAIL = 'ENOENT: /var/lib/gatehouse/keys/device.key';

function insertSetting(db: Db, key: string): void {
  db.prepare("INSERT INTO settings (key, value, updated_at) VALUES (?, '1', 'now')").run(key);
}

function setup() {
  const db = openDatabase(':memory:');
  const log = {
    warn: vi.fn<(message: string, fields: Record<string, unknown>) => void>(),
    error: vi.fn<(message: string, fields: Record<string, unknown>) => void>(),
  };
  const inTransaction: boolean[] = [];
  const handlers: Handlers<typeof contract, Caller> = {
    'test.echo': ({ n }) => ({ n }),
    'test.defaults': ({ limit }) => ({ n: limit }),
    'test.supervisorOnly': vi.fn(() => ({ n: 1 })),
    'test.boom': () => {
      throw new Error(INTERNAL_DETAIL);
    },
    'test.asyncBoom': async () => {
      await Promise.resolve();
      throw new TypeError(INTERNAL_DETAIL);
    },
    'test.thrownString': () => {
      throw INTERNAL_DETAIL;
    },
    'test.domainError': () => {
      throw new GatehouseError('THING_MISSING', 'The thing is missing; plug it in.', { thing: 'reader' });
    },
    'test.deviceError': () => {
      throw new DeviceError('DEVICE_TIMEOUT', 'The fingerprint scanner on /dev/ttyUSB0 did not answer.', { port: '/dev/ttyUSB0' });
    },
    'test.badOutput': () => ({ n: 'many' }) as unknown as { n: number },
    'test.extraOutput': () => ({ n: 3, pinHash: 'scrypt$secret' }) as { n: number },
    'test.write': ({ key }, ctx) => ctx.commit(() => {
      inTransaction.push(db.inTransaction);
      insertSetting(db, key);
      return { n: 1 };
    }, () => ({ key })),
    'test.writeThenFail': (_input, ctx) => ctx.commit(() => {
      insertSetting(db, 'half-done');
      throw new GatehouseError('HALFWAY', 'Failed halfway.');
    }),
    'test.unsafeAudit': (_input, ctx) => ctx.commit(() => {
      insertSetting(db, 'unsafe');
      return { n: 1 };
    }, () => ({ pin: '123456' })),
    'test.readOnlyCommit': (_input, ctx) => ctx.commit(() => ({ n: 1 })),
    'test.needsOfficer': vi.fn(({ key }: { key: string }, ctx: HandlerContext) => ctx.commit(() => {
      insertSetting(db, key);
      return { n: 1 };
    })),
    'test.needsOfficerLoggedIn': vi.fn(() => ({ n: 2 })),
    'test.inputRule': vi.fn(({ n }: { n: number }) => ({ n })),
  };
  inputRuleCalls.length = 0;
  const dispatcher = new RpcDispatcher(contract, handlers, db, log);
  const settingsRows = () => (db.prepare('SELECT key FROM settings ORDER BY key').all() as Array<{ key: string }>).map((r) => r.key);
  const auditRows = () => db.prepare('SELECT seq, actor, action, details FROM audit ORDER BY seq').all();
  return { db, log, dispatcher, handlers, inTransaction, settingsRows, auditRows };
}

const anonymous: Caller = { role: null, actor: 'anonymous', officerPresent: false };
const officer: Caller = { role: 'officer', actor: 'operator:7', officerPresent: true };
const supervisor: Caller = { role: 'supervisor', actor: 'operator:8', officerPresent: true };
const technician: Caller = { role: 'technician', actor: 'operator:9', officerPresent: false };
/** A business owner's screen an officer was called to: nobody logged in, an officer present. */
const assisted: Caller = { role: null, actor: 'operator:7', officerPresent: true };

describe('RpcDispatcher', () => {
  it('runs a handler with parsed input and returns its checked output', async () => {
    const { dispatcher } = setup();
    expect(await dispatcher.call(anonymous, 'test.echo', { n: 5 })).toEqual({ ok: true, output: { n: 5 } });
    expect(await dispatcher.call(anonymous, 'test.defaults', {})).toEqual({ ok: true, output: { n: 7 } });
  });

  it('treats a missing input as an empty object', async () => {
    const { dispatcher } = setup();
    expect(await dispatcher.call(anonymous, 'test.defaults', undefined)).toEqual({ ok: true, output: { n: 7 } });
    expect(await dispatcher.call(anonymous, 'test.defaults', null)).toEqual({ ok: true, output: { n: 7 } });
  });

  it('refuses by role before validating input or running the handler', async () => {
    const { dispatcher, handlers } = setup();
    expect(await dispatcher.call(anonymous, 'test.supervisorOnly', { junk: 1 })).toEqual({
      ok: false, error: { code: RpcCodes.unauthenticated, message: 'Log in first.', details: {} },
    });
    expect(await dispatcher.call(officer, 'test.supervisorOnly', { junk: 1 })).toEqual({
      ok: false, error: { code: RpcCodes.forbidden, message: expect.stringContaining('officer'), details: { role: 'officer', allowed: ['supervisor'] } },
    });
    expect(handlers['test.supervisorOnly']).not.toHaveBeenCalled();
    expect(await dispatcher.call(supervisor, 'test.supervisorOnly', {})).toEqual({ ok: true, output: { n: 1 } });
    expect(handlers['test.supervisorOnly']).toHaveBeenCalledTimes(1);
  });

  it('reports invalid input with each issue path and message', async () => {
    const { dispatcher } = setup();
    const result = await dispatcher.call(anonymous, 'test.echo', { n: 1.5, extra: true });
    expect(result).toEqual({
      ok: false,
      error: {
        code: RpcCodes.invalidInput,
        message: 'The request to test.echo is not valid.',
        details: {
          issues: expect.arrayContaining([
            { path: ['n'], message: expect.any(String) },
            { path: [], message: expect.stringContaining('extra') },
          ]),
        },
      },
    });
  });

  it.each(['nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'])(
    'answers RPC_UNKNOWN_METHOD for "%s"',
    async (method) => {
      const { dispatcher } = setup();
      expect(await dispatcher.call(supervisor, method, {})).toEqual({
        ok: false, error: { code: RpcCodes.unknownMethod, message: expect.any(String), details: { method } },
      });
    },
  );

  it.each(['test.boom', 'test.asyncBoom', 'test.thrownString'])(
    'turns a raw exception from %s into RPC_INTERNAL without leaking it',
    async (method) => {
      const { dispatcher, log } = setup();
      const result = await dispatcher.call(anonymous, method, {});
      expect(result).toEqual({ ok: false, error: { code: RpcCodes.internal, message: expect.any(String), details: { method } } });
      expect(JSON.stringify(result)).not.toContain('ENOENT');
      expect(JSON.stringify(result)).not.toContain('/var/lib');
      // The operator-facing answer is generic; the log keeps the cause for a technician.
      expect(log.error).toHaveBeenCalledWith('rpc handler failed', { method, error: expect.stringContaining('ENOENT') });
    },
  );

  it('passes a domain error and a device error through as they are', async () => {
    const { dispatcher, log } = setup();
    expect(await dispatcher.call(anonymous, 'test.domainError', {})).toEqual({
      ok: false, error: { code: 'THING_MISSING', message: 'The thing is missing; plug it in.', details: { thing: 'reader' } },
    });
    expect(await dispatcher.call(anonymous, 'test.deviceError', {})).toEqual({
      ok: false,
      error: { code: 'DEVICE_TIMEOUT', message: 'The fingerprint scanner on /dev/ttyUSB0 did not answer.', details: { port: '/dev/ttyUSB0' } },
    });
    expect(log.error).not.toHaveBeenCalled();
    // The screen shows the refusal translated; the log keeps its English message for a technician.
    expect(log.warn.mock.calls).toEqual([
      ['rpc refused', { method: 'test.domainError', code: 'THING_MISSING', reason: 'The thing is missing; plug it in.' }],
      ['rpc refused', { method: 'test.deviceError', code: 'DEVICE_TIMEOUT', reason: 'The fingerprint scanner on /dev/ttyUSB0 did not answer.' }],
    ]);
  });

  it('answers RPC_INVALID_OUTPUT when a handler returns what its schema does not allow', async () => {
    const { dispatcher, log } = setup();
    const result = await dispatcher.call(anonymous, 'test.badOutput', {});
    expect(result).toEqual({ ok: false, error: { code: RpcCodes.invalidOutput, message: expect.any(String), details: { method: 'test.badOutput' } } });
    expect(JSON.stringify(result)).not.toContain('many');
    expect(log.error).toHaveBeenCalledWith('rpc output failed its schema', { method: 'test.badOutput', issues: 1 });
  });

  it('sends only the fields the output schema declares', async () => {
    const { dispatcher } = setup();
    expect(await dispatcher.call(anonymous, 'test.extraOutput', {})).toEqual({ ok: true, output: { n: 3 } });
  });
});

describe('RpcDispatcher authorise hook', () => {
  it('refuses with the hook\'s code and message, without running the handler or writing anything', async () => {
    const { dispatcher, handlers, settingsRows, auditRows } = setup();
    expect(await dispatcher.call(anonymous, 'test.needsOfficer', { key: 'k' })).toEqual({
      ok: false, error: { code: RpcCodes.forbidden, message: 'Call an officer to record this.', details: {} },
    });
    expect(await dispatcher.call(technician, 'test.needsOfficer', { key: 'k' })).toMatchObject({ ok: false, error: { code: RpcCodes.forbidden } });
    expect(handlers['test.needsOfficer']).not.toHaveBeenCalled();
    expect(settingsRows()).toEqual([]);
    expect(auditRows()).toEqual([]);
  });

  it('lets an officer who is present through, logged in or called to the screen', async () => {
    const { dispatcher, handlers, settingsRows, auditRows } = setup();
    expect(await dispatcher.call(assisted, 'test.needsOfficer', { key: 'assisted' })).toEqual({ ok: true, output: { n: 1 } });
    expect(await dispatcher.call(officer, 'test.needsOfficer', { key: 'logged-in' })).toEqual({ ok: true, output: { n: 1 } });
    expect(handlers['test.needsOfficer']).toHaveBeenCalledTimes(2);
    expect(settingsRows()).toEqual(['assisted', 'logged-in']);
    expect(auditRows()).toMatchObject([{ actor: 'operator:7', action: 'test.needs-officer' }, { actor: 'operator:7', action: 'test.needs-officer' }]);
  });

  it('answers an officer who must be logged in: unauthenticated for nobody, forbidden for another role', async () => {
    const { dispatcher, handlers } = setup();
    const refused = (code: string) => ({ ok: false, error: { code, message: 'An officer must log in to start this.', details: {} } });
    expect(await dispatcher.call(anonymous, 'test.needsOfficerLoggedIn', {})).toEqual(refused(RpcCodes.unauthenticated));
    expect(await dispatcher.call(assisted, 'test.needsOfficerLoggedIn', {})).toEqual(refused(RpcCodes.unauthenticated));
    expect(await dispatcher.call(technician, 'test.needsOfficerLoggedIn', {})).toEqual(refused(RpcCodes.forbidden));
    expect(handlers['test.needsOfficerLoggedIn']).not.toHaveBeenCalled();
    expect(await dispatcher.call(officer, 'test.needsOfficerLoggedIn', {})).toEqual({ ok: true, output: { n: 2 } });
    expect(await dispatcher.call(supervisor, 'test.needsOfficerLoggedIn', {})).toEqual({ ok: true, output: { n: 2 } });
  });

  it('runs after the role check and input validation, with the parsed input and the caller', async () => {
    const { dispatcher, handlers } = setup();
    expect(await dispatcher.call(anonymous, 'test.inputRule', { n: 50 })).toMatchObject({ ok: false, error: { code: RpcCodes.unauthenticated } });
    expect(await dispatcher.call(officer, 'test.inputRule', { n: 'fifty' })).toMatchObject({ ok: false, error: { code: RpcCodes.invalidInput } });
    expect(inputRuleCalls).toEqual([]);

    expect(await dispatcher.call(officer, 'test.inputRule', {})).toEqual({ ok: true, output: { n: 3 } });
    expect(inputRuleCalls).toEqual([[{ n: 3 }, officer]]);
    expect(await dispatcher.call(officer, 'test.inputRule', { n: 11 })).toEqual({
      ok: false, error: { code: RpcCodes.forbidden, message: 'Above 10 needs a supervisor.', details: {} },
    });
    expect(handlers['test.inputRule']).toHaveBeenCalledTimes(1);
    expect(await dispatcher.call(supervisor, 'test.inputRule', { n: 11 })).toEqual({ ok: true, output: { n: 11 } });
    expect(inputRuleCalls.map(([input]) => input)).toEqual([{ n: 3 }, { n: 11 }, { n: 11 }]);
  });
});

describe('officerPresent and officerLoggedIn', () => {
  it('asks for an officer at the screen, with a default message', () => {
    expect(officerPresent(anonymous)).toEqual({ code: RpcCodes.forbidden, message: expect.stringContaining('officer') });
    expect(officerPresent(technician, 'No.')).toEqual({ code: RpcCodes.forbidden, message: 'No.' });
    expect(officerPresent(assisted)).toBeNull();
    expect(officerPresent(officer)).toBeNull();
  });

  it('asks for an officer or supervisor logged in', () => {
    expect(officerLoggedIn(anonymous, 'Log in.')).toEqual({ code: RpcCodes.unauthenticated, message: 'Log in.' });
    expect(officerLoggedIn(assisted, 'Log in.')).toEqual({ code: RpcCodes.unauthenticated, message: 'Log in.' });
    expect(officerLoggedIn(technician, 'Log in.')).toEqual({ code: RpcCodes.forbidden, message: 'Log in.' });
    expect(officerLoggedIn(officer, 'Log in.')).toBeNull();
    expect(officerLoggedIn(supervisor, 'Log in.')).toBeNull();
  });
});

describe('RpcDispatcher commit', () => {
  it('writes the change and exactly one audit entry with the declared action, inside one transaction', async () => {
    const { dispatcher, inTransaction, settingsRows, auditRows } = setup();
    expect(await dispatcher.call(officer, 'test.write', { key: 'alpha' })).toEqual({ ok: true, output: { n: 1 } });
    expect(inTransaction).toEqual([true]);
    expect(settingsRows()).toEqual(['alpha']);
    expect(auditRows()).toEqual([{ seq: 1, actor: 'operator:7', action: 'test.write', details: '{"key":"alpha"}' }]);
  });

  it('rolls back the change when it fails halfway, and writes no audit entry', async () => {
    const { dispatcher, settingsRows, auditRows } = setup();
    expect(await dispatcher.call(officer, 'test.writeThenFail', {})).toMatchObject({ ok: false, error: { code: 'HALFWAY' } });
    expect(settingsRows()).toEqual([]);
    expect(auditRows()).toEqual([]);
  });

  it('rolls back the change when its audit entry cannot be written', async () => {
    const { dispatcher, settingsRows, auditRows } = setup();
    expect(await dispatcher.call(officer, 'test.unsafeAudit', {})).toMatchObject({ ok: false, error: { code: 'AUDIT_UNSAFE_DETAILS' } });
    expect(settingsRows()).toEqual([]);
    expect(auditRows()).toEqual([]);
  });

  it('keeps a later failure from undoing an earlier committed call', async () => {
    const { dispatcher, settingsRows, auditRows } = setup();
    await dispatcher.call(officer, 'test.write', { key: 'kept' });
    await dispatcher.call(officer, 'test.writeThenFail', {});
    expect(settingsRows()).toEqual(['kept']);
    expect(auditRows()).toHaveLength(1);
  });

  it('refuses a commit from a procedure that declares no audit action', async () => {
    const { dispatcher, auditRows } = setup();
    expect(await dispatcher.call(officer, 'test.readOnlyCommit', {})).toMatchObject({ ok: false, error: { code: RpcCodes.internal } });
    expect(auditRows()).toEqual([]);
  });
});
