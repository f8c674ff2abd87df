import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { endSession, getSession } from '../../lib/session';
import { user } from '../../test/fixtures';
import { LoginPage } from './LoginPage';
import { LOOKUP_DELAY_MS } from './sso';

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const tokens = () => json({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: user(1, 'ana') });
const challenge = () => json({ two_factor_required: true, challenge: '1.secret', expires_in: 300 });
const invalidCode = () =>
  json(
    {
      code: 'validation_failed',
      message: 'code: this code is not valid (it may be mistyped, expired, or already used)',
      details: [{ field: 'code', code: 'invalid_code', message: 'this code is not valid (it may be mistyped, expired, or already used)' }],
    },
    422,
  );
const invalidChallenge = () =>
  json(
    {
      code: 'validation_failed',
      message: 'challenge: this sign-in has expired or had too many wrong codes; sign in with your password again',
      details: [{ field: 'challenge', code: 'invalid_challenge', message: 'this sign-in has expired or had too many wrong codes' }],
    },
    422,
  );

/** The server: each request to a path answered by the next of its answers; what was sent, in order. */
function fakeServer(answers: Record<string, Response[]>) {
  const sent: { path: string; body: unknown }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const path = new URL(input.url).pathname;
      sent.push({ path, body: await input.json() });
      const next = answers[path]?.shift();
      if (!next) throw new Error(`nothing more to answer at ${path}`);
      return next;
    }),
  );
  return sent;
}

function open(entry = '/login?next=/c/7') {
  render(
    <MemoryRouter initialEntries={[entry]}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/c/7" element={<p>the channel</p>} />
        <Route path="/" element={<p>the app</p>} />
      </Routes>
    </MemoryRouter>,
  );
}

async function password() {
  await userEvent.type(screen.getByRole('textbox', { name: 'Email or username' }), 'ana@acme.io');
  await userEvent.type(screen.getByLabelText('Password'), 'violet harbor kettle');
  await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
}

const codeInput = () => screen.findByRole<HTMLInputElement>('textbox', { name: 'Authentication code' });

afterEach(() => {
  cleanup();
  endSession('signed_out');
  sessionStorage.clear();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('logging in', () => {
  it('opens the session at once without two-factor sign-in', async () => {
    const sent = fakeServer({ '/api/v1/auth/login': [tokens()] });
    open();
    await password();
    expect(await screen.findByText('the channel')).toBeTruthy();
    expect(sent).toEqual([{ path: '/api/v1/auth/login', body: { email: 'ana@acme.io', password: 'violet harbor kettle' } }]);
    expect(getSession()?.user.username).toBe('ana');
  });

  it('asks for the code from the app after the password, then goes on as a normal login', async () => {
    const sent = fakeServer({ '/api/v1/auth/login': [challenge()], '/api/v1/auth/login/two-factor': [tokens()] });
    open();
    await password();
    expect(await screen.findByRole('heading', { name: 'Two-factor sign-in' })).toBeTruthy();
    const input = await codeInput();
    expect(input.getAttribute('autocomplete')).toBe('one-time-code');
    expect(input.getAttribute('inputmode')).toBe('numeric');
    expect(document.activeElement).toBe(input);
    expect(getSession()).toBeNull();
    await userEvent.type(input, '492 039');
    await userEvent.click(screen.getByRole('button', { name: 'Verify and log in' }));
    expect(await screen.findByText('the channel')).toBeTruthy();
    expect(sent[1]).toEqual({ path: '/api/v1/auth/login/two-factor', body: { challenge: '1.secret', code: '492039' } });
    expect(getSession()?.accessToken).toBe('a');
  });

  it('keeps the step after a wrong code, and takes a recovery code instead', async () => {
    const sent = fakeServer({ '/api/v1/auth/login': [challenge()], '/api/v1/auth/login/two-factor': [invalidCode(), tokens()] });
    open();
    await password();
    await userEvent.type(await codeInput(), '000000');
    await userEvent.click(screen.getByRole('button', { name: 'Verify and log in' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^That code did not work/);
    const input = await codeInput();
    expect(input.value).toBe('');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(input);

    await userEvent.click(screen.getByRole('button', { name: 'Use a recovery code instead' }));
    const recovery = screen.getByRole<HTMLInputElement>('textbox', { name: 'Recovery code' });
    expect(document.activeElement).toBe(recovery);
    expect(screen.queryByRole('alert')).toBeNull();
    await userEvent.type(recovery, '7kq2m9xd4htrwc3p');
    await userEvent.click(screen.getByRole('button', { name: 'Verify and log in' }));
    expect(await screen.findByText('the channel')).toBeTruthy();
    expect(sent[2]!.body).toEqual({ challenge: '1.secret', code: '7kq2m9xd4htrwc3p' });
  });

  it('goes back to the password when the challenge is no longer valid', async () => {
    fakeServer({ '/api/v1/auth/login': [challenge()], '/api/v1/auth/login/two-factor': [invalidChallenge()] });
    open();
    await password();
    await userEvent.type(await codeInput(), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Verify and log in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('This sign-in has expired or had too many wrong codes. Enter your password again.');
    expect(screen.getByRole<HTMLInputElement>('textbox', { name: 'Email or username' }).value).toBe('ana@acme.io');
    const passwordInput = screen.getByLabelText<HTMLInputElement>('Password');
    expect(passwordInput.value).toBe('');
    expect(document.activeElement).toBe(passwordInput);
  });

  it('says how long to wait after too many wrong codes', async () => {
    fakeServer({
      '/api/v1/auth/login': [challenge()],
      '/api/v1/auth/login/two-factor': [json({ code: 'rate_limited', message: 'too many wrong codes; try again in 40 seconds' }, 429, { 'retry-after': '40' })],
    });
    open();
    await password();
    await userEvent.type(await codeInput(), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Verify and log in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Too many attempts. Try again in 40 seconds.');
    expect(await codeInput()).toBeTruthy();
  });

  it('can go back to the password from the code step', async () => {
    fakeServer({ '/api/v1/auth/login': [challenge()] });
    open();
    await password();
    await codeInput();
    await userEvent.click(screen.getByRole('button', { name: 'Back to the password' }));
    expect(screen.getByRole('heading', { name: 'Log in' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

/** The sign-in buttons of Acme's addresses, and password logins; the addresses looked up, in order. */
function ssoServer() {
  const lookedUp: string[] = [];
  const logins: unknown[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const url = new URL(input.url);
      if (url.pathname === '/api/v1/auth/sso/providers') {
        const email = url.searchParams.get('email')!;
        lookedUp.push(email);
        if (!email.endsWith('@acme.io')) return json({ providers: [] });
        const hint = encodeURIComponent(email);
        return json({
          providers: [
            { id: 3, label: 'Acme SSO', start_url: `/api/v1/auth/sso/3/start?login_hint=${hint}` },
            { id: 4, label: 'Acme Partners', start_url: `/api/v1/auth/sso/4/start?login_hint=${hint}` },
          ],
        });
      }
      if (url.pathname === '/api/v1/auth/login') {
        logins.push(await input.json());
        return tokens();
      }
      throw new Error(`nothing to answer at ${url.pathname}`);
    }),
  );
  return { lookedUp, logins };
}

const emailInput = () => screen.getByRole<HTMLInputElement>('textbox', { name: 'Email or username' });
const pause = () => new Promise((r) => setTimeout(r, LOOKUP_DELAY_MS + 100));

describe('single sign-on on the login page', () => {
  it('offers a button per identity provider once a whole address is typed, and leaves for the provider', async () => {
    const { lookedUp } = ssoServer();
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {});
    open();
    // A username is never looked up.
    await userEvent.type(emailInput(), 'ana');
    await pause();
    expect(lookedUp).toEqual([]);
    await userEvent.type(emailInput(), '@acme.io');
    const options = await screen.findByRole('button', { name: 'Sign in with Acme SSO' });
    expect(screen.getByRole('button', { name: 'Sign in with Acme Partners' })).toBeTruthy();
    // Typing without a pause asks once, for the whole address.
    expect(lookedUp).toEqual(['ana@acme.io']);
    // The region announces the buttons as they appear.
    expect(options.closest('[aria-live]')?.getAttribute('aria-live')).toBe('polite');

    await userEvent.click(options);
    expect(assign).toHaveBeenCalledWith('/api/v1/auth/sso/3/start?login_hint=ana%40acme.io');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Opening Acme SSO…' }).disabled).toBe(true);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Sign in with Acme Partners' }).disabled).toBe(true);
    // Remembered for the way back: the address, and where the app was headed.
    expect(JSON.parse(sessionStorage.getItem('tandem.sso')!)).toEqual({ email: 'ana@acme.io', next: '/c/7' });
  });

  it('shows no button for an address without providers, and the password logs in as always', async () => {
    const { lookedUp, logins } = ssoServer();
    open();
    await userEvent.type(emailInput(), 'ben@globex.io');
    await waitFor(() => expect(lookedUp).toEqual(['ben@globex.io']));
    await pause();
    expect(screen.queryByRole('button', { name: /^Sign in with/ })).toBeNull();
    await userEvent.type(screen.getByLabelText('Password'), 'violet harbor kettle');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByText('the channel')).toBeTruthy();
    expect(logins).toEqual([{ email: 'ben@globex.io', password: 'violet harbor kettle' }]);
  });

  it('takes the buttons away when the address changes to another domain', async () => {
    ssoServer();
    open();
    await userEvent.type(emailInput(), 'ana@acme.io');
    await screen.findByRole('button', { name: 'Sign in with Acme SSO' });
    await userEvent.clear(emailInput());
    expect(screen.queryByRole('button', { name: 'Sign in with Acme SSO' })).toBeNull();
    await userEvent.type(emailInput(), 'ana@globex.io');
    await pause();
    expect(screen.queryByRole('button', { name: /^Sign in with/ })).toBeNull();
  });

  it.each([
    ['sso_email_unverified', /has not verified your email address/],
    ['sso_domain_not_allowed', /may not sign in addresses at your email’s domain/],
    ['account_in_other_organization', /has an account in another organization/],
    ['sso_provider_error', /could not complete the sign-in/],
    ['validation_failed', /took too long or was already used/],
    ['not_found', /no longer exists/],
    ['account_disabled', /has been deactivated/],
    ['something_new', /Single sign-on did not work/],
  ])('says what went wrong when the provider sends the browser back with %s', async (code, message) => {
    ssoServer();
    open(`/login?sso_error=${code}`);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toMatch(message);
    expect(screen.getByRole('heading', { name: 'Log in' })).toBeTruthy();
    // No address remembered in this tab: the field is empty.
    expect(emailInput().value).toBe('');
  });

  it('fills in the address it was for, offers its buttons again, and lets the password take over', async () => {
    sessionStorage.setItem('tandem.sso', JSON.stringify({ email: 'dan@acme.io', next: '/' }));
    const { logins } = ssoServer();
    open('/login?sso_error=sso_email_unverified');
    expect(emailInput().value).toBe('dan@acme.io');
    const options = await screen.findByRole('button', { name: 'Sign in with Acme SSO' });
    expect(within(options.closest('#ssoOptions') as HTMLElement).getAllByRole('button')).toHaveLength(2);
    expect(screen.getByRole('alert').textContent).toMatch(/has not verified your email address/);
    await userEvent.type(screen.getByLabelText('Password'), 'violet harbor kettle');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await screen.findByText('the app');
    expect(logins).toEqual([{ email: 'dan@acme.io', password: 'violet harbor kettle' }]);
  });
});
