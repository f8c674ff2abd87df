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
    assert.notEqual(last.refreshToken, first.refreshToken);
    assert.equal(new URL(ana.page.url()).pathname.startsWith('/c/'), true, 'never sent to login');
    assert.deepEqual(ana.incidents, []);
  });
});
