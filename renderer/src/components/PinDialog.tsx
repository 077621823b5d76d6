// Setting a PIN from the staff screen: a supervisor or technician gives another operator a new
// one, or an operator changes their own with the current one. The new PIN is typed twice and
// checked here (same twice, at least 6 characters) before the kiosk checks it again.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAction } from '../hooks/useAction';
import { Dialog } from './Dialog';
import { ErrorText } from './ErrorText';

const MIN_PIN_LENGTH = 6;

export function PinDialog({ heading, intro, askCurrent, onSave, onClose }: {
  heading: string;
  intro: string;
  /** Changing one's own PIN: the current one is asked for too. */
  askCurrent: boolean;
  onSave(pins: { pin: string; currentPin: string }): Promise<unknown>;
  onClose(): void;
}) {
  const { t } = useTranslation();
  const [currentPin, setCurrentPin] = useState('');
  const [pin, setPin] = useState('');
  const [repeat, setRepeat] = useState('');
  const [problem, setProblem] = useState<'tooShort' | 'mismatch' | null>(null);
  const { busy, error, run } = useAction();

  const save = (event: FormEvent) => {
    event.preventDefault();
    const found = pin.length < MIN_PIN_LENGTH ? 'tooShort' : pin !== repeat ? 'mismatch' : null;
    setProblem(found);
    if (found) return;
    void run(() => onSave({ pin, currentPin }), () => setCurrentPin(''));
  };

  return (
    <Dialog heading={heading} testId="pin-dialog" actions={(
      <>
        <button type="button" onClick={onClose} data-testid="pin-dialog-cancel">{t('operators.cancel')}</button>
        <button type="submit" form="pin-dialog-form" className="primary" disabled={busy} data-testid="pin-dialog-save">
          {t('operators.pinDialog.save')}
        </button>
      </>
    )}>
      <p>{intro}</p>
      <form id="pin-dialog-form" className="form" onSubmit={save} noValidate>
        {askCurrent && (
          <label>{t('operators.pinDialog.current')}
            <input name="currentPin" type="password" autoComplete="current-password" value={currentPin} onChange={(e) => setCurrentPin(e.target.value)} />
          </label>
        )}
        <label>{t('operators.pinDialog.new')}
          <input name="newPin" type="password" autoComplete="new-password" value={pin} onChange={(e) => setPin(e.target.value)} />
        </label>
        <label>{t('operators.pinDialog.repeat')}
          <input name="repeatPin" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
        </label>
        <p className="hint">{t('operators.pinDialog.rule')}</p>
      </form>
      {problem && <p className="error" role="alert" data-testid="pin-dialog-problem" data-problem={problem}>{t(`operators.pinDialog.${problem}`)}</p>}
      <ErrorText error={error} />
    </Dialog>
  );
}
