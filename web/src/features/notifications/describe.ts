// How a stored notification reads (in the centre and in a browser notification), and where it
// leads.
import { directName, displayName } from '../../lib/directory';
import type { User } from '../../lib/types';
import type { Notification } from './api';

/** A direct conversation's stored name is `dm-<id>-<id>`. */
const isDirect = (name?: string | null) => !!name && /^dm-\d+(-\d+)*$/.test(name);

/** Where the notification happened, as people say it: `#general`, or the other people of a conversation. */
export function placeName(n: Notification, me: number, users: Map<number, User>): string | null {
  if (!n.channel_name) return null;
  return isDirect(n.channel_name) ? directName(n.channel_name, me, users) : `#${n.channel_name}`;
}

export interface Description {
  /** Who did it, shown first and strong; null when the sentence has no actor. */
  who: string | null;
  /** The rest of the sentence, after `who`. */
  what: string;
  /** The whole sentence (browser notifications). */
  title: string;
  /** The excerpt, or for an invitation who sent it. */
  body: string;
}

export function describe(n: Notification, me: number, users: Map<number, User>): Description {
  const sender = n.sender ? displayName(n.sender) : null;
  const direct = isDirect(n.channel_name);
  const place = placeName(n, me, users);
  const where = place && !direct ? ` in ${place}` : '';
  let who = sender;
  let what: string;
  switch (n.kind) {
    case 'mention':
      what = `mentioned you${where}`;
      break;
    case 'new_message':
      what = direct ? 'sent you a message' : `posted${where}`;
      break;
    case 'thread_reply':
      what = `replied in a thread${where}`;
      break;
    case 'report_opened':
      what = `reported a message${where}`;
      break;
    case 'channel_invite':
      who = null;
      what = `You were added to ${place ?? 'a channel'}`;
      break;
    case 'message_held':
      who = null;
      what = sender ? `A message by ${sender}${where} is held for review` : `A message${where} is held for review`;
      break;
    case 'moderation':
      who = null;
      what = 'A moderator acted on your account or messages';
      break;
  }
  if (!who && !sender && ['mention', 'new_message', 'thread_reply', 'report_opened'].includes(n.kind)) what = `Someone ${what}`;
  const title = who ? `${who} ${what}` : what;
  const body = n.kind === 'channel_invite' ? (sender ? `by ${sender}` : '') : (n.excerpt ?? '');
  return { who, what, title, body };
}

/** What a notification opens: its channel, at its message (in its thread for a reply). */
export interface Target {
  channelId: number;
  message?: { id: number; seq: number | null; reply_to_id: number | null };
}

export function notificationTarget(n: Notification): Target | null {
  if (n.channel_id == null) return null;
  if (n.message_id == null) return { channelId: n.channel_id };
  const reply = n.thread_root_id != null && n.thread_root_id !== n.message_id ? n.thread_root_id : null;
  return { channelId: n.channel_id, message: { id: n.message_id, seq: n.seq ?? null, reply_to_id: reply } };
}
