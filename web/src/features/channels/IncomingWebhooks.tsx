import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState, type FormEvent } from 'react';
import { call, client } from '../../lib/api';
import { ApiError, errorMessage } from '../../lib/errors';
import { formatFull, formatRelative } from '../../lib/format';
import type { components } from '@tandem/client';
import { keys } from '../../lib/queryClient';
import type { Channel } from '../../lib/types';
import { BotBadge } from '../../lib/ui/BotBadge';
import { Field, capitalized } from '../../lib/ui/Field';
import { ConfirmDialog } from '../../lib/ui/ConfirmDialog';
import { FormFooter, ListFeedback } from '../../lib/ui/Feedback';
import { ShownOnce, useCopy } from '../../lib/ui/ShownOnce';

type Hook = components['schemas']['HookResponse'];

const hooksKey = (channelId: number) => ['hooks', channelId] as const;

/** A command that posts "Hello from a hook" to the hook at `url`, to try it from a terminal. */
export function curlExample(url: string): string {
  return `curl -X POST -H 'Content-Type: application/json' -d '{"text":"Hello from a hook"}' ${url}`;
}

/**
 * A channel's incoming webhooks, in its settings (for those who manage it): the secret addresses
 * other systems post to, each as a bot of its own. Listing them, making one (its address shown
 * once, with a command to try it) and deleting one.
 */
export function IncomingWebhooksSection({ channel }: { channel: Channel }) {
  const [made, setMade] = useState<{ id: number; name: string; url: string } | null>(null);
  return (
    <section className="panel-section hooks" aria-labelledby="hooksTitle">
      <h3 id="hooksTitle">Incoming webhooks</h3>
      <p className="hint">
        Other systems (alerts, builds, deploys) post here through a secret address, as a bot of their own: JSON with a <code>text</code>, in the shape
        of Slack’s and Mattermost’s incoming webhooks.
      </p>
      {/* Deleted, the address just shown is no longer worth copying. */}
      <HookList channelId={channel.id} onDeleted={(hook) => setMade((m) => (m?.id === hook.id ? null : m))} />
      {made && (
        <ShownOnce
          id="newHookUrl"
          label="The webhook’s address"
          what="address"
          secret={made.url}
          title={
            <>
              <strong>{made.name}</strong> is ready. Copy its address now: it will not be shown again, and anyone who has it can post here.
            </>
          }
          onDone={() => setMade(null)}
        >
          <CurlExample url={made.url} />
        </ShownOnce>
      )}
      <MakeHookForm channelId={channel.id} onMade={(hook, url) => setMade({ id: hook.id, name: hook.name, url })} onStart={() => setMade(null)} />
    </section>
  );
}

/** The command that tries the hook, with its own Copy button. */
function CurlExample({ url }: { url: string }) {
  const command = curlExample(url);
  const [copied, copy] = useCopy('command');
  return (
    <div className="field">
      <p className="hint">Try it from a terminal:</p>
      <pre className="curl-example">
        <code>{command}</code>
      </pre>
      <div>
        <button type="button" className="button small" onClick={() => void copy(command)}>
          Copy command
        </button>
      </div>
      {copied && <p className="hint">{copied}</p>}
    </div>
  );
}

/** Everything making or deleting a hook changes: the hooks, the members (its bot joins) and the people (bots are among them). */
function useRefresh(channelId: number) {
  const queryClient = useQueryClient();
  return useCallback(
    () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: hooksKey(channelId) }),
        queryClient.invalidateQueries({ queryKey: keys.members(channelId) }),
        queryClient.invalidateQueries({ queryKey: keys.users, exact: true }),
      ]),
    [queryClient, channelId],
  );
}

function HookList({ channelId, onDeleted }: { channelId: number; onDeleted: (hook: Hook) => void }) {
  const refresh = useRefresh(channelId);
  const hooks = useQuery({
    queryKey: hooksKey(channelId),
    queryFn: () => call(client.GET('/api/v1/channels/{channel_id}/hooks', { params: { path: { channel_id: channelId } } })),
  });
  const list = hooks.data?.hooks ?? [];
  const [confirming, setConfirming] = useState<Hook | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);
  const close = useCallback(() => setConfirming(null), []);
  const remove = useMutation({
    mutationFn: (hook: Hook) =>
      call(client.DELETE('/api/v1/channels/{channel_id}/hooks/{hook_id}', { params: { path: { channel_id: channelId, hook_id: hook.id } } })),
    onMutate: () => {
      setDeleted(null);
      setConfirming(null);
    },
    onSuccess: (_, hook) => {
      setDeleted(`${hook.name} was deleted: its address no longer works.`);
      onDeleted(hook);
    },
    onSettled: () => refresh(),
  });
  const error = hooks.error ?? remove.error;

  return (
    <>
      <ListFeedback error={error} notice={deleted} />
      {hooks.isPending ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 ? (
        <p className="hint">No webhook posts here yet.</p>
      ) : (
        <ul className="hook-list" id="channelHooks" aria-label="Incoming webhooks">
          {list.map((h) => (
            <li key={h.id} data-hook-id={h.id}>
              <span className="hook-who">
                <strong className="token-name">{h.name}</strong>
                {h.bot && <span className="muted">@{h.bot.username}</span>}
                <BotBadge user={h.bot} />
              </span>
              <span className="hint">
                {h.last_used_at === null ? (
                  'Never used'
                ) : (
                  <span title={formatFull(h.last_used_at)}>Last used {formatRelative(h.last_used_at)}</span>
                )}
              </span>
              <button
                type="button"
                className="button small danger"
                aria-label={`Delete ${h.name}`}
                disabled={remove.isPending && remove.variables?.id === h.id}
                onClick={() => setConfirming(h)}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      {confirming && (
        <ConfirmDialog title="Delete a webhook" onClose={close} confirmId="confirmDeleteHook" confirmLabel="Delete webhook" onConfirm={() => remove.mutate(confirming)}>
          The address of <strong>{confirming.name}</strong> stops working at once: whatever posts to it is refused from now on. What it posted stays.
          This cannot be undone.
        </ConfirmDialog>
      )}
    </>
  );
}

const EMPTY = { name: '', username: '' };
const FIELDS = ['name', 'username'] as const;

function MakeHookForm({ channelId, onMade, onStart }: { channelId: number; onMade: (hook: Hook, url: string) => void; onStart: () => void }) {
  const refresh = useRefresh(channelId);
  const [fields, setFields] = useState(EMPTY);
  const make = useMutation({
    mutationFn: (body: { name: string; username?: string }) =>
      call(client.POST('/api/v1/channels/{channel_id}/hooks', { params: { path: { channel_id: channelId } }, body })),
    onMutate: () => onStart(),
    onSuccess: (made) => {
      onMade(made.hook, made.url);
      setFields(EMPTY);
      void refresh();
    },
  });
  const fieldError = (name: (typeof FIELDS)[number]) => {
    if (!(make.error instanceof ApiError)) return undefined;
    // The bot's username is someone else's: the server says so without naming the field.
    if (name === 'username' && make.error.code === 'username_taken') return 'This username is taken: choose another.';
    const found = make.error.details?.find((d) => d.field === name);
    return found ? capitalized(found.message) : undefined;
  };
  const byField = FIELDS.some((name) => fieldError(name));
  const set = (name: keyof typeof EMPTY) => (e: { target: { value: string } }) => setFields({ ...fields, [name]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    make.mutate({ name: fields.name.trim(), ...(fields.username.trim() ? { username: fields.username.trim() } : {}) });
  };

  return (
    <form className="form hook-form" onSubmit={submit} aria-label="Make a webhook">
      <Field id="hookName" label="Name" error={fieldError('name')} hint="What posts through it; also its bot’s name.">
        {(a11y) => (
          <input id="hookName" value={fields.name} onChange={set('name')} required maxLength={80} placeholder="Deploy alerts" autoComplete="off" {...a11y} />
        )}
      </Field>
      <Field id="hookUsername" label="Bot username" error={fieldError('username')} hint="Optional: made from the name when left empty.">
        {(a11y) => (
          <input
            id="hookUsername"
            value={fields.username}
            onChange={set('username')}
            maxLength={32}
            placeholder="deploy-alerts"
            autoComplete="off"
            spellCheck={false}
            {...a11y}
          />
        )}
      </Field>
      <FormFooter
        error={make.error && (byField ? 'The webhook was not made: see the fields marked above.' : errorMessage(make.error))}
        id="makeHook"
        pending={make.isPending}
        label="Make webhook"
        busyLabel="Making it…"
      />
    </form>
  );
}
