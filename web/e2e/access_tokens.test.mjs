// Personal access tokens end to end: an admin makes one on the profile, a script (Node's fetch,
// not the browser) posts a message with it, the admin revokes it in the app and the script is
// refused at once; the admin page lists everyone's tokens and revokes them too. Run with
// `npm run e2e` after `npm run build` and `cargo build`.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { launch, PASSWORD, person, Server, shotPath, signUp, violations } from './lib.mjs';

const WAIT = { timeout: 20_000 };
let server, browser, ana, channel;

const session = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('tandem.session')));

/** What a script sees posting to the channel with this token: the status and the body. */
async function post(token, content) {
  const res = await fetch(`${server.url}/api/v1/channels/${channel.id}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ content }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('personal access tokens', () => {
  before(async () => {
    server = new Server();
    await server.start();
    browser = await launch();
    ana = await person(browser, server.url);
    // Ana founds Acme: she is its admin.
    await signUp(ana.page, { email: 'ana@acme.test', username: 'ana', displayName: 'Ana García', organization: 'Acme' });
    channel = await server.api('POST', '/api/v1/channels', { token: (await session(ana.page)).accessToken, body: { name: 'deploys' } });
  });

  afterEach(async (t) => {
    await ana?.page.screenshot({ path: shotPath(`access-tokens-${t.name}`), fullPage: true }).catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
  });

  it('makes a token on the profile that works for a script until it is revoked', async () => {
    const { page } = ana;
    await page.click('#userMenuButton');
    await page.getByRole('menuitem', { name: 'Profile' }).click();
    const section = page.getByRole('region', { name: 'Personal access tokens' });
    await section.getByText('You have no token.').waitFor(WAIT);

    const form = section.getByRole('form', { name: 'Make a token' });
    await form.getByRole('textbox', { name: 'Name' }).fill('deploy notifier');
    await form.getByRole('checkbox', { name: 'Read' }).check();
    await form.getByRole('checkbox', { name: 'Write' }).check();
    // Ana is an admin: she may give the Admin scope, and does not.
    assert.equal(await form.getByRole('checkbox', { name: 'Admin' }).isChecked(), false);
    assert.equal(await form.getByRole('combobox', { name: 'Expires' }).inputValue(), '90');
    await form.getByRole('button', { name: 'Make token' }).click();

    const secretInput = section.getByRole('textbox', { name: 'Your new token' });
    await secretInput.waitFor(WAIT);
    const secret = await secretInput.inputValue();
    assert.match(secret, /^tdm_pat_\S+$/);
    const box = section.getByRole('status').filter({ hasText: 'will not be shown again' });
    assert.equal(await box.getByRole('textbox', { name: 'Your new token' }).inputValue(), secret);
    const row = section.locator('#accessTokens tbody tr', { hasText: 'deploy notifier' });
    await row.waitFor(WAIT);
    assert.match(await row.innerText(), /Read, Write/);
    // The form is ready for another.
    assert.equal(await form.getByRole('textbox', { name: 'Name' }).inputValue(), '');
    // The profile, with the list and the secret shown, passes the accessibility checks.
    assert.deepEqual(await violations(page), []);

    // A script posts with it, as Ana.
    const sent = await post(secret, 'Deployed v1.2.3');
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    assert.equal(sent.body.content, 'Deployed v1.2.3');
    assert.equal(sent.body.user_id, (await session(page)).user.id);

    // Revoked in the app (after confirming), it is refused at once.
    await section.getByRole('button', { name: 'Revoke deploy notifier' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke a token' });
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await section.getByRole('status').filter({ hasText: 'deploy notifier was revoked' }).waitFor(WAIT);
    await section.getByText('You have no token.').waitFor(WAIT);
    // Its secret, no longer of use, is gone from the page too.
    await secretInput.waitFor({ state: 'detached', ...WAIT });
    const refused = await post(secret, 'Deployed v1.2.4');
    assert.equal(refused.status, 401, JSON.stringify(refused.body));

    assert.deepEqual(await violations(page), []);
    assert.deepEqual(ana.incidents, []);
  });

  it('lists everyone’s tokens on the admin page, where an admin revokes them', async () => {
    const { page } = ana;
    // Ben joins Acme and makes a token from a script of his.
    const ben = await server.api('POST', '/api/v1/auth/register', {
      body: { email: 'ben@acme.test', username: 'ben', password: PASSWORD, display_name: 'Ben Ortiz' },
    });
    const { token } = await server.api('POST', '/api/v1/users/me/tokens', {
      token: ben.access_token,
      body: { name: 'ben’s reader', scopes: ['read'] },
    });
    assert.equal((await fetch(`${server.url}/api/v1/channels`, { headers: { authorization: `Bearer ${token}` } })).status, 200);

    await page.click('#userMenuButton');
    await page.getByRole('menuitem', { name: 'Administration' }).click();
    const section = page.getByRole('region', { name: 'Personal access tokens' });
    const row = section.locator('#organizationTokens tbody tr', { hasText: 'ben’s reader' });
    await row.waitFor(WAIT);
    await row.getByText('Ben Ortiz').waitFor(WAIT);
    assert.match(await row.innerText(), /Read/);

    await section.getByRole('button', { name: 'Revoke ben’s reader' }).click();
    await page.getByRole('dialog', { name: 'Revoke a token' }).getByRole('button', { name: 'Revoke token' }).click();
    await section.getByRole('status').filter({ hasText: 'Ben Ortiz’s token ben’s reader was revoked' }).waitFor(WAIT);
    await section.getByText('Nobody has a token.').waitFor(WAIT);
    assert.equal((await fetch(`${server.url}/api/v1/channels`, { headers: { authorization: `Bearer ${token}` } })).status, 401);
    assert.deepEqual(ana.incidents, []);
  });
});
