import { useEffect, useRef } from 'react';

export const EMOJI = [
  '👍', '👎', '😀', '😂', '🙂', '😉', '😍', '🤔', '😅', '😢', '😮', '😡',
  '🎉', '🙌', '👏', '🙏', '💪', '👀', '✅', '❌', '🔥', '🚀', '💯', '❤️',
  '⭐', '⚡', '🐛', '📌', '📎', '☕', '🍕', '🌮', '👋', '🤝', '💡', '⏰',
];

/** A grid of emoji buttons; Esc or a click elsewhere closes it. */
export function EmojiPicker({ onPick, onClose, label = 'Emoji' }: { onPick: (emoji: string) => void; onClose: () => void; label?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector('button')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onClose();
      }
    };
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    document.addEventListener('keydown', onKey, true);
    document.addEventListener('mousedown', onDown);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      document.removeEventListener('mousedown', onDown);
    };
  }, [onClose]);
  return (
    <div className="emoji-picker" role="dialog" aria-label={label} ref={ref}>
      {EMOJI.map((e) => (
        <button key={e} type="button" className="emoji-option" onClick={() => onPick(e)} aria-label={`Emoji ${e}`}>
          {e}
        </button>
      ))}
    </div>
  );
}
