import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../../lib/queryClient';
import { endSession, startSession } from '../../lib/session';
import { user } from '../../test/fixtures';
import { qrSvg } from './qr';
import { TwoFactorPage } from './TwoFactorPage';

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const PASSWORD = 'violet harbor kettle';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const URI = `otpauth://totp/Tandem:ana%40acme.io?secret=${SECRET}&issuer=Tandem&algorithm=SHA1&digits=6&period=30`;
const codes = (n: number) => Array.from({ length: 10 }, (_, i) => `${n}${i}AB-CDEF-GHJK-MNP${i}`);
const invalid = (field: string, code: string, message: string) =>
  json({ code: 'validation_failed', message: `${field}: ${message}`, details: [{ field, code, message }] }, 422);

/** The server's side of two-factor sign-in: right password, right code "123456". */
function fakeServer(initial: { enabled: boolean; left?: number }, overrides: Record<string, () => Response> = {}) {
  const state = { enabled: initial.enabled, pending: false, left: initial.left ?? (initial.enabled ? 10 : 0), batch: 0 };
  const sent: { path: string; body: unknown }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const path = new URL(input.url).pathname;
      if (input.method === 'GET') return json({ enabled: state.enabled, pending: state.pending, recovery_codes_left: state.left });
      const body = (await input.json()) as { password?: string; code?: string };
      sent.push({ path, body });
      if (overrides[path]) return overrides[path]();
      const wrongPassword = () => invalid('password', 'incorrect', 'the current password is incorrect');
      const wrongCode = () => invalid('code', 'invalid_code', 'this code is not valid (it may be mistyped, expired, or already used)');
      switch (path) {
        case '/api/v1/auth/two-factor/enrol':
          if (body.password !== PASSWORD) return wrongPassword();
          state.pending = true;
          return json({ secret: SECRET, otpauth_uri: URI });
        case '/api/v1/auth/two-factor/confirm':
          if (body.code !== '123456') return wrongCode();
          Object.assign(state, { enabled: true, pending: false, left: 10 });
          return json({ recovery_codes: codes(++state.batch) });
        case '/api/v1/auth/two-factor/recovery-codes':
          if (body.code !== '123456') return wrongCode();
          state.left = 10;
          return json({ recovery_codes: codes(++state.batch) });
        case '/api/v1/auth/two-factor/disable':
          if (body.password !== PASSWORD) return wrongPassword();
          if (body.code !== '123456') return wrongCode();
          Object.assign(state, { enabled: false, left: 0 });
          return json(null, 204);
      }
      throw new Error(`unexpected ${path}`);
    }),
  );
  return sent;
}

beforeEach(() =>
  startSession({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: user(1, 'ana', { email: 'ana@acme.io' }) }),
);
afterEach(() => {
  cleanup();
  endSession('signed_out');
  vi.unstubAllGlobals();
});

function open() {
  render(
    <QueryClientProvider client={createQueryClient()}>
      <TwoFactorPage />
    </QueryClientProvider>,
  );
}

const status = () => screen.findByText((_, el) => el?.id === 'twoFactorStatus');

describe('the two-factor sign-in page', () => {
  it('turns it on: the password, the QR code and key, a first code, then the recovery codes once', async () => {
    const sent = fakeServer({ enabled: false });
    open();
    expect((await status()).textContent).toContain('Off');
    await userEvent.click(screen.getByRole('button', { name: 'Turn on' }));

    const password = screen.getByLabelText<HTMLInputElement>('Current password');
    expect(document.activeElement).toBe(password);
    await userEvent.type(password, 'not it');
    await userEvent.click(screen.getByRole('button', { name: 'Continue' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That password is not right.');
    expect(password.getAttribute('aria-invalid')).toBe('true');
    await userEvent.clear(password);
    await userEvent.type(password, PASSWORD);
    await userEvent.click(screen.getByRole('button', { name: 'Continue' }));

    const heading = await screen.findByRole('heading', { name: 'Set up your authenticator app' });
    await waitFor(() => expect(document.activeElement).toBe(heading));
    const qr = screen.getByRole<HTMLImageElement>('img', { name: /QR code/ });
    expect(qr.getAttribute('src')).toBe(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(qrSvg(URI))}`);
    expect(screen.getByText('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP')).toBeTruthy();

    const code = screen.getByRole<HTMLInputElement>('textbox', { name: 'Code from the app' });
    expect(code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(code.getAttribute('inputmode')).toBe('numeric');
    await userEvent.type(code, '000000');
    await userEvent.click(screen.getByRole('button', { name: 'Turn on two-factor sign-in' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^That code did not work/);
    expect(code.value).toBe('');
    await userEvent.type(code, '123 456');
    await userEvent.click(screen.getByRole('button', { name: 'Turn on two-factor sign-in' }));

    const saveTitle = await screen.findByRole('heading', { name: 'Save your recovery codes' });
    await waitFor(() => expect(document.activeElement).toBe(saveTitle));
    expect(screen.getByRole('status').textContent).toBe('Two-factor sign-in is on.');
    expect(screen.getByText(/they are not shown again/)).toBeTruthy();
    const list = screen.getByRole('list', { name: 'Recovery codes' });
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(codes(1));
    const download = screen.getByRole<HTMLAnchorElement>('link', { name: 'Download as text' });
    expect(download.getAttribute('download')).toBe('tandem-recovery-codes.txt');
    const text = decodeURIComponent(download.getAttribute('href')!.replace('data:text/plain;charset=utf-8,', ''));
    expect(text).toContain('ana@acme.io');
    for (const c of codes(1)) expect(text).toContain(c);

    await userEvent.click(screen.getByRole('button', { name: 'I have saved them' }));
    expect(screen.queryByRole('list', { name: 'Recovery codes' })).toBeNull();
    await waitFor(() => expect((document.getElementById('twoFactorStatus')?.textContent ?? '')).toContain('On'));
    expect(document.getElementById('recoveryCodesLeft')!.textContent).toBe('10');
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Authenticator app' }));
    expect(sent.map((s) => s.path)).toEqual([
      '/api/v1/auth/two-factor/enrol',
      '/api/v1/auth/two-factor/enrol',
      '/api/v1/auth/two-factor/confirm',
      '/api/v1/auth/two-factor/confirm',
    ]);
    expect(sent[3]!.body).toEqual({ code: '123456' });
  });

  it('makes new recovery codes with a code, and warns when few are left', async () => {
    fakeServer({ enabled: true, left: 2 });
    open();
    await screen.findByText(/Running low/);
    await userEvent.click(screen.getByRole('button', { name: 'New recovery codes' }));
    const code = screen.getByRole('textbox', { name: 'Code from your authenticator app' });
    expect(document.activeElement).toBe(code);
    await userEvent.type(code, '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Make new codes' }));
    expect((await screen.findByRole('status')).textContent).toBe('New recovery codes are ready: the old ones no longer work.');
    expect(within(screen.getByRole('list', { name: 'Recovery codes' })).getAllByRole('listitem')).toHaveLength(10);
    await userEvent.click(screen.getByRole('button', { name: 'I have saved them' }));
    await waitFor(() => expect(document.getElementById('recoveryCodesLeft')!.textContent).toBe('10'));
    expect(screen.queryByText(/Running low/)).toBeNull();
  });

  it('turns it off with the password and a code', async () => {
    const sent = fakeServer({ enabled: true });
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Turn off' }));
    await userEvent.type(screen.getByLabelText('Current password'), PASSWORD);
    await userEvent.type(screen.getByRole('textbox', { name: 'Code from your app, or a recovery code' }), '999999');
    await userEvent.click(screen.getByRole('button', { name: 'Turn off two-factor sign-in' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/A recovery code works too\.$/);
    await userEvent.type(screen.getByRole('textbox', { name: 'Code from your app, or a recovery code' }), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Turn off two-factor sign-in' }));
    expect((await screen.findByRole('status')).textContent).toBe('Two-factor sign-in is off: logging in asks only for your password.');
    await waitFor(() => expect(document.getElementById('twoFactorStatus')!.textContent).toContain('Off'));
    expect(screen.getByRole('button', { name: 'Turn on' })).toBeTruthy();
    expect(sent.at(-1)).toEqual({ path: '/api/v1/auth/two-factor/disable', body: { password: PASSWORD, code: '123456' } });
  });

  it('says how long to wait after too many wrong codes', async () => {
    fakeServer(
      { enabled: true },
      {
        '/api/v1/auth/two-factor/recovery-codes': () =>
          json({ code: 'rate_limited', message: 'too many wrong codes; try again in 300 seconds' }, 429, { 'retry-after': '300' }),
      },
    );
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'New recovery codes' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'Code from your authenticator app' }), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Make new codes' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Too many attempts. Try again in 5 minutes.');
  });

  it('shows the state as it is when it changed elsewhere', async () => {
    fakeServer(
      { enabled: false },
      { '/api/v1/auth/two-factor/enrol': () => json({ code: 'two_factor_enabled', message: 'two-factor sign-in is already on' }, 409) },
    );
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Turn on' }));
    await userEvent.type(screen.getByLabelText('Current password'), PASSWORD);
    await userEvent.click(screen.getByRole('button', { name: 'Continue' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Two-factor sign-in is already on (it was turned on elsewhere).');
    expect(screen.queryByLabelText('Current password')).toBeNull();
  });
});

describe('the QR code', () => {
  it('is drawn with the quiet zone, starting with the finder pattern', () => {
    const svg = qrSvg(URI);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 (\d+) \1"/);
    // The top row of the top-left finder pattern: seven dark modules after four of margin.
    expect(svg).toContain('d="M4 4h7v1h-7z');
  });
});
