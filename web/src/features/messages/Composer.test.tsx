import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { user } from '../../test/fixtures';
import { Composer, mentionQuery } from './Composer';

const people = [user(2, 'ben', { display_name: 'Ben Ortiz' }), user(3, 'bea'), user(4, 'chloe')];

function setup(onSend = vi.fn()) {
  render(<Composer ids draftKey="channel.1" placeholder="Message #general" users={people} onSend={onSend} onTyping={vi.fn()} />);
  return { input: screen.getByRole('textbox', { name: 'Message #general' }) as HTMLTextAreaElement, onSend };
}

describe('the composer', () => {
  it('finds the @word being typed', () => {
    expect(mentionQuery('hi @be', 6)).toEqual({ start: 3, query: 'be' });
    expect(mentionQuery('mail a@b', 8)).toBeNull();
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
  });

  it('sends on Enter, keeps a newline on Shift+Enter, and clears the draft', async () => {
    const { input, onSend } = setup();
    await userEvent.type(input, 'first line{Shift>}{Enter}{/Shift}second');
    expect(input.value).toBe('first line\nsecond');
    expect(localStorage.getItem('tandem.draft.channel.1')).toBe('first line\nsecond');
    await userEvent.type(input, '{Enter}');
    expect(onSend).toHaveBeenCalledWith('first line\nsecond');
    expect(input.value).toBe('');
    expect(localStorage.getItem('tandem.draft.channel.1')).toBeNull();
  });

  it('restores the draft of its channel', () => {
    localStorage.setItem('tandem.draft.channel.1', 'half a thought');
    const { input } = setup();
    expect(input.value).toBe('half a thought');
  });

  it('suggests people to mention and inserts the one chosen with the keyboard', async () => {
    const { input, onSend } = setup();
    await userEvent.type(input, 'ask @be');
    const options = screen.getAllByRole('option').map((o) => o.textContent);
    expect(options).toEqual(['@ben Ben Ortiz', '@bea bea']);
    await userEvent.keyboard('{ArrowDown}{Enter}');
    expect(input.value).toBe('ask @bea ');
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.queryByRole('listbox')).toBeNull();
  });

  it('marks bots among the people to mention', async () => {
    const bot = user(9, 'deploy-bot', { display_name: 'Deploy bot', is_bot: true, bot_owner_id: 2 });
    render(<Composer draftKey="channel.2" placeholder="Message #deploys" users={[...people, bot]} onSend={vi.fn()} />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Message #deploys' }), '@');
    const options = screen.getAllByRole('option');
    expect(options.map((o) => o.querySelector('.bot-tag')?.textContent ?? null)).toEqual([null, null, null, 'Bot', null, null]);
    expect(options[3]!.textContent).toBe('@deploy-bot Deploy bot Bot');
  });

  it('does not send blank messages', () => {
    const { input, onSend } = setup();
    fireEvent.change(input, { target: { value: '   ' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    expect((document.getElementById('sendButton') as HTMLButtonElement).disabled).toBe(true);
  });
});
