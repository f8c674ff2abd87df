import { describe as group, expect, it } from 'vitest';
import { notification, user } from '../../test/fixtures';
import { describe, notificationTarget } from './describe';
import { shouldAnnounce, type Surroundings } from './desktop';

const users = new Map([
  [1, user(1, 'ana', { display_name: 'Ana García' })],
  [2, user(2, 'ben', { display_name: 'Ben Ortiz' })],
]);

group('how a notification reads', () => {
  it('names who, what and where', () => {
    expect(describe(notification(1), 1, users)).toMatchObject({ who: 'Ben Ortiz', what: 'mentioned you in #general', title: 'Ben Ortiz mentioned you in #general', body: 'Hey @ana, about 1' });
    expect(describe(notification(1, { kind: 'thread_reply' }), 1, users).title).toBe('Ben Ortiz replied in a thread in #general');
  });

  it('says a direct conversation by the person, not by its stored name', () => {
    const n = notification(1, { kind: 'new_message', channel_name: 'dm-1-2' });
    expect(describe(n, 1, users).title).toBe('Ben Ortiz sent you a message');
  });

  it('tells an invitation by the channel, and who sent it', () => {
    const n = notification(1, { kind: 'channel_invite', channel_name: 'leads', message_id: null, seq: null, excerpt: null });
    expect(describe(n, 1, users)).toMatchObject({ who: null, title: 'You were added to #leads', body: 'by Ben Ortiz' });
  });

  it('has a sentence for what comes from nobody in particular', () => {
    expect(describe(notification(1, { kind: 'moderation', sender: null, channel_id: null, channel_name: null }), 1, users).title).toBe(
      'A moderator acted on your account or messages',
    );
    expect(describe(notification(1, { kind: 'mention', sender: null }), 1, users).title).toBe('Someone mentioned you in #general');
  });
});

group('where a notification leads', () => {
  it('to its message in the channel, or in its thread for a reply', () => {
    expect(notificationTarget(notification(1, { message_id: 7, seq: 40 }))).toEqual({ channelId: 1, message: { id: 7, seq: 40, reply_to_id: null } });
    expect(notificationTarget(notification(1, { message_id: 8, thread_root_id: 7 }))).toEqual({ channelId: 1, message: { id: 8, seq: 21, reply_to_id: 7 } });
    expect(notificationTarget(notification(1, { message_id: null, seq: null }))).toEqual({ channelId: 1 });
    expect(notificationTarget(notification(1, { channel_id: null }))).toBeNull();
  });
});

group('browser notifications', () => {
  const away: Surroundings = { desktopEnabled: true, permission: 'granted', hidden: true, openChannelId: 1 };
  it('show what arrives while the tab is hidden, or for another channel', () => {
    expect(shouldAnnounce(notification(1), away)).toBe(true);
    expect(shouldAnnounce(notification(1, { channel_id: 2 }), { ...away, hidden: false })).toBe(true);
  });
  it('stay silent for the channel on screen, quiet ones, and without permission or the setting', () => {
    expect(shouldAnnounce(notification(1), { ...away, hidden: false })).toBe(false);
    expect(shouldAnnounce(notification(1, { quiet: true }), away)).toBe(false);
    expect(shouldAnnounce(notification(1), { ...away, permission: 'default' })).toBe(false);
    expect(shouldAnnounce(notification(1), { ...away, desktopEnabled: false })).toBe(false);
    expect(shouldAnnounce(notification(1, { read_at: '2026-11-20T09:00:00Z' }), away)).toBe(false);
  });
});
