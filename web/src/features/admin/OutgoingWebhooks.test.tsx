import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { components } from '@tandem/client';
import { createQueryClient } from '../../lib/queryClient';
import { channel, user } from '../../test/fixtures';
import { json, signedInEachTest } from '../../test/server';
import { OutgoingWebhooksSection, triggerWords } from './OutgoingWebhooks';

type Webhook = components['schemas']['OutgoingWebhookResponse'];
type Delivery = components['schemas']['DeliveryResponse'];

const SECRET = 'whsec_8Jt6vJ0aV8lX3Q2nB5cK1mZ7wR4yE9uH0oP6sD2fG3h';
const REFUSED =
  '127.0.0.1 is at 127.0.0.1, a loopback, private, link-local or otherwise reserved address, which webhooks may not reach (an operator can allow the host in integrations.allowed_hosts)';

const people = [user(1, 'ana', { role: 'admin', display_name: 'Ana García' }), user(2, 'ben')];
const channels = [
  channel(12, { name: 'deploys' }),
  channel(13, { name: 'general' }),
  channel(14, { name: 'secret-plans', type: 'private' }),
  channel(15, { name: 'ana-ben', type: 'direct' }),
];

const webhook = (id: number, name: string, extra: Partial<Webhook> = {}): Webhook => ({
  id,
  name,
  url: `https://ci.example.com/${name.toLowerCase().replace(/\W+/g, '-')}`,
  events: ['message_created'],
  channel_ids: [],
  trigger_words: [],
  is_active: true,
  consecutive_failures: 0,
  disabled_reason: null,
  created_by: 1,
  created_at: '2026-11-01T09:00:00Z',
  ...extra,
});

const delivery = (id: number, extra: Partial<Delivery> = {}): Delivery => ({
  id,
  event: 'message_created',
  status: 'succeeded',
  attempts: 1,
  response_code: 200,
  latency_ms: 42,
  error: null,
  created_at: '2026-11-20T09:00:00Z',
  last_attempt_at: '2026-11-20T09:00:01Z',
  ...extra,
});

/**
 * The organization's outgoing webhooks and each one's deliveries: made unless the address is a
 * private one; what was sent (method, path and body).
 */
function fakeServer(initial: Webhook[], deliveries: Record<number, Delivery[]> = {}) {
  let hooks = [...initial];
  const log = { ...deliveries };
  const sent: [string, unknown][] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const url = new URL(input.url);
      const what = `${input.method} ${url.pathname}`;
      const body = input.headers.get('content-type') && input.method !== 'GET' ? ((await input.json()) as Record<string, unknown>) : undefined;
      if (input.method !== 'GET') sent.push([what, body]);
      if (what === 'GET /api/v1/outgoing-webhooks') return json({ webhooks: hooks });
      if (what === 'GET /api/v1/channels') return json({ channels });
      if (what === 'GET /api/v1/users') return json({ users: people, next_cursor: null });
      if (what === 'POST /api/v1/outgoing-webhooks') {
        if (String(body!.url).includes('127.0.0.1')) {
          return json(
            { code: 'address_not_allowed', message: REFUSED },
            403,
          );
        }
        const made = webhook(30, body!.name as string, {
          url: body!.url as string,
          events: body!.events as Webhook['events'],
          channel_ids: (body!.channel_ids as number[]) ?? [],
          trigger_words: (body!.trigger_words as string[]) ?? [],
        });
        hooks = [...hooks, made];
        return json({ webhook: made, secret: SECRET }, 201);
      }
      const one = /^(PATCH|DELETE) \/api\/v1\/outgoing-webhooks\/(\d+)$/.exec(what);
      if (one) {
        const id = Number(one[2]);
        if (one[1] === 'DELETE') {
          hooks = hooks.filter((h) => h.id !== id);
          return json(null, 204);
        }
        const on = body!.is_active as boolean;
        hooks = hooks.map((h) =>
          h.id === id ? { ...h, is_active: on, disabled_reason: on ? null : 'turned off by @ana', consecutive_failures: on ? 0 : h.consecutive_failures } : h,
        );
        return json(hooks.find((h) => h.id === id));
      }
      const logOf = /^GET \/api\/v1\/outgoing-webhooks\/(\d+)\/deliveries$/.exec(what);
      if (logOf) {
        sent.push([`${what}?${url.searchParams}`, undefined]);
        return json({ deliveries: log[Number(logOf[1])] ?? [] });
      }
      return json({ code: 'not_found', message: 'not here' }, 404);
    }),
  );
  return {
    sent,
    /** A new delivery, as the server would log it. */
    deliver: (hookId: number, d: Delivery) => (log[hookId] = [d, ...(log[hookId] ?? [])]),
  };
}

function setup(initial: Webhook[] = [], deliveries: Record<number, Delivery[]> = {}) {
  const server = fakeServer(initial, deliveries);
  render(
    <QueryClientProvider client={createQueryClient()}>
      <OutgoingWebhooksSection />
    </QueryClientProvider>,
  );
  return server;
}

signedInEachTest(() => people[0]!);

const section = () => screen.getByRole('region', { name: 'Outgoing webhooks' });
const form = () => screen.getByRole('form', { name: 'Add an outgoing webhook' });
const list = () => within(section()).getByRole('table');
/** The rows of the webhooks' table (not of a delivery log inside it). */
const rows = () => [...list().querySelectorAll<HTMLElement>(':scope > tbody > tr[data-webhook-id]')];
const cells = (row: HTMLElement) => [...row.querySelectorAll(':scope > td')].slice(0, 7).map((td) => td.textContent!.trim());
const writes = (sent: [string, unknown][]) => sent.filter(([what]) => !what.startsWith('GET'));

describe('outgoing webhooks on the admin page', () => {
  const ci = webhook(1, 'CI notifier', {
    events: ['reaction_added', 'message_created', 'member_joined'],
    channel_ids: [12, 14, 99],
    trigger_words: ['!deploy', '!rollback'],
  });
  const broken = webhook(2, 'Old tracker', {
    url: 'https://tracker.example.com/in',
    is_active: false,
    consecutive_failures: 10,
    disabled_reason: 'turned off after 10 failed deliveries in a row (the endpoint answered 500)',
  });

  it('lists the webhooks: address, events, channels, trigger words, status and failures in a row', async () => {
    setup([ci, broken]);
    await within(section()).findByRole('table');
    await vi.waitFor(() => expect(cells(rows()[0]!)[3]).toContain('#deploys'));
    expect(within(list()).getAllByRole('columnheader').map((th) => th.textContent)).toEqual([
      'Name',
      'Address',
      'Events',
      'Channels',
      'Trigger words',
      'Status',
      'Failures in a row',
      'Actions',
    ]);
    const [name, ...rest] = cells(rows()[0]!);
    expect(name).toMatch(/^CI notifier Made .* by Ana García$/);
    expect(rest).toEqual([
      'https://ci.example.com/ci-notifier',
      'Message posted, Reaction added, Member joined',
      '#deploys, #secret-plans, a channel you are not in (99)',
      '!deploy !rollback',
      'Active',
      '0',
    ]);
    expect(cells(rows()[1]!).slice(3)).toEqual([
      'All public channels',
      'none',
      'Off: turned off after 10 failed deliveries in a row (the endpoint answered 500)',
      '10',
    ]);
    expect(rows()[1]!.className).toBe('inactive');
    expect(within(rows()[0]!).getByRole('button', { name: 'Turn off CI notifier' })).toBeTruthy();
    expect(within(rows()[1]!).getByRole('button', { name: 'Turn on Old tracker' })).toBeTruthy();
  });

  it('says when there is none', async () => {
    setup([]);
    expect(await within(section()).findByText('No outgoing webhook yet.')).toBeTruthy();
  });

  it('adds a webhook with its events, channels and trigger words, and shows its signing secret once', async () => {
    const { sent } = setup([]);
    await within(section()).findByText('No outgoing webhook yet.');
    const f = within(form());
    // A new message is heard unless unticked; no channel chosen means every public one.
    expect(f.getByRole<HTMLInputElement>('checkbox', { name: 'Message posted' }).checked).toBe(true);
    expect(f.getAllByRole<HTMLInputElement>('checkbox', { checked: true })).toHaveLength(1);
    expect(f.getByRole('group', { name: 'Channels' }).textContent).toContain('None chosen, it hears every public channel');
    // Direct conversations are not offered.
    await f.findByRole('checkbox', { name: 'deploys' });
    expect(f.queryByRole('checkbox', { name: 'ana-ben' })).toBeNull();

    await userEvent.type(f.getByRole('textbox', { name: 'Name' }), 'CI notifier');
    await userEvent.type(f.getByRole('textbox', { name: 'Address' }), 'https://ci.example.com/tandem-events');
    await userEvent.click(f.getByRole('checkbox', { name: 'Member joined' }));
    await userEvent.click(f.getByRole('checkbox', { name: 'Reaction added' }));
    await userEvent.click(f.getByRole('checkbox', { name: 'secret-plans' }));
    await userEvent.type(f.getByRole('textbox', { name: 'Trigger words' }), '!deploy, !rollback !deploy');
    await userEvent.click(f.getByRole('button', { name: 'Add webhook' }));

    const secret = await within(section()).findByRole<HTMLInputElement>('textbox', { name: 'The signing secret' });
    expect(secret.value).toBe(SECRET);
    expect(secret.readOnly).toBe(true);
    const box = within(section()).getByRole('status');
    expect(box.contains(secret)).toBe(true);
    expect(box.textContent).toMatch(/^CI notifier is subscribed\. .*will not be shown again/);
    expect(box.textContent).toContain('X-Tandem-Signature: v1=hex(HMAC-SHA256(secret, "{X-Tandem-Timestamp}.{body}"))');
    expect(box.textContent).toContain('docs/integrations.md');
    expect(writes(sent)).toEqual([
      [
        'POST /api/v1/outgoing-webhooks',
        {
          name: 'CI notifier',
          url: 'https://ci.example.com/tandem-events',
          events: ['message_created', 'reaction_added', 'member_joined'],
          channel_ids: [14],
          trigger_words: ['!deploy', '!rollback'],
        },
      ],
    ]);

    // Listed, never with its secret; the form is ready for another.
    await vi.waitFor(() => expect(rows()).toHaveLength(1));
    expect(cells(rows()[0]!)[3]).toBe('#secret-plans');
    expect(list().textContent).not.toContain(SECRET);
    expect(f.getByRole<HTMLInputElement>('textbox', { name: 'Name' }).value).toBe('');
    expect(f.getAllByRole<HTMLInputElement>('checkbox', { checked: true }).map((c) => c.dataset.event)).toEqual(['message_created']);

    await userEvent.click(within(section()).getByRole('button', { name: 'Done' }));
    expect(section().textContent).not.toContain(SECRET);
  });

  it('leaves channels and trigger words out when none is given', async () => {
    const { sent } = setup([]);
    await within(section()).findByText('No outgoing webhook yet.');
    const f = within(form());
    await userEvent.type(f.getByRole('textbox', { name: 'Name' }), 'Everything');
    await userEvent.type(f.getByRole('textbox', { name: 'Address' }), 'https://hooks.example.com/x');
    await userEvent.click(f.getByRole('button', { name: 'Add webhook' }));
    await within(section()).findByRole('textbox', { name: 'The signing secret' });
    expect(writes(sent)).toEqual([['POST /api/v1/outgoing-webhooks', { name: 'Everything', url: 'https://hooks.example.com/x', events: ['message_created'] }]]);
    await vi.waitFor(() => expect(cells(rows()[0]!)[3]).toBe('All public channels'));
  });

  it('asks for at least one event without asking the server', async () => {
    const { sent } = setup([]);
    await within(section()).findByText('No outgoing webhook yet.');
    const f = within(form());
    await userEvent.type(f.getByRole('textbox', { name: 'Name' }), 'Nothing');
    await userEvent.type(f.getByRole('textbox', { name: 'Address' }), 'https://hooks.example.com/x');
    await userEvent.click(f.getByRole('checkbox', { name: 'Message posted' }));
    await userEvent.click(f.getByRole('button', { name: 'Add webhook' }));
    expect(f.getByText('Choose at least one event.').id).toBe('outgoingEventsError');
    expect(f.getByRole('group', { name: 'Events' }).getAttribute('aria-describedby')).toBe('outgoingEventsError');
    expect(f.getByRole('alert').textContent).toBe('The webhook was not added: see the fields marked above.');
    expect(writes(sent)).toEqual([]);
    // Choosing one clears it.
    await userEvent.click(f.getByRole('checkbox', { name: 'Member left' }));
    expect(f.queryByText('Choose at least one event.')).toBeNull();
  });

  it('says on the address field why a private address is refused', async () => {
    const { sent } = setup([]);
    await within(section()).findByText('No outgoing webhook yet.');
    const f = within(form());
    await userEvent.type(f.getByRole('textbox', { name: 'Name' }), 'Sneaky');
    const address = f.getByRole('textbox', { name: 'Address' });
    await userEvent.type(address, 'http://127.0.0.1:9000/events');
    await userEvent.click(f.getByRole('button', { name: 'Add webhook' }));

    const error = await f.findByText(/^Webhooks may not send to this address\./);
    expect(error.textContent).toBe(`Webhooks may not send to this address. ${REFUSED}.`);
    expect(error.id).toBe('outgoingUrlError');
    expect(address.getAttribute('aria-invalid')).toBe('true');
    expect(address.getAttribute('aria-describedby')!.split(' ')).toContain('outgoingUrlError');
    expect(f.getByRole('textbox', { name: 'Name' }).getAttribute('aria-invalid')).toBeNull();
    expect(f.getByRole('alert').textContent).toBe('The webhook was not added: see the fields marked above.');
    expect(within(section()).queryByRole('textbox', { name: 'The signing secret' })).toBeNull();
    expect(writes(sent)).toHaveLength(1);
    // What was typed stays, to be corrected.
    expect((address as HTMLInputElement).value).toBe('http://127.0.0.1:9000/events');
  });

  it('turns a webhook off and on again', async () => {
    const { sent } = setup([ci]);
    await userEvent.click(await within(section()).findByRole('button', { name: 'Turn off CI notifier' }));
    expect((await within(section()).findByRole('status')).textContent).toBe('CI notifier is off: nothing is sent to it until it is turned on again.');
    await vi.waitFor(() => expect(cells(rows()[0]!)[5]).toBe('Off: turned off by @ana'));

    await userEvent.click(within(section()).getByRole('button', { name: 'Turn on CI notifier' }));
    await vi.waitFor(() => expect(cells(rows()[0]!)[5]).toBe('Active'));
    expect(within(section()).getByRole('status').textContent).toBe('CI notifier is on again: its failures in a row start from 0.');
    expect(writes(sent)).toEqual([
      ['PATCH /api/v1/outgoing-webhooks/1', { is_active: false }],
      ['PATCH /api/v1/outgoing-webhooks/1', { is_active: true }],
    ]);
  });

  it('deletes a webhook once confirmed', async () => {
    const { sent } = setup([ci, broken]);
    await userEvent.click(await within(section()).findByRole('button', { name: 'Delete CI notifier' }));
    // Cancelled, nothing happens.
    let dialog = screen.getByRole('dialog', { name: 'Delete an outgoing webhook' });
    expect(dialog.textContent).toMatch(/Nothing more is sent to CI notifier \(https:\/\/ci\.example\.com\/ci-notifier\).*delivery log is deleted/);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(writes(sent)).toEqual([]);

    await userEvent.click(within(section()).getByRole('button', { name: 'Delete CI notifier' }));
    dialog = screen.getByRole('dialog', { name: 'Delete an outgoing webhook' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete webhook' }));
    expect((await within(section()).findByRole('status')).textContent).toBe('CI notifier was deleted, with its delivery log: nothing more is sent to it.');
    await vi.waitFor(() => expect(rows()).toHaveLength(1));
    expect(cells(rows()[0]!)[0]).toMatch(/^Old tracker/);
    expect(writes(sent)).toEqual([['DELETE /api/v1/outgoing-webhooks/1', undefined]]);
  });

  it('shows the latest deliveries of a webhook, and reads them again on Refresh', async () => {
    const server = setup([broken], {
      2: [
        delivery(8, { status: 'failed', attempts: 5, response_code: 500, latency_ms: 120, error: 'the endpoint answered 500' }),
        delivery(7, { event: 'reaction_added', status: 'pending', attempts: 1, response_code: null, latency_ms: null, error: 'timed out', last_attempt_at: null }),
        delivery(6),
      ],
    });
    const toggle = await within(section()).findByRole('button', { name: 'Deliveries of Old tracker' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await userEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');

    const log = within(section()).getByRole('region', { name: 'Latest deliveries to Old tracker' });
    expect(toggle.getAttribute('aria-controls')).toBe(log.id);
    const table = await within(log).findByRole('table');
    expect(within(table).getAllByRole('columnheader').map((th) => th.textContent)).toEqual([
      'Event',
      'Status',
      'Tries',
      'HTTP code',
      'Latency (ms)',
      'Error',
      'Time',
    ]);
    const shown = () =>
      within(table)
        .getAllByRole('row')
        .slice(1)
        .map((tr) => [...tr.querySelectorAll('td')].slice(0, 6).map((td) => td.textContent));
    expect(shown()).toEqual([
      ['Message posted', 'Failed', '5', '500', '120', 'the endpoint answered 500'],
      ['Reaction added', 'Pending', '1', '—', '—', 'timed out'],
      ['Message posted', 'Succeeded', '1', '200', '42', '—'],
    ]);
    expect(server.sent.filter(([what]) => what.startsWith('GET'))).toEqual([['GET /api/v1/outgoing-webhooks/2/deliveries?limit=50', undefined]]);

    server.deliver(2, delivery(9, { event: 'member_joined', response_code: 204, latency_ms: 7 }));
    await userEvent.click(within(log).getByRole('button', { name: 'Refresh the deliveries of Old tracker' }));
    await vi.waitFor(() => expect(shown()).toHaveLength(4));
    expect(shown()[0]).toEqual(['Member joined', 'Succeeded', '1', '204', '7', '—']);

    // Closed, the log is gone.
    await userEvent.click(toggle);
    expect(within(section()).queryByRole('region', { name: 'Latest deliveries to Old tracker' })).toBeNull();
  });

  it('says when a webhook has delivered nothing yet', async () => {
    setup([ci]);
    await userEvent.click(await within(section()).findByRole('button', { name: 'Deliveries of CI notifier' }));
    expect(await within(section()).findByText('Nothing delivered yet: deliveries show here as events happen.')).toBeTruthy();
  });
});

describe('trigger words as typed', () => {
  it('splits on commas and spaces, each word once', () => {
    expect(triggerWords(' !deploy,!rollback  ,, ship  !deploy ')).toEqual(['!deploy', '!rollback', 'ship']);
    expect(triggerWords('  ')).toEqual([]);
  });
});
