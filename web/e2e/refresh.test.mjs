// Access tokens that live two seconds: the app renews them on its own before they expire
// (and the sockets reconnect with the new ones), and nobody is sent back to login.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launch, person, Server, signUp } from './lib.mjs';

const WAIT = { timeout: 20_000 };
let server, browser, ana;

const session = () => ana.page.evaluate(() => JSON.parse(localStorage.getItem('tandem.session')));

describe('short-lived access tokens', () => {
  before(async () => {
    server = new Server({ settings: { TANDEM_AUTH__ACCESS_TOKEN_TTL_SECS: '2' } });
    await server.start();
    browser = await launch();
    ana = await person(browser, server.url);
    await signUp(ana.page, { email: 'ana@acme.test', username: 'ana', organization: 'Acme' });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
  });

  it('are renewed without the person noticing', async () => {
    const first = await session();
    const renewedAfter = (token) =>
      ana.page.waitForFunction((old) => JSON.parse(localStorage.getItem('tandem.session')).accessToken !== old, token, WAIT);
    await renewedAfter(first.accessToken);
    await ana.page.getByRole('button', { name: 'Create a channel' }).click();
    await ana.page.fill('#newChannelName', 'renewals');
    await ana.page.click('#createChannelButton');
    await ana.page.locator('#channelName', { hasText: 'renewals' }).waitFor(WAIT);
    await ana.page.locator('.connection[data-state="open"]').waitFor({ ...WAIT, state: 'attached' });

    await renewedAfter((await session()).accessToken);
    await ana.page.fill('#messageInput', 'Still here after two renewals');
    await ana.page.press('#messageInput', 'Enter');
    await ana.page.locator('#messagesContainer .message:not(.pending)', { hasText: 'Still here after two renewals' }).waitFor(WAIT);

    const last = await session();
    assert.notEqual(last.accessToken, first.accessToken);
    assert.equal(new URL(ana.page.url()).pathname.startsWith('/c/'), true, 'never sent to login');
    assert.deepEqual(ana.incidents, []);
  });

  it('keep the refresh token where no script reaches it', async () => {
    const stored = await ana.page.evaluate(() => JSON.stringify({ ...localStorage }));
    assert.doesNotMatch(stored, /refresh/i, 'nothing refresh-related in localStorage');
    assert.equal(await ana.page.evaluate(() => document.cookie), '', 'the cookie is HttpOnly');
    const cookies = await ana.context.cookies();
    const cookie = cookies.find((c) => c.name === 'tandem_refresh');
    assert.ok(cookie, 'the browser holds the refresh cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/api/v1/auth');
  });

  it('are renewed by one tab at a time, so several tabs never spend one cookie twice', async () => {
    const tabs = [ana.page, await ana.context.newPage(), await ana.context.newPage()];
    for (const tab of tabs.slice(1)) await tab.goto(ana.page.url());
    const seen = new Set();
    // Every tab renews on its own timer; a cookie presented twice would end the session for all.
    for (let round = 0; round < 3; round++) {
      const before = (await session()).accessToken;
      await ana.page.waitForFunction((old) => JSON.parse(localStorage.getItem('tandem.session')).accessToken !== old, before, WAIT);
      seen.add(before);
    }
    assert.equal(seen.size, 3);
    for (const tab of tabs) {
      await tab.locator('.connection[data-state="open"]').waitFor({ ...WAIT, state: 'attached' });
      assert.equal(new URL(tab.url()).pathname.startsWith('/c/'), true, 'no tab was sent to login');
    }
    await tabs[2].fill('#messageInput', 'From the third tab');
    await tabs[2].press('#messageInput', 'Enter');
    await ana.page.locator('#messagesContainer .message:not(.pending)', { hasText: 'From the third tab' }).waitFor(WAIT);
    for (const tab of tabs.slice(1)) await tab.close();
    assert.deepEqual(ana.incidents, []);
  });
});
