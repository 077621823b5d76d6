// Moving to another envelope store (`gatehouse-authority envelopes copy --to STORE`): every
// envelope of the store in use that the target lacks is read (and so checked) and put there.
// Idempotent, so the way over is: copy while serving, stop the replicas, copy again (the records
// that arrived meanwhile), start them with the new --envelopes.
import type { EnvelopeStore } from './envelope-store.js';

export async function copyEnvelopes(from: EnvelopeStore, to: EnvelopeStore): Promise<{ copied: number; present: number }> {
  let copied = 0;
  let present = 0;
  for await (const digest of from.digests()) {
    if (await to.has(digest)) {
      present++;
    } else {
      await to.put(digest, await from.get(digest));
      copied++;
    }
  }
  return { copied, present };
}
