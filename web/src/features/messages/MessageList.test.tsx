import { render } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { message, user } from '../../test/fixtures';
import type { MessageActions } from './actions';
import { continues, MessageList } from './MessageList';
import type { Sender } from './send';
import { emptyTimeline } from './timeline';

vi.stubGlobal(
  'IntersectionObserver',
  class {
    observe() {}
    disconnect() {}
  },
);

const at = (iso: string) => ({ created_at: iso });
const me = user(1, 'ana');
const users = new Map([
  [1, me],
  [2, user(2, 'ben', { display_name: 'Ben Ortiz' })],
  [3, user(3, 'deploy-bot', { display_name: 'Deploy bot', is_bot: true, bot_owner_id: 1 })],
]);
const stub = <T,>() => new Proxy({}, { get: () => vi.fn() }) as T;

describe('the message list', () => {
  it('groups a person’s messages within five minutes on the same day', () => {
    const a = message(1, { user_id: 2, ...at('2026-11-20T09:00:00Z') });
    expect(continues(a, message(2, { user_id: 2, ...at('2026-11-20T09:04:00Z') }))).toBe(true);
    expect(continues(a, message(2, { user_id: 2, ...at('2026-11-20T09:06:00Z') }))).toBe(false);
    expect(continues(a, message(2, { user_id: 1, ...at('2026-11-20T09:01:00Z') }))).toBe(false);
    expect(continues(a, message(2, { user_id: 2, message_type: 'system', ...at('2026-11-20T09:01:00Z') }))).toBe(false);
  });

  it('separates days, marks where new messages start, and shows pending ones', () => {
    const timeline = {
      ...emptyTimeline(4),
      messages: [
        message(1, { user_id: 2, content: 'yesterday', ...at('2026-11-19T12:00:00Z') }),
        message(2, { user_id: 2, content: 'read', ...at('2026-11-20T12:00:00Z') }),
        message(3, { user_id: 2, content: 'unread one', ...at('2026-11-20T12:01:00Z') }),
        message(4, { user_id: 2, content: 'unread two', ...at('2026-11-20T12:02:00Z') }),
      ],
      pending: [{ clientMsgId: 'c1', content: 'on its way', userId: 1, createdAt: '', state: 'failed' as const, error: 'Not sent.' }],
    };
    const { container } = render(
      <MessageList
        timeline={timeline}
        users={users}
        me={me}
        ctx={{ usernames: new Set(['ana', 'ben']), me: 'ana' }}
        actions={stub<MessageActions>()}
        sender={stub<Sender>()}
        canModerate={false}
        readSeq={2}
        loadOlder={async () => false}
        loadingOlder={false}
        onOpenThread={() => {}}
        empty={<p>start</p>}
      />,
    );
    const rows = [...container.querySelector('#messagesContainer')!.children].map((el) =>
      el.classList.contains('date-separator') ? 'day' : el.classList.contains('new-line') ? 'new' : el.classList.contains('pending') ? 'pending' : el.classList.contains('message') ? (el.classList.contains('grouped') ? 'grouped' : 'message') : 'top',
    );
    expect(rows).toEqual(['top', 'day', 'message', 'day', 'message', 'new', 'message', 'grouped', 'pending']);
    expect(container.querySelector('.pending [role="alert"]')!.textContent).toContain('Retry');
    expect(container.querySelectorAll('.username')[0]!.textContent).toBe('Ben Ortiz');
  });

  it('marks a bot’s messages with its badge, beside its name', () => {
    const timeline = {
      ...emptyTimeline(3),
      messages: [
        message(1, { user_id: 2, content: 'shipping now', ...at('2026-11-20T12:00:00Z') }),
        message(2, { user_id: 3, content: 'deployed', ...at('2026-11-20T12:01:00Z') }),
        message(3, { user_id: 3, content: 'joined the channel', message_type: 'system', ...at('2026-11-20T12:02:00Z') }),
      ],
    };
    const { container } = render(
      <MessageList
        timeline={timeline}
        users={users}
        me={me}
        ctx={{ usernames: new Set(['ana', 'ben', 'deploy-bot']), me: 'ana' }}
        actions={stub<MessageActions>()}
        sender={stub<Sender>()}
        canModerate={false}
        readSeq={3}
        loadOlder={async () => false}
        loadingOlder={false}
        onOpenThread={() => {}}
        empty={<p>start</p>}
      />,
    );
    const [person, bot, system] = [...container.querySelectorAll<HTMLElement>('#messagesContainer .message')];
    expect(person!.querySelector('.bot-tag')).toBeNull();
    const header = bot!.querySelector('.message-header')!;
    expect(header.querySelector('.username')!.textContent).toBe('Deploy bot');
    expect(header.querySelector('.username + .bot-tag')!.textContent).toBe('Bot');
    expect(system!.querySelector('.message-main')!.textContent).toMatch(/^Deploy bot Bot joined the channel/);
  });

  it('shows notices for the caller alone where they were answered, and dismisses them', () => {
    const onDismiss = vi.fn();
    const timeline = {
      ...emptyTimeline(3),
      messages: [
        message(1, { user_id: 2, content: 'one', ...at('2026-11-20T12:00:00Z') }),
        message(2, { user_id: 2, content: 'two', ...at('2026-11-20T12:00:30Z') }),
        message(5, { user_id: 2, content: 'three', ...at('2026-11-20T12:01:00Z') }),
      ],
    };
    const notice = (id: string, afterSeq: number) => ({ id, command: `/${id}`, text: `answer to **${id}**`, createdAt: '', afterSeq });
    const { container, getAllByRole } = render(
      <MessageList
        timeline={timeline}
        users={users}
        me={me}
        ctx={{ usernames: new Set(['ana', 'ben']), me: 'ana' }}
        actions={stub<MessageActions>()}
        sender={stub<Sender>()}
        canModerate={false}
        readSeq={5}
        loadOlder={async () => false}
        loadingOlder={false}
        onOpenThread={() => {}}
        empty={<p>start</p>}
        notices={[notice('help', 1), notice('mute', 4), notice('topic', 7)]}
        onDismissNotice={onDismiss}
      />,
    );
    const rows = [...container.querySelector('#messagesContainer')!.children]
      .filter((el) => !el.classList.contains('history-top') && !el.classList.contains('date-separator'))
      .map((el) => (el.classList.contains('command-notice') ? el.querySelector('.timestamp')!.textContent : el.querySelector('.message-content')!.textContent));
    expect(rows).toEqual(['one', '/help', 'two', '/mute', 'three', '/topic']);
    // The message after a notice has its author again.
    expect(container.querySelectorAll('.message.grouped')).toHaveLength(0);
    const first = container.querySelector('.command-notice')!;
    expect(first.textContent).toContain('Only you can see this');
    expect(first.querySelector('.message-content strong')!.textContent).toBe('help');
    getAllByRole('button', { name: 'Dismiss' })[1]!.click();
    expect(onDismiss).toHaveBeenCalledWith('mute');
  });
});

