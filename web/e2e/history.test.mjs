// Scrolling back through a long history: older pages load as the top comes into view, in
// order, each message once; a search result far back opens at its place.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launch, logIn, PASSWORD, person, Server } from './lib.mjs';

const WAIT = { timeout: 20_000 };
const COUNT = 130;
let server, browser, ana, channel;

describe('a long history', () => {
  before(async () => {
    // Seeding sends faster than people may.
    server = new Server({ settings: { TANDEM_CHAT__MAX_MESSAGES_PER_WINDOW: '1000' } });
    await server.start();
    const auth = await server.api('POST', '/api/v1/auth/register', {
      body: { email: 'ana@acme.test', username: 'ana', password: PASSWORD, organization_name: 'Acme' },
    });
    const token = auth.access_token;
    channel = await server.api('POST', '/api/v1/channels', { token, body: { name: 'archive' } });
    for (let n = 1; n <= COUNT; n++) {
      await server.api('POST', `/api/v1/channels/${channel.id}/messages`, { token, body: { content: `history ${n}` } });
    }
    browser = await launch();
    ana = await person(browser, server.url);
    await ana.page.goto('/login');
    await logIn(ana.page, 'ana@acme.test');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
  });

  const contents = () => ana.page.locator('#messagesContainer .message:not(.system) .message-content').allTextContents();

  it('opens at the latest message and loads older pages on scrolling up', async () => {
    await ana.page.goto(`/c/${channel.id}`);
    await ana.page.locator('.message-content', { hasText: `history ${COUNT}` }).waitFor(WAIT);
    const first = await contents();
    assert.ok(first.length < COUNT, `only a page at first (${first.length})`);
    assert.equal(first.at(-1), `history ${COUNT}`);

    // Scroll to the top until the beginning of the channel shows.
    await ana.page.waitForFunction(
      () => {
        const list = document.querySelector('#messagesContainer');
        list.scrollTop = 0;
        return !!document.querySelector('.channel-intro');
      },
      null,
      { ...WAIT, polling: 200 },
    );
    const all = await contents();
    assert.deepEqual(all, Array.from({ length: COUNT }, (_, i) => `history ${i + 1}`));
  });

  it('opens a search result far back in context', async () => {
    await ana.page.goto(`/c/${channel.id}?panel=search`);
    await ana.page.fill('#searchInput', '"history 3"');
    await ana.page.fill('#searchInput', 'history 3');
    await ana.page.press('#searchInput', 'Enter');
    await ana.page.locator('.search-result').first().waitFor(WAIT);
    const target = ana.page.locator('.search-result', { hasText: /history 3$/ });
    await target.click();
    await ana.page.locator('#messagesContainer .message.highlighted', { hasText: /^.*history 3$/ }).waitFor(WAIT);
    const box = await ana.page.locator('#messagesContainer .message.highlighted').boundingBox();
    assert.ok(box && box.y > 0 && box.y < 800, 'the message is scrolled into view');
    assert.deepEqual(ana.incidents, []);
  });
});
