import type { User } from '../types';

/**
 * The tag after the name of a bot, an account run by a program (shown as "BOT", read as "Bot");
 * nothing for people.
 */
export function BotBadge({ user }: { user?: Pick<User, 'is_bot'> | null }) {
  return user?.is_bot ? (
    <span className="status-tag bot-tag" title="A bot: this account is run by a program">
      Bot
    </span>
  ) : null;
}

/** " · bot" after a bot's name where only text fits (the options of a `<select>`); "" for people. */
export function botSuffix(user: Pick<User, 'is_bot'>): string {
  return user.is_bot ? ' · bot' : '';
}
