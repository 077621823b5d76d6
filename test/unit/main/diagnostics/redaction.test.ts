// The support bundle's redaction: secret- and person-named keys lose their values, and MRZ
// lines, long base64/hex, ID numbers and document numbers are cut out of any text, while what
// support needs (codes, ids, versions, times, ports) stays readable.

import { describe, expect, it } from 'vitest';
import { REMOVED, isSensitiveKey, scrubLogLine, scrubText, scrubValue } from '../../../../main/diagnostics/redaction.js';
import { MRZ_LINES } from '../../../fixtures/enrollment-on-review.js';

describe('isSensitiveKey', () => {
  it('names secrets and personal data in any casing', () => {
    for (const key of ['password', 'modulePassword', 'pin', 'pinHash', 'pin_hash', 'privateKey', 'databaseKey', 'page-key', 'token', 'sessionKey',
      'documentNumber', 'idNumber', 'mrzLines', 'surname', 'givenNames', 'dateOfBirth', 'portrait', 'fingerImage', 'template']) {
      expect(isSensitiveKey(key), key).toBe(true);
    }
    for (const key of ['kind', 'path', 'baud', 'state', 'code', 'detail', 'recordId', 'operatorId', 'idleTimeoutSeconds', 'at', 'message']) {
      expect(isSensitiveKey(key), key).toBe(false);
    }
  });
});

describe('scrubText', () => {
  it('removes MRZ lines, document and ID numbers, and long base64 or hex', () => {
    const [line1, line2] = MRZ_LINES;
    const text = `read ${line1} / ${line2}; id 11010519491231002X; doc L898902C3; key ${'ab'.repeat(32)}; jpeg /9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgH`;
    const scrubbed = scrubText(text);
    expect(scrubbed).not.toContain(line1!.slice(0, 12));
    expect(scrubbed).not.toContain(line2!.slice(0, 9));
    expect(scrubbed).not.toContain('11010519491231002X');
    expect(scrubbed).not.toContain('L898902C3');
    expect(scrubbed).not.toContain('abab');
    expect(scrubbed).not.toContain('/9j/4AAQ');
    expect(scrubbed).toContain('[mrz removed]');
  });

  it('keeps what support needs', () => {
    expect(scrubText('/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0')).toBe('/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0');
    const text = 'DEVICE_TIMEOUT on /dev/ttyUSB0 at 2026-12-07T12:00:00.000Z, record 4f1c2a9e-6b3d-4e8f-9a0b-1c2d3e4f5a6b, Node 20.19.1, R30X at 57600 baud';
    expect(scrubText(text)).toBe(text);
  });
});

describe('scrubValue and scrubLogLine', () => {
  it('removes a fingerprint module password and scrubs nested strings', () => {
    const devices = { fingerprint: { kind: 'r30x', path: '/dev/ttyUSB1', baud: 57600, password: 3141592653 }, notes: ['doc C01X00T47 read'] };
    expect(scrubValue(devices)).toEqual({
      fingerprint: { kind: 'r30x', path: '/dev/ttyUSB1', baud: 57600, password: REMOVED },
      notes: ['doc [number removed] read'],
    });
  });

  it('scrubs a JSON log line value by value and any other line as text', () => {
    const line = JSON.stringify({ at: '2026-12-07T12:00:00.000Z', level: 'warn', component: 'host', message: 'rpc refused', reason: 'document L898902C3 expired', pin: '246810' });
    expect(JSON.parse(scrubLogLine(line))).toEqual({
      at: '2026-12-07T12:00:00.000Z', level: 'warn', component: 'host', message: 'rpc refused', reason: 'document [number removed] expired', pin: REMOVED,
    });
    expect(scrubLogLine('plain text with L898902C3')).toBe('plain text with [number removed]');
  });
});
