// The profile and status; an expired session goes back to login, and back to the channel
// afterwards with the draft that was being typed; logging out.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { launch, PASSWORD, person, Server, shotPath, signUp } from './lib.mjs';

const WAIT = { timeout: 20_000 };
let server, browser, ana;

describe('the session and the profile', () => {
  before(async () => {
    server = new Server();
    await server.start();
    browser = await launch();
    ana = await person(browser, server.url);
    await signUp(ana.page, { email: 'ana@acme.test', username: 'ana', organization: 'Acme' });
    await ana.page.getByRole('button', { name: 'Create a channel' }).click();
    await ana.page.fill('#newChannelName', 'plans');
    await ana.page.click('#createChannelButton');
    await ana.page.locator('#channelName', { hasText: 'plans' }).waitFor(WAIT);
  });

  afterEach(async (t) => {
    await ana?.page.screenshot({ path: shotPath(`session-${t.name}`) }).catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
  });

  it('edits the profile and sets a status', async () => {
    await ana.page.click('#userMenuButton');
    await ana.page.getByRole('menuitem', { name: 'Profile' }).click();
    await ana.page.getByRole('textbox', { name: 'Full name' }).fill('Ana María García');
    await ana.page.getByRole('button', { name: 'Save profile' }).click();
    await ana.page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor(WAIT);
    await ana.page.locator('#userMenuButton', { hasText: 'Ana María García' }).waitFor(WAIT);

    await ana.page.click('#userMenuButton');
    await ana.page.getByRole('menuitemradio', { name: 'Away' }).click();
    await ana.page.locator('#userMenuButton', { hasText: 'Away' }).waitFor(WAIT);
    const me = await server.api('GET', '/api/v1/auth/me', {
      token: await ana.page.evaluate(() => JSON.parse(localStorage.getItem('tandem.session')).accessToken),
    });
    assert.equal(me.display_name, 'Ana María García');
    assert.equal(me.status, 'away');
    await ana.page.locator('#channelList .channel-link[data-channel-name="plans"]').click();
    await ana.page.locator('#channelName', { hasText: 'plans' }).waitFor(WAIT);
  });

  it('returns to login, then to the channel with the draft kept', async () => {
    const channelUrl = new URL(ana.page.url()).pathname;
    await ana.page.fill('#messageInput', 'A long thought I was in the middle of');
    // The session ends elsewhere: a password change ends every session of the account.
    const auth = await server.api('POST', '/api/v1/auth/login', { body: { email: 'ana@acme.test', password: PASSWORD } });
    const renewed = 'a different passphrase 2026';
    await server.api('POST', '/api/v1/auth/password', {
      token: auth.access_token,
      body: { current_password: PASSWORD, new_password: renewed },
    });
    // The next request meets a refused token and a refused refresh.
    await ana.page.getByRole('button', { name: 'Browse channels' }).click();
    await ana.page.getByText('Your session expired').waitFor(WAIT);
    assert.match(ana.page.url(), /\/login\?reason=expired&next=/);

    await ana.page.fill('#loginEmail', 'ana@acme.test');
    await ana.page.fill('#loginPassword', renewed);
    await ana.page.click('#loginButton');
    await ana.page.locator('#channelName', { hasText: 'plans' }).waitFor(WAIT);
    assert.equal(new URL(ana.page.url()).pathname, channelUrl);
    assert.equal(await ana.page.inputValue('#messageInput'), 'A long thought I was in the middle of');
    assert.deepEqual(ana.incidents, []);
  });

  it('logs out', async () => {
    await ana.page.click('#userMenuButton');
    await ana.page.click('#logoutButton');
    await ana.page.locator('#loginEmail').waitFor(WAIT);
    assert.equal(await ana.page.evaluate(() => localStorage.getItem('tandem.session')), null);
    // Signed out, the app's routes lead to login.
    await ana.page.goto('/c/1');
    await ana.page.locator('#loginEmail').waitFor(WAIT);
    assert.deepEqual(ana.incidents, []);
  });
});
