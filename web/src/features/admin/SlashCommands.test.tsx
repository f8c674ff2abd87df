import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { components } from '@tandem/client';
import { createQueryClient, keys } from '../../lib/queryClient';
import { user } from '../../test/fixtures';
import { json, signedInEachTest } from '../../test/server';
import { SlashCommandsSection, triggerOf } from './SlashCommands';

type SlashCommand = components['schemas']['SlashCommandResponse'];

const SECRET = 'whsec_8Jt6vJ0aV8lX3Q2nB5cK1mZ7wR4yE9uH0oP6sD2fG3h';
const REFUSED =
  '127.0.0.1 is at 127.0.0.1, a loopback, private, link-local or otherwise reserved address, which webhooks may not reach (an operator can allow the host in integrations.allowed_hosts)';

const people = [user(1, 'ana', { role: 'admin', display_name: 'Ana García' }), user(2, 'ben')];

const command = (id: number, trigger: string, extra: Partial<SlashCommand> = {}): SlashCommand => ({
  id,
  trigger,
  url: `https://ci.example.com/${trigger}`,
  description: '',
  created_by: 1,
  created_at: '2026-11-01T09:00:00Z',
  ...extra,
});

const deploy = command(1, 'deploy', { description: 'Deploy a service: /deploy <service>' });
const oncall = command(2, 'oncall', { created_by: 2 });

/** The organization's commands: made unless the trigger is taken or Tandem's, or the address private; what was sent. */
function fakeServer(initial: SlashCommand[]) {
  let commands = [...initial];
  const sent: [string, unknown][] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const what = `${input.method} ${new URL(input.url).pathname}`;
      const body = input.headers.get('content-type') && input.method !== 'GET' ? ((await input.json()) as Record<string, unknown>) : undefined;
      if (input.method !== 'GET') sent.push([what, body]);
      if (what === 'GET /api/v1/slash-commands') return json({ commands });
      if (what === 'GET /api/v1/users') return json({ users: people, next_cursor: null });
      if (what === 'POST /api/v1/slash-commands') {
        const refuse = (field: string, code: string, message: string) =>
          json({ code: 'validation_failed', message: `${field}: ${message}`, details: [{ field, code, message }] }, 422);
        if (body!.trigger === 'shrug') return refuse('trigger', 'reserved_trigger', '/shrug is one of Tandem’s own commands');
        if (commands.some((c) => c.trigger === body!.trigger)) {
          return json({ code: 'trigger_taken', message: `your organization has a /${String(body!.trigger)} command already` }, 409);
        }
        if (String(body!.url).includes('127.0.0.1')) return json({ code: 'address_not_allowed', message: REFUSED }, 403);
        if (commands.length >= 3) return refuse('trigger', 'too_many_commands', 'your organization has 50 commands already');
        const made = command(30, body!.trigger as string, { url: body!.url as string, description: (body!.description as string) ?? '' });
        commands = [...commands, made];
        return json({ command: made, secret: SECRET }, 201);
      }
      const one = /^DELETE \/api\/v1\/slash-commands\/(\d+)$/.exec(what);
      if (one) {
        commands = commands.filter((c) => c.id !== Number(one[1]));
        return json(null, 204);
      }
      return json({ code: 'not_found', message: 'not here' }, 404);
    }),
  );
  return { sent };
}

let queryClient: QueryClient;

function setup(initial: SlashCommand[] = []) {
  const server = fakeServer(initial);
  queryClient = createQueryClient();
  render(
    <QueryClientProvider client={queryClient}>
      <SlashCommandsSection />
    </QueryClientProvider>,
  );
  return server;
}

signedInEachTest(() => people[0]!);

const section = () => screen.getByRole('region', { name: 'Slash commands' });
const form = () => within(screen.getByRole('form', { name: 'Add a slash command' }));
const rows = () => [...section().querySelectorAll<HTMLElement>('#slashCommands tbody tr')];
const cells = (row: HTMLElement) => [...row.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent);

describe('the slash commands section', () => {
  it('lists the organization’s commands: trigger, description, address', async () => {
    setup([deploy, oncall]);
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    expect(within(section()).getAllByRole('columnheader').map((th) => th.textContent)).toEqual(['Command', 'Description', 'Address', 'Actions']);
    const [trigger, ...rest] = cells(rows()[0]!);
    expect(trigger).toMatch(/^\/deployMade .* by Ana García$/);
    expect(rest).toEqual(['Deploy a service: /deploy <service>', 'https://ci.example.com/deploy']);
    expect(cells(rows()[1]!).slice(1)).toEqual(['none', 'https://ci.example.com/oncall']);
    expect(within(rows()[1]!).getByRole('button', { name: 'Delete /oncall' })).toBeTruthy();
  });

  it('says when there is none', async () => {
    setup([]);
    expect(await within(section()).findByText('No command of your own yet.')).toBeTruthy();
  });

  it('adds a command and shows its signing secret once, with how to check it', async () => {
    const { sent } = setup([]);
    await within(section()).findByText('No command of your own yet.');
    queryClient.setQueryData(keys.commands, []);
    // A `/` typed before the trigger is not part of it.
    await userEvent.type(form().getByRole('textbox', { name: 'Command' }), '/deploy');
    await userEvent.type(form().getByRole('textbox', { name: 'Address' }), 'https://ci.example.com/tandem-command');
    await userEvent.type(form().getByRole('textbox', { name: 'Description' }), '  Deploy a service  ');
    await userEvent.click(form().getByRole('button', { name: 'Add command' }));

    const secret = await within(section()).findByRole<HTMLInputElement>('textbox', { name: 'The command’s signing secret' });
    expect(secret.value).toBe(SECRET);
    expect(secret.readOnly).toBe(true);
    const box = within(section()).getByRole('status');
    expect(box.contains(secret)).toBe(true);
    expect(box.textContent).toMatch(/^\/deploy is ready\. .*will not be shown again/);
    expect(box.textContent).toContain('X-Tandem-Signature: v1=hex(HMAC-SHA256(secret, "{X-Tandem-Timestamp}.{body}"))');
    expect(box.textContent).toContain('{"response_type": "in_channel", "text": "…"}');
    expect(box.textContent).toContain('docs/integrations.md');
    expect(sent).toEqual([
      ['POST /api/v1/slash-commands', { trigger: 'deploy', url: 'https://ci.example.com/tandem-command', description: 'Deploy a service' }],
    ]);

    // Listed, never with its secret; the form is ready for another; the composer's list is read again.
    await vi.waitFor(() => expect(rows()).toHaveLength(1));
    expect(cells(rows()[0]!).slice(1)).toEqual(['Deploy a service', 'https://ci.example.com/tandem-command']);
    expect(section().querySelector('#slashCommands')!.textContent).not.toContain(SECRET);
    expect(form().getByRole<HTMLInputElement>('textbox', { name: 'Command' }).value).toBe('');
    expect(queryClient.getQueryState(keys.commands)!.isInvalidated).toBe(true);

    await userEvent.click(within(section()).getByRole('button', { name: 'Done' }));
    expect(section().textContent).not.toContain(SECRET);
  });

  it('leaves the description out when none is given', async () => {
    const { sent } = setup([]);
    await within(section()).findByText('No command of your own yet.');
    await userEvent.type(form().getByRole('textbox', { name: 'Command' }), 'oncall');
    await userEvent.type(form().getByRole('textbox', { name: 'Address' }), 'https://pager.example.com/who');
    await userEvent.click(form().getByRole('button', { name: 'Add command' }));
    await within(section()).findByRole('textbox', { name: 'The command’s signing secret' });
    expect(sent).toEqual([['POST /api/v1/slash-commands', { trigger: 'oncall', url: 'https://pager.example.com/who' }]]);
  });

  it('says on the field why a trigger or an address is refused, keeping what was typed', async () => {
    const { sent } = setup([deploy]);
    await vi.waitFor(() => expect(rows()).toHaveLength(1));
    const trigger = form().getByRole<HTMLInputElement>('textbox', { name: 'Command' });
    const address = form().getByRole<HTMLInputElement>('textbox', { name: 'Address' });
    await userEvent.type(trigger, 'shrug');
    await userEvent.type(address, 'http://127.0.0.1:9000/command');
    await userEvent.click(form().getByRole('button', { name: 'Add command' }));

    const error = await form().findByText('/shrug is one of Tandem’s own commands.');
    expect(error.id).toBe('commandTriggerError');
    expect(trigger.getAttribute('aria-invalid')).toBe('true');
    expect(trigger.getAttribute('aria-describedby')!.split(' ')).toContain('commandTriggerError');
    expect(address.getAttribute('aria-invalid')).toBeNull();
    expect(form().getByRole('alert').textContent).toBe('The command was not added: see the fields marked above.');

    await userEvent.clear(trigger);
    await userEvent.type(trigger, 'deploy');
    await userEvent.click(form().getByRole('button', { name: 'Add command' }));
    expect((await form().findByText(/already$|already\.$/)).textContent).toBe('Your organization has a /deploy command already.');

    await userEvent.clear(trigger);
    await userEvent.type(trigger, 'ship');
    await userEvent.click(form().getByRole('button', { name: 'Add command' }));
    const refused = await form().findByText(/^Commands may not send to this address\./);
    expect(refused.textContent).toBe(`Commands may not send to this address. ${REFUSED}.`);
    expect(refused.id).toBe('commandUrlError');
    expect(address.getAttribute('aria-invalid')).toBe('true');
    expect(trigger.getAttribute('aria-invalid')).toBeNull();
    expect(address.value).toBe('http://127.0.0.1:9000/command');
    expect(within(section()).queryByRole('textbox', { name: 'The command’s signing secret' })).toBeNull();
    expect(sent).toHaveLength(3);
  });

  it('says when the organization has as many commands as it may', async () => {
    setup([deploy, oncall, command(3, 'status')]);
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    await userEvent.type(form().getByRole('textbox', { name: 'Command' }), 'ship');
    await userEvent.type(form().getByRole('textbox', { name: 'Address' }), 'https://ci.example.com/ship');
    await userEvent.click(form().getByRole('button', { name: 'Add command' }));
    expect((await form().findByRole('alert')).textContent).toBe('Your organization has 50 commands already.');
    expect(form().getByRole('textbox', { name: 'Command' }).getAttribute('aria-invalid')).toBeNull();
  });

  it('deletes a command once confirmed', async () => {
    const { sent } = setup([deploy, oncall]);
    await userEvent.click(await within(section()).findByRole('button', { name: 'Delete /deploy' }));
    // Cancelled, nothing happens.
    let dialog = screen.getByRole('dialog', { name: 'Delete a slash command' });
    expect(dialog.textContent).toMatch(/Typing \/deploy will no longer reach https:\/\/ci\.example\.com\/deploy/);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(sent).toEqual([]);

    await userEvent.click(within(section()).getByRole('button', { name: 'Delete /deploy' }));
    dialog = screen.getByRole('dialog', { name: 'Delete a slash command' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete command' }));
    expect((await within(section()).findByRole('status')).textContent).toBe('/deploy was deleted: typing it no longer does anything.');
    await vi.waitFor(() => expect(rows()).toHaveLength(1));
    expect(cells(rows()[0]!)[0]).toMatch(/^\/oncall/);
    expect(sent).toEqual([['DELETE /api/v1/slash-commands/1', undefined]]);
  });
});

describe('a trigger as typed', () => {
  it('loses the slashes and spaces around it', () => {
    expect(triggerOf('  /deploy ')).toBe('deploy');
    expect(triggerOf('deploy')).toBe('deploy');
  });
});
