// Accessibility (axe-core's WCAG rules) of the main screens in both themes, keyboard use, and
// the phone layout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launch, logIn, PASSWORD, person, Server, violations } from './lib.mjs';

const WAIT = { timeout: 20_000 };
let server, browser, channel;

describe('accessibility and layouts', () => {
  before(async () => {
    server = new Server();
    await server.start();
    const ana = await server.api('POST', '/api/v1/auth/register', {
      body: { email: 'ana@acme.test', username: 'ana', display_name: 'Ana García', password: PASSWORD, organization_name: 'Acme' },
    });
    channel = await server.api('POST', '/api/v1/channels', { token: ana.access_token, body: { name: 'general', description: 'Everything' } });
    const root = await server.api('POST', `/api/v1/channels/${channel.id}/messages`, {
      token: ana.access_token,
      body: { content: 'Hello **team**, @ana and `code`\n- a list' },
    });
    await server.api('POST', `/api/v1/channels/${channel.id}/messages`, { token: ana.access_token, body: { content: 'In the thread', reply_to_id: root.id } });
    await server.api('POST', `/api/v1/messages/${root.id}/reactions`, { token: ana.access_token, body: { emoji: '🎉' } });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
  });

  for (const theme of ['light', 'dark']) {
    it(`has no WCAG violations on the main screens (${theme} theme)`, async () => {
      const p = await person(browser, server.url, { colorScheme: theme });
      const found = {};
      await p.page.goto('/login');
      await p.page.locator('#loginEmail').waitFor(WAIT);
      found.login = await violations(p.page);
      await p.page.goto('/signup');
      await p.page.locator('#signupEmail').waitFor(WAIT);
      found.signup = await violations(p.page);
      await p.page.goto('/login');
      await logIn(p.page, 'ana@acme.test');
      await p.page.goto(`/c/${channel.id}`);
      await p.page.locator('#messagesContainer .message', { hasText: 'Hello' }).waitFor(WAIT);
      found.channel = await violations(p.page);
      await p.page.locator('.thread-summary').click();
      await p.page.locator('#threadPanel .message', { hasText: 'In the thread' }).waitFor(WAIT);
      found.thread = await violations(p.page);
      await p.page.keyboard.press('Escape');
      await p.page.getByRole('button', { name: 'Search messages' }).click();
      await p.page.fill('#searchInput', 'team');
      await p.page.press('#searchInput', 'Enter');
      await p.page.locator('.search-result mark').first().waitFor(WAIT);
      found.search = await violations(p.page);
      for (const [screen, list] of Object.entries(found)) assert.deepEqual(list, [], `${screen} (${theme})`);
      assert.deepEqual(p.incidents, []);
      await p.context.close();
    });
  }

  it('is usable from the keyboard: Tab reaches the composer, Enter sends, Esc closes panels', async () => {
    const p = await person(browser, server.url);
    await p.page.goto('/login');
    await p.page.locator('#loginEmail').focus();
    await p.page.keyboard.type('ana@acme.test');
    await p.page.keyboard.press('Tab');
    await p.page.keyboard.type(PASSWORD);
    await p.page.keyboard.press('Enter');
    await p.page.locator('#userMenuButton').waitFor(WAIT);
    await p.page.goto(`/c/${channel.id}`);
    await p.page.locator('#messageInput').waitFor(WAIT);
    await p.page.locator('#messageInput').focus();
    await p.page.keyboard.type('Typed with the keyboard');
    await p.page.keyboard.press('Shift+Enter');
    await p.page.keyboard.type('second line');
    await p.page.keyboard.press('Enter');
    await p.page.locator('#messagesContainer .message-content', { hasText: 'second line' }).waitFor(WAIT);
    assert.equal(await p.page.locator('#messagesContainer .message-content br').count() >= 1, true);
    await p.page.getByRole('button', { name: 'Channel details' }).focus();
    await p.page.keyboard.press('Enter');
    await p.page.locator('#infoPanel').waitFor(WAIT);
    await p.page.keyboard.press('Escape');
    await p.page.locator('#infoPanel').waitFor({ ...WAIT, state: 'detached' });
    await p.context.close();
  });

  it('works at phone width: the sidebar is a drawer', async () => {
    const p = await person(browser, server.url, { viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true });
    await p.page.goto('/login');
    await logIn(p.page, 'ana@acme.test');
    await p.page.goto(`/c/${channel.id}`);
    await p.page.locator('#messageInput').waitFor(WAIT);
    const sidebar = p.page.locator('nav.sidebar');
    const offscreen = async () => (await sidebar.boundingBox()).x + (await sidebar.boundingBox()).width <= 0;
    assert.ok(await offscreen(), 'the sidebar starts hidden');
    await p.page.getByRole('button', { name: 'Open the sidebar' }).click();
    await p.page.waitForFunction(() => document.querySelector('nav.sidebar').getBoundingClientRect().x >= 0, null, WAIT);
    await p.page.locator('#channelList .channel-link[data-channel-name="general"]').click();
    await p.page.waitForFunction(() => document.querySelector('nav.sidebar').getBoundingClientRect().right <= 0, null, WAIT);
    const input = await p.page.locator('#messageInput').boundingBox();
    const sendButton = await p.page.locator('#sendButton').boundingBox();
    assert.ok(input.width > 200, `the text box keeps room (${input.width}px)`);
    assert.ok(sendButton.x + sendButton.width <= 390, 'the send button is on screen');
    await p.context.close();
  });
});
