import { act, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../lib/errors';
import { user } from '../../test/fixtures';
import type { CommandInfo } from './commands';
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

const commands: CommandInfo[] = [
  { name: 'me', usage: '/me <action>', description: 'Posts the action in italics', built_in: true },
  { name: 'shrug', usage: '/shrug [message]', description: 'Posts the message followed by a shrug', built_in: true },
  { name: 'mute', usage: '/mute', description: 'Mutes the channel for you', built_in: true },
  { name: 'help', usage: '/help', description: 'Lists the commands', built_in: true },
  { name: 'deploy', usage: '/deploy [text]', description: 'Deploy a service', built_in: false },
];

function setupCommands(onCommand: (text: string) => Promise<void> = vi.fn(async () => {})) {
  const onSend = vi.fn();
  render(
    <Composer ids draftKey="channel.1" placeholder="Message #general" users={people} onSend={onSend} onTyping={vi.fn()} onCommand={onCommand} commands={commands} />,
  );
  return { input: screen.getByRole('textbox', { name: 'Message #general' }) as HTMLTextAreaElement, onSend, onCommand };
}

const options = () => screen.getAllByRole('option').map((o) => o.textContent);

describe('slash commands in the composer', () => {
  it('suggests commands, with their usage and description, narrowed as the name is typed', async () => {
    const { input } = setupCommands();
    await userEvent.type(input, '/');
    expect(screen.getByRole('listbox', { name: 'Commands' })).toBeTruthy();
    expect(options()).toEqual([
      '/me <action> Posts the action in italics',
      '/shrug [message] Posts the message followed by a shrug',
      '/mute Mutes the channel for you',
      '/help Lists the commands',
      '/deploy [text] Deploy a service',
    ]);
    await userEvent.type(input, 'm');
    expect(options()).toEqual(['/me <action> Posts the action in italics', '/mute Mutes the channel for you']);
    // Past the name, or escaped with `//`, nothing is suggested.
    await userEvent.type(input, 'e ');
    expect(screen.queryByRole('listbox')).toBeNull();
    await userEvent.clear(input);
    await userEvent.type(input, '//');
    expect(screen.queryByRole('listbox')).toBeNull();
    await userEvent.clear(input);
    await userEvent.type(input, '/zzz');
    expect(screen.queryByRole('listbox')).toBeNull();
  });

  it('completes the command chosen with the keyboard, and Escape closes the list', async () => {
    const { input, onCommand, onSend } = setupCommands();
    await userEvent.type(input, '/m');
    const [first, second] = screen.getAllByRole('option');
    expect(first!.getAttribute('aria-selected')).toBe('true');
    await userEvent.keyboard('{ArrowDown}');
    expect(second!.getAttribute('aria-selected')).toBe('true');
    expect(first!.getAttribute('aria-selected')).toBe('false');
    await userEvent.keyboard('{ArrowDown}');
    expect(first!.getAttribute('aria-selected')).toBe('true');
    await userEvent.keyboard('{ArrowUp}{Enter}');
    expect(input.value).toBe('/mute ');
    expect(screen.queryByRole('listbox')).toBeNull();

    await userEvent.clear(input);
    await userEvent.type(input, '/sh{Tab}');
    expect(input.value).toBe('/shrug ');
    await userEvent.clear(input);
    await userEvent.type(input, '/de');
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(input.value).toBe('/de');
    expect(onCommand).not.toHaveBeenCalled();
    expect(onSend).not.toHaveBeenCalled();
  });

  it('picks a command with the mouse', async () => {
    const { input } = setupCommands();
    await userEvent.type(input, '/');
    fireEvent.mouseDown(screen.getAllByRole('option')[3]!);
    expect(input.value).toBe('/help ');
  });

  it('runs a command instead of posting it, and clears the box once it worked', async () => {
    let done!: () => void;
    const onCommand = vi.fn(() => new Promise<void>((resolve) => (done = resolve)));
    const { input, onSend } = setupCommands(onCommand);
    await userEvent.type(input, '/shrug it works{Enter}');
    expect(onCommand).toHaveBeenCalledWith('/shrug it works');
    expect(onSend).not.toHaveBeenCalled();
    // Until it answers, the text stays and is not sent twice.
    expect(input.value).toBe('/shrug it works');
    expect((document.getElementById('sendButton') as HTMLButtonElement).disabled).toBe(true);
    await userEvent.type(input, '{Enter}');
    expect(onCommand).toHaveBeenCalledTimes(1);
    await act(async () => done());
    expect(input.value).toBe('');
    expect(localStorage.getItem('tandem.draft.channel.1')).toBeNull();
  });

  it('runs a command typed in full on Enter, though it is suggested', async () => {
    const { input, onCommand } = setupCommands();
    await userEvent.type(input, '/help');
    expect(options()).toEqual(['/help Lists the commands']);
    await userEvent.keyboard('{Enter}');
    expect(onCommand).toHaveBeenCalledWith('/help');
  });

  it('posts a message starting with // without its first slash', async () => {
    const { input, onSend, onCommand } = setupCommands();
    await userEvent.type(input, '//etc/hosts is the file{Enter}');
    expect(onSend).toHaveBeenCalledWith('/etc/hosts is the file');
    expect(onCommand).not.toHaveBeenCalled();
    expect(input.value).toBe('');
    // A lone slash, or one followed by a space, is text too.
    await userEvent.type(input, '/ not a command{Enter}');
    expect(onSend).toHaveBeenLastCalledWith('/ not a command');
    expect(onCommand).not.toHaveBeenCalled();
  });

  it('keeps the text when the command is refused, and says why by the composer', async () => {
    const onCommand = vi.fn(async (text: string) => {
      if (text === '/me') {
        throw new ApiError(422, {
          code: 'validation_failed',
          message: 'text: usage: /me <action>',
          details: [{ field: 'text', code: 'missing_arguments', message: 'usage: /me <action>' }],
        });
      }
    });
    const { input, onSend } = setupCommands(onCommand);
    await userEvent.type(input, '/me{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Usage: /me <action>.');
    expect(input.value).toBe('/me');
    expect(input.getAttribute('aria-describedby')).toBe(alert.id);
    expect(onSend).not.toHaveBeenCalled();

    // Fixed and run again: the refusal goes, and so does the text.
    await userEvent.type(input, ' waves{Enter}');
    expect(onCommand).toHaveBeenLastCalledWith('/me waves');
    await vi.waitFor(() => expect(input.value).toBe(''));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(input.getAttribute('aria-describedby')).toBeNull();
  });

  it('says a refusal without details as the server put it', async () => {
    const { input } = setupCommands(async () => {
      throw new ApiError(403, { code: 'forbidden', message: 'only channel admins change the topic here' });
    });
    await userEvent.type(input, '/topic Launch week{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe('Only channel admins change the topic here.');
    expect(input.value).toBe('/topic Launch week');
  });

  it('posts slash text as typed where commands do not run (a thread)', async () => {
    const { input, onSend } = setup();
    await userEvent.type(input, '/shrug{Enter}');
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(onSend).toHaveBeenCalledWith('/shrug');
  });
});
