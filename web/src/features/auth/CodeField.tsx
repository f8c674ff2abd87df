import type { Ref } from 'react';

/**
 * A labelled field for a two-factor code: six digits from the app (`app`), a recovery code
 * (`recovery`), or either (`either`). The error it is described by is shown by the caller.
 */
export function CodeField({
  label,
  id,
  kind,
  value,
  onChange,
  invalid,
  errorId,
  errorShown = invalid,
  inputRef,
  autoFocus = false,
}: {
  label: string;
  id: string;
  kind: 'app' | 'recovery' | 'either';
  value: string;
  onChange: (value: string) => void;
  invalid: boolean;
  /** The id of the error message the field is described by while it shows. */
  errorId: string;
  /** Whether an error shows (one about the code, or any other); defaults to `invalid`. */
  errorShown?: boolean;
  inputRef?: Ref<HTMLInputElement>;
  autoFocus?: boolean;
}) {
  return (
    <label>
      {label}
      <input
        ref={inputRef}
        id={id}
        className="code-input"
        autoComplete={kind === 'recovery' ? 'off' : 'one-time-code'}
        inputMode={kind === 'app' ? 'numeric' : undefined}
        autoCapitalize={kind === 'recovery' ? 'characters' : undefined}
        placeholder={kind === 'recovery' ? 'XXXX-XXXX-XXXX-XXXX' : undefined}
        spellCheck={false}
        maxLength={32}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required
        autoFocus={autoFocus}
        aria-invalid={invalid ? true : undefined}
        aria-describedby={errorShown ? errorId : undefined}
      />
    </label>
  );
}
