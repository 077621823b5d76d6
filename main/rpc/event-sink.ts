// Sends contract events to one screen, validating each payload against its declared
// schema first, so a screen never receives an event the contract does not describe.

import { events, type EventName, type Events } from './contract.js';
import type { PayloadOf } from './define.js';

export type EventSink = <E extends EventName>(name: E, payload: PayloadOf<Events[E]>) => void;

export function createEventSink(send: (name: EventName, payload: unknown) => void): EventSink {
  return (name, payload) => {
    send(name, events[name].payload.parse(payload));
  };
}
