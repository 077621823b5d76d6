// A modal dialog over the screen: a heading, its content and touch-sized actions; the rest of
// the screen waits behind a dimmed overlay until the dialog is closed.
import { useId, type ReactNode } from 'react';

export function Dialog({ heading, testId, children, actions }: {
  heading: string;
  testId: string;
  children: ReactNode;
  /** The buttons at the foot of the dialog, the confirming one last. */
  actions: ReactNode;
}) {
  const headingId = useId();
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby={headingId} data-testid={testId}>
      <div className="dialog form-dialog">
        <h2 id={headingId}>{heading}</h2>
        {children}
        <div className="actions">{actions}</div>
      </div>
    </div>
  );
}
