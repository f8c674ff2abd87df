import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { call, client } from '../../lib/api';
import { useMe } from '../../lib/directory';
import { ApiError, errorMessage } from '../../lib/errors';
import { refresh as refreshSession } from '../../lib/session';
import { Icon } from '../../lib/ui/Icon';
import { CodeField } from './CodeField';
import { qrDataUrl } from './qr';
import { appCode, codeError, INVALID_APP_CODE, isInvalidCode, isWrongPassword, tooManyMessage, WRONG_PASSWORD } from './twoFactor';

const TWO_FACTOR = ['auth', 'two-factor'] as const;

/** What the page shows besides the status: a step of turning on, the recovery codes, a form. */
type View =
  | { kind: 'status' }
  | { kind: 'password' }
  | { kind: 'enrol'; secret: string; uri: string }
  | { kind: 'codes'; codes: string[]; renewed: boolean }
  | { kind: 'renew' }
  | { kind: 'disable' };

/**
 * Two-factor sign-in with an authenticator app: turning it on (the password, then the QR code
 * or the key typed in the app, then a first code), the recovery codes shown once, new
 * recovery codes, and turning it off (the password and a code).
 */
export function TwoFactorPage({ onMenu, required = false }: { onMenu?: () => void; required?: boolean }) {
  const queryClient = useQueryClient();
  const status = useQuery({ queryKey: TWO_FACTOR, queryFn: () => call(client.GET('/api/v1/auth/two-factor')) });
  const [view, setView] = useState<View>({ kind: 'status' });
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  // Back at the status after a step: the focus goes to its heading, not to the page's top.
  const previous = useRef(view.kind);
  useEffect(() => {
    if (view.kind === 'status' && previous.current !== 'status') heading.current?.focus();
    previous.current = view.kind;
  }, [view.kind]);

  const refresh = () => queryClient.invalidateQueries({ queryKey: TWO_FACTOR });
  const go = (next: View, message: string | null = null) => {
    setView(next);
    setNotice(message);
    setProblem(null);
  };
  /** The server says the state changed elsewhere (another tab): show it as it is now. */
  const outOfDate = (message: string) => {
    void refresh();
    setView({ kind: 'status' });
    setNotice(null);
    setProblem(message);
  };

  const state = status.data;
  const busyElsewhere = view.kind !== 'status';

  return (
    <div className="page">
      <header className="page-header">
        {onMenu && (
          <button type="button" className="icon-button menu-button" aria-label="Open the sidebar" onClick={onMenu}>
            <Icon name="menu" />
          </button>
        )}
        <h1>Two-factor sign-in</h1>
      </header>
      <div className="page-body">
        {required && (
          <p className="notice" role="status" id="twoFactorRequired">
            Your organization requires two-factor sign-in. Turn it on to continue: until then, nothing else of the workspace opens.
          </p>
        )}
        <section className="card" aria-labelledby="twoFactorStatusTitle">
          <h2 id="twoFactorStatusTitle" ref={heading} tabIndex={-1}>
            Authenticator app
          </h2>
          <p className="muted">
            With two-factor sign-in on, logging in asks for a 6-digit code from an authenticator app on your phone (Google Authenticator, Microsoft
            Authenticator, 1Password, Aegis …) as well as your password, so a password that leaked is not enough to get in.
          </p>
          {status.error && (
            <p className="form-error" role="alert">
              {errorMessage(status.error)}
            </p>
          )}
          {problem && (
            <p className="form-error" role="alert">
              {problem}
            </p>
          )}
          {notice && (
            <p className="notice" role="status" id="twoFactorNotice">
              {notice}
            </p>
          )}
          {status.isPending && <p className="muted">Loading…</p>}
          {state && (
            <dl className="two-factor-status" id="twoFactorStatus">
              <div>
                <dt>Status</dt>
                <dd>
                  {state.enabled ? <span className="status-tag on">On</span> : <span className="status-tag">Off</span>}
                  {!state.enabled && state.pending && view.kind === 'status' && <span className="muted small"> A setup was started and not finished.</span>}
                </dd>
              </div>
              {state.enabled && (
                <div>
                  <dt>Recovery codes left</dt>
                  <dd id="recoveryCodesLeft">
                    {state.recovery_codes_left}
                    {state.recovery_codes_left <= 3 && <span className="field-error"> Running low: make new ones.</span>}
                  </dd>
                </div>
              )}
            </dl>
          )}
          {state && view.kind === 'status' && (
            <div className="dialog-buttons start">
              {state.enabled ? (
                <>
                  <button type="button" className="button" id="renewRecoveryCodes" onClick={() => go({ kind: 'renew' })}>
                    New recovery codes
                  </button>
                  <button type="button" className="button danger" id="twoFactorTurnOff" onClick={() => go({ kind: 'disable' })}>
                    Turn off
                  </button>
                </>
              ) : (
                <button type="button" className="button primary" id="twoFactorTurnOn" onClick={() => go({ kind: 'password' })}>
                  {state.pending ? 'Start again' : 'Turn on'}
                </button>
              )}
            </div>
          )}
        </section>
        {busyElsewhere && (
          <section className="card" aria-labelledby="twoFactorStepTitle">
            {view.kind === 'password' && (
              <PasswordStep
                onEnrolment={(secret, uri) => {
                  void refresh();
                  go({ kind: 'enrol', secret, uri });
                }}
                onAlreadyOn={() => outOfDate('Two-factor sign-in is already on (it was turned on elsewhere).')}
                onCancel={() => go({ kind: 'status' })}
              />
            )}
            {view.kind === 'enrol' && (
              <EnrolStep
                secret={view.secret}
                uri={view.uri}
                onConfirmed={(codes) => {
                  void refresh();
                  // Tokens issued before say the setup is still owed: a fresh one opens the workspace.
                  if (required) void refreshSession();
                  go({ kind: 'codes', codes, renewed: false });
                }}
                onNotPending={() => outOfDate('This setup is no longer waiting for a code (it was replaced or finished elsewhere). Start again.')}
                onCancel={() => go({ kind: 'status' })}
              />
            )}
            {view.kind === 'codes' && (
              <RecoveryCodes
                codes={view.codes}
                renewed={view.renewed}
                onDone={() => {
                  go({ kind: 'status' });
                  // Everything that was refused for want of a second factor is asked again.
                  if (required) void queryClient.invalidateQueries();
                }}
              />
            )}
            {view.kind === 'renew' && (
              <RenewStep
                onRenewed={(codes) => {
                  void refresh();
                  go({ kind: 'codes', codes, renewed: true });
                }}
                onOff={() => outOfDate('Two-factor sign-in is off (it was turned off elsewhere).')}
                onCancel={() => go({ kind: 'status' })}
              />
            )}
            {view.kind === 'disable' && (
              <DisableStep
                onDisabled={() => {
                  void refresh();
                  go({ kind: 'status' }, 'Two-factor sign-in is off: logging in asks only for your password.');
                }}
                onOff={() => outOfDate('Two-factor sign-in is already off (it was turned off elsewhere).')}
                onCancel={() => go({ kind: 'status' })}
              />
            )}
          </section>
        )}
      </div>
    </div>
  );
}

/**
 * The heading of a step. A step that is not a form takes the focus on its heading when it
 * appears, so that its content is read next; a form's first field takes it otherwise.
 */
function StepTitle({ children, focus = false }: { children: ReactNode; focus?: boolean }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) ref.current?.focus();
  }, [focus]);
  return (
    <h2 id="twoFactorStepTitle" ref={ref} tabIndex={-1}>
      {children}
    </h2>
  );
}

/** A step's submit button (busy while its request runs) and its way back. */
function StepActions({
  id,
  label,
  busyLabel,
  busy,
  danger = false,
  onCancel,
}: {
  id: string;
  label: string;
  busyLabel: string;
  busy: boolean;
  danger?: boolean;
  onCancel: () => void;
}) {
  return (
    <div className="dialog-buttons start">
      <button className={`button ${danger ? 'danger' : 'primary'}`} disabled={busy} id={id}>
        {busy ? busyLabel : label}
      </button>
      <button type="button" className="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

function FormError({ id, error }: { id: string; error: string | null }) {
  return error ? (
    <p className="form-error" role="alert" id={id}>
      {error}
    </p>
  ) : null;
}

function PasswordStep({ onEnrolment, onAlreadyOn, onCancel }: { onEnrolment: (secret: string, uri: string) => void; onAlreadyOn: () => void; onCancel: () => void }) {
  const [password, setPassword] = useState('');
  const enrol = useMutation({
    mutationFn: () => call(client.POST('/api/v1/auth/two-factor/enrol', { body: { password } })),
    onSuccess: (answer) => onEnrolment(answer.secret, answer.otpauth_uri),
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'two_factor_enabled') onAlreadyOn();
    },
  });
  const wrong = isWrongPassword(enrol.error);
  const error = enrol.error ? (wrong ? WRONG_PASSWORD : (tooManyMessage(enrol.error) ?? errorMessage(enrol.error))) : null;
  return (
    <>
      <StepTitle>Turn on two-factor sign-in</StepTitle>
      <form
        className="form"
        aria-label="Confirm it is you"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          enrol.mutate();
        }}
      >
        <p className="hint">First, your password: it confirms it is you.</p>
        <label>
          Current password
          <input
            id="twoFactorPassword"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            autoFocus
            aria-invalid={wrong ? true : undefined}
            aria-describedby={error ? 'twoFactorPasswordError' : undefined}
          />
        </label>
        <FormError id="twoFactorPasswordError" error={error} />
        <StepActions id="twoFactorContinue" label="Continue" busyLabel="Checking…" busy={enrol.isPending} onCancel={onCancel} />
      </form>
    </>
  );
}

/** The key in groups of four, as apps show it (they ignore the spaces). */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

function EnrolStep({
  secret,
  uri,
  onConfirmed,
  onNotPending,
  onCancel,
}: {
  secret: string;
  uri: string;
  onConfirmed: (codes: string[]) => void;
  onNotPending: () => void;
  onCancel: () => void;
}) {
  const qr = useMemo(() => qrDataUrl(uri), [uri]);
  const { code, setCode, input, mutation: confirm, error } = useCodeForRecoveryCodes('/api/v1/auth/two-factor/confirm', 'two_factor_not_pending', onConfirmed, onNotPending);
  return (
    <>
      <StepTitle focus>Set up your authenticator app</StepTitle>
      <ol className="steps">
        <li>
          <p>Scan this QR code with your authenticator app (add an account, then scan a code).</p>
          <img className="qr-code" id="twoFactorQr" src={qr} width={200} height={200} alt="QR code that adds Tandem to an authenticator app" />
          <p className="hint">
            Cannot scan it? Type this key into the app instead (time-based):
            <br />
            <code className="secret-key" id="twoFactorSecret">
              {grouped(secret)}
            </code>
          </p>
        </li>
        <li>
          <form
            className="form"
            aria-label="Confirm with a code"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              confirm.mutate();
            }}
          >
            <p>Enter the 6-digit code the app now shows for Tandem.</p>
            <CodeField
              label="Code from the app"
              id="twoFactorConfirmCode"
              kind="app"
              inputRef={input}
              value={code}
              onChange={setCode}
              invalid={isInvalidCode(confirm.error)}
              errorId="twoFactorConfirmError"
              errorShown={error !== null}
            />
            <FormError id="twoFactorConfirmError" error={error} />
            <StepActions id="twoFactorConfirm" label="Turn on two-factor sign-in" busyLabel="Checking…" busy={confirm.isPending} onCancel={onCancel} />
          </form>
        </li>
      </ol>
    </>
  );
}

/** The recovery codes, shown this once: copy them, download them, then they are gone from here. */
function RecoveryCodes({ codes, renewed, onDone }: { codes: string[]; renewed: boolean; onDone: () => void }) {
  const me = useMe();
  const [copied, setCopied] = useState<string | null>(null);
  const text = [
    `Tandem recovery codes for ${me.email}`,
    `Made ${new Date().toISOString().slice(0, 10)}. Each code logs you in once, instead of a code from your authenticator app.`,
    '',
    ...codes,
    '',
  ].join('\n');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('Could not copy here: select the codes and copy them, or download them.');
    }
  };
  return (
    <>
      <StepTitle focus>Save your recovery codes</StepTitle>
      <p className="notice" role="status">
        {renewed ? 'New recovery codes are ready: the old ones no longer work.' : 'Two-factor sign-in is on.'}
      </p>
      <p className="warning-note">
        <strong>Save these codes now, somewhere safe (a password manager, or printed): they are not shown again.</strong> If you lose your phone, each
        one lets you log in once instead of a code from the app.
      </p>
      <ol className="recovery-codes" id="recoveryCodes" aria-label="Recovery codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <div className="dialog-buttons start">
        <button type="button" className="button" onClick={() => void copy()} id="copyRecoveryCodes">
          Copy codes
        </button>
        <a className="button" href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`} download="tandem-recovery-codes.txt" id="downloadRecoveryCodes">
          Download as text
        </a>
      </div>
      {copied && (
        <p className="hint" role="status">
          {copied}
        </p>
      )}
      <div>
        <button type="button" className="button primary" onClick={onDone} id="recoveryCodesSaved">
          I have saved them
        </button>
      </div>
    </>
  );
}

/**
 * A code from the app that answers recovery codes (confirming the setup, renewing them): a
 * wrong code empties the field and focuses it again; `stale` is the refusal that says the
 * state changed elsewhere.
 */
function useCodeForRecoveryCodes(
  path: '/api/v1/auth/two-factor/confirm' | '/api/v1/auth/two-factor/recovery-codes',
  stale: 'two_factor_not_pending' | 'two_factor_disabled',
  onCodes: (codes: string[]) => void,
  onStale: () => void,
) {
  const [code, setCode] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const mutation = useMutation({
    mutationFn: () => call(client.POST(path, { body: { code: appCode(code) } })),
    onSuccess: (answer) => onCodes(answer.recovery_codes),
    onError: (err) => {
      if (err instanceof ApiError && err.code === stale) onStale();
      else if (isInvalidCode(err)) {
        setCode('');
        input.current?.focus();
      }
    },
  });
  const error = mutation.error ? codeError(mutation.error) : null;
  return { code, setCode, input, mutation, error };
}

function RenewStep({ onRenewed, onOff, onCancel }: { onRenewed: (codes: string[]) => void; onOff: () => void; onCancel: () => void }) {
  const { code, setCode, input, mutation: renew, error } = useCodeForRecoveryCodes('/api/v1/auth/two-factor/recovery-codes', 'two_factor_disabled', onRenewed, onOff);
  return (
    <>
      <StepTitle>New recovery codes</StepTitle>
      <form
        className="form"
        aria-label="New recovery codes"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          renew.mutate();
        }}
      >
        <p className="hint">Ten new codes replace the ones you have: those stop working at once.</p>
        <CodeField
          label="Code from your authenticator app"
          id="renewCode"
          kind="app"
          inputRef={input}
          value={code}
          onChange={setCode}
          invalid={isInvalidCode(renew.error)}
          errorId="renewError"
          errorShown={error !== null}
          autoFocus
        />
        <FormError id="renewError" error={error} />
        <StepActions id="renewConfirm" label="Make new codes" busyLabel="Making them…" busy={renew.isPending} onCancel={onCancel} />
      </form>
    </>
  );
}

function DisableStep({ onDisabled, onOff, onCancel }: { onDisabled: () => void; onOff: () => void; onCancel: () => void }) {
  const [fields, setFields] = useState({ password: '', code: '' });
  const disable = useMutation({
    // The code may be one from the app or a recovery code: sent as typed, without spaces.
    mutationFn: () => call(client.POST('/api/v1/auth/two-factor/disable', { body: { password: fields.password, code: appCode(fields.code) } })),
    onSuccess: onDisabled,
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'two_factor_disabled') onOff();
      else if (isInvalidCode(err)) setFields((f) => ({ ...f, code: '' }));
    },
  });
  const wrongPassword = isWrongPassword(disable.error);
  const wrongCode = isInvalidCode(disable.error);
  const error = !disable.error
    ? null
    : wrongPassword
      ? WRONG_PASSWORD
      : wrongCode
        ? `${INVALID_APP_CODE} A recovery code works too.`
        : (tooManyMessage(disable.error) ?? errorMessage(disable.error));
  return (
    <>
      <StepTitle>Turn off two-factor sign-in</StepTitle>
      <form
        className="form"
        aria-label="Turn off two-factor sign-in"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          disable.mutate();
        }}
      >
        <p className="hint">Logging in will ask only for your password again. Your recovery codes stop working.</p>
        <label>
          Current password
          <input
            id="disablePassword"
            type="password"
            autoComplete="current-password"
            value={fields.password}
            onChange={(e) => setFields({ ...fields, password: e.target.value })}
            required
            autoFocus
            aria-invalid={wrongPassword ? true : undefined}
            aria-describedby={wrongPassword ? 'disableError' : undefined}
          />
        </label>
        <CodeField
          label="Code from your app, or a recovery code"
          id="disableCode"
          kind="either"
          value={fields.code}
          onChange={(code) => setFields({ ...fields, code })}
          invalid={wrongCode}
          errorId="disableError"
        />
        <FormError id="disableError" error={error} />
        <StepActions id="disableConfirm" label="Turn off two-factor sign-in" busyLabel="Turning off…" busy={disable.isPending} danger onCancel={onCancel} />
      </form>
    </>
  );
}
