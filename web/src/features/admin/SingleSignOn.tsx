import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { call, client } from '../../lib/api';
import { ApiError, errorMessage } from '../../lib/errors';
import { formatFull, formatRelative } from '../../lib/format';
import type { components } from '@tandem/client';
import { keys } from '../../lib/queryClient';
import { FormFooter } from '../../lib/ui/Feedback';
import { Field, capitalized } from '../../lib/ui/Field';

type Provider = components['schemas']['SsoProviderResponse'];

const PROVIDERS = ['admin', 'sso-providers'] as const;

/**
 * The address the identity provider sends people back to, to register there: the server's own
 * (from its `notifications.base_url`), or, until it is known, this page's origin.
 */
export function redirectUri(fromServer?: string): string {
  return fromServer ?? `${window.location.origin}/api/v1/auth/sso/callback`;
}

/** "acme.io, @acme.co.uk" → ["acme.io", "acme.co.uk"]. */
export function parseDomains(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((d) => d.trim().replace(/^@/, ''))
    .filter(Boolean);
}

/** The organization's identity providers (OpenID Connect), and adding one. */
export function SingleSignOnSection() {
  return (
    <section className="card admin-sso" aria-labelledby="ssoTitle">
      <h2 id="ssoTitle">Single sign-on</h2>
      <p className="muted">
        People of your organization can sign in with their account at your identity provider (OpenID Connect): once they type their email address on
        the login page, a “Sign in with …” button appears. Someone who signs in this way for the first time joins as a member.
      </p>
      <ProviderList />
      <SsoOnlyToggle />
      <AddProviderForm />
    </section>
  );
}

/** Whether members may sign in only through the providers (admins keep their password). */
function SsoOnlyToggle() {
  const queryClient = useQueryClient();
  const organization = useQuery({ queryKey: keys.organization, queryFn: () => call(client.GET('/api/v1/organizations/current')) });
  const hasProvider = (useProviders().data?.providers.length ?? 0) > 0;
  // The box shows the choice at once, in the same render as the click (the mutation's own pending
  // state arrives a tick later, and a controlled box would flip back in between), until the server answers.
  const [choice, setChoice] = useState<boolean | null>(null);
  const save = useMutation({
    mutationFn: (on: boolean) => call(client.PATCH('/api/v1/organizations/current', { body: { sso_only: on } })),
    onSuccess: (org) => queryClient.setQueryData(keys.organization, org),
    onSettled: () => setChoice(null),
  });
  const on = choice ?? organization.data?.sso_only ?? false;

  return (
    <div className="field sso-only">
      <label className="checkbox">
        <input
          type="checkbox"
          checked={on}
          disabled={!organization.data || choice !== null || save.isPending || (!hasProvider && !on)}
          aria-describedby="ssoOnlyHint"
          onChange={(e) => {
            setChoice(e.target.checked);
            save.mutate(e.target.checked);
          }}
        />
        Members sign in only through single sign-on
      </label>
      <p className="hint" id="ssoOnlyHint">
        Their passwords stop working, and nobody joins by signing up with your domain; admins keep their password, to fix the provider if it fails.
        {!hasProvider && ' Add an identity provider first.'}
      </p>
      {save.error && (
        <p className="form-error" role="alert">
          {errorMessage(save.error)}
        </p>
      )}
    </div>
  );
}

/** The organization's providers, and the redirect URI to register at one. */
function useProviders() {
  return useQuery({
    queryKey: PROVIDERS,
    queryFn: () => call(client.GET('/api/v1/organizations/current/sso-providers')),
  });
}

function ProviderList() {
  const queryClient = useQueryClient();
  const providers = useProviders();
  const [removed, setRemoved] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (provider: Provider) =>
      call(client.DELETE('/api/v1/organizations/current/sso-providers/{provider_id}', { params: { path: { provider_id: provider.id } } })),
    onMutate: () => setRemoved(null),
    onSuccess: (_, provider) => setRemoved(provider.label),
    onSettled: () => queryClient.invalidateQueries({ queryKey: PROVIDERS }),
  });
  const list = providers.data?.providers ?? [];
  const error = providers.error ?? remove.error;

  return (
    <div className="sso-providers">
      <h3>Identity providers</h3>
      {error && (
        <p className="form-error" role="alert">
          {errorMessage(error)}
        </p>
      )}
      {removed && (
        <p className="notice" role="status">
          {removed} was removed. The people it signed in keep their accounts.
        </p>
      )}
      {providers.isPending ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 ? (
        <p className="hint">No identity provider yet: everyone logs in with a password.</p>
      ) : (
        <table className="table" id="ssoProviders">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Issuer</th>
              <th scope="col">Client ID</th>
              <th scope="col">Email domains</th>
              <th scope="col">Added</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr key={p.id} data-provider-id={p.id}>
                <td>{p.label}</td>
                <td className="sso-url">{p.issuer}</td>
                <td className="sso-url">{p.client_id}</td>
                <td>{p.allowed_domains.length ? p.allowed_domains.join(', ') : <span className="muted">any</span>}</td>
                <td title={formatFull(p.created_at)}>{formatRelative(p.created_at)}</td>
                <td>
                  <button
                    type="button"
                    className="button small danger"
                    aria-label={`Remove ${p.label}`}
                    disabled={remove.isPending && remove.variables?.id === p.id}
                    onClick={() => remove.mutate(p)}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const EMPTY = { label: '', issuer: '', client_id: '', client_secret: '', allowed_domains: '' };
type Fields = typeof EMPTY;

/** Kinder words for the refusals an admin can act on (the server's message, with its reason); its own words otherwise. */
const FIELD_CODES: Record<string, (message: string) => string> = {
  issuer_unusable: (message) => {
    const reason = message.split(': ').slice(1).join(': ');
    return `Tandem could not read this issuer’s OpenID Connect configuration${reason ? ` (${reason})` : ''}. Check the address, and that the Tandem server can reach the provider.`;
  },
  invalid_issuer: () => 'Enter the issuer’s https:// address, exactly as the provider names itself (http:// only for localhost).',
};

function AddProviderForm() {
  const queryClient = useQueryClient();
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [added, setAdded] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: () =>
      call(
        client.POST('/api/v1/organizations/current/sso-providers', {
          body: {
            label: fields.label.trim(),
            issuer: fields.issuer.trim(),
            client_id: fields.client_id.trim(),
            client_secret: fields.client_secret,
            allowed_domains: parseDomains(fields.allowed_domains),
          },
        }),
      ),
    onMutate: () => setAdded(null),
    onSuccess: (provider) => {
      setAdded(provider.label);
      setFields(EMPTY);
      void queryClient.invalidateQueries({ queryKey: PROVIDERS });
    },
  });
  const set = (name: keyof Fields) => (e: { target: { value: string } }) => setFields({ ...fields, [name]: e.target.value });
  const detail = (name: keyof Fields) => (add.error instanceof ApiError ? add.error.details?.find((d) => d.field === name) : undefined);
  const fieldError = (name: keyof Fields) => {
    const found = detail(name);
    return found ? (FIELD_CODES[found.code]?.(found.message) ?? capitalized(found.message)) : undefined;
  };
  const byField = (Object.keys(EMPTY) as (keyof Fields)[]).some((name) => detail(name));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  const uri = redirectUri(useProviders().data?.redirect_uri);

  return (
    <form className="form sso-form" onSubmit={submit} aria-label="Add an identity provider">
      <h3>Add an identity provider</h3>
      <p className="hint" id="ssoRedirectHint">
        First register Tandem at your provider as a web application (authorization code flow, with a client secret), with this redirect URI:
      </p>
      <div className="field">
        <label htmlFor="ssoRedirectUri">Redirect URI</label>
        <input id="ssoRedirectUri" className="sso-url" readOnly value={uri} aria-describedby="ssoRedirectHint" onFocus={(e) => e.target.select()} />
      </div>
      <div className="field-row">
        <Field id="ssoLabel" label="Name on the button" error={fieldError('label')}>
          {(a11y) => <input id="ssoLabel" value={fields.label} onChange={set('label')} required maxLength={40} placeholder="Acme SSO" autoComplete="off" {...a11y} />}
        </Field>
        <Field id="ssoIssuer" label="Issuer URL" error={fieldError('issuer')}>
          {(a11y) => (
            <input
              id="ssoIssuer"
              type="url"
              value={fields.issuer}
              onChange={set('issuer')}
              required
              placeholder="https://login.acme.io"
              autoComplete="off"
              spellCheck={false}
              {...a11y}
            />
          )}
        </Field>
        <Field id="ssoClientId" label="Client ID" error={fieldError('client_id')}>
          {(a11y) => <input id="ssoClientId" value={fields.client_id} onChange={set('client_id')} required autoComplete="off" spellCheck={false} {...a11y} />}
        </Field>
        <Field id="ssoClientSecret" label="Client secret" error={fieldError('client_secret')} hint="Kept to sign people in; never shown again.">
          {(a11y) => (
            <input id="ssoClientSecret" type="password" value={fields.client_secret} onChange={set('client_secret')} required autoComplete="new-password" {...a11y} />
          )}
        </Field>
      </div>
      <Field
        id="ssoDomains"
        label="Allowed email domains"
        error={fieldError('allowed_domains')}
        hint="Separated by commas. Only addresses at these domains may sign in through this provider; leave it empty for any address the provider vouches for."
      >
        {(a11y) => (
          <input
            id="ssoDomains"
            value={fields.allowed_domains}
            onChange={set('allowed_domains')}
            placeholder="acme.io, acme.co.uk"
            autoComplete="off"
            spellCheck={false}
            {...a11y}
          />
        )}
      </Field>
      <FormFooter
        error={add.error && (byField ? 'The provider was not added: see the fields marked above.' : errorMessage(add.error))}
        id="addSsoProvider"
        pending={add.isPending}
        label="Add provider"
        busyLabel="Checking the provider…"
      >
        {added && (
          <p className="notice" role="status">
            {added} was added. People at your organization’s domain now see “Sign in with {added}” on the login page.
          </p>
        )}
      </FormFooter>
    </form>
  );
}
