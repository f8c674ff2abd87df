import type { User } from '../../lib/types';
import type { TypingPerson } from './useConversation';

export function typingText(people: TypingPerson[], users: Map<number, User>): string {
  const names = people.map((p) => users.get(p.userId)?.display_name || p.username);
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}

export function TypingIndicator({ people, users }: { people: TypingPerson[]; users: Map<number, User> }) {
  const text = typingText(people, users);
  return (
    <div id="typingIndicator" className="typing-indicator" aria-live="polite">
      {text && (
        <>
          <span className="typing-dots" aria-hidden>
            <i />
            <i />
            <i />
          </span>
          {text}
        </>
      )}
    </div>
  );
}
