import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { channel, member, user } from '../test/fixtures';
import { can, canMute, channelStanding, mutedUntil, postingBlock, RULES, standing, type ChannelAction, type Standing } from './channelAccess';
import type { ChannelRole, Role } from './types';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const LATER = '2026-11-20T13:00:00Z';
const EARLIER = '2026-11-20T11:00:00Z';
const person = (role: Role = 'member', id = 1) => ({ id, role });

describe('standing in a channel', () => {
  it('is the higher of the channel role and what the organization role gives', () => {
    const cases: [Role, ChannelRole | null, Standing][] = [
      ['member', null, 'reader'],
      ['member', 'member', 'member'],
      ['member', 'moderator', 'moderator'],
      ['member', 'admin', 'admin'],
      ['moderator', null, 'moderator'],
      ['moderator', 'member', 'moderator'],
      ['moderator', 'admin', 'admin'],
      ['admin', null, 'admin'],
      ['admin', 'member', 'admin'],
    ];
    for (const [org, role, expected] of cases) expect(standing(org, role), `${org} + ${role}`).toBe(expected);
  });

  it('reads the caller’s role from the channel, and none when not a member', () => {
    expect(channelStanding(channel(1, { role: 'moderator' }), person())).toBe('moderator');
    expect(channelStanding(channel(1, { is_member: false, role: null }), person())).toBe('reader');
    expect(channelStanding(channel(1, { is_member: false, role: null }), person('moderator'))).toBe('moderator');
    // A member whose role the answer leaves out is a plain member.
    expect(channelStanding(channel(1, { role: undefined }), person())).toBe('member');
  });
});

describe('what the caller may do', () => {
  const may = (extra: Parameters<typeof channel>[1], action: ChannelAction, role: Role = 'member') => can(channel(1, extra), person(role), action, NOW);

  it('lets members post, react and pin in an ordinary channel; admins alone manage it', () => {
    expect(may({}, 'post')).toBe(true);
    expect(may({}, 'react')).toBe(true);
    expect(may({}, 'pin')).toBe(true);
    expect(may({}, 'manage')).toBe(false);
    expect(may({}, 'assign_roles')).toBe(false);
    expect(may({}, 'delete_others_messages')).toBe(false);
    expect(may({ role: 'moderator' }, 'delete_others_messages')).toBe(true);
    expect(may({ role: 'moderator' }, 'manage')).toBe(false);
    expect(may({ role: 'admin' }, 'manage')).toBe(true);
    expect(may({ role: 'admin' }, 'assign_roles')).toBe(true);
  });

  it('lets only admins post in an announcement channel, moderators pin, and everyone react', () => {
    const ro = { read_only: true };
    expect(may(ro, 'post')).toBe(false);
    expect(may({ ...ro, role: 'moderator' }, 'post')).toBe(false);
    expect(may({ ...ro, role: 'admin' }, 'post')).toBe(true);
    expect(may(ro, 'post', 'admin')).toBe(true);
    expect(may(ro, 'post', 'moderator')).toBe(false);
    expect(may(ro, 'react')).toBe(true);
    expect(may(ro, 'pin')).toBe(false);
    expect(may({ ...ro, role: 'moderator' }, 'pin')).toBe(true);
    expect(may(ro, 'pin', 'moderator')).toBe(true);
  });

  it('keeps someone muted here from posting, reacting and pinning until the mute ends', () => {
    const muted = { posting_muted_until: LATER };
    expect(may(muted, 'post')).toBe(false);
    expect(may(muted, 'react')).toBe(false);
    expect(may(muted, 'pin')).toBe(false);
    expect(may({ ...muted, role: 'admin' }, 'manage')).toBe(true);
    const over = { posting_muted_until: EARLIER };
    expect(may(over, 'post')).toBe(true);
    expect(may(over, 'react')).toBe(true);
    expect(mutedUntil(channel(1, muted), NOW)?.toISOString()).toBe('2026-11-20T13:00:00.000Z');
    expect(mutedUntil(channel(1, over), NOW)).toBeNull();
  });

  it('asks non-members to join first, except organization admins adding people', () => {
    const outside = { is_member: false, role: null };
    expect(may(outside, 'post')).toBe(false);
    expect(may(outside, 'react', 'admin')).toBe(false);
    expect(may(outside, 'add_members')).toBe(false);
    expect(may(outside, 'add_members', 'admin')).toBe(true);
    expect(may(outside, 'manage', 'admin')).toBe(true);
    expect(may(outside, 'delete_others_messages', 'moderator')).toBe(true);
  });

  it('leaves archived channels to reading and their admins', () => {
    const archived = { is_archived: true };
    expect(may(archived, 'post')).toBe(false);
    expect(may(archived, 'react')).toBe(false);
    expect(may({ ...archived, role: 'moderator' }, 'mute_members')).toBe(false);
    expect(may({ ...archived, role: 'admin' }, 'manage')).toBe(true);
    expect(may({ ...archived, role: 'admin' }, 'assign_roles')).toBe(true);
  });

  it('keeps direct conversations to their fixed members, with no roles to give', () => {
    const direct = { type: 'direct' as const };
    expect(may(direct, 'post')).toBe(true);
    expect(may({ ...direct, role: 'admin' }, 'assign_roles')).toBe(false);
    expect(may(direct, 'manage', 'admin')).toBe(false);
    expect(may(direct, 'mute_members', 'admin')).toBe(false);
    expect(may(direct, 'add_members')).toBe(false);
  });
});

describe('muting members', () => {
  const here = (role: ChannelRole, extra = {}) => channel(1, { role, ...extra });
  const ben = (role: ChannelRole, org: Role = 'member') => member(user(2, 'ben', { role: org }), role);

  it('is for moderators and admins, over people with less say, never oneself', () => {
    expect(canMute(here('member'), person(), ben('member'), NOW)).toBe(false);
    expect(canMute(here('moderator'), person(), ben('member'), NOW)).toBe(true);
    expect(canMute(here('moderator'), person(), ben('moderator'), NOW)).toBe(false);
    expect(canMute(here('moderator'), person(), ben('admin'), NOW)).toBe(false);
    expect(canMute(here('admin'), person(), ben('moderator'), NOW)).toBe(true);
    expect(canMute(here('admin'), person(), ben('admin'), NOW)).toBe(false);
    // Organization roles count on both sides.
    expect(canMute(here('admin'), person(), ben('member', 'admin'), NOW)).toBe(false);
    expect(canMute(here('member'), person('moderator'), ben('member'), NOW)).toBe(true);
    expect(canMute(here('member'), person('moderator'), ben('member', 'moderator'), NOW)).toBe(false);
    expect(canMute(here('admin'), person('member', 2), ben('member'), NOW)).toBe(false);
  });

  it('is allowed while muted oneself, not in an archived channel', () => {
    expect(canMute(here('moderator', { posting_muted_until: LATER }), person(), ben('member'), NOW)).toBe(true);
    expect(canMute(here('admin', { is_archived: true }), person(), ben('member'), NOW)).toBe(false);
  });
});

describe('the notice instead of the composer', () => {
  const block = (extra: Parameters<typeof channel>[1], role: Role = 'member') => postingBlock(channel(1, extra), person(role), NOW);

  it('says why: archived first, then a mute here, then an announcement channel', () => {
    expect(block({})).toBeNull();
    expect(block({ is_archived: true, read_only: true, posting_muted_until: LATER })).toEqual({ kind: 'archived' });
    expect(block({ read_only: true, posting_muted_until: LATER })).toEqual({ kind: 'muted', until: new Date(LATER) });
    expect(block({ posting_muted_until: EARLIER })).toBeNull();
    expect(block({ read_only: true })).toEqual({ kind: 'read_only', member: true });
    expect(block({ read_only: true, role: 'moderator' })).toEqual({ kind: 'read_only', member: true });
    expect(block({ read_only: true, is_member: false, role: null })).toEqual({ kind: 'read_only', member: false });
    expect(block({ read_only: true, role: 'admin' })).toBeNull();
    expect(block({ read_only: true }, 'admin')).toBeNull();
  });
});

describe('the rules table', () => {
  it('is the one docs/permissions.md prints from the server’s rules', () => {
    const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../../docs/permissions.md'), 'utf8');
    const rows = doc
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| action'))
      .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
    const yes = (b: boolean) => (b ? 'yes' : 'no');
    const presence = { anyone: 'no', members: 'yes', members_or_admins: 'yes, unless admin' };
    const ours = Object.entries(RULES).map(([action, r]) => [
      action,
      r.least,
      r.leastWhenReadOnly,
      presence[r.presence],
      yes(r.whileArchived),
      yes(r.whileMuted),
      yes(r.inDirect),
    ]);
    expect(rows).toEqual(ours);
  });
});
