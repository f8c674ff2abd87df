import { useState } from 'react';
import { call, client } from '../../lib/api';
import { ApiError, errorMessage } from '../../lib/errors';

/**
 * "Send a new link": emails the signed-in person a fresh confirmation link (earlier ones stop
 * working). The server allows a few per hour; past that it answers 429.
 */
export function ResendLink({ email, primary = false }: { email: string; primary?: boolean }) {
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function resend() {
    setBusy(true);
    setSent(false);
    setError(null);
    try {
      await call(client.POST('/api/v1/auth/verify-email/resend'));
      setSent(true);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 429
          ? 'Several links went to this address already. Open the latest one (check your spam folder too), or try again later.'
          : errorMessage(err),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="resend">
      {sent && (
        <p className="notice" role="status">
          A new link is on its way to <strong>{email}</strong>. It replaces the earlier ones.
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="button" className={`button ${primary ? 'primary' : ''}`} onClick={() => void resend()} disabled={busy} id="resendConfirmation">
        {busy ? 'Sending…' : 'Send a new link'}
      </button>
    </div>
  );
}
