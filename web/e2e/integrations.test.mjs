// Bots and incoming webhooks end to end: an admin makes a bot on the admin page, a script (Node's
// fetch, not the browser) joins a channel and posts with the token shown once, and the message
// shows with the bot's badge; the admin makes an incoming webhook in the channel's settings, a
// system posts to its address with no credential at all, and once the hook is deleted in the app
// the address is refused. Run with `npm run e2e` after `npm run build` and `cargo build`.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { exact, freePort, launch, messagesWith, person, Server, shotPath, signUp, violations } from './lib.mjs';

const WAIT = { timeout: 20_000 };
let server, browser, ana, channel;

const session = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('tandem.session')));

/** What a script sees sending `body` to `url` (with the token, if any): the status and the body. */
async function send(url, body, token) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The message of the open channel whose content is exactly `text`, as a whole (header and all). */
const messageArticle = (page, text) =>
  page.locator('#messagesContainer .message:not(.pending)', { has: page.locator('.message-content').filter({ hasText: exact(text) }) });

describe('bots and incoming webhooks', () => {
  before(async () => {
    // The port is chosen first: a hook's address names the server's.
    const port = await freePort();
    server = new Server({ settings: { TANDEM_NOTIFICATIONS__BASE_URL: `http://127.0.0.1:${port}` } });
    server.port = port;
    await server.start();
    browser = await launch();
    ana = await person(browser, server.url);
    // Ana founds Acme: she is its admin.
    await signUp(ana.page, { email: 'ana@acme.test', username: 'ana', displayName: 'Ana García', organization: 'Acme' });
    channel = await server.api('POST', '/api/v1/channels', { token: (await session(ana.page)).accessToken, body: { name: 'deploys' } });
  });

  afterEach(async (t) => {
    await ana?.page.screenshot({ path: shotPath(`integrations-${t.name}`), fullPage: true }).catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
  });

  it('makes a bot on the admin page whose token posts into a channel, marked as a bot', async () => {
    const { page } = ana;
    await page.click('#userMenuButton');
    await page.getByRole('menuitem', { name: 'Administration' }).click();
    const section = page.getByRole('region', { name: 'Bots' });
    await section.getByText('No bot yet.').waitFor(WAIT);

    const form = section.getByRole('form', { name: 'Make a bot' });
    await form.getByRole('textbox', { name: 'Username' }).fill('deploy-bot');
    await form.getByRole('textbox', { name: 'Display name' }).fill('Deploy bot');
    // Ana owns it unless she picks someone else.
    assert.equal(await form.getByRole('combobox', { name: 'Owner' }).inputValue(), String((await session(page)).user.id));
    await form.getByRole('button', { name: 'Make bot' }).click();

    const secretInput = section.getByRole('textbox', { name: 'The bot’s token' });
    await secretInput.waitFor(WAIT);
    const token = await secretInput.inputValue();
    assert.match(token, /^tdm_pat_\S+$/);
    await section.getByRole('status').filter({ hasText: 'will not be shown again' }).waitFor(WAIT);
    const row = section.locator('#bots tbody tr', { hasText: '@deploy-bot' });
    await row.waitFor(WAIT);
    assert.equal(await row.locator('.bot-tag').innerText(), 'BOT');
    assert.match(await row.innerText(), /Ana García/);
    assert.match(await row.innerText(), /Active/);
    // The people of the organization count it too, as a bot.
    const people = page.locator('section.card', { has: page.getByRole('heading', { name: 'People', exact: true }) });
    await people.locator('tbody tr', { hasText: '@deploy-bot' }).locator('.bot-tag').waitFor(WAIT);
    // The form is ready for another.
    assert.equal(await form.getByRole('textbox', { name: 'Username' }).inputValue(), '');
    // The admin page, with the bots and the token shown, passes the accessibility checks.
    assert.deepEqual(await violations(page), []);

    // A script joins #deploys and posts there with the token, as the bot.
    const joined = await send(`${server.url}/api/v1/channels/${channel.id}/join`, undefined, token);
    assert.equal(joined.status, 200, JSON.stringify(joined.body));
    const sent = await send(`${server.url}/api/v1/channels/${channel.id}/messages`, { content: 'Deployed v1.2.3' }, token);
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    const bot = (await server.api('GET', '/api/v1/bots', { token: (await session(page)).accessToken })).bots.find((b) => b.username === 'deploy-bot');
    assert.equal(sent.body.user_id, bot.id);
    assert.equal(bot.is_bot, true);

    // In the channel, the message is the bot's, with its badge.
    await page.goto(`/c/${channel.id}`);
    await messagesWith(page, 'Deployed v1.2.3').waitFor(WAIT);
    const message = messageArticle(page, 'Deployed v1.2.3');
    assert.equal(await message.locator('.message-header .username').innerText(), 'Deploy bot');
    assert.equal(await message.locator('.message-header .bot-tag').innerText(), 'BOT');
    assert.deepEqual(ana.incidents, []);
  });

  it('makes an incoming webhook in the channel’s settings that posts with no credential, until it is deleted', async () => {
    const { page } = ana;
    await page.goto(`/c/${channel.id}`);
    await page.getByRole('button', { name: 'Channel settings' }).click();
    const section = page.locator('#settingsPanel').getByRole('region', { name: 'Incoming webhooks' });
    await section.getByText('No webhook posts here yet.').waitFor(WAIT);

    const form = section.getByRole('form', { name: 'Make a webhook' });
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Deploy alerts');
    await form.getByRole('button', { name: 'Make webhook' }).click();

    const addressInput = section.getByRole('textbox', { name: 'The webhook’s address' });
    await addressInput.waitFor(WAIT);
    const url = await addressInput.inputValue();
    assert.match(url, new RegExp(`^${server.url}/api/v1/hooks/tdm_hook_\\S+$`));
    const box = section.getByRole('status').filter({ hasText: 'will not be shown again' });
    assert.equal(
      await box.locator('pre').innerText(),
      `curl -X POST -H 'Content-Type: application/json' -d '{"text":"Hello from a hook"}' ${url}`,
    );
    const item = section.locator('#channelHooks li', { hasText: 'Deploy alerts' });
    await item.waitFor(WAIT);
    assert.match(await item.innerText(), /@deploy-alerts-[a-z0-9]{4}/);
    assert.match(await item.innerText(), /Never used/);
    assert.equal(await item.locator('.bot-tag').innerText(), 'BOT');
    assert.deepEqual(await violations(page), []);

    // Another system posts to the address, without any Authorization header.
    const posted = await send(url, { text: 'deployed' });
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    await messagesWith(page, 'deployed').waitFor(WAIT);
    const message = messageArticle(page, 'deployed');
    assert.equal(await message.locator('.message-header .username').innerText(), 'Deploy alerts');
    assert.equal(await message.locator('.message-header .bot-tag').innerText(), 'BOT');

    // Deleted in the app (after confirming), its address is refused at once.
    await section.getByRole('button', { name: 'Delete Deploy alerts' }).click();
    await page.getByRole('dialog', { name: 'Delete a webhook' }).getByRole('button', { name: 'Delete webhook' }).click();
    await section.getByRole('status').filter({ hasText: 'Deploy alerts was deleted' }).waitFor(WAIT);
    await section.getByText('No webhook posts here yet.').waitFor(WAIT);
    // Its address, no longer of use, is gone from the page too.
    await addressInput.waitFor({ state: 'detached', ...WAIT });
    const refused = await send(url, { text: 'deployed again' });
    assert.equal(refused.status, 404, JSON.stringify(refused.body));
    // What it posted stays.
    assert.equal(await messagesWith(page, 'deployed').count(), 1);
    assert.deepEqual(ana.incidents, []);
  });
});
