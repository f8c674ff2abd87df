import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { call, client } from '../../lib/api';
import { ApiError, errorMessage } from '../../lib/errors';
import { startSession } from '../../lib/session';
import type { AuthResponse } from '../../lib/types';
import { AuthLayout } from './AuthLayout';
import { appCode, codeError, isInvalidCode, recoveryCode, tooManyMessage } from './twoFactor';
import { CodeField } from './CodeField';
import { lastAttemptEmail, signInWith, ssoErrorMessage, useSsoButtons, type SsoButton } from './sso';

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  // Back from the identity provider with a refusal: the address it was for, to go on with.
  const ssoError = params.get('sso_error');
  const [email, setEmail] = useState(() => (ssoError ? lastAttemptEmail() : ''));
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // With two-factor sign-in on, the right password answers a challenge: the second step.
  const [challenge, setChallenge] = useState<string | null>(null);
  // Back at the password after the challenge ended: the password field takes the focus.
  const [again, setAgain] = useState(false);
  // A password tried since coming back: the single sign-on refusal is no longer the news.
  const [attempted, setAttempted] = useState(false);
  const ssoButtons = useSsoButtons(email);
  const next = safeNext(params.get('next'));
  const notice =
    params.get('reason') === 'expired'
      ? 'Your session expired. Log in again to carry on — your drafts are kept.'
      : params.get('reason') === 'password'
        ? 'Password changed. Log in with your new password.'
        : params.get('reason') === 'unlocked'
          ? 'Sign-in is open again from this device. Log in with your password.'
          : params.get('reason') === 'reset'
            ? 'Your new password is set, and you were signed out everywhere. Log in with it.'
            : null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setAttempted(true);
    try {
      const answer = await call(client.POST('/api/v1/auth/login', { body: { email, password } }));
      if ('two_factor_required' in answer) {
        setChallenge(answer.challenge);
        return;
      }
      startSession(answer);
      navigate(next, { replace: true });
    } catch (err) {
      setError(tooManyMessage(err) ?? errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  /** The challenge is spent (expired, used, voided by wrong codes) or given up: the password again. */
  function backToPassword(message: string | null) {
    setChallenge(null);
    setPassword('');
    setAgain(true);
    setError(message);
  }

  if (challenge) {
    return (
      <SecondStep
        challenge={challenge}
        onSignedIn={(auth) => {
          startSession(auth);
          navigate(next, { replace: true });
        }}
        onChallengeEnded={() => backToPassword('This sign-in has expired or had too many wrong codes. Enter your password again.')}
        onCancel={() => backToPassword(null)}
      />
    );
  }

  return (
    <AuthLayout title="Log in" subtitle="Welcome back to your team.">
      {notice && !again && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {ssoError && !attempted && (
        <p className="form-error" role="alert" id="ssoError">
          {ssoErrorMessage(ssoError)}
        </p>
      )}
      <form onSubmit={submit} className="form" aria-label="Log in">
        <label>
          Email or username
          <input id="loginEmail" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus={!again} />
        </label>
        <label>
          Password
          <input
            id="loginPassword"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            autoFocus={again}
          />
        </label>
        <p className="forgot-link">
          <Link to="/forgot-password" state={email.includes('@') ? { email } : undefined} id="forgotPasswordLink">
            Forgot your password?
          </Link>
        </p>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button className="button primary" type="submit" disabled={busy} id="loginButton">
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <SsoButtons buttons={ssoButtons} onChoose={(button) => signInWith(button, { email: email.trim(), next })} />
      <p className="auth-switch">
        New to Tandem? <Link to={`/signup${params.get('next') ? `?next=${encodeURIComponent(next)}` : ''}`}>Create an account</Link>
      </p>
    </AuthLayout>
  );
}

/**
 * "Sign in with <provider>" for each identity provider of the organization owning the typed
 * address. The region is always there, so its buttons are announced when they appear.
 */
function SsoButtons({ buttons, onChoose }: { buttons: SsoButton[]; onChoose: (button: SsoButton) => void }) {
  const [leaving, setLeaving] = useState<number | null>(null);
  // Back from the provider by the browser's Back button, the page may be restored as it was left.
  useEffect(() => {
    const restored = (e: PageTransitionEvent) => e.persisted && setLeaving(null);
    window.addEventListener('pageshow', restored);
    return () => window.removeEventListener('pageshow', restored);
  }, []);
  return (
    <div className="sso-options" aria-live="polite" id="ssoOptions">
      {buttons.length > 0 && (
        <>
          <p className="sso-divider">
            <span>or</span>
          </p>
          {buttons.map((button) => (
            <button
              key={button.id}
              type="button"
              className="button sso-button"
              disabled={leaving !== null}
              data-provider-id={button.id}
              onClick={() => {
                setLeaving(button.id);
                onChoose(button);
              }}
            >
              {leaving === button.id ? `Opening ${button.label}…` : `Sign in with ${button.label}`}
            </button>
          ))}
        </>
      )}
    </div>
  );
}

/**
 * The second step of logging in: six digits from the authenticator app, or one of the
 * recovery codes. A refused code keeps the step (the field is emptied for the next try); a
 * challenge that is no longer valid leads back to the password.
 */
function SecondStep({
  challenge,
  onSignedIn,
  onChallengeEnded,
  onCancel,
}: {
  challenge: string;
  onSignedIn: (auth: AuthResponse) => void;
  onChallengeEnded: () => void;
  onCancel: () => void;
}) {
  const [recovery, setRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const sent = recovery ? recoveryCode(code) : appCode(code);
      const auth = await call(client.POST('/api/v1/auth/login/two-factor', { body: { challenge, code: sent } }));
      onSignedIn(auth);
    } catch (err) {
      if (err instanceof ApiError && err.detail('invalid_challenge')) {
        onChallengeEnded();
        return;
      }
      setError(codeError(err, recovery));
      if (isInvalidCode(err)) setCode('');
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  const toggle = () => {
    setRecovery(!recovery);
    setCode('');
    setError(null);
  };

  return (
    <AuthLayout
      title="Two-factor sign-in"
      subtitle={
        recovery
          ? 'Enter one of the recovery codes you saved when you turned on two-factor sign-in. Each one works once.'
          : 'Enter the 6-digit code your authenticator app shows for Tandem.'
      }
    >
      <form onSubmit={submit} className="form" aria-label="Two-factor sign-in" id="twoFactorForm">
        {recovery ? (
          <CodeField
            key="recovery"
            label="Recovery code"
            id="loginRecoveryCode"
            kind="recovery"
            inputRef={input}
            value={code}
            onChange={setCode}
            invalid={error !== null}
            errorId="twoFactorError"
            autoFocus
          />
        ) : (
          <CodeField
            key="app"
            label="Authentication code"
            id="loginCode"
            kind="app"
            inputRef={input}
            value={code}
            onChange={setCode}
            invalid={error !== null}
            errorId="twoFactorError"
            autoFocus
          />
        )}
        <p className="forgot-link">
          <button type="button" className="link-button" onClick={toggle} id="switchCodeKind">
            {recovery ? 'Use the code from your app instead' : 'Use a recovery code instead'}
          </button>
        </p>
        {error && (
          <p className="form-error" role="alert" id="twoFactorError">
            {error}
          </p>
        )}
        <button className="button primary" type="submit" disabled={busy} id="verifyCodeButton">
          {busy ? 'Checking…' : 'Verify and log in'}
        </button>
      </form>
      <p className="auth-switch">
        <button type="button" className="link-button" onClick={onCancel} id="backToPassword">
          Back to the password
        </button>
      </p>
    </AuthLayout>
  );
}

/** Only paths of this app, never another site. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}
