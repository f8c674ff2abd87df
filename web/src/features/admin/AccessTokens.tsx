import { useQuery } from '@tanstack/react-query';
import { tokenKeys } from '../../lib/accessTokens';
import { call, client } from '../../lib/api';
import { displayName, useEnsureUsers, useUserMap } from '../../lib/directory';
import type { AccessToken } from '../../lib/types';
import { BotBadge } from '../../lib/ui/BotBadge';
import { NAME_COLUMN, SCOPES_COLUMN, TokenList } from '../../lib/ui/TokenList';

/** Every personal access token of the organization, whoever made it, and revoking any. */
export function AccessTokensSection() {
  const tokens = useQuery({ queryKey: tokenKeys.organization, queryFn: () => call(client.GET('/api/v1/organizations/current/tokens')) });
  const list = tokens.data?.tokens ?? [];
  const users = useUserMap();
  useEnsureUsers(list.map((t) => t.user_id));
  const owner = (t: AccessToken) => {
    const user = users.get(t.user_id);
    return user ? displayName(user) : `User ${t.user_id}`;
  };

  return (
    <section className="card admin-tokens" aria-labelledby="adminTokensTitle">
      <h2 id="adminTokensTitle">Personal access tokens</h2>
      <p className="muted">
        The tokens people made on their profile for scripts and other systems: each acts as its owner, limited to its scopes. Revoke one that leaked
        or is no longer needed; it stops working at once.
      </p>
      <TokenList
        tableId="organizationTokens"
        tokens={list}
        isPending={tokens.isPending}
        loadError={tokens.error}
        empty="Nobody has a token."
        columns={[
          {
            header: 'Owner',
            cell: (t) => (
              <td>
                {owner(t)}
                {users.get(t.user_id)?.is_bot && (
                  <>
                    {' '}
                    <BotBadge user={users.get(t.user_id)} />
                  </>
                )}
              </td>
            ),
          },
          NAME_COLUMN,
          SCOPES_COLUMN,
        ]}
        revokeToken={(token) =>
          call(client.DELETE('/api/v1/organizations/current/tokens/{token_id}', { params: { path: { token_id: token.id } } }))
        }
        revokedNotice={(token) => `${owner(token)}’s token ${token.name} was revoked: it no longer works.`}
        owner={owner}
      />
    </section>
  );
}
