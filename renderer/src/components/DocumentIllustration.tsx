// Where to put the document: a reader seen from above with the document laid on it,
// photo page (or ID card) face down, the machine-readable zone at the marked edge.
export function DocumentIllustration({ kind }: { kind: 'mrz' | 'cnid' }) {
  return (
    <svg className="document-illustration" viewBox="0 0 320 200" role="img" aria-hidden="true">
      <rect x="20" y="40" width="280" height="140" rx="14" fill="#2b3a47" />
      <rect x="40" y="58" width="240" height="104" rx="6" fill="#9fb7cc" />
      {kind === 'mrz' ? (
        <g transform="translate(70 20) rotate(4 90 60)">
          <rect width="180" height="120" rx="6" fill="#f5efe0" stroke="#0b4f8a" strokeWidth="3" />
          <rect x="14" y="16" width="46" height="58" rx="3" fill="#c9d4de" />
          <rect x="72" y="20" width="90" height="8" fill="#c9d4de" />
          <rect x="72" y="36" width="70" height="8" fill="#c9d4de" />
          <rect x="72" y="52" width="80" height="8" fill="#c9d4de" />
          <rect x="10" y="88" width="160" height="8" fill="#14202b" />
          <rect x="10" y="102" width="160" height="8" fill="#14202b" />
        </g>
      ) : (
        <g transform="translate(95 55) rotate(-3 65 42)">
          <rect width="130" height="84" rx="8" fill="#e7f0f7" stroke="#0b4f8a" strokeWidth="3" />
          <rect x="84" y="14" width="34" height="44" rx="3" fill="#c9d4de" />
          <rect x="12" y="18" width="60" height="7" fill="#c9d4de" />
          <rect x="12" y="34" width="50" height="7" fill="#c9d4de" />
          <rect x="12" y="62" width="106" height="7" fill="#c9d4de" />
        </g>
      )}
      <path d="M160 8 v22 m-9 -9 l9 9 l9 -9" stroke="#0b4f8a" strokeWidth="4" fill="none" strokeLinecap="round" />
    </svg>
  );
}
