// An on-screen PIN pad with large keys, so a PIN can be entered on a touch screen
// without a keyboard; the field itself still accepts typing.
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back'] as const;

export function PinPad({ value, onChange }: { value: string; onChange(value: string): void }) {
  const press = (key: (typeof KEYS)[number]) => {
    if (key === 'clear') onChange('');
    else if (key === 'back') onChange(value.slice(0, -1));
    else onChange(value + key);
  };
  return (
    <div className="pin-pad" aria-hidden="true">
      {KEYS.map((key) => (
        <button key={key} type="button" tabIndex={-1} onClick={() => press(key)}>
          {key === 'clear' ? 'C' : key === 'back' ? '⌫' : key}
        </button>
      ))}
    </div>
  );
}
