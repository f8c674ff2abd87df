import { useEffect, useRef, useState, type ReactNode } from 'react';
import { displayName } from '../../lib/directory';
import type { User } from '../../lib/types';
import { BotBadge } from '../../lib/ui/BotBadge';
import { Icon } from '../../lib/ui/Icon';
import { loadDraft, saveDraft } from './drafts';
import { EmojiPicker } from './EmojiPicker';

const TYPING_REFRESH_MS = 3_000;

interface Props {
  draftKey: string;
  placeholder: string;
  users: User[];
  onSend: (text: string) => void | Promise<void>;
  onTyping?: (state: 'start' | 'stop') => void;
  disabled?: boolean;
  ids?: boolean;
  /** Extra buttons (the files feature's, once it is there). */
  extra?: ReactNode;
}

/** The `@word` being typed before the caret, if any. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const m = /(^|\s)@([a-z0-9._-]*)$/i.exec(text.slice(0, caret));
  return m ? { start: caret - m[2]!.length - 1, query: m[2]!.toLowerCase() } : null;
}

export function Composer({ draftKey, placeholder, users, onSend, onTyping, disabled, ids, extra }: Props) {
  const [text, setText] = useState(() => loadDraft(draftKey));
  const [picker, setPicker] = useState(false);
  const [mention, setMention] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);

  useEffect(() => {
    setText(loadDraft(draftKey));
    lastTyping.current = 0;
  }, [draftKey]);

  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 200)}px`;
  }, [text]);

  const suggestions = mention
    ? [
        ...users.filter((u) => u.username.startsWith(mention.query) || (u.display_name ?? '').toLowerCase().startsWith(mention.query)),
        ...(['channel', 'here'].filter((s) => s.startsWith(mention.query)).map((s) => ({ id: -1, username: s, display_name: `Notify everyone (${s})` })) as User[]),
      ].slice(0, 8)
    : [];

  const change = (value: string, caret: number) => {
    setText(value);
    saveDraft(draftKey, value);
    setMention(mentionQuery(value, caret));
    setActive(0);
    if (!onTyping) return;
    if (!value.trim()) {
      if (lastTyping.current) onTyping('stop');
      lastTyping.current = 0;
    } else if (Date.now() - lastTyping.current > TYPING_REFRESH_MS) {
      onTyping('start');
      lastTyping.current = Date.now();
    }
  };

  const insert = (start: number, end: number, value: string) => {
    const next = text.slice(0, start) + value + text.slice(end);
    change(next, start + value.length);
    setMention(null);
    requestAnimationFrame(() => {
      const el = input.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(start + value.length, start + value.length);
    });
  };

  const pickMention = (user: User) => {
    const caret = input.current?.selectionStart ?? text.length;
    if (mention) insert(mention.start, caret, `@${user.username} `);
  };

  const send = () => {
    const content = text.trim();
    if (!content || disabled) return;
    setText('');
    saveDraft(draftKey, '');
    setMention(null);
    if (lastTyping.current && onTyping) onTyping('stop');
    lastTyping.current = 0;
    void onSend(content);
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestions.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        pickMention(suggestions[active]!);
        return;
      }
      if (e.key === 'Escape') {
        e.stopPropagation();
        setMention(null);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  return (
    <div className="composer">
      {suggestions.length > 0 && (
        <ul className="mention-list" role="listbox" aria-label="People to mention">
          {suggestions.map((u, i) => (
            <li
              key={u.username}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                pickMention(u);
              }}
            >
              <strong>@{u.username}</strong> <span className="muted">{u.id > 0 ? displayName(u) : u.display_name}</span>
              {u.is_bot && (
                <>
                  {' '}
                  <BotBadge user={u} />
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <div className="composer-box">
        <textarea
          id={ids ? 'messageInput' : undefined}
          ref={input}
          rows={1}
          value={text}
          placeholder={placeholder}
          aria-label={placeholder}
          disabled={disabled}
          onChange={(e) => change(e.target.value, e.target.selectionStart)}
          onKeyDown={onKeyDown}
          onBlur={() => {
            if (lastTyping.current && onTyping) onTyping('stop');
            lastTyping.current = 0;
          }}
        />
        <div className="composer-tools">
          {extra}
          <div className="emoji-anchor">
            <button
              type="button"
              id={ids ? 'emojiButton' : undefined}
              className="icon-button"
              aria-label="Insert emoji"
              title="Emoji"
              onClick={() => setPicker((p) => !p)}
            >
              <Icon name="smile" />
            </button>
            {picker && (
              <EmojiPicker
                onClose={() => setPicker(false)}
                onPick={(emoji) => {
                  setPicker(false);
                  const el = input.current;
                  insert(el?.selectionStart ?? text.length, el?.selectionEnd ?? text.length, emoji);
                }}
              />
            )}
          </div>
          <button
            type="button"
            id={ids ? 'sendButton' : undefined}
            className="send-button"
            aria-label="Send"
            title="Send (Enter)"
            disabled={!text.trim() || disabled}
            onClick={send}
          >
            <Icon name="send" />
          </button>
        </div>
      </div>
      <div className="composer-hint muted">
        <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line · <code>**bold**</code> <code>_italic_</code> <code>`code`</code>
      </div>
    </div>
  );
}
