import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { call, client } from '../../lib/api';
import { errorMessage } from '../../lib/errors';
import { AuthLayout } from './AuthLayout';

/**
 * The link emailed to an account's owner after failed logins paused it. Nothing happens
 * until they press the button, so a mail scanner that opens links cannot use it up.
 */
export function UnlockPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const token = params.get('token') ?? '';
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function unlock() {
    setBusy(true);
    setError(null);
    try {
      await call(client.POST('/api/v1/auth/unlock', { body: { token } }));
      navigate('/login?reason=unlocked', { replace: true });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthLayout title="Sign in again" subtitle="Sign-in to your account was paused after failed attempts.">
      <p>If those attempts were yours, let yourself in again from this device. You will still need your password.</p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button className="button primary" type="button" onClick={unlock} disabled={busy || !token} id="unlockButton">
        {busy ? 'Unlocking…' : 'Let me sign in again'}
      </button>
      <p className="auth-switch">
        Not you? Your password held; <Link to="/login">log in</Link> and change it from your profile.
      </p>
    </AuthLayout>
  );
}
