// Where a device is plugged in, chosen from what the kiosk detected: serial ports by the name
// udev keeps across replugging (/dev/serial/by-id/…) with their USB ids and maker, a port
// without such a name marked as one whose name may change; or typed by hand for a device not
// plugged in now. The chip reader is chosen among the PC/SC readers pcscd reports.
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { DetectedSerialPort } from '../../../../main/rpc/procedures/devices';

type SerialPort = z.infer<typeof DetectedSerialPort>;

/** The name a technician should configure for a port: the stable one when udev made one. */
export const portPath = (port: SerialPort) => port.stablePath ?? port.path;

export function SerialPortPicker({ label, ports, value, invalid, onChange }: {
  label: string;
  ports: readonly SerialPort[];
  value: string;
  invalid: boolean;
  onChange(path: string): void;
}) {
  const { t } = useTranslation();
  const chosen = ports.find((port) => value === portPath(port) || value === port.path);
  return (
    <div className="port-picker" data-testid="port-picker">
      <span className="setting-label">{label}</span>
      {ports.length === 0 ? <p className="muted" data-testid="no-ports">{t('devices.ports.none')}</p> : (
        <ul className="port-list">
          {ports.map((port) => (
            <li key={port.path}>
              <button type="button" aria-pressed={port === chosen} data-testid="port-choice" data-path={portPath(port)}
                onClick={() => onChange(portPath(port))}>
                <span className="port-path">{portPath(port)}</span>
                <span className="port-facts">
                  {port.stablePath ? port.path : <span className="port-unstable" data-testid="port-unstable">{t('devices.ports.unstable')}</span>}
                  {port.vendorId && port.productId && <span>{t('devices.ports.ids', { vendor: port.vendorId, product: port.productId })}</span>}
                  {[port.manufacturer, port.product].filter(Boolean).length > 0 && <span>{[port.manufacturer, port.product].filter(Boolean).join(' · ')}</span>}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <label>
        {t('devices.ports.typed')}
        <input name="path" value={value} aria-invalid={invalid ? true : undefined} autoComplete="off" spellCheck={false}
          onChange={(event) => onChange(event.target.value)} />
      </label>
      {value !== '' && !chosen && <p className="warning" data-testid="port-absent">{t('devices.ports.absent')}</p>}
    </div>
  );
}

export function ChipReaderPicker({ label, readers, value, onChange }: {
  label: string;
  readers: readonly string[];
  value: string;
  onChange(reader: string): void;
}) {
  const { t } = useTranslation();
  // A configured reader that is not connected now stays choosable (and says so).
  const names = value === '' || readers.includes(value) ? readers : [...readers, value];
  return (
    <div className="port-picker" data-testid="chip-reader-picker">
      <label>
        {label}
        <select name="reader" value={value} onChange={(event) => onChange(event.target.value)}>
          <option value="">{t('devices.chipReaders.first')}</option>
          {names.map((name) => <option key={name} value={name}>{name}</option>)}
        </select>
      </label>
      {readers.length === 0 && <p className="muted" data-testid="no-chip-readers">{t('devices.chipReaders.none')}</p>}
      {value !== '' && !readers.includes(value) && <p className="warning" data-testid="chip-reader-absent">{t('devices.chipReaders.absent')}</p>}
    </div>
  );
}
