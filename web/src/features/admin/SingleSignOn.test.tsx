import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { components } from '@tandem/client';
import { createQueryClient } from '../../lib/queryClient';
import { endSession, startSession } from '../../lib/session';
import { user } from '../../test/fixtures';
import { parseDomains, SingleSignOnSection } from './SingleSignOn';

type Provider = components['schemas']['SsoProviderResponse'];

const json = (body: unknown, status = 200) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const okta: Provider = {
  id: 3,
  label: 'Acme SSO',
  issuer: 'https://login.acme.io',
  client_id: 'tandem',
  allowed_domains: ['acme.io', 'acme.co.uk'],
  created_at: '2026-11-20T09:00:00Z',
};

const organization = (ssoOnly: boolean) => ({
  id: 1,
  name: 'Acme',
  domain: 'acme.io',
  subscription_plan: 'free',
  self_signup: true,
  two_factor_policy: 'optional',
  sso_only: ssoOnly,
  created_at: '2026-11-01T09:00:00Z',
  is_active: true,
});

/** The organization's providers: added unless the issuer cannot be read; what was sent. */
function fakeServer(initial: Provider[] = [okta]) {
  let providers = [...initial];
  let ssoOnly = false;
  const sent: [string, unknown][] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const what = `${input.method} ${new URL(input.url).pathname}`;
      const body = ['POST', 'PATCH'].includes(input.method) ? ((await input.json()) as Record<string, unknown>) : undefined;
      if (input.method !== 'GET') sent.push([what, body]);
      if (what === 'GET /api/v1/organizations/current') return json(organization(ssoOnly));
      if (what === 'PATCH /api/v1/organizations/current') {
        ssoOnly = body!.sso_only === true;
        return json(organization(ssoOnly));
      }
      if (what === 'GET /api/v1/organizations/current/sso-providers') return json({ providers, redirect_uri: 'https://chat.acme.io/api/v1/auth/sso/callback' });
      if (what === 'POST /api/v1/organizations/current/sso-providers') {
        if (body!.issuer === 'https://down.acme.io') {
          return json(
            {
              code: 'validation_failed',
              message: 'issuer: its OpenID Connect configuration could not be read: connection refused',
              details: [{ field: 'issuer', code: 'issuer_unusable', message: 'its OpenID Connect configuration could not be read: connection refused' }],
            },
            422,
          );
        }
        if (body!.label === '') {
          return json(
            {
              code: 'validation_failed',
              message: 'label: must be 1 to 40 printable characters',
              details: [{ field: 'label', code: 'invalid_label', message: 'must be 1 to 40 printable characters' }],
            },
            422,
          );
        }
        const created: Provider = { ...(body as Omit<Provider, 'id' | 'created_at'>), id: 9, created_at: '2026-11-21T09:00:00Z' };
        delete (created as Partial<{ client_secret: string }>).client_secret;
        providers = [...providers, created];
        return json(created, 201);
      }
      const removed = /^DELETE \/api\/v1\/organizations\/current\/sso-providers\/(\d+)$/.exec(what);
      if (removed) {
        providers = providers.filter((p) => p.id !== Number(removed[1]));
        return json(null, 204);
      }
      return json({ code: 'not_found', message: 'not here' }, 404);
    }),
  );
  return sent;
}

function setup(initial?: Provider[]) {
  const sent = fakeServer(initial);
  render(
    <QueryClientProvider client={createQueryClient()}>
      <SingleSignOnSection />
    </QueryClientProvider>,
  );
  return sent;
}

beforeEach(() =>
  startSession({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: user(1, 'ana', { role: 'admin' }) }),
);
afterEach(() => {
  cleanup();
  endSession('signed_out');
  vi.unstubAllGlobals();
});

const form = () => screen.getByRole('form', { name: 'Add an identity provider' });

async function fill(fields: { label: string; issuer: string; clientId: string; secret: string; domains: string }) {
  const f = within(form());
  for (const [name, value] of [
    ['Name on the button', fields.label],
    ['Issuer URL', fields.issuer],
    ['Client ID', fields.clientId],
    ['Client secret', fields.secret],
    ['Allowed email domains', fields.domains],
  ] as const) {
    const input = f.getByLabelText(name);
    await userEvent.clear(input);
    if (value) await userEvent.type(input, value);
  }
}

describe('single sign-on on the admin page', () => {
  it('lists the providers with their issuer, client and domains, and the redirect URI to register', async () => {
    setup();
    const section = screen.getByRole('region', { name: 'Single sign-on' });
    const table = await within(section).findByRole('table');
    const row = within(table).getByText('Acme SSO').closest('tr')!;
    expect([...row.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent)).toEqual([
      'Acme SSO',
      'https://login.acme.io',
      'tandem',
      'acme.io, acme.co.uk',
    ]);
    // The server's own, from its configured address, whatever host this page was opened at.
    const uri = within(form()).getByRole<HTMLInputElement>('textbox', { name: 'Redirect URI' });
    expect(uri.value).toBe('https://chat.acme.io/api/v1/auth/sso/callback');
    expect(uri.readOnly).toBe(true);
    // The secret is typed in a password field.
    expect(within(form()).getByLabelText('Client secret').getAttribute('type')).toBe('password');
  });

  it('says when there is none yet', async () => {
    setup([]);
    expect(await screen.findByText('No identity provider yet: everyone logs in with a password.')).toBeTruthy();
  });

  it('shows the server’s refusal beside the field, then adds the provider', async () => {
    const sent = setup([]);
    await screen.findByText(/No identity provider yet/);
    await fill({ label: 'Acme SSO', issuer: 'https://down.acme.io', clientId: 'tandem', secret: 's3cret', domains: 'acme.io, @acme.co.uk' });
    await userEvent.click(within(form()).getByRole('button', { name: 'Add provider' }));

    const issuer = within(form()).getByLabelText<HTMLInputElement>('Issuer URL');
    const refusal = await within(form()).findByText(/could not read this issuer’s OpenID Connect configuration/);
    expect(refusal.textContent).toContain('(connection refused)');
    expect(issuer.getAttribute('aria-invalid')).toBe('true');
    const describedBy = issuer.getAttribute('aria-describedby')!.split(' ');
    expect(describedBy.map((id) => document.getElementById(id)?.textContent).join(' ')).toMatch(/could not read this issuer’s/);
    expect(within(form()).getByRole('alert').textContent).toBe('The provider was not added: see the fields marked above.');
    expect(within(form()).getByLabelText('Name on the button').getAttribute('aria-invalid')).toBeNull();
    expect(sent).toEqual([
      [
        'POST /api/v1/organizations/current/sso-providers',
        { label: 'Acme SSO', issuer: 'https://down.acme.io', client_id: 'tandem', client_secret: 's3cret', allowed_domains: ['acme.io', 'acme.co.uk'] },
      ],
    ]);

    // Corrected, it is added and listed; the form is ready for another.
    await userEvent.clear(issuer);
    await userEvent.type(issuer, 'https://login.acme.io');
    await userEvent.click(within(form()).getByRole('button', { name: 'Add provider' }));
    expect((await within(form()).findByRole('status')).textContent).toMatch(/^Acme SSO was added\./);
    expect(issuer.getAttribute('aria-invalid')).toBeNull();
    expect(within(form()).queryByRole('alert')).toBeNull();
    expect(within(form()).getByLabelText<HTMLInputElement>('Client secret').value).toBe('');
    const table = await screen.findByRole('table');
    expect(within(table).getByText('Acme SSO').closest('tr')!.textContent).toContain('acme.io, acme.co.uk');
    expect(sent[1]![1]).toMatchObject({ issuer: 'https://login.acme.io' });
  });

  it('uses the server’s words for a field it has none of its own for', async () => {
    setup([]);
    await screen.findByText(/No identity provider yet/);
    await fill({ label: '', issuer: 'https://login.acme.io', clientId: 'tandem', secret: 's3cret', domains: '' });
    // The browser would ask for a name first; the server's answer is shown all the same.
    form().setAttribute('novalidate', '');
    await userEvent.click(within(form()).getByRole('button', { name: 'Add provider' }));
    expect(await within(form()).findByText('Must be 1 to 40 printable characters.')).toBeTruthy();
    expect(within(form()).getByLabelText('Name on the button').getAttribute('aria-invalid')).toBe('true');
  });

  it('removes a provider', async () => {
    const sent = setup();
    await userEvent.click(await screen.findByRole('button', { name: 'Remove Acme SSO' }));
    expect(await screen.findByText('No identity provider yet: everyone logs in with a password.')).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('Acme SSO was removed. The people it signed in keep their accounts.');
    expect(sent).toEqual([['DELETE /api/v1/organizations/current/sso-providers/3', undefined]]);
  });

  it('reads the allowed domains typed with commas, spaces or at signs', () => {
    expect(parseDomains(' acme.io,acme.co.uk ; @acme.de  ')).toEqual(['acme.io', 'acme.co.uk', 'acme.de']);
    expect(parseDomains('  ')).toEqual([]);
  });

  it('makes single sign-on the only way in for members once there is a provider', async () => {
    const sent = setup();
    const toggle = await screen.findByRole<HTMLInputElement>('checkbox', { name: 'Members sign in only through single sign-on' });
    await vi.waitFor(() => expect(toggle.disabled).toBe(false));
    expect(toggle.checked).toBe(false);
    await userEvent.click(toggle);
    await vi.waitFor(() => expect(toggle.checked).toBe(true));
    expect(sent).toContainEqual(['PATCH /api/v1/organizations/current', { sso_only: true }]);
  });

  it('offers single sign-on only once a provider exists', async () => {
    setup([]);
    await screen.findByText('No identity provider yet: everyone logs in with a password.');
    const toggle = screen.getByRole<HTMLInputElement>('checkbox', { name: 'Members sign in only through single sign-on' });
    await vi.waitFor(() => expect(screen.getByText(/Add an identity provider first/)).toBeTruthy());
    expect(toggle.disabled).toBe(true);
  });
});
