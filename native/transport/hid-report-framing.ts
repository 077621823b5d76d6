// How a byte stream rides in USB-HID reports for readers that emulate a serial line over
// HID. There is no common standard; this framing is the usual one and each part is
// configurable: every report is [report id] [length n] [n payload bytes] [zero padding to
// reportSize], so one report carries at most reportSize - 1 payload bytes.

import { DeviceError } from '../device-error.js';

export interface HidReportFraming {
  /** First byte of every output report; 0 for devices that declare no report ids. */
  readonly reportId: number;
  /** Bytes per report after the report id (length byte + payload + padding): 64 for full-speed devices. */
  readonly reportSize: number;
  /** Whether input reports arrive with the report id in front (hidraw does this when the device declares ids). */
  readonly inputHasReportId: boolean;
}

export const DEFAULT_HID_FRAMING: HidReportFraming = { reportId: 0, reportSize: 64, inputHasReportId: false };

/** A configured value as a message can show it, whatever was configured (objects without a string form too). */
function shown(value: unknown): string {
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

export function checkHidFraming(framing: HidReportFraming): HidReportFraming {
  const { reportId, reportSize } = framing;
  if (!Number.isInteger(reportId) || reportId < 0 || reportId > 0xff
    || !Number.isInteger(reportSize) || reportSize < 2 || reportSize > 256) {
    throw new DeviceError('HID_FRAMING_INVALID',
      `HID report framing needs a report id 0–255 and a report size 2–256 (got ${shown(reportId)}, ${shown(reportSize)}); `
      + 'check the reader settings in the station configuration.', { reportId, reportSize });
  }
  return framing;
}

/** Output reports for `payload`, each reportSize + 1 bytes long (report id first). */
export function encodeHidReports(payload: Uint8Array, framing: HidReportFraming): Uint8Array[] {
  const perReport = checkHidFraming(framing).reportSize - 1;
  const reports: Uint8Array[] = [];
  for (let offset = 0; offset < payload.length; offset += perReport) {
    const chunk = payload.subarray(offset, offset + perReport);
    const report = new Uint8Array(framing.reportSize + 1);
    report[0] = framing.reportId;
    report[1] = chunk.length;
    report.set(chunk, 2);
    reports.push(report);
  }
  return reports;
}

/** The payload bytes of one input report; padding may be missing (some stacks strip it). */
export function decodeHidReport(report: Uint8Array, framing: HidReportFraming): Uint8Array {
  const body = framing.inputHasReportId ? report.subarray(1) : report;
  if (framing.inputHasReportId && report[0] !== framing.reportId) {
    throw new DeviceError('HID_REPORT_ID',
      `HID input report has id ${report[0]}, expected ${framing.reportId}; check the reader's report id setting.`,
      { got: report[0], expected: framing.reportId });
  }
  const length = body[0];
  if (length === undefined || length > framing.reportSize - 1 || length > body.length - 1) {
    throw new DeviceError('HID_REPORT_LENGTH',
      `HID input report claims ${length ?? 'no'} payload bytes but carries ${Math.max(0, body.length - 1)} `
      + `(report size ${framing.reportSize}); check the reader's report size setting.`,
      { length, reportLength: report.length });
  }
  return Uint8Array.from(body.subarray(1, 1 + length));
}
