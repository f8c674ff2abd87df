import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { SCOPES, tokenKeys } from '../../lib/accessTokens';
import { call, client } from '../../lib/api';
import { useMe } from '../../lib/directory';
import { ApiError, errorMessage } from '../../lib/errors';
import { formatFull, formatRelative } from '../../lib/format';
import { keys } from '../../lib/queryClient';
import type { TokenScope } from '../../lib/types';
import { NAME_COLUMN, SCOPES_COLUMN, TokenList as TokenListBody, type TokenColumn } from '../../lib/ui/TokenList';
import { Field, capitalized } from '../../lib/ui/Field';
import { ShownOnce } from '../../lib/ui/ShownOnce';

/** The choices of a new token's life, in days (`never`: until revoked). */
export const EXPIRIES = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never' },
] as const;

/**
 * Your personal access tokens, on the profile: the list, revoking one, and making one, whose
 * secret is shown this once. While the organization's admins have them off, there is no making one
 * (those made can still be revoked).
 */
export function AccessTokensSection() {
  const [secret, setSecret] = useState<{ id: number; token: string; name: string } | null>(null);
  const organization = useQuery({ queryKey: keys.organization, queryFn: () => call(client.GET('/api/v1/organizations/current')) });
  const off = organization.data?.access_tokens_enabled === false;
  return (
    <section className="card access-tokens" aria-labelledby="accessTokensTitle">
      <h2 id="accessTokensTitle">Personal access tokens</h2>
      <p className="muted">
        A token lets scripts and other systems use Tandem’s API as you, limited to the scopes you give it. The token itself is shown once, when you make
        it: keep it somewhere safe, and revoke it when it is no longer needed.
      </p>
      {/* Revoked, the token just made is no longer worth copying. */}
      <TokenList onRevoked={(id) => setSecret((s) => (s?.id === id ? null : s))} />
      {secret && (
        <ShownOnce
          id="newToken"
          label="Your new token"
          secret={secret.token}
          title={
            <>
              <strong>{secret.name}</strong> is ready. Copy the token now: it will not be shown again.
            </>
          }
          onDone={() => setSecret(null)}
        />
      )}
      {off ? (
        <p className="notice" id="accessTokensOff">
          Your organization’s admins turned personal access tokens off: you cannot make one, and yours do not work until they turn them on again. You
          can still revoke them.
        </p>
      ) : (
        <MakeTokenForm onMade={(id, token, name) => setSecret({ id, token, name })} onStart={() => setSecret(null)} />
      )}
    </section>
  );
}

function TokenList({ onRevoked }: { onRevoked: (id: number) => void }) {
  const tokens = useQuery({ queryKey: tokenKeys.mine, queryFn: () => call(client.GET('/api/v1/users/me/tokens')) });
  return (
    <div className="token-list">
      <TokenListBody
        tableId="accessTokens"
        tokens={tokens.data?.tokens ?? []}
        isPending={tokens.isPending}
        loadError={tokens.error}
        empty="You have no token."
        columns={COLUMNS}
        revokeToken={(token) => call(client.DELETE('/api/v1/users/me/tokens/{token_id}', { params: { path: { token_id: token.id } } }))}
        revokedNotice={(token) => `${token.name} was revoked: it no longer works.`}
        onRevoked={(token) => onRevoked(token.id)}
      />
    </div>
  );
}

const COLUMNS: TokenColumn[] = [
  NAME_COLUMN,
  SCOPES_COLUMN,
  { header: 'Created', cell: (t) => <td title={formatFull(t.created_at)}>{formatRelative(t.created_at)}</td> },
];

interface Fields {
  name: string;
  scopes: TokenScope[];
  expires: (typeof EXPIRIES)[number]['value'];
}
const EMPTY: Fields = { name: '', scopes: ['read'], expires: '90' };
const FIELDS = ['name', 'scopes', 'expires_in_days'] as const;

function MakeTokenForm({ onMade, onStart }: { onMade: (id: number, token: string, name: string) => void; onStart: () => void }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const [fields, setFields] = useState<Fields>(EMPTY);
  const make = useMutation({
    mutationFn: (body: { name: string; scopes: TokenScope[]; expires_in_days?: number }) => call(client.POST('/api/v1/users/me/tokens', { body })),
    onMutate: () => onStart(),
    onSuccess: (made) => {
      onMade(made.access_token.id, made.token, made.access_token.name);
      setFields(EMPTY);
      void queryClient.invalidateQueries({ queryKey: tokenKeys.all });
    },
  });
  const fieldError = (name: (typeof FIELDS)[number]) => {
    const found = make.error instanceof ApiError ? make.error.details?.find((d) => d.field === name) : undefined;
    return found ? capitalized(found.message) : undefined;
  };
  // Any other refusal (`access_tokens_disabled`, once the admins turned tokens off since the page
  // was read, among them) is shown in the server's words.
  const byField = FIELDS.some((name) => fieldError(name));
  const scopes = SCOPES.filter((s) => s.value !== 'admin' || me.role === 'admin');
  const toggle = (scope: TokenScope, on: boolean) =>
    setFields({ ...fields, scopes: on ? SCOPES.map((s) => s.value).filter((v) => v === scope || fields.scopes.includes(v)) : fields.scopes.filter((v) => v !== scope) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    make.mutate({
      name: fields.name.trim(),
      scopes: fields.scopes,
      ...(fields.expires === 'never' ? {} : { expires_in_days: Number(fields.expires) }),
    });
  };
  const scopesError = fieldError('scopes');

  return (
    <form className="form token-form" onSubmit={submit} aria-label="Make a token">
      <h3>Make a token</h3>
      <Field id="tokenName" label="Name" error={fieldError('name')} hint="What it is for, so you know it again.">
        {(a11y) => (
          <input
            id="tokenName"
            value={fields.name}
            onChange={(e) => setFields({ ...fields, name: e.target.value })}
            required
            maxLength={80}
            placeholder="deploy notifier"
            autoComplete="off"
            {...a11y}
          />
        )}
      </Field>
      <fieldset className="token-scopes" aria-describedby={scopesError ? 'tokenScopesError' : undefined}>
        <legend>Scopes</legend>
        <ul>
          {scopes.map((s) => (
            <li key={s.value}>
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={fields.scopes.includes(s.value)}
                  onChange={(e) => toggle(s.value, e.target.checked)}
                  aria-invalid={scopesError ? true : undefined}
                  aria-describedby={[`tokenScope-${s.value}`, scopesError ? 'tokenScopesError' : null].filter(Boolean).join(' ')}
                />
                {s.label}
              </label>
              <span className="hint" id={`tokenScope-${s.value}`}>
                {s.hint}
              </span>
            </li>
          ))}
        </ul>
        {scopesError && (
          <span className="field-error" id="tokenScopesError">
            {scopesError}
          </span>
        )}
      </fieldset>
      <Field id="tokenExpires" label="Expires" error={fieldError('expires_in_days')}>
        {(a11y) => (
          <select id="tokenExpires" value={fields.expires} onChange={(e) => setFields({ ...fields, expires: e.target.value as Fields['expires'] })} {...a11y}>
            {EXPIRIES.map((x) => (
              <option key={x.value} value={x.value}>
                {x.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {make.error && (
        <p className="form-error" role="alert">
          {byField ? 'The token was not made: see the fields marked above.' : errorMessage(make.error)}
        </p>
      )}
      <div>
        <button className="button primary" disabled={make.isPending} id="makeToken">
          {make.isPending ? 'Making it…' : 'Make token'}
        </button>
      </div>
    </form>
  );
}
