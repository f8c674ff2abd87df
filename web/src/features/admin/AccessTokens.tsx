import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { tokenKeys } from '../../lib/accessTokens';
import { call, client } from '../../lib/api';
import { displayName, useEnsureUsers, useUserMap } from '../../lib/directory';
import { errorMessage } from '../../lib/errors';
import { keys } from '../../lib/queryClient';
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
      <AccessTokensSetting />
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

/** Whether people may make and use personal access tokens (bots' tokens work either way). */
function AccessTokensSetting() {
  const queryClient = useQueryClient();
  const organization = useQuery({ queryKey: keys.organization, queryFn: () => call(client.GET('/api/v1/organizations/current')) });
  // The box shows the choice at once, in the same render as the click (the mutation's own pending
  // state arrives a tick later, and a controlled box would flip back in between), until the server answers.
  const [choice, setChoice] = useState<boolean | null>(null);
  const save = useMutation({
    mutationFn: (on: boolean) => call(client.PATCH('/api/v1/organizations/current', { body: { access_tokens_enabled: on } })),
    onSuccess: (org) => queryClient.setQueryData(keys.organization, org),
    onSettled: () => setChoice(null),
  });
  const on = choice ?? organization.data?.access_tokens_enabled ?? true;

  return (
    <div className="field tokens-setting">
      <label className="checkbox">
        <input
          type="checkbox"
          id="accessTokensEnabled"
          checked={on}
          disabled={!organization.data || choice !== null || save.isPending}
          aria-describedby="accessTokensEnabledHint"
          onChange={(e) => {
            setChoice(e.target.checked);
            save.mutate(e.target.checked);
          }}
        />
        Allow personal access tokens
      </label>
      <p className="hint" id="accessTokensEnabledHint">
        Off, nobody can make one and those already made stop working until you turn them on again; bots’ tokens work either way.
      </p>
      {save.error && (
        <p className="form-error" role="alert">
          {errorMessage(save.error)}
        </p>
      )}
    </div>
  );
}
