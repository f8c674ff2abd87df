import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { act, cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient, keys } from '../../lib/queryClient';
import { endSession, startSession } from '../../lib/session';
import type { ChannelFrame } from '../../lib/types';
import { channel, message, user } from '../../test/fixtures';
import { commandName, commandQuery, isCommand, matchCommands, unescapeSlash, type CommandInfo } from './commands';
import { Conversation } from './Conversation';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

class FakeSocket {
  static all: FakeSocket[] = [];
  static OPEN = 1;
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  send() {}
  close() {}
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(frame: ChannelFrame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

const ana = user(1, 'ana', { display_name: 'Ana García' });
const general = channel(7, { name: 'general', last_seq: 1 });
const COMMANDS: CommandInfo[] = [
  { name: 'me', usage: '/me <action>', description: 'posts the action in italics', built_in: true },
  { name: 'shrug', usage: '/shrug [message]', description: 'posts the message followed by a **shrug**', built_in: true },
  { name: 'leave', usage: '/leave', description: 'leaves the channel', built_in: true },
  { name: 'help', usage: '/help', description: 'lists the commands', built_in: true },
  { name: 'deploy', usage: '/deploy [text]', description: 'Deploy a service', built_in: false },
];
const HELP = COMMANDS.map((c) => `\`${c.usage}\`: ${c.description}`).join('\n');
const SHRUGGED = message(2, { id: 42, channel_id: 7, user_id: 1, content: 'it works ¯\\\\\\_(ツ)\\_/¯' });

/** What the server answers each command, and what was asked of it. */
function fakeServer() {
  const ran: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const path = new URL(input.url).pathname;
      const what = `${input.method} ${path}`;
      if (what === 'GET /api/v1/channels/7') return json(general);
      if (what === 'GET /api/v1/channels/7/messages') return json({ messages: [message(1, { channel_id: 7, content: 'Good morning' })] });
      if (what === 'POST /api/v1/channels/7/read') return json({ channel_id: 7, seq: 1 });
      if (what === 'GET /api/v1/users') return json({ users: [ana, user(2, 'ben')], next_cursor: null });
      if (what === 'GET /api/v1/channels') return json({ channels: [] });
      if (what === 'GET /api/v1/commands') return json({ commands: COMMANDS });
      if (what === 'POST /api/v1/channels/7/commands') {
        const { text } = (await input.json()) as { text: string };
        ran.push(text);
        if (text.startsWith('/shrug')) return json({ response_type: 'in_channel', text: null, message: SHRUGGED });
        if (text === '/help') return json({ response_type: 'ephemeral', text: HELP, message: null });
        if (text === '/leave') return json({ response_type: 'ephemeral', text: 'You left #general.', message: null });
        if (text === '/deploy') return json({ response_type: 'ephemeral', text: '', message: null });
        return json(
          {
            code: 'validation_failed',
            message: 'text: there is no /nope command: /help lists them',
            details: [{ field: 'text', code: 'unknown_command', message: 'there is no /nope command: /help lists them' }],
          },
          422,
        );
      }
      return json({ code: 'not_found', message: 'no such thing' }, 404);
    }),
  );
  return { ran };
}

let queryClient: QueryClient;

function show(onLeft = vi.fn()) {
  const view = render(
    <QueryClientProvider client={queryClient}>
      <Conversation channel={general} title="#general" me={ana} onOpenThread={() => {}} onLeft={onLeft} />
    </QueryClientProvider>,
  );
  return { ...view, onLeft };
}

const composer = () => screen.getByRole('textbox', { name: 'Message #general' }) as HTMLTextAreaElement;
const messages = () => [...document.querySelectorAll('#messagesContainer .message .message-content')].map((m) => m.textContent);
const notices = () => [...document.querySelectorAll<HTMLElement>('#messagesContainer .command-notice')];

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.stubGlobal(
    'IntersectionObserver',
    class {
      observe() {}
      disconnect() {}
    },
  );
  startSession({ access_token: 'tok', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: ana });
  queryClient = createQueryClient();
});

afterEach(() => {
  cleanup();
  endSession('signed_out');
  vi.unstubAllGlobals();
});

describe('commands in a conversation', () => {
  it('runs /shrug in the channel: the posted message shows once, though the socket brings it too', async () => {
    const { ran } = fakeServer();
    show();
    await screen.findByText('Good morning');
    act(() => FakeSocket.all[0]!.open());
    await userEvent.type(composer(), '/shrug it works{Enter}');
    await vi.waitFor(() => expect(messages()).toEqual(['Good morning', 'it works ¯\\_(ツ)_/¯']));
    expect(ran).toEqual(['/shrug it works']);
    expect(composer().value).toBe('');
    // Nothing was sent as a message.
    const posted = vi.mocked(fetch).mock.calls.map(([r]) => `${(r as Request).method} ${new URL((r as Request).url).pathname}`);
    expect(posted).not.toContain('POST /api/v1/channels/7/messages');

    await act(async () => FakeSocket.all[0]!.receive({ type: 'chat_message', seq: 2, message: SHRUGGED }));
    expect(messages()).toEqual(['Good morning', 'it works ¯\\_(ツ)_/¯']);
    expect(notices()).toEqual([]);
  });

  it('shows an answer for the caller alone as a notice, rendered as Markdown, until dismissed', async () => {
    fakeServer();
    const { unmount } = show();
    await screen.findByText('Good morning');
    await userEvent.type(composer(), '/help{Enter}');
    await vi.waitFor(() => expect(notices()).toHaveLength(1));
    const notice = notices()[0]!;
    expect(notice.classList.contains('message')).toBe(false);
    expect(within(notice).getByText('Only you can see this')).toBeTruthy();
    expect(screen.getByRole('article', { name: 'Only you can see this /help' })).toBe(notice);
    // Markdown as messages have it: the usages are code.
    expect([...notice.querySelectorAll('.message-content code')].map((c) => c.textContent)).toEqual(COMMANDS.map((c) => c.usage));
    expect(notice.querySelector('.message-content strong')!.textContent).toBe('shrug');
    expect(notice.querySelectorAll('.message-content br')).toHaveLength(COMMANDS.length - 1);
    // Only a notice: no message was added.
    expect(messages()).toEqual(['Good morning']);
    expect(composer().value).toBe('');

    // Kept for the channel while the caller looks elsewhere.
    unmount();
    show();
    await screen.findByText('Good morning');
    expect(notices()).toHaveLength(1);

    await userEvent.click(within(notices()[0]!).getByRole('button', { name: 'Dismiss' }));
    expect(notices()).toEqual([]);
  });

  it('shows nothing more when the answer for the caller is empty', async () => {
    const { ran } = fakeServer();
    show();
    await screen.findByText('Good morning');
    await userEvent.type(composer(), '/deploy{Enter}');
    await vi.waitFor(() => expect(composer().value).toBe(''));
    expect(ran).toEqual(['/deploy']);
    expect(notices()).toEqual([]);
  });

  it('says by the composer why a command was refused, keeping what was typed', async () => {
    fakeServer();
    show();
    await screen.findByText('Good morning');
    await userEvent.type(composer(), '/nope now{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe('There is no /nope command: /help lists them.');
    expect(composer().value).toBe('/nope now');
    expect(notices()).toEqual([]);
  });

  it('suggests the commands the server lists', async () => {
    fakeServer();
    show();
    await screen.findByText('Good morning');
    await userEvent.type(composer(), '/');
    const list = await screen.findByRole('listbox', { name: 'Commands' });
    expect(within(list).getAllByRole('option').map((o) => o.querySelector('.command-usage')!.textContent)).toEqual(COMMANDS.map((c) => c.usage));
  });

  it('goes elsewhere after /leave, forgetting the channel’s notices', async () => {
    fakeServer();
    queryClient.setQueryData(keys.channel(7), general);
    const { onLeft } = show();
    await screen.findByText('Good morning');
    await userEvent.type(composer(), '/help{Enter}');
    await vi.waitFor(() => expect(notices()).toHaveLength(1));
    await userEvent.type(composer(), '/leave{Enter}');
    await vi.waitFor(() => expect(onLeft).toHaveBeenCalledTimes(1));
    expect(queryClient.getQueryData(keys.commandNotices(7))).toBeUndefined();
    // The channel is read again: the caller is no longer in it.
    expect(queryClient.getQueryState(keys.channel(7))!.isInvalidated).toBe(true);
  });
});

describe('what the composer takes for a command', () => {
  it('is a slash and a name, not `//` nor a lone slash', () => {
    expect(isCommand('/shrug hi')).toBe(true);
    expect(isCommand('  /me waves')).toBe(true);
    expect(isCommand('//etc/hosts')).toBe(false);
    expect(isCommand('/')).toBe(false);
    expect(isCommand('/ hi')).toBe(false);
    expect(isCommand('hi /shrug')).toBe(false);
    expect(commandName('/Leave now')).toBe('leave');
    expect(commandName('//leave')).toBeNull();
    expect(unescapeSlash('//etc/hosts')).toBe('/etc/hosts');
    expect(unescapeSlash('/etc')).toBe('/etc');
  });

  it('suggests while the name is typed', () => {
    expect(commandQuery('/', 1)).toEqual({ query: '' });
    expect(commandQuery('/Sh', 3)).toEqual({ query: 'sh' });
    expect(commandQuery('/shrug hi', 9)).toBeNull();
    expect(commandQuery('/shrug hi', 3)).toBeNull();
    expect(commandQuery('//', 2)).toBeNull();
    expect(commandQuery('a /sh', 5)).toBeNull();
    expect(matchCommands(COMMANDS, 'me').map((c) => c.name)).toEqual(['me']);
    expect(matchCommands(COMMANDS, '')).toHaveLength(COMMANDS.length);
  });
});
