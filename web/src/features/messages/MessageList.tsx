import { Fragment, useEffect, useLayoutEffect, useRef } from 'react';
import { formatDay, sameDay } from '../../lib/format';
import type { Message, User } from '../../lib/types';
import { Avatar } from '../../lib/ui/Avatar';
import { Icon } from '../../lib/ui/Icon';
import type { MessageActions } from './actions';
import type { CommandNotice } from './commands';
import type { MarkdownContext } from './markdown';
import { Markdown } from './markdown';
import { MessageItem } from './MessageItem';
import type { Sender } from './send';
import type { Pending, Timeline } from './timeline';

const GROUP_MS = 5 * 60_000;
const NO_NOTICES: readonly CommandNotice[] = [];

/** Whether `m` continues `prev`'s group: same author, same day, within five minutes. */
export function continues(prev: Message | undefined, m: Message): boolean {
  if (!prev || prev.user_id !== m.user_id || prev.is_deleted || m.is_deleted) return false;
  if (prev.message_type === 'system' || m.message_type === 'system') return false;
  return sameDay(prev.created_at, m.created_at) && Date.parse(m.created_at) - Date.parse(prev.created_at) < GROUP_MS;
}

interface Props {
  timeline: Timeline;
  users: Map<number, User>;
  me: User;
  ctx: MarkdownContext;
  actions: MessageActions;
  sender: Sender;
  canModerate: boolean;
  /** Whether the caller may react and pin here (true when not given). */
  canReact?: boolean;
  canPin?: boolean;
  /** Messages after this seq (by others) are new: a line shows before the first. */
  readSeq: number | null;
  loadOlder: () => Promise<boolean>;
  loadingOlder: boolean;
  onOpenThread: (root: Message) => void;
  focusId?: number;
  empty: React.ReactNode;
  /** Answers of commands for the caller only, after the messages, until dismissed. */
  notices?: readonly CommandNotice[];
  onDismissNotice?: (id: string) => void;
}

export function MessageList(props: Props) {
  const { timeline, users, me, ctx, actions, sender, readSeq, loadOlder, loadingOlder, onOpenThread, focusId, canModerate, canReact, canPin } = props;
  const notices = props.notices ?? NO_NOTICES;
  /** The notices that show after the message at `index` (-1: before the first), in the order they came. */
  const noticesAt = (index: number) =>
    notices.filter((n) => {
      const after = messages[index];
      const next = messages[index + 1];
      if (!after) return index === -1 && (!next || n.afterSeq < next.seq);
      return n.afterSeq >= after.seq && (!next || n.afterSeq < next.seq);
    });
  const notice = (n: CommandNotice) => <NoticeItem key={n.id} notice={n} ctx={ctx} onDismiss={() => props.onDismissNotice?.(n.id)} />;
  const ref = useRef<HTMLDivElement>(null);
  const topRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const prevHeight = useRef(0);
  const prevFirst = useRef<number | undefined>(undefined);
  const { messages, pending } = timeline;
  const firstNew = readSeq == null ? undefined : messages.find((m) => m.seq > readSeq && m.user_id !== me.id)?.id;

  // Older pages keep the view where it was; new messages scroll down when we were at the bottom.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const first = messages[0]?.id;
    if (prevFirst.current !== undefined && first !== prevFirst.current && prevHeight.current) {
      el.scrollTop += el.scrollHeight - prevHeight.current;
    } else if (stick.current && focusId === undefined) {
      el.scrollTop = el.scrollHeight;
    }
    prevFirst.current = first;
    prevHeight.current = el.scrollHeight;
  }, [messages, pending, notices, focusId]);

  useEffect(() => {
    if (focusId === undefined) return;
    document.getElementById(`message-${focusId}`)?.scrollIntoView({ block: 'center' });
  }, [focusId, messages]);

  useEffect(() => {
    const top = topRef.current;
    const root = ref.current;
    if (!top || !root || !timeline.hasOlder) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !loadingOlder) {
          prevHeight.current = root.scrollHeight;
          void loadOlder();
        }
      },
      { root, rootMargin: '200px 0px 0px 0px' },
    );
    observer.observe(top);
    return () => observer.disconnect();
  }, [timeline.hasOlder, loadOlder, loadingOlder]);

  const onScroll = () => {
    const el = ref.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };

  return (
    <div
      id="messagesContainer"
      className="messages"
      ref={ref}
      onScroll={onScroll}
      // Images that arrive after the scroll keep the bottom in view.
      onLoadCapture={() => {
        if (stick.current && focusId === undefined && ref.current) ref.current.scrollTop = ref.current.scrollHeight;
      }}
      role="log"
      aria-label="Messages"
      tabIndex={0}
    >
      <div ref={topRef} className="history-top">
        {timeline.hasOlder ? (loadingOlder ? 'Loading earlier messages…' : '') : props.empty}
      </div>
      {/* Notices from before the first message shown (the channel was empty, or older messages are not loaded). */}
      {noticesAt(-1).map(notice)}
      {messages.map((m, i) => {
        const prev = messages[i - 1];
        const newDay = !prev || !sameDay(prev.created_at, m.created_at);
        // After a notice, a message starts a group again.
        const afterNotice = i > 0 && noticesAt(i - 1).length > 0;
        return (
          <Fragment key={m.id}>
            {newDay && (
              <div className="date-separator" role="separator">
                <span>{formatDay(m.created_at)}</span>
              </div>
            )}
            {m.id === firstNew && (
              <div className="new-line" role="separator" aria-label="New messages">
                <span>New</span>
              </div>
            )}
            <MessageItem
              message={m}
              author={users.get(m.user_id)}
              grouped={!newDay && !afterNotice && m.id !== firstNew && continues(prev, m)}
              me={me}
              ctx={ctx}
              actions={actions}
              canModerate={canModerate}
              canReact={canReact}
              canPin={canPin}
              onOpenThread={onOpenThread}
              highlighted={m.id === focusId}
            />
            {noticesAt(i).map(notice)}
          </Fragment>
        );
      })}
      {pending.map((p) => (
        <PendingItem key={p.clientMsgId} pending={p} me={me} ctx={ctx} sender={sender} />
      ))}
    </div>
  );
}

/** A command's answer for the caller only: never stored, gone once dismissed. */
function NoticeItem({ notice, ctx, onDismiss }: { notice: CommandNotice; ctx: MarkdownContext; onDismiss: () => void }) {
  const headerId = `notice-${notice.id}`;
  return (
    <article className="command-notice" aria-labelledby={headerId} data-notice-id={notice.id}>
      <div className="message-gutter" aria-hidden>
        <span className="command-notice-icon">
          <Icon name="info" size={18} />
        </span>
      </div>
      <div className="message-main">
        <div className="message-header" id={headerId}>
          <span className="command-notice-tag">Only you can see this</span>
          <span className="timestamp">
            <code>{notice.command.split('\n')[0]}</code>
          </span>
        </div>
        <div className="message-content">
          <Markdown text={notice.text} ctx={ctx} />
        </div>
      </div>
      <button type="button" className="icon-button command-notice-dismiss" aria-label="Dismiss" title="Dismiss" onClick={onDismiss}>
        <Icon name="close" size={16} />
      </button>
    </article>
  );
}

function PendingItem({ pending, me, ctx, sender }: { pending: Pending; me: User; ctx: MarkdownContext; sender: Sender }) {
  return (
    <article className={`message pending ${pending.state}`} data-client-msg-id={pending.clientMsgId}>
      <div className="message-gutter">
        <Avatar user={me} />
      </div>
      <div className="message-main">
        <div className="message-header">
          <span className="username">{me.display_name || me.username}</span>
          <span className="timestamp">{pending.state === 'failed' ? 'Not sent' : 'Sending…'}</span>
        </div>
        <div className="message-content">
          <Markdown text={pending.content} ctx={ctx} />
        </div>
        {pending.state === 'failed' && (
          <div className="send-failed" role="alert">
            <span>{pending.error ?? 'Not sent.'}</span>
            <button type="button" className="button small" onClick={() => void sender.retry(pending)}>
              <Icon name="retry" size={14} /> Retry
            </button>
            <button type="button" className="button small" onClick={() => sender.discard(pending.clientMsgId)}>
              Discard
            </button>
          </div>
        )}
      </div>
    </article>
  );
}
