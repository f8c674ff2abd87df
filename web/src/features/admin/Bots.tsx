import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState, type FormEvent, type ReactNode } from 'react';
import { tokenKeys } from '../../lib/accessTokens';
import { call, client } from '../../lib/api';
import { displayName, useEnsureUsers, useMe, useUserMap, useUsers } from '../../lib/directory';
import { ApiError, errorMessage } from '../../lib/errors';
import { formatFull, formatRelative } from '../../lib/format';
import { keys } from '../../lib/queryClient';
import type { User } from '../../lib/types';
import { Avatar } from '../../lib/ui/Avatar';
import { BotBadge } from '../../lib/ui/BotBadge';
import { Field, capitalized } from '../../lib/ui/Field';
import { ConfirmDialog } from '../../lib/ui/ConfirmDialog';
import { FormFooter, ListFeedback } from '../../lib/ui/Feedback';
import { ShownOnce } from '../../lib/ui/ShownOnce';

const BOTS = ['admin', 'bots'] as const;

/** A bot's token just made (with the bot, or in place of its old one): shown this once. */
interface Secret {
  bot: User;
  token: string;
  made: 'bot' | 'token';
}

/**
 * The organization's bots: accounts run by programs, each with a token, shown once when it is
 * made. Listing them, making one, a new token for one (the old stops working) and deactivating one.
 */
export function BotsSection() {
  const [secret, setSecret] = useState<Secret | null>(null);
  return (
    <section className="card admin-bots" aria-labelledby="botsTitle">
      <h2 id="botsTitle">Bots</h2>
      <p className="muted">
        A bot is an account run by a program (a deploy script, an alerting tool): it joins channels, posts and reacts with its token, and is marked as
        a bot wherever its name shows. Nobody signs in as a bot. Its token is shown once, when it is made: keep it somewhere safe.
      </p>
      {/* Deactivated, the bot's token just shown is no longer worth copying. */}
      <BotList onToken={setSecret} onDeactivated={(bot) => setSecret((s) => (s?.bot.id === bot.id ? null : s))} />
      {secret && (
        <ShownOnce
          id="newBotToken"
          label="The bot’s token"
          secret={secret.token}
          title={
            <>
              <strong>{displayName(secret.bot)}</strong> (@{secret.bot.username}){' '}
              {secret.made === 'bot' ? 'is ready.' : 'has a new token; the old one no longer works.'} Copy its token now: it will not be shown again.
            </>
          }
          onDone={() => setSecret(null)}
        />
      )}
      <MakeBotForm onMade={(bot, token) => setSecret({ bot, token, made: 'bot' })} onStart={() => setSecret(null)} />
    </section>
  );
}

/** Everything a change of bots may change elsewhere: the people (bots are among them) and the tokens. */
function useRefresh() {
  const queryClient = useQueryClient();
  return useCallback(
    () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: BOTS }),
        queryClient.invalidateQueries({ queryKey: ['admin', 'users'] }),
        queryClient.invalidateQueries({ queryKey: keys.users, exact: true }),
        queryClient.invalidateQueries({ queryKey: tokenKeys.all }),
      ]),
    [queryClient],
  );
}

type Confirming = { bot: User; action: 'token' | 'deactivate' };

function BotList({ onToken, onDeactivated }: { onToken: (secret: Secret) => void; onDeactivated: (bot: User) => void }) {
  const refresh = useRefresh();
  const bots = useQuery({ queryKey: BOTS, queryFn: () => call(client.GET('/api/v1/bots')) });
  const list = bots.data?.bots ?? [];
  const users = useUserMap();
  useEnsureUsers(list.flatMap((b) => (b.bot_owner_id == null ? [] : [b.bot_owner_id])));
  const owner = (bot: User) => (bot.bot_owner_id == null ? '—' : displayName(users.get(bot.bot_owner_id), `User ${bot.bot_owner_id}`));
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  const [notice, setNotice] = useState<ReactNode>(null);
  const close = useCallback(() => setConfirming(null), []);
  const act = useMutation({
    mutationFn: async ({ bot, action }: Confirming) => {
      if (action === 'deactivate') {
        await call(client.DELETE('/api/v1/bots/{bot_id}', { params: { path: { bot_id: bot.id } } }));
        return null;
      }
      return call(client.POST('/api/v1/bots/{bot_id}/token', { params: { path: { bot_id: bot.id } } }));
    },
    onMutate: () => {
      setNotice(null);
      setConfirming(null);
    },
    onSuccess: (issued, { bot, action }) => {
      if (action === 'deactivate') {
        setNotice(`${displayName(bot)} was deactivated: its token no longer works. A new token brings it back.`);
        onDeactivated(bot);
      } else if (issued) {
        onToken({ bot: issued.bot, token: issued.token, made: 'token' });
      }
    },
    onSettled: () => refresh(),
  });
  const error = bots.error ?? act.error;

  return (
    <div className="token-list">
      <ListFeedback error={error} notice={notice} />
      {bots.isPending ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 ? (
        <p className="hint">No bot yet.</p>
      ) : (
        <table className="table" id="bots">
          <thead>
            <tr>
              <th scope="col">Bot</th>
              <th scope="col">Owner</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((b) => (
              <tr key={b.id} data-bot-id={b.id} className={b.is_active ? '' : 'inactive'}>
                <td>
                  <span className="person-cell">
                    <Avatar user={b} size={24} /> {displayName(b)} <span className="muted">@{b.username}</span>
                    <BotBadge user={b} />
                  </span>
                </td>
                <td>{owner(b)}</td>
                <td>{b.is_active ? 'Active' : 'Deactivated'}</td>
                <td title={formatFull(b.created_at)}>{formatRelative(b.created_at)}</td>
                <td>
                  <span className="row-actions">
                    <button
                      type="button"
                      className="button small"
                      aria-label={`New token for ${b.username}`}
                      disabled={act.isPending && act.variables?.bot.id === b.id}
                      onClick={() => setConfirming({ bot: b, action: 'token' })}
                    >
                      New token
                    </button>
                    {b.is_active && (
                      <button
                        type="button"
                        className="button small danger"
                        aria-label={`Deactivate ${b.username}`}
                        disabled={act.isPending && act.variables?.bot.id === b.id}
                        onClick={() => setConfirming({ bot: b, action: 'deactivate' })}
                      >
                        Deactivate
                      </button>
                    )}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {confirming?.action === 'token' && (
        <ConfirmDialog
          title="Give a bot a new token"
          onClose={close}
          confirmId="confirmBotToken"
          confirmLabel="Make a new token"
          primary
          onConfirm={() => act.mutate(confirming)}
        >
          <strong>{displayName(confirming.bot)}</strong>’s current token stops working at once: whatever uses it is refused from now on, until it is
          given the new one, which is shown once.
          {!confirming.bot.is_active && ' The bot is active again.'}
        </ConfirmDialog>
      )}
      {confirming?.action === 'deactivate' && (
        <ConfirmDialog
          title="Deactivate a bot"
          onClose={close}
          confirmId="confirmDeactivateBot"
          confirmLabel="Deactivate bot"
          onConfirm={() => act.mutate(confirming)}
        >
          <strong>{displayName(confirming.bot)}</strong>’s token stops working at once and its connections close; its messages stay. A new token brings
          it back.
        </ConfirmDialog>
      )}
    </div>
  );
}

interface Fields {
  username: string;
  displayName: string;
  /** The owner's id, as the select holds it. */
  owner: string;
}
const FIELDS = ['username', 'display_name', 'owner_id'] as const;

function MakeBotForm({ onMade, onStart }: { onMade: (bot: User, token: string) => void; onStart: () => void }) {
  const me = useMe();
  const refresh = useRefresh();
  const empty: Fields = { username: '', displayName: '', owner: String(me.id) };
  const [fields, setFields] = useState<Fields>(empty);
  // The people who may own a bot: active people, not bots; the admin making it first.
  const { data: people = [] } = useUsers();
  const owners = [me, ...people.filter((u) => u.id !== me.id && u.is_active && !u.is_bot)];
  const make = useMutation({
    mutationFn: (body: { username: string; display_name?: string; owner_id?: number }) => call(client.POST('/api/v1/bots', { body })),
    onMutate: () => onStart(),
    onSuccess: (made) => {
      onMade(made.bot, made.token);
      setFields(empty);
      void refresh();
    },
  });
  const fieldError = (name: (typeof FIELDS)[number]) => {
    if (!(make.error instanceof ApiError)) return undefined;
    // The username is someone else's: the server says so without naming the field.
    if (name === 'username' && make.error.code === 'username_taken') return 'This username is taken: choose another.';
    const found = make.error.details?.find((d) => d.field === name);
    return found ? capitalized(found.message) : undefined;
  };
  const byField = FIELDS.some((name) => fieldError(name));
  const set = (name: keyof Fields) => (e: { target: { value: string } }) => setFields({ ...fields, [name]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const owner = Number(fields.owner);
    make.mutate({
      username: fields.username.trim(),
      ...(fields.displayName.trim() ? { display_name: fields.displayName.trim() } : {}),
      // Left out, the owner is the admin making it.
      ...(owner && owner !== me.id ? { owner_id: owner } : {}),
    });
  };

  return (
    <form className="form token-form" onSubmit={submit} aria-label="Make a bot">
      <h3>Make a bot</h3>
      <div className="field-row">
        <Field id="botUsername" label="Username" error={fieldError('username')} hint="How people mention it: @deploy-bot.">
          {(a11y) => (
            <input
              id="botUsername"
              value={fields.username}
              onChange={set('username')}
              required
              maxLength={32}
              placeholder="deploy-bot"
              autoComplete="off"
              spellCheck={false}
              {...a11y}
            />
          )}
        </Field>
        <Field id="botDisplayName" label="Display name" error={fieldError('display_name')} hint="Optional.">
          {(a11y) => (
            <input id="botDisplayName" value={fields.displayName} onChange={set('displayName')} maxLength={80} placeholder="Deploy bot" autoComplete="off" {...a11y} />
          )}
        </Field>
      </div>
      <Field id="botOwner" label="Owner" error={fieldError('owner_id')} hint="The person answerable for it.">
        {(a11y) => (
          <select id="botOwner" value={fields.owner} onChange={set('owner')} {...a11y}>
            {owners.map((u) => (
              <option key={u.id} value={u.id}>
                {u.id === me.id ? `You (${displayName(u)})` : `${displayName(u)} (@${u.username})`}
              </option>
            ))}
          </select>
        )}
      </Field>
      <FormFooter
        error={make.error && (byField ? 'The bot was not made: see the fields marked above.' : errorMessage(make.error))}
        id="makeBot"
        pending={make.isPending}
        label="Make bot"
        busyLabel="Making it…"
      />
    </form>
  );
}
