import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState, type FormEvent, type ReactNode } from 'react';
import { call, client } from '../../lib/api';
import { displayName, useEnsureUsers, useUserMap } from '../../lib/directory';
import { ApiError, errorMessage } from '../../lib/errors';
import { formatFull, formatRelative } from '../../lib/format';
import type { components } from '@tandem/client';
import { keys } from '../../lib/queryClient';
import type { ChannelListItem } from '../../lib/types';
import { Field, capitalized } from '../../lib/ui/Field';
import { Icon } from '../../lib/ui/Icon';
import { ConfirmDialog } from '../../lib/ui/ConfirmDialog';
import { FormFooter, ListFeedback } from '../../lib/ui/Feedback';
import { ShownOnce } from '../../lib/ui/ShownOnce';
import { SignatureNote } from '../../lib/ui/SignatureNote';

type Webhook = components['schemas']['OutgoingWebhookResponse'];
type Delivery = components['schemas']['DeliveryResponse'];
type EventKind = components['schemas']['EventKindDto'];

const WEBHOOKS = ['admin', 'outgoing-webhooks'] as const;
const deliveriesKey = (id: number) => [...WEBHOOKS, id, 'deliveries'] as const;
/** How many deliveries the log shows. */
const DELIVERIES = 50;

/** Every channel event a webhook may hear, in the order the form and the list show them, with its short name. */
export const EVENTS: readonly { value: EventKind; label: string }[] = [
  { value: 'message_created', label: 'Message posted' },
  { value: 'message_edited', label: 'Message edited' },
  { value: 'message_deleted', label: 'Message deleted' },
  { value: 'reaction_added', label: 'Reaction added' },
  { value: 'reaction_removed', label: 'Reaction removed' },
  { value: 'message_pinned', label: 'Message pinned' },
  { value: 'message_unpinned', label: 'Message unpinned' },
  { value: 'member_joined', label: 'Member joined' },
  { value: 'member_left', label: 'Member left' },
  { value: 'channel_updated', label: 'Channel changed' },
  { value: 'member_updated', label: 'Member changed' },
];

/** "Message posted, Reaction added": events by their short names, in the usual order. */
export function eventNames(events: readonly EventKind[]): string {
  return EVENTS.filter((e) => events.includes(e.value))
    .map((e) => e.label)
    .join(', ');
}

const eventName = (event: EventKind) => EVENTS.find((e) => e.value === event)?.label ?? event;

/** Trigger words as typed ("!deploy, !rollback" or "!deploy !rollback"): each once, in order. */
export function triggerWords(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}

const STATUSES: Record<string, string> = { pending: 'Pending', succeeded: 'Succeeded', failed: 'Failed' };

/** The organization's channels the admin sees (the sidebar's query), not direct conversations: to name a webhook's (archived ones too), to choose from (not those). */
function useChannels(): ChannelListItem[] {
  const { data } = useQuery({ queryKey: keys.channels, queryFn: () => call(client.GET('/api/v1/channels')) });
  return (data?.channels ?? []).filter((c) => c.type !== 'direct').sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The organization's outgoing webhooks: endpoints of other systems to which channel events are
 * `POST`ed, signed with a secret shown once. Listing them, subscribing one, turning one off or on,
 * deleting one and reading its latest deliveries.
 */
export function OutgoingWebhooksSection() {
  const [made, setMade] = useState<{ webhook: Webhook; secret: string } | null>(null);
  const channels = useChannels();
  return (
    <section className="card admin-outgoing" aria-labelledby="outgoingWebhooksTitle">
      <h2 id="outgoingWebhooksTitle">Outgoing webhooks</h2>
      <p className="muted">
        Tell another system (a CI server, a ticket tracker, an alerting tool) what happens in your channels: each chosen event is sent to its address
        as a signed JSON <code>POST</code>. A delivery that fails is tried again; after too many failures in a row the webhook is turned off.
      </p>
      {/* Deleted, the secret just shown is no longer worth copying. */}
      <WebhookList channels={channels} onDeleted={(hook) => setMade((m) => (m?.webhook.id === hook.id ? null : m))} />
      {made && (
        <ShownOnce
          id="newWebhookSecret"
          label="The signing secret"
          what="secret"
          secret={made.secret}
          title={
            <>
              <strong>{made.webhook.name}</strong> is subscribed. Copy its signing secret now: it will not be shown again.
            </>
          }
          onDone={() => setMade(null)}
        >
          <VerifyNote />
        </ShownOnce>
      )}
      <MakeWebhookForm channels={channels.filter((c) => !c.is_archived)} onMade={(webhook, secret) => setMade({ webhook, secret })} onStart={() => setMade(null)} />
    </section>
  );
}

/** How the receiving end checks that a delivery comes from Tandem. */
function VerifyNote() {
  return (
    <SignatureNote
      intro={
        <>
          Every delivery is signed with it. The endpoint checks, over the raw body, before reading it (in constant time), and refuses a timestamp more
          than five minutes old:
        </>
      }
    >
      <p className="hint">Examples in Python, JavaScript and Go: docs/integrations.md, “Outgoing webhooks”.</p>
    </SignatureNote>
  );
}

function WebhookList({ channels, onDeleted }: { channels: ChannelListItem[]; onDeleted: (webhook: Webhook) => void }) {
  const queryClient = useQueryClient();
  const refresh = useCallback(() => queryClient.invalidateQueries({ queryKey: WEBHOOKS }), [queryClient]);
  const webhooks = useQuery({ queryKey: WEBHOOKS, queryFn: () => call(client.GET('/api/v1/outgoing-webhooks')) });
  const list = webhooks.data?.webhooks ?? [];
  const users = useUserMap();
  useEnsureUsers(list.map((w) => w.created_by));
  const names = new Map(channels.map((c) => [c.id, c]));
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const [confirming, setConfirming] = useState<Webhook | null>(null);
  const [notice, setNotice] = useState<ReactNode>(null);
  const close = useCallback(() => setConfirming(null), []);

  const toggle = useMutation({
    mutationFn: ({ webhook, on }: { webhook: Webhook; on: boolean }) =>
      call(client.PATCH('/api/v1/outgoing-webhooks/{webhook_id}', { params: { path: { webhook_id: webhook.id } }, body: { is_active: on } })),
    onMutate: () => setNotice(null),
    onSuccess: (updated) => {
      queryClient.setQueryData<{ webhooks: Webhook[] }>(WEBHOOKS, (data) =>
        data ? { webhooks: data.webhooks.map((w) => (w.id === updated.id ? updated : w)) } : data,
      );
      setNotice(
        updated.is_active
          ? `${updated.name} is on again: its failures in a row start from 0.`
          : `${updated.name} is off: nothing is sent to it until it is turned on again.`,
      );
    },
    onSettled: () => refresh(),
  });
  const remove = useMutation({
    mutationFn: (webhook: Webhook) =>
      call(client.DELETE('/api/v1/outgoing-webhooks/{webhook_id}', { params: { path: { webhook_id: webhook.id } } })),
    onMutate: () => {
      setNotice(null);
      setConfirming(null);
    },
    onSuccess: (_, webhook) => {
      setNotice(`${webhook.name} was deleted, with its delivery log: nothing more is sent to it.`);
      setOpen((ids) => new Set([...ids].filter((id) => id !== webhook.id)));
      onDeleted(webhook);
    },
    onSettled: () => refresh(),
  });
  const busy = (w: Webhook) => (toggle.isPending && toggle.variables?.webhook.id === w.id) || (remove.isPending && remove.variables?.id === w.id);
  const error = webhooks.error ?? toggle.error ?? remove.error;
  const expand = (id: number) => setOpen((ids) => (ids.has(id) ? new Set([...ids].filter((x) => x !== id)) : new Set([...ids, id])));
  const channelNames = (w: Webhook) =>
    w.channel_ids.length === 0
      ? 'All public channels'
      : w.channel_ids.map((id) => (names.has(id) ? `#${names.get(id)!.name}` : `a channel you are not in (${id})`)).join(', ');

  return (
    <div className="token-list">
      <ListFeedback error={error} notice={notice} />
      {webhooks.isPending ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 ? (
        <p className="hint">No outgoing webhook yet.</p>
      ) : (
        <table className="table outgoing-webhooks" id="outgoingWebhooks">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Address</th>
              <th scope="col">Events</th>
              <th scope="col">Channels</th>
              <th scope="col">Trigger words</th>
              <th scope="col">Status</th>
              <th scope="col">Failures in a row</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.flatMap((w) => {
              const deliveriesId = `webhookDeliveries-${w.id}`;
              const rows = [
                <tr key={w.id} data-webhook-id={w.id} className={w.is_active ? '' : 'inactive'}>
                  <td>
                    <span className="token-name">{w.name}</span>
                    <span className="hint outgoing-made" title={formatFull(w.created_at)}>
                      {' '}
                      Made {formatRelative(w.created_at)} by {displayName(users.get(w.created_by), 'an admin')}
                    </span>
                  </td>
                  <td className="outgoing-url">{w.url}</td>
                  <td>{eventNames(w.events)}</td>
                  <td>{channelNames(w)}</td>
                  <td>{w.trigger_words.length ? w.trigger_words.join(' ') : <span className="muted">none</span>}</td>
                  <td>
                    {w.is_active ? (
                      'Active'
                    ) : (
                      <>
                        <strong>Off</strong>
                        {w.disabled_reason && <span className="hint outgoing-reason">: {w.disabled_reason}</span>}
                      </>
                    )}
                  </td>
                  <td>{w.consecutive_failures}</td>
                  <td>
                    <span className="row-actions">
                      <button
                        type="button"
                        className="button small"
                        aria-label={`Deliveries of ${w.name}`}
                        aria-expanded={open.has(w.id)}
                        aria-controls={open.has(w.id) ? deliveriesId : undefined}
                        onClick={() => expand(w.id)}
                      >
                        Deliveries
                      </button>
                      <button
                        type="button"
                        className="button small"
                        aria-label={`${w.is_active ? 'Turn off' : 'Turn on'} ${w.name}`}
                        disabled={busy(w)}
                        onClick={() => toggle.mutate({ webhook: w, on: !w.is_active })}
                      >
                        {w.is_active ? 'Turn off' : 'Turn on'}
                      </button>
                      <button
                        type="button"
                        className="button small danger"
                        aria-label={`Delete ${w.name}`}
                        disabled={busy(w)}
                        onClick={() => setConfirming(w)}
                      >
                        Delete
                      </button>
                    </span>
                  </td>
                </tr>,
              ];
              if (open.has(w.id)) {
                rows.push(
                  <tr key={`${w.id}-deliveries`} className="deliveries-row">
                    <td colSpan={8}>
                      <Deliveries id={deliveriesId} webhook={w} />
                    </td>
                  </tr>,
                );
              }
              return rows;
            })}
          </tbody>
        </table>
      )}
      {confirming && (
        <ConfirmDialog
          title="Delete an outgoing webhook"
          onClose={close}
          confirmId="confirmDeleteOutgoingWebhook"
          confirmLabel="Delete webhook"
          onConfirm={() => remove.mutate(confirming)}
        >
          Nothing more is sent to <strong>{confirming.name}</strong> ({confirming.url}), deliveries waiting for another try are dropped, and its
          delivery log is deleted with it. This cannot be undone.
        </ConfirmDialog>
      )}
    </div>
  );
}

/** A webhook's latest deliveries, newest first, read again on Refresh (with the webhook's failures in a row). */
function Deliveries({ id, webhook }: { id: string; webhook: Webhook }) {
  const queryClient = useQueryClient();
  const deliveries = useQuery({
    queryKey: deliveriesKey(webhook.id),
    queryFn: () =>
      call(
        client.GET('/api/v1/outgoing-webhooks/{webhook_id}/deliveries', {
          params: { path: { webhook_id: webhook.id }, query: { limit: DELIVERIES } },
        }),
      ),
    staleTime: 0,
  });
  const list: Delivery[] = deliveries.data?.deliveries ?? [];
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: deliveriesKey(webhook.id), exact: true }),
      queryClient.invalidateQueries({ queryKey: WEBHOOKS, exact: true }),
    ]);
  const titleId = `${id}Title`;

  return (
    <div className="deliveries" id={id} role="region" aria-labelledby={titleId}>
      <div className="deliveries-head">
        <h3 id={titleId}>Latest deliveries to {webhook.name}</h3>
        <button
          type="button"
          className="button small"
          aria-label={`Refresh the deliveries of ${webhook.name}`}
          disabled={deliveries.isFetching}
          onClick={() => void refresh()}
        >
          {deliveries.isFetching && !deliveries.isPending ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {deliveries.error && (
        <p className="form-error" role="alert">
          {errorMessage(deliveries.error)}
        </p>
      )}
      {deliveries.isPending ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 ? (
        <p className="hint">Nothing delivered yet: deliveries show here as events happen.</p>
      ) : (
        <table className="table deliveries-table">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Tries</th>
              <th scope="col">HTTP code</th>
              <th scope="col">Latency (ms)</th>
              <th scope="col">Error</th>
              <th scope="col">Time</th>
            </tr>
          </thead>
          <tbody>
            {list.map((d) => {
              const at = d.last_attempt_at ?? d.created_at;
              return (
                <tr key={d.id} data-delivery-id={d.id} className={`delivery-${d.status}`}>
                  <td>{eventName(d.event)}</td>
                  <td>{STATUSES[d.status] ?? d.status}</td>
                  <td>{d.attempts}</td>
                  <td>{d.response_code ?? '—'}</td>
                  <td>{d.latency_ms ?? '—'}</td>
                  <td className="delivery-error">{d.error ?? '—'}</td>
                  <td title={formatFull(at)}>{formatRelative(at)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

interface Fields {
  name: string;
  url: string;
  events: EventKind[];
  channelIds: number[];
  triggerWords: string;
}
const EMPTY: Fields = { name: '', url: '', events: ['message_created'], channelIds: [], triggerWords: '' };
const FIELDS = ['name', 'url', 'events', 'channel_ids', 'trigger_words'] as const;
type FieldName = (typeof FIELDS)[number];

function MakeWebhookForm({
  channels,
  onMade,
  onStart,
}: {
  channels: ChannelListItem[];
  onMade: (webhook: Webhook, secret: string) => void;
  onStart: () => void;
}) {
  const queryClient = useQueryClient();
  const [fields, setFields] = useState<Fields>(EMPTY);
  // No event chosen: said here, without asking the server.
  const [noEvent, setNoEvent] = useState(false);
  const make = useMutation({
    mutationFn: (body: components['schemas']['CreateOutgoingRequest']) => call(client.POST('/api/v1/outgoing-webhooks', { body })),
    onMutate: () => onStart(),
    onSuccess: (made) => {
      onMade(made.webhook, made.secret);
      setFields(EMPTY);
      void queryClient.invalidateQueries({ queryKey: WEBHOOKS });
    },
  });
  const fieldError = (name: FieldName): string | undefined => {
    if (name === 'events' && noEvent) return 'Choose at least one event.';
    if (!(make.error instanceof ApiError)) return undefined;
    // The address may not be reached from here: say so plainly, then the server's why (which
    // address, who may allow it).
    if (name === 'url' && make.error.code === 'address_not_allowed') {
      return `Webhooks may not send to this address. ${capitalized(make.error.message)}`;
    }
    const found = make.error.details?.find((d) => d.field === name && d.code !== 'too_many_webhooks');
    return found ? capitalized(found.message) : undefined;
  };
  const byField = FIELDS.some((name) => fieldError(name));
  const tooMany = make.error instanceof ApiError ? make.error.detail('too_many_webhooks') : undefined;
  const set = (name: 'name' | 'url' | 'triggerWords') => (e: { target: { value: string } }) => setFields({ ...fields, [name]: e.target.value });
  const toggleEvent = (event: EventKind, on: boolean) => {
    setNoEvent(false);
    setFields({ ...fields, events: on ? EVENTS.map((e) => e.value).filter((v) => v === event || fields.events.includes(v)) : fields.events.filter((v) => v !== event) });
  };
  const toggleChannel = (id: number, on: boolean) =>
    setFields({ ...fields, channelIds: on ? [...fields.channelIds, id] : fields.channelIds.filter((x) => x !== id) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (fields.events.length === 0) {
      make.reset();
      setNoEvent(true);
      return;
    }
    const words = triggerWords(fields.triggerWords);
    make.mutate({
      name: fields.name.trim(),
      url: fields.url.trim(),
      events: fields.events,
      ...(fields.channelIds.length ? { channel_ids: fields.channelIds } : {}),
      ...(words.length ? { trigger_words: words } : {}),
    });
  };
  const eventsError = fieldError('events');
  const channelsError = fieldError('channel_ids');

  return (
    <form className="form token-form outgoing-form" onSubmit={submit} aria-label="Add an outgoing webhook">
      <h3>Add an outgoing webhook</h3>
      <div className="field-row">
        <Field id="outgoingName" label="Name" error={fieldError('name')} hint="What it is for, so you know it again.">
          {(a11y) => (
            <input
              id="outgoingName"
              value={fields.name}
              onChange={set('name')}
              required
              maxLength={80}
              placeholder="CI notifier"
              autoComplete="off"
              {...a11y}
            />
          )}
        </Field>
        <Field id="outgoingUrl" label="Address" error={fieldError('url')} hint="The endpoint’s https:// address, at a public host.">
          {(a11y) => (
            <input
              id="outgoingUrl"
              type="url"
              value={fields.url}
              onChange={set('url')}
              required
              placeholder="https://ci.example.com/tandem-events"
              autoComplete="off"
              spellCheck={false}
              {...a11y}
            />
          )}
        </Field>
      </div>
      <fieldset className="channel-picker outgoing-events" aria-describedby={eventsError ? 'outgoingEventsError' : undefined}>
        <legend>Events</legend>
        <ul>
          {EVENTS.map((e) => (
            <li key={e.value}>
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={fields.events.includes(e.value)}
                  onChange={(x) => toggleEvent(e.value, x.target.checked)}
                  aria-invalid={eventsError ? true : undefined}
                  data-event={e.value}
                />
                <span>{e.label}</span>
              </label>
            </li>
          ))}
        </ul>
        {eventsError && (
          <span className="field-error" id="outgoingEventsError">
            {eventsError}
          </span>
        )}
      </fieldset>
      <fieldset
        className="channel-picker"
        aria-describedby={['outgoingChannelsHint', channelsError ? 'outgoingChannelsError' : null].filter(Boolean).join(' ')}
      >
        <legend>Channels</legend>
        <p className="hint" id="outgoingChannelsHint">
          Optional. None chosen, it hears every public channel (new ones too); a private channel only when chosen.
        </p>
        {channels.length === 0 ? (
          <p className="hint">No channels yet.</p>
        ) : (
          <ul>
            {channels.map((c) => (
              <li key={c.id}>
                <label className="checkbox">
                  <input
                    type="checkbox"
                    checked={fields.channelIds.includes(c.id)}
                    onChange={(e) => toggleChannel(c.id, e.target.checked)}
                    aria-invalid={channelsError ? true : undefined}
                    data-channel-name={c.name}
                  />
                  <span>
                    <Icon name={c.type === 'private' ? 'lock' : 'hash'} size={14} /> {c.name}
                  </span>
                </label>
              </li>
            ))}
          </ul>
        )}
        {channelsError && (
          <span className="field-error" id="outgoingChannelsError">
            {channelsError}
          </span>
        )}
      </fieldset>
      <Field
        id="outgoingTriggerWords"
        label="Trigger words"
        error={fieldError('trigger_words')}
        hint="Optional, separated by commas or spaces: only new messages whose first word is one of them are sent (other events are not affected)."
      >
        {(a11y) => (
          <input
            id="outgoingTriggerWords"
            value={fields.triggerWords}
            onChange={set('triggerWords')}
            placeholder="!deploy, !rollback"
            autoComplete="off"
            spellCheck={false}
            {...a11y}
          />
        )}
      </Field>
      <FormFooter
        error={
          (make.error || noEvent) &&
          (byField ? 'The webhook was not added: see the fields marked above.' : tooMany ? capitalized(tooMany.message) : errorMessage(make.error))
        }
        id="addOutgoingWebhook"
        pending={make.isPending}
        label="Add webhook"
        busyLabel="Adding it…"
      />
    </form>
  );
}
