// Every word a person sees exists in every language: the three locales hold the same keys
// with the same placeholders and nothing empty; every key the renderer's code asks for exists
// (a key built from a value, e.g. `review.reasons.${reason}`, for every value its schema
// allows); and every error code the kiosk can send has its own message, or, for a device's
// protocol codes, the message of its device family, so no screen falls back to "something
// went wrong". Codes only command-line tools and test tooling raise are listed as such.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ChipRead, ChipSkipReason, DeviceStatus, EnrollmentBlock, EnrollmentStep, FaceExceptionReason, FingerExceptionReason, LivenessExceptionReason,
  SecondApprovalReason,
} from '../../../main/rpc/schemas.js';
import { PortraitSource } from '../../../main/rpc/procedures/face.js';
import { RecordState } from '../../../main/rpc/procedures/records.js';
import { RejectionReason } from '../../../main/rpc/procedures/review-queue.js';
import { projectRoot } from '../../e2e/support/kiosk-process.js';

type Tree = { [key: string]: string | Tree };
const LOCALES = ['en', 'de', 'zh-CN'] as const;
const locale = (code: string): Tree => JSON.parse(readFileSync(join(projectRoot, 'resources/locales', `${code}.json`), 'utf8')) as Tree;
const trees = Object.fromEntries(LOCALES.map((code) => [code, locale(code)])) as Record<(typeof LOCALES)[number], Tree>;

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [inner, text] of flatten(value, path)) out.set(inner, text);
  }
  return out;
}

const flat = Object.fromEntries(LOCALES.map((code) => [code, flatten(trees[code])])) as Record<(typeof LOCALES)[number], Map<string, string>>;
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();
/** A key as the code names it: plural forms (`_one`, `_other`) answer for the bare key. */
const hasKey = (key: string) => flat.en.has(key) || flat.en.has(`${key}_other`);
const hasPrefix = (prefix: string) => [...flat.en.keys()].some((key) => key.startsWith(`${prefix}.`));

function sourceFiles(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path, pattern);
    return pattern.test(name) ? [path] : [];
  });
}

/** Where words are asked for: the screens, and the slip the kiosk prints. */
const rendererSources = [...sourceFiles(join(projectRoot, 'renderer/src'), /\.tsx?$/), ...sourceFiles(join(projectRoot, 'main/slips'), /\.ts$/)]
  .map((file) => ({ file: relative(projectRoot, file), text: readFileSync(file, 'utf8') }));

describe('the locales', () => {
  it('hold the same keys, the same placeholders, and no empty text', () => {
    const keys = [...flat.en.keys()].sort();
    for (const code of LOCALES) {
      expect([...flat[code].keys()].sort(), code).toEqual(keys);
      for (const [key, text] of flat[code]) {
        expect(text.trim(), `${code} ${key}`).not.toBe('');
        expect(placeholders(text), `${code} ${key}`).toEqual(placeholders(flat.en.get(key)!));
      }
    }
  });
});

describe('the screens and the slip', () => {
  it('asks only for keys that exist', () => {
    const missing: string[] = [];
    for (const { file, text } of rendererSources) {
      for (const match of text.matchAll(/\bt\(\s*'([^'$]+)'/g)) if (!hasKey(match[1]!)) missing.push(`${file}: ${match[1]}`);
      for (const match of text.matchAll(/\bt\(\s*`([^`$]*)\$\{/g)) {
        const prefix = match[1]!.replace(/\.$/, '');
        if (!hasPrefix(prefix)) missing.push(`${file}: ${match[1]}…`);
      }
      for (const match of text.matchAll(/\bt\(\s*([a-z]+)\s*\?\s*'([^']+)'\s*:\s*'([^']+)'/g)) {
        for (const key of [match[2]!, match[3]!]) if (!hasKey(key)) missing.push(`${file}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('has words for every value a key is built from', () => {
    const expected = [
      ...SecondApprovalReason.options.map((reason) => `review.reasons.${reason}`),
      ...FaceExceptionReason.options.map((reason) => `faceException.reasons.${reason}`),
      ...LivenessExceptionReason.options.map((reason) => `livenessException.reasons.${reason}`),
      ...FingerExceptionReason.options.map((reason) => `fingerprint.exception.reasons.${reason}`),
      ...RejectionReason.options.map((reason) => `queue.reasons.${reason}`),
      ...DeviceStatus.shape.kind.options.map((kind) => `status.devices.${kind}`),
      ...ChipSkipReason.options.map((reason) => `document.chip.skip.reasons.${reason}`),
      ...ChipRead.options.flatMap((option) => ('stage' in option.shape ? option.shape.stage.options : [])).map((stage) => `document.chip.stages.${stage}`),
      ...PortraitSource.options.map((source) => `face.portraitSource.${source}`),
      ...EnrollmentStep.options.map((step) => `flow.steps.${step}`),
      ...EnrollmentBlock.unwrap().options.flatMap((block) => [`start.blocked.${block}.heading`, `start.blocked.${block}.body`]),
      ...['person', 'company'].flatMap((flow) => [`flow.${flow}`, `queue.kinds.${flow}`, `slip.kinds.${flow}`, `slip.next.${flow}`]),
      ...RecordState.options.filter((state) => state !== 'decided').map((state) => `records.states.${state}`),
      ...['accepted', 'rejected'].map((decision) => `records.decision.${decision}`),
      ...['headingAll', 'headingOwn'].map((key) => `records.${key}`),
      // The operators panel's notices, kept as keys so a change of language re-words them.
      ...['pinDialog.tooShort', 'pinDialog.mismatch', 'pinDialog.done', 'roleDialog.done', 'fingerDialog.removed', 'fingerDialog.pending']
        .map((key) => `operators.${key}`),
    ];
    expect(expected.filter((key) => !hasKey(key))).toEqual([]);
  });

  it('has words for every audit action the kiosk writes (the audit log section shows them)', () => {
    const actions = new Set<string>();
    for (const file of sourceFiles(join(projectRoot, 'main'), /\.ts$/)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\b(?:audit|action): '([a-z]+\.[a-z0-9-]+)'/g)) actions.add(match[1]!);
    }
    expect(actions).toContain('operator.role-changed'); // the scan works
    expect([...actions].filter((action) => !hasKey(`operators.auditLog.actions.${action}`)).sort()).toEqual([]);
  });
});

/** Codes raised only by command-line tools, simulators and test tooling, never sent to a screen. */
const NOT_FOR_SCREENS = new Set([
  'CLI_INVALID_OPTIONS', 'FACE_BENCHMARK_INVALID', 'FACE_DATA_MISSING', 'FACE_DOC_SECTION_MISSING', 'FACE_PAIRS_UNREADABLE',
  'FACE_PAIRS_LINE_INVALID', 'FACE_VERIFY_USAGE', 'FINGERPRINT_SIM_CONTROL', 'FINGERPRINT_SIM_OPTIONS', 'SIM_FAULT_UNSUPPORTED',
  'SIM_SCENARIO_UNKNOWN', 'TRACE_MISMATCH', 'TRACE_SYNTAX', 'TRACE_UNCONSUMED', 'HOST_NO_RENDERER', 'AUDIT_TRUNCATED',
  'AUDIT_DETAILS_NOT_JSON', 'SYNC_FAILED', 'CLI_FILE_UNREADABLE', 'CLI_FILE_UNWRITABLE',
  // `gatehouse settings get|set` with a key that is no setting; the screen offers only real ones.
  'SETTING_UNKNOWN',
  // The browser host's start-up and its page key file: before any screen exists, or for `serve --page-url`.
  'HOST_NOT_SERVING', 'HOST_PAGE_KEY_INVALID', 'HOST_PAGE_KEY_UNWRITABLE', 'HOST_NO_DISPLAY',
  // `gatehouse devices test` while the running kiosk holds the device; the screen tests the kiosk's own device.
  'DEVICE_IN_USE',
  // `gatehouse serve --simulate` on the packaged service: refused before any screen exists.
  'DEVICES_SIMULATION_REFUSED',
  // `gatehouse support-bundle` pointed at a folder without a kiosk store; the screen's kiosk always has one.
  'SUPPORT_BUNDLE_NO_STORE',
  // A background job's end as its row records it (`gatehouse jobs`, the diagnostics check), and `gatehouse jobs --cancel`.
  'JOB_FAILED', 'JOB_ATTEMPTS_EXHAUSTED', 'JOB_NOT_FOUND', 'JOB_NOT_QUEUED',
]);

/** Protocol-level codes of a device family share their family's message (errors.family.<PREFIX>). */
const FAMILIES = [
  'R30X', 'CNID', 'SAM', 'MRZ', 'SERIAL', 'HID', 'PTY', 'TRANSPORT', 'KEY', 'FACE', 'FINGER',
  // The chip reader and the document's chip: PC/SC, APDUs, the chip's protocols and data, certificates.
  'PCSC', 'VPCD', 'APDU', 'CHIP', 'ASN1', 'LDS', 'SOD', 'PKI', 'CSCA',
];

describe('error codes', () => {
  const codes = new Set<string>();
  for (const file of sourceFiles(join(projectRoot, 'main'), /\.ts$/).concat(sourceFiles(join(projectRoot, 'native'), /\.ts$/))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:GatehouseError|DeviceError)\(\s*'([A-Z][A-Z0-9_]+)'/g)) codes.add(match[1]!);
    for (const match of text.matchAll(/\bcode: '([A-Z][A-Z0-9_]+)'/g)) codes.add(match[1]!);
    // Codes kept in tables (a module's confirmation codes, a reader's status words) belong to a device family.
    for (const match of text.matchAll(new RegExp(`'((?:${FAMILIES.join('|')})_[A-Z0-9_]+)'`, 'g'))) codes.add(match[1]!);
  }

  it('are found in the source (the scan works)', () => {
    expect(codes).toContain('FACE_PORTRAIT_NO_FACE');
    expect(codes).toContain('ENROLLMENT_SECOND_APPROVER_REQUIRED');
    expect(codes.size).toBeGreaterThan(100);
  });

  it('each have their own message or their device family\'s, in every language', () => {
    const missing = [...codes].filter((code) => !NOT_FOR_SCREENS.has(code)).filter((code) => {
      if (flat.en.has(`errors.${code}`)) return false;
      const family = code.split('_')[0]!;
      return !(FAMILIES.includes(family) && flat.en.has(`errors.family.${family}`));
    });
    expect(missing.sort()).toEqual([]);
  });

  it('give the screens\' own error messages for codes the kiosk still sends', () => {
    const scoped = [...flat.en.keys()].filter((key) => /^[a-z]+\.errors\.[A-Z]/.test(key) || /^errors\.[A-Z]/.test(key));
    const stale = scoped.map((key) => key.split('.').pop()!)
      .filter((code) => !codes.has(code) && !NOT_FOR_SCREENS.has(code) && !/^(RPC_|TOKEN_|AUTHORITY_|KEY_|SIG_|RATE_|ENVELOPE_)/.test(code));
    expect(stale).toEqual([]);
  });
});
