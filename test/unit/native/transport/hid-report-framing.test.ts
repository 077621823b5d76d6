import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkHidFraming, decodeHidReport, DEFAULT_HID_FRAMING, encodeHidReports, type HidReportFraming,
} from '../../../../native/transport/hid-report-framing.js';

const framingArbitrary: fc.Arbitrary<HidReportFraming> = fc.record({
  reportId: fc.integer({ min: 0, max: 255 }),
  reportSize: fc.integer({ min: 2, max: 256 }),
  inputHasReportId: fc.boolean(),
});

/** What the device would send back for an output report: the same body, id kept or stripped. */
function asInputReport(report: Uint8Array, framing: HidReportFraming): Uint8Array {
  return framing.inputHasReportId ? report : report.subarray(1);
}

describe('HID report framing', () => {
  it('lays out [id][length][payload][zero padding]', () => {
    const reports = encodeHidReports(Uint8Array.of(0xaa, 0xbb, 0xcc), { reportId: 2, reportSize: 4, inputHasReportId: true });
    expect(reports).toEqual([Uint8Array.of(2, 3, 0xaa, 0xbb, 0xcc), ]);
    expect(encodeHidReports(Uint8Array.of(1, 2, 3, 4), { ...DEFAULT_HID_FRAMING, reportSize: 3 }))
      .toEqual([Uint8Array.of(0, 2, 1, 2), Uint8Array.of(0, 2, 3, 4)]);
    expect(encodeHidReports(Uint8Array.of(5), DEFAULT_HID_FRAMING)[0]).toHaveLength(65);
  });

  it('round-trips any payload through full-size reports', () => {
    fc.assert(fc.property(framingArbitrary, fc.uint8Array({ maxLength: 700 }), (framing, payload) => {
      const reports = encodeHidReports(payload, framing);
      expect(reports.every((report) => report.length === framing.reportSize + 1 && report[0] === framing.reportId)).toBe(true);
      expect(reports).toHaveLength(Math.ceil(payload.length / (framing.reportSize - 1)));
      const decoded = reports.map((report) => decodeHidReport(asInputReport(report, framing), framing));
      expect(Buffer.concat(decoded)).toEqual(Buffer.from(payload));
    }));
  });

  it('accepts input reports whose padding was stripped', () => {
    expect(decodeHidReport(Uint8Array.of(2, 7, 8), DEFAULT_HID_FRAMING)).toEqual(Uint8Array.of(7, 8));
  });

  it('rejects a wrong report id and impossible lengths', () => {
    const framing = { reportId: 1, reportSize: 8, inputHasReportId: true };
    expect(() => decodeHidReport(Uint8Array.of(2, 1, 0), framing)).toThrow(expect.objectContaining({ code: 'HID_REPORT_ID' }));
    expect(() => decodeHidReport(Uint8Array.of(1, 8, ...new Array(8).fill(0)), framing))
      .toThrow(expect.objectContaining({ code: 'HID_REPORT_LENGTH' }));
    expect(() => decodeHidReport(Uint8Array.of(1, 3, 0), framing)).toThrow(expect.objectContaining({ code: 'HID_REPORT_LENGTH' }));
    expect(() => decodeHidReport(new Uint8Array(0), DEFAULT_HID_FRAMING)).toThrow(expect.objectContaining({ code: 'HID_REPORT_LENGTH' }));
  });

  it('refuses framings that cannot work', () => {
    for (const bad of [{ reportId: 256, reportSize: 64 }, { reportId: 0, reportSize: 1 }, { reportId: 0, reportSize: 257 }]) {
      expect(() => checkHidFraming({ ...bad, inputHasReportId: false })).toThrow(expect.objectContaining({ code: 'HID_FRAMING_INVALID' }));
    }
  });
});
