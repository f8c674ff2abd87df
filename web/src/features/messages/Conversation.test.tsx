import { QueryClientProvider, useQuery } from '@tanstack/react-query';
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { call, client } from '../../lib/api';
import { createQueryClient, keys } from '../../lib/queryClient';
import { endSession, startSession } from '../../lib/session';
import type { Channel, ChannelFrame } from '../../lib/types';
import { channel as channelOf, message, user } from '../../test/fixtures';
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
let server: Channel;

/** The channel page's part of it: the channel as the server answers, and its conversation. */
function Page() {
  const { data } = useQuery({
    queryKey: keys.channel(7),
    queryFn: () => call(client.GET('/api/v1/channels/{channel_id}', { params: { path: { channel_id: 7 } } })),
  });
  return data ? <Conversation channel={data} title="#news" me={ana} onOpenThread={() => {}} /> : null;
}

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
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const path = new URL(input.url).pathname;
      if (path === '/api/v1/channels/7') return json(server);
      if (path === '/api/v1/channels/7/messages') return json({ messages: [message(1, { channel_id: 7, content: 'Office closed on Friday' })] });
      if (path === '/api/v1/channels/7/read') return json({ channel_id: 7, seq: 1 });
      if (path === '/api/v1/users') return json({ users: [ana, user(2, 'ben')], next_cursor: null });
      if (path === '/api/v1/users/online') return json({ users: [] });
      return json({ code: 'not_found', message: 'no such thing' }, 404);
    }),
  );
});

afterEach(() => {
  cleanup();
  endSession('signed_out');
  vi.unstubAllGlobals();
});

/** The server changes the channel for Ana and tells the channel's socket. */
async function change(next: Partial<Channel>, frame: ChannelFrame) {
  server = { ...server, ...next };
  await act(async () => FakeSocket.all[0]!.receive(frame));
}

describe('the conversation of an announcement channel', () => {
  it('shows a notice instead of the composer to non-admins, and follows role and mute changes live', async () => {
    server = channelOf(7, { name: 'news', read_only: true, role: 'member', last_seq: 1 });
    render(
      <QueryClientProvider client={createQueryClient()}>
        <Page />
      </QueryClientProvider>,
    );
    await screen.findByText('Office closed on Friday');
    act(() => FakeSocket.all[0]!.open());
    expect(screen.getByText('Only channel admins post in this announcement channel. You can still react.').getAttribute('role')).toBe('status');
    expect(screen.queryByRole('textbox', { name: 'Message #news' })).toBeNull();
    const actions = () => within(screen.getByRole('toolbar', { name: 'Message actions' }));
    // Everyone reacts; pinning is for moderators here.
    expect(actions().getByRole('button', { name: 'Add reaction' })).toBeTruthy();
    expect(actions().queryByRole('button', { name: 'Pin message' })).toBeNull();

    // Made an admin of the channel: the composer, without a reload.
    await change({ role: 'admin', last_seq: 2 }, { type: 'member_updated', seq: 2, user: ana });
    expect(await screen.findByRole('textbox', { name: 'Message #news' })).toBeTruthy();
    expect(actions().getByRole('button', { name: 'Pin message' })).toBeTruthy();

    // Muted here by a moderator (an organization one, say): the notice says until when.
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await change({ role: 'member', read_only: false, posting_muted_until: until, last_seq: 3 }, { type: 'member_updated', seq: 3, user: ana });
    expect((await screen.findByText(/^A moderator muted you in this channel until /)).getAttribute('role')).toBe('status');
    expect(screen.queryByRole('textbox', { name: 'Message #news' })).toBeNull();
    expect(actions().queryByRole('button', { name: 'Add reaction' })).toBeNull();

    // Unmuted: the composer is back.
    await change({ posting_muted_until: null, last_seq: 4 }, { type: 'member_updated', seq: 4, user: ana });
    expect(await screen.findByRole('textbox', { name: 'Message #news' })).toBeTruthy();
    expect(actions().getByRole('button', { name: 'Add reaction' })).toBeTruthy();
    // Nothing was taken for a gap: the one socket is still the one in use.
    expect(FakeSocket.all).toHaveLength(1);
  });
});
