// Checks of the envelope store against the records (`gatehouse-authority envelopes verify|orphans`):
// every record's envelope present and whole, and the envelopes no record names. Orphans come from
// an intake that stopped between writing the envelope and committing its row (a crash, a refused
// number, a lost race): harmless, and safe to delete once older than any intake still running.
import { AuthorityError } from '../authority-error.js';
import type { Authority } from '../authority.js';

export interface EnvelopeProblem {
  kioskId: string;
  recordId: string;
  digest: string;
  /** ENVELOPE_MISSING or ENVELOPE_CORRUPT. */
  code: string;
}

/** Reads and checks the envelope of every record held; the records whose envelope is missing or damaged. */
export async function verifyEnvelopes(authority: Authority): Promise<{ checked: number; problems: EnvelopeProblem[] }> {
  const problems: EnvelopeProblem[] = [];
  const records = await authority.repository.listRecords();
  for (const { kioskId, recordId, digest } of records) {
    try {
      await authority.envelopes.get(digest);
    } catch (error) {
      if (!(error instanceof AuthorityError) || !['ENVELOPE_MISSING', 'ENVELOPE_CORRUPT'].includes(error.code)) throw error;
      problems.push({ kioskId, recordId, digest, code: error.code });
    }
  }
  return { checked: records.length, problems };
}

/** The digests held in the envelope store that no record names. */
export async function* orphanEnvelopes(authority: Authority): AsyncIterable<string> {
  const rows = authority.repository.envelopeRows();
  for await (const digest of authority.envelopes.digests()) {
    if (!(await rows.recordNames(digest))) yield digest;
  }
}
