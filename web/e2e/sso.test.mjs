// Single sign-on end to end, through a real OpenID Connect provider (`oidc-provider`, run by
// e2e/oidc-provider.mjs): an admin adds it on the admin page; someone new types their address
// on the login page, signs in there and lands in the app as a member of the organization; an
// address the provider has not verified comes back to the login page, which says why. The
// provider signs in whoever the login page's address names (its `login_hint`). Run with
// `npm run e2e` after `npm run build` and `cargo build`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, it } from 'node:test';
import { freePort, launch, person, Server, shotPath, signUp, violations } from './lib.mjs';

const WAIT = { timeout: 20_000 };
const here = path.dirname(fileURLToPath(import.meta.url));
const CLIENT = { client_id: 'tandem', client_secret: 'the client secret at the test provider' };
let server, provider, browser, ana;
const contexts = [];

/**
 * The identity provider, knowing Tandem as a client with this redirect URI: the process and the
 * issuer it prints first. Its output is read to the end, so it never writes to a closed pipe.
 */
async function startProvider(redirectUri) {
  const child = spawn(process.execPath, [path.join(here, 'oidc-provider.mjs')], {
    env: { ...process.env, OIDC_CLIENTS: JSON.stringify([{ ...CLIENT, redirect_uris: [redirectUri] }]) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => (log = (log + d).slice(-10_000)));
  const lines = readline.createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the identity provider exited (${code}):\n${log}`)));
  });
  lines.on('line', () => {});
  return { child, issuer: JSON.parse(first).issuer, log: () => log };
}

/** A new browser context for someone, closed at the end. */
async function browse(name) {
  const p = { name, ...(await person(browser, server.url)) };
  contexts.push(p);
  return p;
}

const session = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('tandem.session')));

/** The login page with the address typed: its "Sign in with …" button once the lookup found it. */
async function typeAddress(page, email) {
  await page.goto('/login');
  await page.fill('#loginEmail', email);
  const button = page.getByRole('button', { name: 'Sign in with Acme SSO' });
  await button.waitFor(WAIT);
  return button;
}

describe('single sign-on', () => {
  before(async () => {
    // The port is chosen first: the redirect URI registered at the provider names it.
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    provider = await startProvider(`${url}/api/v1/auth/sso/callback`);
    server = new Server({ settings: { TANDEM_NOTIFICATIONS__BASE_URL: url } });
    server.port = port;
    await server.start();
    browser = await launch();
    // Ana founds Acme, which owns acme.test.
    ana = await browse('ana');
    await signUp(ana.page, { email: 'ana@acme.test', username: 'ana', displayName: 'Ana García', organization: 'Acme' });
  });

  afterEach(async (t) => {
    for (const p of contexts) await p.page.screenshot({ path: shotPath(`sso-${p.name}-${t.name}`) }).catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
    provider?.child.kill();
  });

  it('an admin adds the identity provider on the admin page', async () => {
    await ana.page.click('#userMenuButton');
    await ana.page.getByRole('menuitem', { name: 'Administration' }).click();
    const section = ana.page.getByRole('region', { name: 'Single sign-on' });
    await section.getByText('No identity provider yet: everyone logs in with a password.').waitFor(WAIT);
    const form = section.getByRole('form', { name: 'Add an identity provider' });
    assert.equal(await form.getByRole('textbox', { name: 'Redirect URI' }).inputValue(), `${server.url}/api/v1/auth/sso/callback`);

    // An issuer whose configuration cannot be read is refused, and said beside it.
    await form.getByLabel('Name on the button').fill('Acme SSO');
    await form.getByLabel('Issuer URL').fill('http://127.0.0.1:9');
    await form.getByLabel('Client ID').fill(CLIENT.client_id);
    await form.getByLabel('Client secret').fill(CLIENT.client_secret);
    await form.getByLabel('Allowed email domains').fill('acme.test');
    await form.getByRole('button', { name: 'Add provider' }).click();
    await form.getByRole('alert').filter({ hasText: 'The provider was not added' }).waitFor(WAIT);
    const issuer = form.getByLabel('Issuer URL');
    assert.equal(await issuer.getAttribute('aria-invalid'), 'true');
    assert.match(await form.locator('#ssoIssuerError').textContent(), /could not read this issuer’s OpenID Connect configuration/);
    assert.deepEqual(await violations(ana.page), [], 'the single sign-on form with a refusal has no WCAG violations');

    await issuer.fill(provider.issuer);
    await form.getByRole('button', { name: 'Add provider' }).click();
    await form.getByRole('status').filter({ hasText: 'Acme SSO was added.' }).waitFor(WAIT);
    const row = section.locator('#ssoProviders tbody tr', { hasText: 'Acme SSO' });
    await row.waitFor(WAIT);
    assert.match(await row.textContent(), new RegExp(`Acme SSO${provider.issuer}tandemacme\\.test`));
    assert.equal(await form.getByLabel('Client secret').inputValue(), '', 'the secret is not kept in the form');
    assert.deepEqual(await violations(ana.page), [], 'the admin page with a provider has no WCAG violations');
    const { providers } = await server.api('GET', '/api/v1/organizations/current/sso-providers', { token: (await session(ana.page)).accessToken });
    assert.deepEqual(
      providers.map((p) => [p.label, p.issuer, p.client_id, p.allowed_domains]),
      [['Acme SSO', provider.issuer, 'tandem', ['acme.test']]],
    );

    // Single sign-on as the only way in, set and kept; then back, for the scenarios below.
    const only = section.getByRole('checkbox', { name: 'Members sign in only through single sign-on' });
    await only.check();
    await ana.page.reload();
    await section.getByRole('checkbox', { name: 'Members sign in only through single sign-on', checked: true }).waitFor(WAIT);
    const organization = await server.api('GET', '/api/v1/organizations/current', { token: (await session(ana.page)).accessToken });
    assert.equal(organization.sso_only, true);
    await only.uncheck();
    await section.getByRole('checkbox', { name: 'Members sign in only through single sign-on', checked: false }).waitFor(WAIT);
    assert.deepEqual(ana.incidents, []);
  });

  it('someone new types their address, signs in through the provider and lands in the app as a member', async () => {
    const carol = await browse('carol');
    // An address at a domain without a provider offers no button.
    await carol.page.goto('/login');
    const lookup = carol.page.waitForResponse((r) => r.url().includes('/api/v1/auth/sso/providers?email=carol%40elsewhere.test'), WAIT);
    await carol.page.fill('#loginEmail', 'carol@elsewhere.test');
    assert.deepEqual(await (await lookup).json(), { providers: [] });
    assert.equal(await carol.page.getByRole('button', { name: /^Sign in with/ }).count(), 0);

    const button = await typeAddress(carol.page, 'carol@acme.test');
    assert.deepEqual(await violations(carol.page), [], 'the login page with its sign-in button has no WCAG violations');
    let ticketPage = null;
    carol.page.on('framenavigated', (frame) => {
      if (frame === carol.page.mainFrame() && frame.url().includes('/login/sso?ticket=')) ticketPage = frame.url();
    });
    await button.click();

    // Through the provider and back: signed in, in the app.
    await carol.page.locator('#userMenuButton', { hasText: 'carol' }).waitFor(WAIT);
    assert.equal(new URL(carol.page.url()).pathname, '/');
    assert.ok(ticketPage?.startsWith(`${server.url}/login/sso?ticket=`), `landed on ${ticketPage}`);
    const signedIn = await session(carol.page);
    assert.equal(signedIn.refreshToken, undefined, 'the refresh token stays in its cookie');
    const me = await server.api('GET', '/api/v1/auth/me', { token: signedIn.accessToken });
    assert.deepEqual(
      { email: me.email, username: me.username, role: me.role, verified: me.email_verified },
      { email: 'carol@acme.test', username: 'carol', role: 'member', verified: true },
    );
    const { id: organization } = await server.api('GET', '/api/v1/organizations/current', { token: (await session(ana.page)).accessToken });
    assert.equal(me.organization_id, organization, 'a member of Acme');
    await carol.page.click('#userMenuButton');
    await carol.page.getByRole('menuitem', { name: 'Profile' }).click();
    await carol.page.locator('#currentEmail', { hasText: 'carol@acme.test' }).waitFor(WAIT);

    // Reloading keeps her signed in (the refresh cookie included).
    await carol.page.reload();
    await carol.page.locator('#currentEmail', { hasText: 'carol@acme.test' }).waitFor(WAIT);
    await carol.page.locator('#userMenuButton', { hasText: 'carol' }).waitFor(WAIT);
    const refreshed = await carol.page.evaluate(async () => (await fetch('/api/v1/auth/refresh', { method: 'POST', headers: { 'tandem-refresh': 'cookie' } })).status);
    assert.equal(refreshed, 200, 'the sign-in left a working refresh cookie');

    // The ticket worked once: its address opened again says so, and leads back to login.
    const again = await browse('carol-again');
    await again.page.goto(ticketPage);
    await again.page.getByRole('heading', { name: 'This sign-in link has expired or was already used' }).waitFor(WAIT);
    assert.equal(await again.page.evaluate(() => localStorage.getItem('tandem.session')), null);
    assert.deepEqual(await violations(again.page), [], 'the used sign-in link has no WCAG violations');
    await again.page.getByRole('link', { name: 'Back to log in' }).click();
    await again.page.locator('#loginEmail').waitFor(WAIT);
    assert.deepEqual(carol.incidents, []);
    assert.deepEqual(again.incidents, []);
  });

  it('an address the provider has not verified comes back to the login page, which says why', async () => {
    const dan = await browse('dan');
    const button = await typeAddress(dan.page, 'unverified-dan@acme.test');
    await button.click();
    await dan.page.waitForURL(/\/login\?sso_error=sso_email_unverified$/, WAIT);
    const alert = dan.page.locator('#ssoError');
    await alert.waitFor(WAIT);
    assert.equal(await alert.getAttribute('role'), 'alert');
    assert.match(await alert.textContent(), /Your identity provider has not verified your email address/);
    // The address is filled in again, with its button, to try the password or another way.
    assert.equal(await dan.page.inputValue('#loginEmail'), 'unverified-dan@acme.test');
    await dan.page.getByRole('button', { name: 'Sign in with Acme SSO' }).waitFor(WAIT);
    assert.deepEqual(await violations(dan.page), [], 'the login page with the refusal has no WCAG violations');
    assert.equal(await dan.page.evaluate(() => localStorage.getItem('tandem.session')), null);
    // Nobody was created.
    const { users } = await server.api('GET', '/api/v1/users?limit=100&include_inactive=true', { token: (await session(ana.page)).accessToken });
    assert.deepEqual(users.map((u) => u.email).sort(), ['ana@acme.test', 'carol@acme.test']);
    assert.deepEqual(dan.incidents, []);
  });
});
