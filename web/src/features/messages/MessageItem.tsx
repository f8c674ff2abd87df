import { memo, useState } from 'react';
import { displayName } from '../../lib/directory';
import { errorMessage } from '../../lib/errors';
import { formatFull, formatTime } from '../../lib/format';
import { useAttachmentRenderer } from '../../lib/slots';
import type { Message, User } from '../../lib/types';
import { Avatar } from '../../lib/ui/Avatar';
import { BotBadge } from '../../lib/ui/BotBadge';
import { Icon } from '../../lib/ui/Icon';
import { Modal } from '../../lib/ui/Modal';
import type { MessageActions } from './actions';
import { EmojiPicker } from './EmojiPicker';
import { Markdown, type MarkdownContext } from './markdown';

export interface MessageItemProps {
  message: Message;
  author?: User;
  grouped: boolean;
  me: User;
  ctx: MarkdownContext;
  actions: MessageActions;
  canModerate: boolean;
  /** Whether the caller may react here (true when not given): a muted member may not, nor someone who has not joined. */
  canReact?: boolean;
  /** Whether the caller may pin here (true when not given): in announcement channels, moderators only. */
  canPin?: boolean;
  onOpenThread?: (root: Message) => void;
  highlighted?: boolean;
}

export function mentionsMe(message: Message, me: number): boolean {
  return message.user_id !== me && message.mentions.some((m) => m.type !== 'user' || m.user_id === me);
}

export const MessageItem = memo(function MessageItem(props: MessageItemProps) {
  const { message, author, grouped, me, ctx, actions, onOpenThread, highlighted, canModerate, canReact = true, canPin = true } = props;
  const [editing, setEditing] = useState(false);
  const [picker, setPicker] = useState(false);
  const [dialog, setDialog] = useState<'delete' | 'report' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const own = message.user_id === me.id;
  const attachments = useAttachmentRenderer();
  const run = (p: Promise<unknown>) => p.then(() => setError(null)).catch((e) => setError(errorMessage(e)));
  const toggleReaction = (emoji: string, mine: boolean) =>
    run(mine ? actions.unreact(message.id, emoji) : actions.react(message.id, emoji));

  if (message.message_type === 'system') {
    return (
      <article className="message system" data-message-id={message.id} id={`message-${message.id}`}>
        <div className="message-gutter">
          <span className="system-dot" aria-hidden />
        </div>
        <div className="message-main">
          <strong>{displayName(author, `user ${message.user_id}`)}</strong>{' '}
          {author?.is_bot && (
            <>
              <BotBadge user={author} />{' '}
            </>
          )}
          {message.content}{' '}
          <time className="timestamp" dateTime={message.created_at} title={formatFull(message.created_at)}>
            {formatTime(message.created_at)}
          </time>
        </div>
      </article>
    );
  }
  const classes = ['message', grouped ? 'grouped' : '', mentionsMe(message, me.id) ? 'mentions-me' : '', highlighted ? 'highlighted' : '', own ? 'own' : ''];
  return (
    <article className={classes.join(' ')} data-message-id={message.id} id={`message-${message.id}`} aria-label={`${displayName(author)} at ${formatTime(message.created_at)}`}>
      <div className="message-gutter">
        {grouped ? <time className="hover-time">{formatTime(message.created_at)}</time> : <Avatar user={author} />}
      </div>
      <div className="message-main">
        {!grouped && (
          <div className="message-header">
            <span className="username">{displayName(author, `user ${message.user_id}`)}</span>
            <BotBadge user={author} />
            <time className="timestamp" dateTime={message.created_at} title={formatFull(message.created_at)}>
              {formatTime(message.created_at)}
            </time>
            {message.pinned_at && <span className="pinned-tag">Pinned</span>}
          </div>
        )}
        {message.is_deleted ? (
          <div className="message-content deleted">This message was deleted.</div>
        ) : editing ? (
          <EditBox
            initial={message.content}
            onCancel={() => setEditing(false)}
            onSave={(content) => run(actions.edit(message.id, content).then(() => setEditing(false)))}
          />
        ) : (
          <div className="message-content">
            <Markdown text={message.content} ctx={ctx} />
            {message.edited_at && <span className="edited" title={formatFull(message.edited_at)}>(edited)</span>}
          </div>
        )}
        {!message.is_deleted && attachments(message)}
        {message.reactions.length > 0 && !message.is_deleted && (
          <div className="reactions">
            {message.reactions.map((r) => (
              <button
                key={r.emoji}
                type="button"
                className={`reaction ${r.me ? 'mine' : ''}`}
                aria-pressed={r.me}
                aria-label={`${r.emoji} ${r.count}`}
                disabled={!canReact}
                onClick={() => toggleReaction(r.emoji, r.me)}
              >
                <span>{r.emoji}</span> <span className="count">{r.count}</span>
              </button>
            ))}
          </div>
        )}
        {onOpenThread && message.reply_count > 0 && (
          <button type="button" className="thread-summary" onClick={() => onOpenThread(message)}>
            {message.reply_count} {message.reply_count === 1 ? 'reply' : 'replies'}
            {message.last_reply_at && <span className="muted"> · last {formatTime(message.last_reply_at)}</span>}
          </button>
        )}
        {error && <div className="form-error" role="alert">{error}</div>}
      </div>
      {!message.is_deleted && !editing && (
        <div className="message-actions" role="toolbar" aria-label="Message actions">
          {canReact && (
            <button type="button" className="icon-button" aria-label="Add reaction" title="Add reaction" onClick={() => setPicker(true)}>
              <Icon name="smile" />
            </button>
          )}
          {onOpenThread && (
            <button type="button" className="icon-button" aria-label="Reply in thread" title="Reply in thread" onClick={() => onOpenThread(message)}>
              <Icon name="thread" />
            </button>
          )}
          {own && (
            <button type="button" className="icon-button" aria-label="Edit message" title="Edit" onClick={() => setEditing(true)}>
              <Icon name="edit" />
            </button>
          )}
          {canPin && (
            <button
              type="button"
              className="icon-button"
              aria-label={message.pinned_at ? 'Unpin message' : 'Pin message'}
              title={message.pinned_at ? 'Unpin' : 'Pin'}
              onClick={() => run(message.pinned_at ? actions.unpin(message.id, message.channel_id) : actions.pin(message.id, message.channel_id))}
            >
              <Icon name="pin" />
            </button>
          )}
          {!own && (
            <button type="button" className="icon-button" aria-label="Report message" title="Report" onClick={() => setDialog('report')}>
              <Icon name="flag" />
            </button>
          )}
          {(own || canModerate) && (
            <button type="button" className="icon-button danger" aria-label="Delete message" title="Delete" onClick={() => setDialog('delete')}>
              <Icon name="trash" />
            </button>
          )}
          {picker && (
            <EmojiPicker
              label="Add reaction"
              onClose={() => setPicker(false)}
              onPick={(emoji) => {
                setPicker(false);
                const mine = message.reactions.find((r) => r.emoji === emoji)?.me ?? false;
                void toggleReaction(emoji, mine);
              }}
            />
          )}
        </div>
      )}
      {dialog === 'delete' && (
        <Modal title="Delete message" onClose={() => setDialog(null)}>
          <p>Delete this message for everyone? This cannot be undone.</p>
          <div className="dialog-buttons">
            <button type="button" className="button" onClick={() => setDialog(null)}>
              Cancel
            </button>
            <button type="button" className="button danger" onClick={() => run(actions.remove(message.id).then(() => setDialog(null)))}>
              Delete
            </button>
          </div>
        </Modal>
      )}
      {dialog === 'report' && <ReportDialog onClose={() => setDialog(null)} onReport={(reason) => actions.report(message.id, reason)} />}
    </article>
  );
});

function EditBox({ initial, onSave, onCancel }: { initial: string; onSave: (text: string) => void; onCancel: () => void }) {
  const [text, setText] = useState(initial);
  return (
    <div className="edit-box">
      <textarea
        aria-label="Edit message"
        autoFocus
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            if (text.trim()) onSave(text);
          } else if (e.key === 'Escape') {
            e.stopPropagation();
            onCancel();
          }
        }}
      />
      <div className="edit-buttons">
        <button type="button" className="button small" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="button small primary" onClick={() => text.trim() && onSave(text)}>
          Save
        </button>
      </div>
    </div>
  );
}

function ReportDialog({ onClose, onReport }: { onClose: () => void; onReport: (reason: string) => Promise<void> }) {
  const [reason, setReason] = useState('');
  const [state, setState] = useState<{ done?: boolean; error?: string }>({});
  return (
    <Modal title="Report message" onClose={onClose}>
      {state.done ? (
        <p role="status">Thanks — the moderators will look at it.</p>
      ) : (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            onReport(reason).then(
              () => setState({ done: true }),
              (err) => setState({ error: errorMessage(err) }),
            );
          }}
        >
          <label>
            Why should the moderators look at it?
            <textarea value={reason} onChange={(e) => setReason(e.target.value)} required />
          </label>
          {state.error && <p className="form-error" role="alert">{state.error}</p>}
          <div className="dialog-buttons">
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
            <button className="button danger">Report</button>
          </div>
        </form>
      )}
    </Modal>
  );
}
