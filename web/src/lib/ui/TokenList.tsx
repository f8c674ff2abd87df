// The list of personal access tokens, with revoking one: shared by the profile (your own tokens)
// and the admin page (everyone's), which differ only in their leading columns and wording.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Fragment, useCallback, useState, type ReactNode } from 'react';
import { isExpired, scopeNames, tokenKeys } from '../accessTokens';
import { formatFull, formatRelative } from '../format';
import type { AccessToken } from '../types';
import { ConfirmDialog } from './ConfirmDialog';
import { ListFeedback } from './Feedback';

/** A column before the shared ones: its header, and its cell (a whole `<td>`) for a token. */
export interface TokenColumn {
  header: string;
  cell: (token: AccessToken) => ReactNode;
}

/** The "Name" column: the token's name. */
export const NAME_COLUMN: TokenColumn = { header: 'Name', cell: (t) => <td className="token-name">{t.name}</td> };

/** The "Scopes" column: the token's scopes by name. */
export const SCOPES_COLUMN: TokenColumn = { header: 'Scopes', cell: (t) => <td>{scopeNames(t.scopes)}</td> };

/**
 * The tokens as a table (or "Loading…", or `empty`), the error of loading or revoking, the notice of
 * the last revocation, and the confirmation before revoking one.
 */
export function TokenList({
  tableId,
  tokens,
  isPending,
  loadError,
  empty,
  columns,
  revokeToken,
  revokedNotice,
  onRevoked,
  owner,
}: {
  tableId: string;
  tokens: AccessToken[];
  isPending: boolean;
  loadError: Error | null;
  empty: string;
  /** The columns before Expires, Last used and the Revoke button. */
  columns: TokenColumn[];
  revokeToken: (token: AccessToken) => Promise<unknown>;
  /** The notice once a token is revoked. */
  revokedNotice: (token: AccessToken) => ReactNode;
  onRevoked?: (token: AccessToken) => void;
  /** Whose token it is, named in the confirmation (not when it is your own). */
  owner?: (token: AccessToken) => string;
}) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState<AccessToken | null>(null);
  const [revoked, setRevoked] = useState<ReactNode>(null);
  const close = useCallback(() => setConfirming(null), []);
  const revoke = useMutation({
    mutationFn: revokeToken,
    onMutate: () => {
      setRevoked(null);
      setConfirming(null);
    },
    onSuccess: (_, token) => {
      setRevoked(revokedNotice(token));
      onRevoked?.(token);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: tokenKeys.all }),
  });
  const error = loadError ?? revoke.error;

  return (
    <>
      <ListFeedback error={error} notice={revoked} />
      {isPending ? (
        <p className="muted">Loading…</p>
      ) : tokens.length === 0 ? (
        <p className="hint">{empty}</p>
      ) : (
        <table className="table" id={tableId}>
          <thead>
            <tr>
              {columns.map((c) => (
                <th scope="col" key={c.header}>
                  {c.header}
                </th>
              ))}
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} data-token-id={t.id}>
                {columns.map((c) => (
                  <Fragment key={c.header}>{c.cell(t)}</Fragment>
                ))}
                <td>
                  <Expiry token={t} />
                </td>
                <td>
                  <LastUsed token={t} />
                </td>
                <td>
                  <button
                    type="button"
                    className="button small danger"
                    aria-label={`Revoke ${t.name}`}
                    disabled={revoke.isPending && revoke.variables?.id === t.id}
                    onClick={() => setConfirming(t)}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {confirming && (
        <ConfirmDialog title="Revoke a token" onClose={close} confirmId="confirmRevokeToken" confirmLabel="Revoke token" onConfirm={() => revoke.mutate(confirming)}>
          {owner && <>{owner(confirming)}’s token </>}
          <strong>{confirming.name}</strong> stops working at once: whatever uses it is refused from now on. This cannot be undone.
        </ConfirmDialog>
      )}
    </>
  );
}

/** When a token stops working: "Never", its date, or that it has. */
function Expiry({ token }: { token: AccessToken }) {
  if (token.expires_at === null) return <>Never</>;
  return isExpired(token) ? (
    <span className="status-tag away" title={formatFull(token.expires_at)}>
      Expired
    </span>
  ) : (
    <>{formatFull(token.expires_at)}</>
  );
}

/** When a token was last used (to the minute), or "Never". */
function LastUsed({ token }: { token: AccessToken }) {
  return token.last_used_at === null ? <>Never</> : <span title={formatFull(token.last_used_at)}>{formatRelative(token.last_used_at)}</span>;
}
