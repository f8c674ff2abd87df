// End to end: two people in two browser contexts against the real server (fresh embedded
// database, free port). Run with `npm run e2e` after `npm run build` and `cargo build`.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { send as sendText, exact, launch, messagesWith, person, Server, shotPath, signUp } from './lib.mjs';

const send = (p, text) => sendText(p.page, text);

const WAIT = { timeout: 20_000 };
let server, browser, ana, ben;

/** The `.message` element (not pending) whose content is exactly `text`. */
const message = (p, text) =>
  p.page.locator('#messagesContainer .message:not(.pending)').filter({ has: p.page.locator('.message-content').filter({ hasText: exact(text) }) });

async function exactlyOnce(p, text) {
  await messagesWith(p.page, text).first().waitFor(WAIT);
  assert.equal(await messagesWith(p.page, text).count(), 1, `"${text}" shows once for ${p.name}`);
}

describe('two people chatting', () => {
  before(async () => {
    server = new Server();
    await server.start();
    browser = await launch();
    ana = { name: 'Ana', ...(await person(browser, server.url)) };
    ben = { name: 'Ben', ...(await person(browser, server.url)) };
    await signUp(ana.page, { email: 'ana@acme.test', username: 'ana', displayName: 'Ana García', organization: 'Acme' });
    await signUp(ben.page, { email: 'ben@acme.test', username: 'ben', displayName: 'Ben Ortiz' });

    // Ana creates #general; Ben finds it and joins.
    await ana.page.getByRole('button', { name: 'Create a channel' }).click();
    await ana.page.fill('#newChannelName', 'general');
    await ana.page.click('#createChannelButton');
    await ana.page.locator('#channelName', { hasText: 'general' }).waitFor(WAIT);
    await ben.page.getByRole('button', { name: 'Browse channels' }).click();
    await ben.page.getByRole('button', { name: 'Join general' }).click();
    await ben.page.locator('#channelName', { hasText: 'general' }).waitFor(WAIT);
    for (const p of [ana, ben]) await p.page.locator('.connection[data-state="open"]').waitFor({ ...WAIT, state: 'attached' });
  });

  // What each browser showed at the end of each test, for failures (in the temp directory).
  afterEach(async (t) => {
    for (const p of [ana, ben]) await p?.page.screenshot({ path: shotPath(`${t.name}-${p.name}`) }).catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
  });

  it('delivers messages both ways without a reload', async () => {
    await send(ana, 'Hello from Ana');
    await exactlyOnce(ben, 'Hello from Ana');
    await ben.page.fill('#messageInput', 'Hi Ana, Ben here');
    await ben.page.click('#sendButton');
    await exactlyOnce(ana, 'Hi Ana, Ben here');
    await exactlyOnce(ben, 'Hi Ana, Ben here');
    assert.equal(await ana.page.locator('#messagesContainer .message.pending').count(), 0);
  });

  it('delivers quickly: send on one screen to display on the other', async (t) => {
    const times = [];
    for (let n = 1; n <= 10; n++) {
      const text = `Latency probe ${n}`;
      const start = performance.now();
      await send(ana, text);
      await messagesWith(ben.page, text).waitFor(WAIT);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const median = (times[4] + times[5]) / 2;
    t.diagnostic(`send-to-display over 10 messages: median ${median.toFixed(0)} ms, max ${times[9].toFixed(0)} ms`);
    assert.ok(median < 1500, `median ${median} ms`);
  });

  it('shows who is typing, and stops when they send', async () => {
    await ben.page.fill('#messageInput', 'typing something');
    await ana.page.locator('#typingIndicator', { hasText: 'Ben Ortiz is typing…' }).waitFor(WAIT);
    await ben.page.press('#messageInput', 'Enter');
    await exactlyOnce(ana, 'typing something');
    await ana.page.waitForFunction(() => document.querySelector('#typingIndicator')?.textContent === '', null, WAIT);
  });

  it('propagates edits and deletions', async () => {
    await send(ana, 'A message with a tpyo');
    await exactlyOnce(ben, 'A message with a tpyo');
    const mine = message(ana, 'A message with a tpyo');
    await mine.hover();
    await mine.getByRole('button', { name: 'Edit message' }).click();
    const editor = ana.page.getByRole('textbox', { name: 'Edit message' });
    await editor.fill('A message without a typo');
    await editor.press('Enter');
    await message(ben, 'A message without a typo').locator('.edited').waitFor(WAIT);
    assert.equal(await messagesWith(ben.page, 'A message with a tpyo').count(), 0);

    const edited = message(ana, 'A message without a typo');
    await edited.hover();
    await edited.getByRole('button', { name: 'Delete message' }).click();
    await ana.page.getByRole('dialog', { name: 'Delete message' }).getByRole('button', { name: 'Delete' }).click();
    await ben.page.locator('#messagesContainer .message-content.deleted').first().waitFor(WAIT);
    assert.equal(await messagesWith(ben.page, 'A message without a typo').count(), 0);
  });

  it('replies in a thread', async () => {
    const root = message(ben, 'Hello from Ana');
    await root.hover();
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    const thread = ben.page.locator('#threadPanel');
    await thread.locator('.message', { hasText: 'Hello from Ana' }).waitFor(WAIT);
    await thread.getByRole('textbox', { name: 'Reply…' }).fill('Replying in the thread');
    await thread.getByRole('textbox', { name: 'Reply…' }).press('Enter');
    await thread.locator('.message', { hasText: 'Replying in the thread' }).waitFor(WAIT);

    const summary = message(ana, 'Hello from Ana').locator('.thread-summary', { hasText: '1 reply' });
    await summary.waitFor(WAIT);
    assert.equal(await messagesWith(ana.page, 'Replying in the thread').count(), 0, 'replies stay out of the channel');
    await summary.click();
    await ana.page.locator('#threadPanel .message', { hasText: 'Replying in the thread' }).waitFor(WAIT);
    await ana.page.keyboard.press('Escape');
    await ana.page.locator('#threadPanel').waitFor({ ...WAIT, state: 'detached' });
    await ben.page.keyboard.press('Escape');
  });

  it('shows a reaction to both', async () => {
    const target = message(ana, 'Hi Ana, Ben here');
    await target.hover();
    await target.getByRole('button', { name: 'Add reaction' }).click();
    await ana.page.getByRole('button', { name: 'Emoji 🎉' }).click();
    await message(ana, 'Hi Ana, Ben here').getByRole('button', { name: '🎉 1', pressed: true }).waitFor(WAIT);
    await message(ben, 'Hi Ana, Ben here').getByRole('button', { name: '🎉 1', pressed: false }).waitFor(WAIT);
  });

  it('pins a message for both, and reports one to the moderators', async () => {
    const target = message(ana, 'Hello from Ana');
    await target.hover();
    await target.getByRole('button', { name: 'Pin message' }).click();
    await message(ben, 'Hello from Ana').locator('.pinned-tag').waitFor(WAIT);
    await ben.page.getByRole('button', { name: 'Channel details' }).click();
    await ben.page.locator('#infoPanel .pinned-item', { hasText: 'Hello from Ana' }).waitFor(WAIT);
    await ben.page.keyboard.press('Escape');

    const other = message(ben, 'Hello from Ana');
    await other.hover();
    await other.getByRole('button', { name: 'Report message' }).click();
    const dialog = ben.page.getByRole('dialog', { name: 'Report message' });
    await dialog.getByRole('textbox').fill('Testing the report flow');
    await dialog.getByRole('button', { name: 'Report' }).click();
    await dialog.getByText('the moderators will look at it').waitFor(WAIT);
    await ben.page.keyboard.press('Escape');
    await dialog.waitFor({ ...WAIT, state: 'detached' });
  });

  it('a direct message arrives with an unread badge and a notification', async () => {
    await ana.page.getByRole('button', { name: 'New direct message' }).click();
    await ana.page.getByRole('dialog', { name: 'New direct message' }).getByRole('button', { name: /Ben Ortiz/ }).click();
    await ana.page.locator('#channelName', { hasText: 'Ben Ortiz' }).waitFor(WAIT);
    await send(ana, 'A private word for @ben, when you have a minute');

    // Ben is still in #general.
    await ben.page.locator('#directList .channel-link', { hasText: 'Ana García' }).locator('.badge').waitFor(WAIT);
    await ben.page.getByRole('button', { name: 'Notifications, 1 unread' }).click();
    await ben.page.getByRole('dialog', { name: 'Notifications' }).getByRole('button', { name: /Ana García/ }).click();
    await ben.page.locator('#channelName', { hasText: 'Ana García' }).waitFor(WAIT);
    await exactlyOnce(ben, 'A private word for @ben, when you have a minute');
    assert.equal(await ben.page.locator('#directList .channel-link .badge').count(), 0, 'reading clears the badge');

    for (const p of [ana, ben]) {
      await p.page.locator('#channelList .channel-link[data-channel-name="general"]').click();
      await p.page.locator('#channelName', { hasText: 'general' }).waitFor(WAIT);
      await p.page.locator('.connection[data-state="open"]').waitFor({ ...WAIT, state: 'attached' });
    }
  });

  it('a private channel: created, someone added, who is told and sees it at once', async () => {
    await ana.page.getByRole('button', { name: 'Create a channel' }).click();
    await ana.page.fill('#newChannelName', 'leads');
    await ana.page.getByRole('checkbox', { name: /^Private/ }).check();
    await ana.page.click('#createChannelButton');
    await ana.page.locator('#channelName', { hasText: 'leads' }).waitFor(WAIT);
    assert.equal(await ben.page.locator('#channelList .channel-link[data-channel-name="leads"]').count(), 0);

    await ana.page.getByRole('button', { name: 'Channel details' }).click();
    await ana.page.selectOption('#infoPanel select[aria-label="Person to add"]', { label: 'Ben Ortiz (@ben)' });
    await ana.page.locator('#infoPanel').getByRole('button', { name: 'Add', exact: true }).click();
    await ana.page.locator('#infoPanel .member-list li', { hasText: 'Ben Ortiz' }).waitFor(WAIT);

    // Ben's sidebar shows it without a reload, and he is told.
    await ben.page.locator('#channelList .channel-link[data-channel-name="leads"]').waitFor(WAIT);
    await ben.page.getByRole('button', { name: 'Notifications, 1 unread' }).click();
    await ben.page.getByRole('dialog', { name: 'Notifications' }).getByText('You were added to #leads').waitFor(WAIT);
    await ben.page.keyboard.press('Escape');

    await ana.page.keyboard.press('Escape');
    await ana.page.locator('#channelList .channel-link[data-channel-name="general"]').click();
    await ana.page.locator('#channelName', { hasText: 'general' }).waitFor(WAIT);
    await ana.page.locator('.connection[data-state="open"]').waitFor({ ...WAIT, state: 'attached' });
  });

  it('finds a message by search and opens it in context', async () => {
    await send(ben, 'The quarterly zeppelin budget is approved');
    await exactlyOnce(ana, 'The quarterly zeppelin budget is approved');
    await ana.page.getByRole('button', { name: 'Search messages' }).click();
    await ana.page.fill('#searchInput', 'zeppelin');
    await ana.page.press('#searchInput', 'Enter');
    const result = ana.page.locator('.search-result', { hasText: 'zeppelin' });
    await result.waitFor(WAIT);
    assert.equal(await result.locator('mark').first().textContent(), 'zeppelin');
    assert.equal(await ana.page.locator('.search-result').count(), 1);
    await result.click();
    await ana.page.locator('#messagesContainer .message.highlighted', { hasText: 'zeppelin' }).waitFor(WAIT);
    await ana.page.keyboard.press('Escape');
  });

  it('keeps an HTML payload inert: shown as text, nothing runs', async () => {
    const payload = '<img src=x onerror=alert(1)> <script>alert(2)</script>';
    await send(ben, payload);
    await exactlyOnce(ana, payload);
    assert.equal(await ana.page.locator('#messagesContainer img, #messagesContainer script').count(), 0);
    // Give an injected handler every chance to fire.
    await ana.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 200))));
  });

  it('after a server restart, catches up on what was sent meanwhile, once each', async () => {
    await server.stop();
    await ana.page.locator('.connection[data-state="reconnecting"]').waitFor(WAIT);
    // Sent while the server is down: it fails, visibly, and can be retried.
    await send(ben, 'Sent while the server was down');
    await ben.page.locator('.message.pending.failed', { hasText: 'Sent while the server was down' }).waitFor(WAIT);

    await server.start();
    const [token] = await Promise.all([
      ben.page.evaluate(() => JSON.parse(localStorage.getItem('tandem.session')).accessToken),
    ]);
    const channels = await server.api('GET', '/api/v1/channels', { token });
    const general = channels.channels.find((c) => c.name === 'general');
    for (const n of [1, 2, 3]) {
      await server.api('POST', `/api/v1/channels/${general.id}/messages`, { token, body: { content: `Catch-up message ${n}` } });
    }
    await ben.page.getByRole('button', { name: 'Retry' }).click();
    for (const p of [ana, ben]) {
      await p.page.locator('.connection[data-state="open"]').waitFor({ ...WAIT, state: 'attached' });
      for (const text of ['Catch-up message 1', 'Catch-up message 2', 'Catch-up message 3', 'Sent while the server was down']) {
        await exactlyOnce(p, text);
      }
    }
    // In order, and nothing before them repeated.
    const contents = await ana.page.locator('#messagesContainer .message:not(.system) .message-content').allTextContents();
    const tail = contents.filter((c) => c.startsWith('Catch-up message'));
    assert.deepEqual(tail, ['Catch-up message 1', 'Catch-up message 2', 'Catch-up message 3']);
    assert.equal(contents.filter((c) => c === 'Hello from Ana').length, 1);
    assert.equal(await ben.page.locator('.message.pending').count(), 0);
  });

  it('shows someone who signs up meanwhile in the online list without a reload', async () => {
    const cleo = { name: 'Cleo', ...(await person(browser, server.url)) };
    try {
      await signUp(cleo.page, { email: 'cleo@acme.test', username: 'cleo', displayName: 'Cleo Marín' });
      await ana.page.locator('#userList .user-item', { hasText: 'Cleo Marín' }).waitFor(WAIT);
    } finally {
      await cleo.context.close();
    }
  });

  it('raised no dialog and no page error in either browser', () => {
    assert.deepEqual(ana.incidents, []);
    assert.deepEqual(ben.incidents, []);
  });
});
