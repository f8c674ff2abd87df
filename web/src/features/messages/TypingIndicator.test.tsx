import { describe, expect, it } from 'vitest';
import { user } from '../../test/fixtures';
import { typingText } from './TypingIndicator';

const users = new Map([[2, user(2, 'ana', { display_name: 'Ana' })]]);
const who = (userId: number, username: string) => ({ userId, username, until: 0 });

describe('the typing line', () => {
  it('names one, two, then several people', () => {
    expect(typingText([], users)).toBe('');
    expect(typingText([who(2, 'ana')], users)).toBe('Ana is typing…');
    expect(typingText([who(2, 'ana'), who(3, 'ben')], users)).toBe('Ana and ben are typing…');
    expect(typingText([who(2, 'ana'), who(3, 'ben'), who(4, 'cy')], users)).toBe('Several people are typing…');
  });
});
