// What a list or a form says back: the error (an alert), the notice of what was just done (a
// status), and a form's submit button. Shared by the admin page, the profile and the channel settings.
import type { ReactNode } from 'react';
import { errorMessage } from '../errors';

/** The error of loading or changing a list, then the notice of the last change; each only when there is one. */
export function ListFeedback({ error, notice }: { error: unknown; notice: ReactNode }) {
  return (
    <>
      {error ? (
        <p className="form-error" role="alert">
          {errorMessage(error)}
        </p>
      ) : null}
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
    </>
  );
}

/**
 * A form's end: why it was refused (an alert, when `error` is given), `children` (a notice), then
 * the submit button, disabled and saying `busyLabel` while `pending`.
 */
export function FormFooter({
  error,
  id,
  pending,
  label,
  busyLabel,
  children,
}: {
  error?: ReactNode;
  /** The submit button's id. */
  id: string;
  pending: boolean;
  label: string;
  busyLabel: string;
  children?: ReactNode;
}) {
  return (
    <>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {children}
      <div>
        <button className="button primary" disabled={pending} id={id}>
          {pending ? busyLabel : label}
        </button>
      </div>
    </>
  );
}
