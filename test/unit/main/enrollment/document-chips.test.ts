// The enrollment's side of chip reading, against virtual chips read in process with the real
// reader (no PC/SC): a pending MRZ read gets its chip read as soon as a document is on the
// reader, progress reaches the screen, and the verdict decides whether the read may be
// accepted (verified; not verifiable only once acknowledged; failed never), what is audited,
// and what the accepted document keeps for the record.

import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { chipVerdict } from '../../../../main/enrollment/chip-check.js';
import { captureFromMrz, type DocumentCapture } from '../../../../main/enrollment/document-capture.js';
import { DocumentChips, type ChipSource } from '../../../../main/enrollment/document-chips.js';
import { Enrollment } from '../../../../main/enrollment/enrollment.js';
import { GatehouseError } from '../../../../main/errors.js';
import { silentLog } from '../../../../main/log.js';
import { ChipScenario } from '../../../../main/rpc/schemas.js';
import { openDatabase } from '../../../../main/store/database.js';
import { readChip } from '../../../../native/emrtd/chip-reader.js';
import type { ChipAccessKey, ChipReadProgress } from '../../../../native/emrtd/chip-reading.js';
import { formatMrz, parseMrz, type MrzFieldValues } from '../../../../native/idreader/mrz/index.js';
import { CHIP_SCENARIOS, VIRTUAL_CHIP_CAN, virtualChip, type ChipScenario as Scenario, type VirtualChip } from '../../../../native/sim/emrtd/virtual-chip.js';
import { MRZ, NOW, pki } from '../../native/emrtd/chip-fixtures.js';
import { OFFICER, STARTED_AT } from './sample-enrollments.js';

/** A chip reader with `chip` on it (or none), read in process. */
class InProcessReader extends EventEmitter implements ChipSource {
  chip: VirtualChip | null = null;
  reads: ChipAccessKey[] = [];

  get cardPresent(): boolean {
    return this.chip !== null;
  }

  put(chip: VirtualChip | null): void {
    this.chip = chip;
    this.emit('card', chip !== null);
  }

  read(key: ChipAccessKey, options: { onProgress: (progress: ChipReadProgress) => void; signal: AbortSignal }) {
    this.reads.push(key);
    // A reader session starts on a reset card, as the PC/SC driver's connect gives it.
    this.chip!.reset();
    return readChip(this.chip!, key, { trustStore: pki.trustStore(), now: () => NOW, ...options });
  }
}

function rig(onEmit: (read: ReturnType<Enrollment['view']>['pendingRead']) => void = () => {}) {
  const db = openDatabase(':memory:');
  const reader = new InProcessReader();
  const enrollment = new Enrollment({ flow: 'person', ranBy: OFFICER, startedAt: STARTED_AT, fingers: [] });
  const emitted: Array<ReturnType<Enrollment['view']>['pendingRead']> = [];
  let settled: () => void = () => {};
  const chips = new DocumentChips(reader, {
    nextChipToRead: (placement) => {
      const check = enrollment.chipToRead(placement);
      return check ? { enrollment, check } : null;
    },
    emit: (e) => {
      const read = e.view().pendingRead;
      emitted.push(read);
      onEmit(read);
      if (read?.chip && read.chip.status !== 'reading' && read.chip.status !== 'waiting') settled();
    },
  }, { db, log: process.env.DBG ? { info: console.log, warn: console.log, error: console.log } : silentLog });
  /** Offers `capture` (a new pending read) and resolves when its chip read has settled. */
  const offer = (capture: DocumentCapture) => {
    const done = new Promise<void>((resolve) => { settled = resolve; });
    enrollment.offerRead(capture, chips.checkFor(capture));
    return done;
  };
  const next = () => new Promise<void>((resolve) => { settled = resolve; });
  const audit = () => db.prepare('SELECT action, details FROM audit ORDER BY seq').all()
    .map((row) => ({ action: (row as { action: string }).action, details: JSON.parse((row as { details: string }).details) as Record<string, unknown> }));
  return { db, reader, enrollment, chips, emitted, offer, next, audit };
}

/** The sample passport's MRZ fields, to print variants of it. */
function printedFields(): MrzFieldValues {
  const { sex, ...fields } = parseMrz(MRZ, { now: NOW }).fields;
  return { ...fields, sex: sex ?? 'X', optionalData2: '' };
}
const passportCapture = (lines = MRZ) => captureFromMrz(parseMrz(lines, { now: NOW }), 'mrz', NOW);
const chipOf = (scenario: Scenario, mrz = MRZ) => virtualChip(scenario, { pki, mrz, now: NOW });
const code = (action: () => unknown) => {
  try {
    action();
  } catch (error) {
    return error instanceof GatehouseError ? error.code : String(error);
  }
  return null;
};

describe('chip reading in an enrollment', () => {
  it('offers every scenario the simulator has to the screens', () => {
    expect(ChipScenario.options).toEqual([...CHIP_SCENARIOS]);
  });

  it('reads a genuine chip with the MRZ key, shows progress, verifies it and keeps its files and portrait', async () => {
    const { reader, enrollment, emitted, offer, audit } = rig();
    reader.put(chipOf('valid'));
    const capture = passportCapture();
    await offer(capture);

    const fractions = emitted.flatMap((read) => (read?.chip?.status === 'reading' ? [read.chip.fraction] : []));
    expect(fractions.length).toBeGreaterThan(3);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(enrollment.view().pendingRead?.chip).toMatchObject({
      status: 'done', verdict: 'verified', reason: null, access: 'PACE', country: 'UT', portrait: true,
      cloneCheck: { protocol: 'chip-authentication', verified: true }, acknowledged: false,
    });
    expect(audit()).toEqual([{ action: 'enrollment.chip-read', details: {
      enrollmentId: enrollment.id, verdict: 'verified', reason: null, access: 'PACE', openedWith: 'mrz',
    } }]);

    const accepted = enrollment.pendingReadToAccept(capture.view.readId, false);
    expect(accepted.capture.view.chip).toMatchObject({ status: 'done', verdict: 'verified' });
    expect(accepted.chip?.evidence?.files.map((file) => file.name)).toEqual(expect.arrayContaining(['EF.COM', 'DG1', 'DG2', 'DG14', 'EF.SOD']));
    const jpeg = accepted.chip!.evidence!.portraitJpeg!;
    expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(accepted.chip?.evidence?.passiveAuthentication).toMatchObject({ status: 'valid', csca: { country: 'UT' } });
    expect(accepted.chip?.evidence?.passiveAuthentication).not.toHaveProperty('message');
  });

  it('starts reading when the document arrives on the reader after its MRZ was read', async () => {
    const { reader, enrollment, offer, next } = rig();
    void offer(passportCapture());
    await Promise.resolve();
    expect(enrollment.view().pendingRead?.chip).toEqual({ status: 'waiting' });
    const read = next();
    reader.put(chipOf('no-pace'));
    await read;
    expect(enrollment.view().pendingRead?.chip).toMatchObject({ status: 'done', verdict: 'verified', access: 'BAC' });
  });

  it('stops an altered chip: failed, audited, and the read can be neither accepted nor skipped', async () => {
    const { reader, enrollment, offer, audit } = rig();
    reader.put(chipOf('altered-dg1'));
    const capture = passportCapture();
    await offer(capture);
    expect(enrollment.view().pendingRead?.chip).toMatchObject({ status: 'done', verdict: 'failed', reason: 'dg-hash-mismatch' });
    expect(audit()).toEqual([{ action: 'enrollment.chip-failed', details: expect.objectContaining({ verdict: 'failed', reason: 'dg-hash-mismatch' }) }]);
    expect(code(() => enrollment.pendingReadToAccept(capture.view.readId, false))).toBe('ENROLLMENT_CHIP_FAILED');
    const check = enrollment.pendingChip(capture.view.readId);
    expect(code(() => check.skip({ reason: 'chip-unreadable', note: 'try without', by: OFFICER, at: STARTED_AT }))).toBe('ENROLLMENT_CHIP_FAILED');
    expect(code(() => check.retry())).toBe('ENROLLMENT_CHIP_FAILED');
  });

  it.each<[Scenario, string]>([['rogue-ds', 'chain-invalid'], ['expired-ds', 'expired']])('fails a chip of scenario %s (%s)', async (scenario, reason) => {
    const { reader, enrollment, offer } = rig();
    reader.put(chipOf(scenario));
    await offer(passportCapture());
    expect(enrollment.view().pendingRead?.chip).toMatchObject({ status: 'done', verdict: 'failed', reason });
  });

  it('fails a chip whose DG1 differs from the printed page, however well it is signed', async () => {
    const { reader, enrollment, offer } = rig();
    // Same document number and dates (the key opens the chip), another name on the page.
    const page = formatMrz({ ...printedFields(), surname: 'MUSTERMANN' }, 'TD3');
    reader.put(chipOf('valid'));
    await offer(passportCapture(page));
    expect(enrollment.view().pendingRead?.chip).toMatchObject({ status: 'done', verdict: 'failed', reason: 'dg1-mismatch' });
  });

  it('lets a chip of an untrusted country go on only once someone at the screen acknowledges it', async () => {
    const { reader, enrollment, offer } = rig();
    reader.put(chipOf('unknown-csca'));
    const capture = passportCapture();
    await offer(capture);
    expect(enrollment.view().pendingRead?.chip).toMatchObject({ status: 'done', verdict: 'not-verifiable', reason: 'no-csca-for-country', country: 'ZZ' });
    expect(code(() => enrollment.pendingReadToAccept(capture.view.readId, false))).toBe('ENROLLMENT_CHIP_NOT_ACKNOWLEDGED');
    enrollment.pendingChip(capture.view.readId).acknowledge(OFFICER);
    const accepted = enrollment.pendingReadToAccept(capture.view.readId, false);
    expect(accepted.chip?.view).toMatchObject({ verdict: 'not-verifiable', acknowledged: true, acknowledgedBy: OFFICER });
  });

  it('asks for the card access number of a card that needs it, and says when a typed one is wrong', async () => {
    const { reader, enrollment, chips, offer, next } = rig();
    reader.put(chipOf('can-only'));
    const capture = passportCapture();
    await offer(capture);
    expect(enrollment.view().pendingRead?.chip).toEqual({ status: 'needs-can', retry: false });

    const check = enrollment.pendingChip(capture.view.readId);
    let settled = next();
    check.useCan('000000');
    chips.poke();
    await settled;
    expect(enrollment.view().pendingRead?.chip).toEqual({ status: 'needs-can', retry: true });

    settled = next();
    check.useCan(VIRTUAL_CHIP_CAN);
    chips.poke();
    await settled;
    expect(enrollment.view().pendingRead?.chip).toMatchObject({ status: 'done', verdict: 'verified', access: 'PACE' });
    expect(reader.reads.at(-1)).toEqual({ kind: 'can', can: VIRTUAL_CHIP_CAN });
  });

  it('reports a document taken away mid-read, and reads again when it is back', async () => {
    const { reader, enrollment, offer, next } = rig();
    reader.put(chipOf('removed-mid-read'));
    const capture = passportCapture();
    await offer(capture);
    const chip = enrollment.view().pendingRead?.chip;
    expect(chip).toMatchObject({ status: 'error', code: expect.stringMatching(/^PCSC_CARD_REMOVED$|REMOVED/) });
    expect(code(() => enrollment.pendingReadToAccept(capture.view.readId, false))).toBe('ENROLLMENT_CHIP_NOT_READ');

    const settled = next();
    reader.put(chipOf('valid'));
    await settled;
    expect(enrollment.view().pendingRead?.chip).toMatchObject({ status: 'done', verdict: 'verified' });
  });

  it('lets the read go on without the chip: recorded with its reason and by whom, and a second approval is needed', async () => {
    const { enrollment, offer } = rig();
    void offer(passportCapture());
    await Promise.resolve();
    const capture = enrollment.view().pendingRead!;
    enrollment.pendingChip(capture.readId).skip({ reason: 'no-chip', note: 'issued before 2006', by: OFFICER, at: STARTED_AT });
    const accepted = enrollment.pendingReadToAccept(capture.readId, false);
    expect(accepted.chip).toEqual({ view: { status: 'skipped', reason: 'no-chip', note: 'issued before 2006', by: OFFICER, at: STARTED_AT }, evidence: null });
    enrollment.setDocument({ ...accepted, by: OFFICER });
    expect(enrollment.secondApproval()).toContain('chip-not-read');
  });

  it('drops a reading whose enrollment ended: nothing audited, nothing shown after', async () => {
    let shown = -1;
    const { reader, enrollment, emitted, offer, audit } = rig((read) => {
      if (shown === -1 && read?.chip?.status === 'reading' && read.chip.fraction > 0.2) {
        enrollment.close();
        shown = emitted.length;
      }
    });
    reader.put(chipOf('valid'));
    void offer(passportCapture());
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(shown).toBeGreaterThan(0);
    expect(audit()).toEqual([]);
    expect(emitted.length).toBe(shown);
  });

  it('gives no chip to documents without one', () => {
    const { chips } = rig();
    const visa = captureFromMrz(parseMrz(formatMrz({ ...printedFields(), documentCode: 'V' }, 'MRVA'), { now: NOW }), 'mrz', NOW);
    expect(chips.checkFor(visa)).toBeNull();
  });
});

describe('chipVerdict', () => {
  it('puts a failed Passive Authentication before a DG1 mismatch, and a failed clone check before not-verifiable', async () => {
    const valid = await readChip(chipOf('valid'), { kind: 'mrz', ...parseMrz(MRZ, { now: NOW }).fields }, { trustStore: pki.trustStore(), now: () => NOW });
    expect(chipVerdict(valid, [MRZ.join('')])).toEqual({ verdict: 'verified', reason: null });
    expect(chipVerdict(valid, ['X'])).toEqual({ verdict: 'failed', reason: 'dg1-mismatch' });
    const cloned = { ...valid, chipAuthentication: { performed: true as const, verified: false, protocol: 'id-CA-ECDH-AES-CBC-CMAC-128' } };
    expect(chipVerdict(cloned, [MRZ.join('')])).toEqual({ verdict: 'failed', reason: 'clone-check-failed' });
  });
});
