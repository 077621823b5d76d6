// The browser host's call message and the event sink: what a screen may send, and that
// a screen never receives an event payload the contract does not describe.

import { describe, expect, it, vi } from 'vitest';
import { createEventSink } from '../../../../main/rpc/event-sink.js';
import { CallMessage } from '../../../../main/rpc/wire.js';

describe('CallMessage', () => {
  it('accepts a call with any input', () => {
    expect(CallMessage.parse({ t: 'call', id: 0, method: 'system.info', input: { a: [1] } }))
      .toEqual({ t: 'call', id: 0, method: 'system.info', input: { a: [1] } });
    expect(CallMessage.safeParse({ t: 'call', id: 9, method: 'x', input: null }).success).toBe(true);
  });

  it.each([
    ['another type', { t: 'result', id: 1, method: 'm', input: {} }],
    ['a negative id', { t: 'call', id: -1, method: 'm', input: {} }],
    ['a fractional id', { t: 'call', id: 1.5, method: 'm', input: {} }],
    ['an unsafe id', { t: 'call', id: 2 ** 53, method: 'm', input: {} }],
    ['a string id', { t: 'call', id: '1', method: 'm', input: {} }],
    ['no method', { t: 'call', id: 1, input: {} }],
    ['an empty method', { t: 'call', id: 1, method: '', input: {} }],
    ['a method over 100 characters', { t: 'call', id: 1, method: 'm'.repeat(101), input: {} }],
    ['an extra key', { t: 'call', id: 1, method: 'm', input: {}, role: 'technician' }],
    ['an array', [{ t: 'call', id: 1, method: 'm' }]],
    ['null', null],
  ])('refuses %s', (_label, message) => {
    expect(CallMessage.safeParse(message).success).toBe(false);
  });
});

describe('createEventSink', () => {
  it('sends a payload that matches its declared schema', () => {
    const send = vi.fn();
    const emit = createEventSink(send);
    emit('session.idleWarning', { secondsLeft: 12 });
    emit('session.ended', { reason: 'idle' });
    expect(send.mock.calls).toEqual([['session.idleWarning', { secondsLeft: 12 }], ['session.ended', { reason: 'idle' }]]);
  });

  it('refuses a payload outside its schema instead of sending it', () => {
    const send = vi.fn();
    const emit = createEventSink(send);
    expect(() => emit('session.idleWarning', { secondsLeft: -1 })).toThrow();
    expect(() => emit('session.ended', { reason: 'crash' } as never)).toThrow();
    expect(send).not.toHaveBeenCalled();
  });
});
