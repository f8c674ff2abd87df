import type { ReactNode } from 'react';

/** What a control inside a [`Field`] spreads on itself. */
export interface FieldA11y {
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

/**
 * A labelled control, with its hint and the server's refusal under it: the control is described
 * by both, and marked invalid while refused.
 */
export function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string; children: (a11y: FieldA11y) => ReactNode }) {
  const hintId = `${id}Hint`;
  const errorId = `${id}Error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy || undefined })}
      {hint && (
        <span className="hint" id={hintId}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field-error" id={errorId}>
          {error}
        </span>
      )}
    </div>
  );
}

/** A server's field message as a sentence: capital first, full stop last. */
export function capitalized(text: string): string {
  return text ? text[0]!.toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.') : text;
}
