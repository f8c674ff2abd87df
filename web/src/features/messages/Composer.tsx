import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { displayName } from '../../lib/directory';
import type { User } from '../../lib/types';
import { BotBadge } from '../../lib/ui/BotBadge';
import { Icon } from '../../lib/ui/Icon';
import { commandError, commandQuery, isCommand, matchCommands, unescapeSlash, type CommandInfo } from './commands';
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
  /**
   * Runs a slash command (`/shrug hi`), as typed; rejects with the server's refusal. Given, text
   * starting with `/name` runs instead of being posted, `//` posts the rest (`//etc/hosts` is
   * `/etc/hosts`), and typing `/` suggests `commands`.
   */
  onCommand?: (text: string) => Promise<void>;
  commands?: readonly CommandInfo[];
}

/** The `@word` being typed before the caret, if any. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const m = /(^|\s)@([a-z0-9._-]*)$/i.exec(text.slice(0, caret));
  return m ? { start: caret - m[2]!.length - 1, query: m[2]!.toLowerCase() } : null;
}

const NO_COMMANDS: readonly CommandInfo[] = [];

export function Composer({ draftKey, placeholder, users, onSend, onTyping, disabled, ids, extra, onCommand, commands = NO_COMMANDS }: Props) {
  const [text, setText] = useState(() => loadDraft(draftKey));
  const [picker, setPicker] = useState(false);
  const [mention, setMention] = useState<{ start: number; query: string } | null>(null);
  const [slash, setSlash] = useState<{ query: string } | null>(null);
  const [active, setActive] = useState(0);
  // A command on its way (its text stays until it worked), and why the last one did not.
  const [running, setRunning] = useState(false);
  const [commandFailure, setCommandFailure] = useState<string | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);
  // The text now, for a command's answer (which comes after it was typed).
  const current = useRef(text);
  useEffect(() => {
    current.current = text;
  }, [text]);

  useEffect(() => {
    setText(loadDraft(draftKey));
    setCommandFailure(null);
    lastTyping.current = 0;
  }, [draftKey]);

  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 200)}px`;
  }, [text]);

  const commandSuggestions = onCommand && slash ? matchCommands(commands, slash.query).slice(0, 10) : [];
  const suggestions = mention
    ? [
        ...users.filter((u) => u.username.startsWith(mention.query) || (u.display_name ?? '').toLowerCase().startsWith(mention.query)),
        ...(['channel', 'here'].filter((s) => s.startsWith(mention.query)).map((s) => ({ id: -1, username: s, display_name: `Notify everyone (${s})` })) as User[]),
      ].slice(0, 8)
    : [];
  const count = commandSuggestions.length || suggestions.length;

  const change = (value: string, caret: number) => {
    setText(value);
    saveDraft(draftKey, value);
    setMention(mentionQuery(value, caret));
    setSlash(commandQuery(value, caret));
    setActive(0);
    if (!value.trim()) setCommandFailure(null);
    if (!onTyping) return;
    if (!value.trim()) {
      if (lastTyping.current) onTyping('stop');
      lastTyping.current = 0;
    } else if (Date.now() - lastTyping.current > TYPING_REFRESH_MS) {
      onTyping('start');
      lastTyping.current = Date.now();
    }
  };

  const caretAfterRender = useRef<number | null>(null);
  useLayoutEffect(() => {
    const caret = caretAfterRender.current;
    const el = input.current;
    if (caret === null || !el) return;
    caretAfterRender.current = null;
    el.focus();
    el.setSelectionRange(caret, caret);
  });

  const insert = (start: number, end: number, value: string) => {
    const next = text.slice(0, start) + value + text.slice(end);
    change(next, start + value.length);
    setMention(null);
    setSlash(null);
    // Placed once the new text is rendered, before the next key is read (see the layout
    // effect below): a fast typist's next letters land after what was inserted.
    caretAfterRender.current = start + value.length;
  };

  const pickMention = (user: User) => {
    const caret = input.current?.selectionStart ?? text.length;
    if (mention) insert(mention.start, caret, `@${user.username} `);
  };

  const pickCommand = (command: CommandInfo) => {
    const caret = input.current?.selectionStart ?? text.length;
    insert(0, caret, `/${command.name} `);
  };

  const clear = () => {
    setText('');
    saveDraft(draftKey, '');
  };

  const send = () => {
    const content = text.trim();
    if (!content || disabled || running) return;
    setMention(null);
    setSlash(null);
    setCommandFailure(null);
    if (lastTyping.current && onTyping) onTyping('stop');
    lastTyping.current = 0;
    if (onCommand && isCommand(content)) {
      // Kept until it worked: a mistake is fixed where it was typed.
      setRunning(true);
      onCommand(content)
        .then(
          () => {
            if (current.current.trim() === content) clear();
          },
          (error: unknown) => setCommandFailure(commandError(error)),
        )
        .finally(() => setRunning(false));
      return;
    }
    clear();
    void onSend(onCommand ? unescapeSlash(content) : content);
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLTextAreaElement>) => {
    if (count) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : count - 1)) % count);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        const chosen = commandSuggestions[active];
        if (!chosen) {
          e.preventDefault();
          pickMention(suggestions[active]!);
          return;
        }
        // Tab, or Enter on part of a name, completes the command; Enter on a whole name runs it.
        if (e.key === 'Tab' || chosen.name !== slash?.query) {
          e.preventDefault();
          pickCommand(chosen);
          return;
        }
      }
      if (e.key === 'Escape') {
        e.stopPropagation();
        setMention(null);
        setSlash(null);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  const failureId = ids ? 'commandError' : `${draftKey.replace(/\W/g, '-')}-commandError`;
  return (
    <div className="composer">
      {commandSuggestions.length > 0 && (
        <ul className="mention-list command-list" role="listbox" aria-label="Commands">
          {commandSuggestions.map((c, i) => (
            <li
              key={c.name}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                pickCommand(c);
              }}
            >
              <code className="command-usage">{c.usage}</code> <span className="muted command-description">{c.description}</span>
            </li>
          ))}
        </ul>
      )}
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
      {commandFailure && (
        <p className="form-error composer-error" role="alert" id={failureId}>
          {commandFailure}
        </p>
      )}
      <div className="composer-box" aria-busy={running || undefined}>
        <textarea
          id={ids ? 'messageInput' : undefined}
          ref={input}
          rows={1}
          value={text}
          placeholder={placeholder}
          aria-label={placeholder}
          aria-describedby={commandFailure ? failureId : undefined}
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
            disabled={!text.trim() || disabled || running}
            onClick={send}
          >
            <Icon name="send" />
          </button>
        </div>
      </div>
      <div className="composer-hint muted">
        <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line · <code>**bold**</code> <code>_italic_</code> <code>`code`</code>
        {onCommand && (
          <>
            {' '}
            · <code>/</code> for commands
          </>
        )}
      </div>
    </div>
  );
}
