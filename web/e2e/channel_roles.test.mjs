// Channel roles and announcement channels end to end, three people in three browser contexts:
// Ana makes an announcement channel, where Ben and Cleo read and react but see a notice instead
// of the composer; Ana makes Ben a moderator (his screen shows it at once, by `member_updated`),
// turns the announcement off (both composers come back), and Ben mutes Cleo for an hour and
// lifts it again, each change reaching Cleo's screen without a reload.
// Run with `npm run e2e` after `npm run build` and `cargo build`.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { exact, launch, messagesWith, person, send, Server, shotPath, signUp, violations } from './lib.mjs';

const WAIT = { timeout: 20_000 };
const READ_ONLY = 'Only channel admins post in this announcement channel. You can still react.';
const MUTED = /^A moderator muted you in this channel until /;
let server, browser, ana, ben, cleo;

const notice = (p) => p.page.locator('.chat-main .posting-note');
const composer = (p) => p.page.locator('#messageInput');
/** A member's row in the open details panel. */
const memberRow = (p, name) => p.page.locator('#infoPanel .member-list li').filter({ hasText: name });

async function openDetails(p) {
  await p.page.getByRole('button', { name: 'Channel details' }).click();
  await p.page.locator('#infoPanel .member-list li').first().waitFor(WAIT);
}

async function join(p, channel) {
  await p.page.getByRole('button', { name: 'Browse channels' }).click();
  await p.page.getByRole('button', { name: `Join ${channel}` }).click();
  await p.page.locator('#channelName', { hasText: channel }).waitFor(WAIT);
  await p.page.locator('.connection[data-state="open"]').waitFor({ ...WAIT, state: 'attached' });
}

/** axe's findings on the page as it is now; none are allowed. */
async function accessible(p, screen) {
  assert.deepEqual(await violations(p.page), [], `${screen} (${p.name})`);
}

describe('channel roles and announcement channels', () => {
  before(async () => {
    server = new Server();
    await server.start();
    browser = await launch();
    ana = { name: 'Ana', ...(await person(browser, server.url)) };
    // Ben's screens are checked in the dark theme, the others' in the light one.
    ben = { name: 'Ben', ...(await person(browser, server.url, { colorScheme: 'dark' })) };
    cleo = { name: 'Cleo', ...(await person(browser, server.url)) };
    await signUp(ana.page, { email: 'ana@acme.test', username: 'ana', displayName: 'Ana García', organization: 'Acme' });
    await signUp(ben.page, { email: 'ben@acme.test', username: 'ben', displayName: 'Ben Ortiz' });
    await signUp(cleo.page, { email: 'cleo@acme.test', username: 'cleo', displayName: 'Cleo Marín' });
  });

  afterEach(async (t) => {
    for (const p of [ana, ben, cleo]) await p?.page.screenshot({ path: shotPath(`roles-${p.name}-${t.name}`) }).catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
  });

  it('makes an announcement channel where only its admins have a composer', async () => {
    await ana.page.getByRole('button', { name: 'Create a channel' }).click();
    await ana.page.fill('#newChannelName', 'news');
    await ana.page.getByRole('checkbox', { name: /Announcement channel/ }).check();
    await ana.page.click('#createChannelButton');
    await ana.page.locator('#channelName', { hasText: 'news' }).waitFor(WAIT);
    await ana.page.locator('#announcementTag').waitFor(WAIT);
    await ana.page.locator('.connection[data-state="open"]').waitFor({ ...WAIT, state: 'attached' });
    await send(ana.page, 'The office is closed on Friday');
    await messagesWith(ana.page, 'The office is closed on Friday').waitFor(WAIT);

    for (const p of [ben, cleo]) {
      await join(p, 'news');
      await p.page.locator('#announcementTag').waitFor(WAIT);
      await notice(p).filter({ hasText: READ_ONLY }).waitFor(WAIT);
      assert.equal(await composer(p).count(), 0, `no composer for ${p.name}`);
      await messagesWith(p.page, 'The office is closed on Friday').waitFor(WAIT);
    }
    await accessible(ben, 'announcement channel');
  });

  it('lets everyone react there, and shows the roles in the members list', async () => {
    const target = ben.page.locator('#messagesContainer .message').filter({ has: ben.page.locator('.message-content').filter({ hasText: exact('The office is closed on Friday') }) });
    await target.hover();
    assert.equal(await target.getByRole('button', { name: 'Pin message' }).count(), 0, 'pinning is for moderators here');
    await target.getByRole('button', { name: 'Add reaction' }).click();
    await ben.page.getByRole('button', { name: 'Emoji 🎉' }).click();
    await ana.page.locator('#messagesContainer .reaction', { hasText: '🎉' }).waitFor(WAIT);

    await openDetails(ana);
    await memberRow(ana, 'Ana García').locator('.role-tag', { hasText: 'Admin' }).waitFor(WAIT);
    await memberRow(ana, 'Cleo Marín').waitFor(WAIT);
    await openDetails(ben);
    await memberRow(ben, 'Ana García').locator('.role-tag', { hasText: 'Admin' }).waitFor(WAIT);
    assert.equal(await ben.page.getByRole('button', { name: /^Manage / }).count(), 0, 'a plain member changes nobody');
  });

  it('makes Ben a moderator: his screen shows it live, with muting for those below him', async () => {
    await ana.page.getByRole('button', { name: 'Manage Ben Ortiz' }).click();
    await accessible(ana, 'member menu');
    await ana.page.getByRole('menuitemradio', { name: /^Moderator/ }).click();
    await memberRow(ana, 'Ben Ortiz').locator('.role-tag', { hasText: 'Moderator' }).waitFor(WAIT);

    // No reload on Ben's side: the `member_updated` frame brings his role and what it lets him do.
    await memberRow(ben, 'Ben Ortiz').locator('.role-tag', { hasText: 'Moderator' }).waitFor(WAIT);
    await ben.page.getByRole('button', { name: 'Manage Cleo Marín' }).waitFor(WAIT);
    assert.equal(await ben.page.getByRole('button', { name: 'Manage Ana García' }).count(), 0, 'nobody mutes an admin');
    // Still no composer: announcement channels take posts from their admins only.
    await notice(ben).filter({ hasText: READ_ONLY }).waitFor(WAIT);
    await accessible(ben, 'members as a moderator');
  });

  it('turns the announcement off: everyone’s composer comes back', async () => {
    await ana.page.getByRole('button', { name: 'Channel settings' }).click();
    const toggle = ana.page.getByRole('checkbox', { name: /Announcement channel/ });
    assert.equal(await toggle.isChecked(), true);
    await accessible(ana, 'channel settings');
    await toggle.uncheck();
    await ana.page.locator('#settingsPanel [role="status"]', { hasText: 'Saved.' }).waitFor(WAIT);
    for (const p of [ben, cleo]) {
      await composer(p).waitFor(WAIT);
      await p.page.locator('#announcementTag').waitFor({ ...WAIT, state: 'detached' });
      assert.equal(await notice(p).count(), 0);
    }
    await send(cleo.page, 'Can we still come in on Friday?');
    await messagesWith(ana.page, 'Can we still come in on Friday?').waitFor(WAIT);
  });

  it('lets the moderator mute Cleo for an hour: her composer gives way to a notice, until he lifts it', async () => {
    await ben.page.getByRole('button', { name: 'Manage Cleo Marín' }).click();
    await ben.page.getByRole('menuitem', { name: 'Mute for 1 hour' }).click();
    await memberRow(ben, 'Cleo Marín').locator('.member-muted', { hasText: /^Muted until / }).waitFor(WAIT);
    await accessible(ben, 'a muted member');

    await notice(cleo).filter({ hasText: MUTED }).waitFor(WAIT);
    assert.equal(await composer(cleo).count(), 0, 'no composer while muted');
    const target = cleo.page.locator('#messagesContainer .message').filter({ hasText: 'The office is closed on Friday' });
    await target.hover();
    assert.equal(await target.getByRole('button', { name: 'Add reaction' }).count(), 0, 'no reacting while muted');
    await accessible(cleo, 'muted');
    // Ben's own composer is untouched.
    await composer(ben).waitFor(WAIT);

    await ben.page.getByRole('button', { name: 'Manage Cleo Marín' }).click();
    await ben.page.getByRole('menuitem', { name: 'Unmute' }).click();
    await memberRow(ben, 'Cleo Marín').locator('.member-muted').waitFor({ ...WAIT, state: 'detached' });
    await composer(cleo).waitFor(WAIT);
    await send(cleo.page, 'Thanks, see you Monday');
    await messagesWith(ben.page, 'Thanks, see you Monday').waitFor(WAIT);
  });

  it('raised no dialog, page error or blocked resource in any browser', () => {
    for (const p of [ana, ben, cleo]) assert.deepEqual(p.incidents, [], p.name);
  });
});
