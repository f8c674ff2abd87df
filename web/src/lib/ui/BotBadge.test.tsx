import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { user } from '../../test/fixtures';
import { BotBadge, botSuffix } from './BotBadge';

describe('the bot badge', () => {
  it('marks bots, and nobody else', () => {
    const { container, rerender } = render(<BotBadge user={user(5, 'deploy-bot', { is_bot: true, bot_owner_id: 1 })} />);
    const badge = container.querySelector('.bot-tag')!;
    // Read as a word, shown in capitals ("BOT") by its style.
    expect(badge.textContent).toBe('Bot');
    expect(badge.classList.contains('status-tag')).toBe(true);
    expect(badge.getAttribute('title')).toMatch(/run by a program/);
    rerender(<BotBadge user={user(1, 'ana')} />);
    expect(container.innerHTML).toBe('');
    rerender(<BotBadge user={undefined} />);
    expect(container.innerHTML).toBe('');
  });

  it('says it in words where only text fits', () => {
    expect(botSuffix(user(5, 'deploy-bot', { is_bot: true }))).toBe(' · bot');
    expect(botSuffix(user(1, 'ana'))).toBe('');
  });
});
