// Two-factor sign-in end to end: turned on from the settings (the password, the QR code or
// the key, a first code), the recovery codes shown once, logging in with the password and a
// code from the app, and once with a recovery code; new recovery codes, and turning it off.
// The codes are computed here as an authenticator app would (RFC 6238: HMAC-SHA1, 30 s,
// 6 digits), from the key the page shows, independently of the server's implementation.
// Run with `npm run e2e` after `npm run build` and `cargo build`.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import { launch, logIn, PASSWORD, person, Server, shotPath, violations } from './lib.mjs';

const WAIT = { timeout: 20_000 };
const RECOVERY_CODE = /^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){3}$/;
let server, browser, ana, key;
let recoveryCodes = [];

/** RFC 4648 base32, as the key is shown (spaces and padding ignored, any case). */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = [];
  let bits = 0;
  let value = 0;
  for (const char of text.toUpperCase().replace(/[\s=]/g, '')) {
    const index = alphabet.indexOf(char);
    assert.ok(index >= 0, `base32 character: ${char}`);
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** The code of time step `step` (RFC 4226 dynamic truncation of HMAC-SHA1 over the step). */
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 1_000_000).padStart(6, '0');
}

const currentStep = () => Math.floor(Date.now() / 30_000);

/**
 * The code of the next usable step. The server takes the current step ±1, each step once and
 * only ever later ones: the earliest step after the last one used, where the previous step is
 * taken only with time to spare before it expires; past the next step, wait for time to move.
 */
let lastStep = -Infinity;
async function nextCode() {
  for (;;) {
    const now = Date.now();
    const current = Math.floor(now / 30_000);
    const left = 30_000 - (now % 30_000);
    const step = [current - 1, current, current + 1].find((s) => s > lastStep && (s !== current - 1 || left > 8_000));
    if (step !== undefined) {
      lastStep = step;
      return totp(key, step);
    }
    await new Promise((r) => setTimeout(r, left + 500));
  }
}

/** Six digits that are no code the server would take now. */
function wrongCode() {
  const near = [-1, 0, 1, 2].map((d) => totp(key, currentStep() + d));
  return ['000000', '111111', '222222'].find((c) => !near.includes(c));
}

const token = () => ana.page.evaluate(() => JSON.parse(localStorage.getItem('tandem.session'))?.accessToken);

async function openSettings() {
  await ana.page.click('#userMenuButton');
  await ana.page.getByRole('menuitem', { name: 'Two-factor sign-in' }).click();
  await ana.page.getByRole('heading', { name: 'Authenticator app' }).waitFor(WAIT);
  await ana.page.locator('#twoFactorStatus').waitFor(WAIT);
}

async function logOut() {
  await ana.page.click('#userMenuButton');
  await ana.page.click('#logoutButton');
  await ana.page.locator('#loginEmail').waitFor(WAIT);
}

/** The password step; then the code step is on screen. */
async function password() {
  await ana.page.fill('#loginEmail', 'ana@acme.test');
  await ana.page.fill('#loginPassword', PASSWORD);
  await ana.page.click('#loginButton');
  await ana.page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor(WAIT);
}

describe('two-factor sign-in', () => {
  before(async () => {
    // The codes of this file follow RFC 6238's own example (SHA-1, T = 59 s).
    assert.equal(totp(base32('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'), 1), '287082');
    assert.equal(base32('gezd gnbv gy3t qojq').toString(), '1234567890');

    server = new Server();
    await server.start();
    await server.api('POST', '/api/v1/auth/register', {
      body: { email: 'ana@acme.test', username: 'ana', display_name: 'Ana García', password: PASSWORD, organization_name: 'Acme' },
    });
    browser = await launch();
    ana = await person(browser, server.url);
    await ana.page.goto('/login');
    await logIn(ana.page, 'ana@acme.test');
  });

  afterEach(async (t) => {
    await ana?.page.screenshot({ path: shotPath(`two-factor-${t.name}`) }).catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
  });

  it('is turned on from the settings: the password, the QR code or key, a first code, then the recovery codes once', async () => {
    await openSettings();
    assert.match(await ana.page.locator('#twoFactorStatus').textContent(), /Off/);
    assert.deepEqual(await violations(ana.page), [], 'the two-factor page has no WCAG violations');

    await ana.page.getByRole('button', { name: 'Turn on' }).click();
    const password = ana.page.getByLabel('Current password');
    await password.fill('not my password');
    await ana.page.getByRole('button', { name: 'Continue' }).click();
    await ana.page.getByRole('alert').filter({ hasText: 'That password is not right.' }).waitFor(WAIT);
    await password.fill(PASSWORD);
    await ana.page.getByRole('button', { name: 'Continue' }).click();

    await ana.page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor(WAIT);
    // The QR code is an image made here, shown (the Content-Security-Policy allows data: images).
    const qr = ana.page.getByRole('img', { name: 'QR code that adds Tandem to an authenticator app' });
    assert.match(await qr.getAttribute('src'), /^data:image\/svg\+xml/);
    await ana.page.waitForFunction(() => {
      const img = document.querySelector('#twoFactorQr');
      return img?.complete && img.naturalWidth > 0;
    }, null, WAIT);
    const shown = await ana.page.locator('#twoFactorSecret').textContent();
    assert.match(shown, /^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/, 'the key in groups of four');
    key = base32(shown);
    assert.ok(key.length >= 10, 'a key of at least 80 bits');
    const status = await server.api('GET', '/api/v1/auth/two-factor', { token: await token() });
    assert.deepEqual(status, { enabled: false, pending: true, recovery_codes_left: 0 });
    assert.deepEqual(await violations(ana.page), [], 'the enrolment has no WCAG violations');

    const code = ana.page.getByRole('textbox', { name: 'Code from the app' });
    assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');
    await code.fill(wrongCode());
    await ana.page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    await ana.page.getByRole('alert').filter({ hasText: 'That code did not work' }).waitFor(WAIT);
    await code.fill(await nextCode());
    await ana.page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();

    await ana.page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor(WAIT);
    await ana.page.getByRole('status').filter({ hasText: 'Two-factor sign-in is on.' }).waitFor(WAIT);
    recoveryCodes = await ana.page.locator('#recoveryCodes li').allTextContents();
    assert.equal(recoveryCodes.length, 10);
    for (const c of recoveryCodes) assert.match(c, RECOVERY_CODE);
    assert.equal(new Set(recoveryCodes).size, 10);
    const download = ana.page.getByRole('link', { name: 'Download as text' });
    assert.equal(await download.getAttribute('download'), 'tandem-recovery-codes.txt');
    const text = decodeURIComponent((await download.getAttribute('href')).replace(/^data:text\/plain;charset=utf-8,/, ''));
    for (const c of recoveryCodes) assert.ok(text.includes(c), `${c} in the link`);
    // The browser saves it as a file (the security policy lets the download through).
    const [file] = await Promise.all([ana.page.waitForEvent('download', WAIT), download.click()]);
    assert.equal(file.suggestedFilename(), 'tandem-recovery-codes.txt');
    assert.equal(fs.readFileSync(await file.path(), 'utf8'), text);
    assert.deepEqual(await violations(ana.page), [], 'the recovery codes have no WCAG violations');

    await ana.page.getByRole('button', { name: 'I have saved them' }).click();
    await ana.page.locator('#recoveryCodes').waitFor({ ...WAIT, state: 'detached' });
    await ana.page.locator('#recoveryCodesLeft', { hasText: '10' }).waitFor(WAIT);
    assert.match(await ana.page.locator('#twoFactorStatus').textContent(), /On/);
    assert.deepEqual(await server.api('GET', '/api/v1/auth/two-factor', { token: await token() }), { enabled: true, pending: false, recovery_codes_left: 10 });
  });

  it('then logging in asks for a code from the app after the password', async () => {
    await logOut();
    await password();
    const code = ana.page.locator('#loginCode');
    assert.equal(await code.evaluate((el) => el === document.activeElement), true, 'the code field has the focus');
    assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');
    assert.equal(await code.getAttribute('inputmode'), 'numeric');
    assert.equal(await ana.page.evaluate(() => localStorage.getItem('tandem.session')), null, 'no session yet');
    assert.deepEqual(await violations(ana.page), [], 'the code step has no WCAG violations');

    await code.fill(wrongCode());
    await ana.page.click('#verifyCodeButton');
    await ana.page.getByRole('alert').filter({ hasText: 'That code did not work' }).waitFor(WAIT);
    assert.equal(await code.inputValue(), '', 'still on the code step, the field emptied');
    await code.fill(await nextCode());
    await ana.page.click('#verifyCodeButton');
    await ana.page.locator('#userMenuButton').waitFor(WAIT);
    await ana.page.locator('#channelList').waitFor(WAIT);
  });

  it('a recovery code logs in once, typed in any case and without dashes', async () => {
    await logOut();
    await password();
    await ana.page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await ana.page.getByRole('textbox', { name: 'Recovery code' }).fill(recoveryCodes[0].toLowerCase().replaceAll('-', ''));
    await ana.page.click('#verifyCodeButton');
    await ana.page.locator('#userMenuButton').waitFor(WAIT);

    // Used: refused the second time, and the step stays for another try.
    await logOut();
    await password();
    await ana.page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    const input = ana.page.getByRole('textbox', { name: 'Recovery code' });
    await input.fill(recoveryCodes[0]);
    await ana.page.click('#verifyCodeButton');
    await ana.page.getByRole('alert').filter({ hasText: 'That recovery code did not work' }).waitFor(WAIT);
    await input.fill(recoveryCodes[1]);
    await ana.page.click('#verifyCodeButton');
    await ana.page.locator('#userMenuButton').waitFor(WAIT);
    await openSettings();
    await ana.page.locator('#recoveryCodesLeft', { hasText: '8' }).waitFor(WAIT);
  });

  it('new recovery codes replace the old ones; turning it off takes the password and a code', async () => {
    await ana.page.getByRole('button', { name: 'New recovery codes' }).click();
    await ana.page.getByRole('textbox', { name: 'Code from your authenticator app' }).fill(await nextCode());
    await ana.page.getByRole('button', { name: 'Make new codes' }).click();
    await ana.page.getByRole('status').filter({ hasText: 'New recovery codes are ready' }).waitFor(WAIT);
    const renewed = await ana.page.locator('#recoveryCodes li').allTextContents();
    assert.equal(renewed.length, 10);
    assert.equal(renewed.filter((c) => recoveryCodes.includes(c)).length, 0);
    await ana.page.getByRole('button', { name: 'I have saved them' }).click();
    await ana.page.locator('#recoveryCodesLeft', { hasText: '10' }).waitFor(WAIT);

    await ana.page.getByRole('button', { name: 'Turn off' }).click();
    await ana.page.getByLabel('Current password').fill(PASSWORD);
    const code = ana.page.getByRole('textbox', { name: 'Code from your app, or a recovery code' });
    await code.fill(recoveryCodes[2]);
    await ana.page.getByRole('button', { name: 'Turn off two-factor sign-in' }).click();
    await ana.page.getByRole('alert').filter({ hasText: 'That code did not work' }).waitFor(WAIT);
    await code.fill(renewed[0]);
    await ana.page.getByRole('button', { name: 'Turn off two-factor sign-in' }).click();
    await ana.page.getByRole('status').filter({ hasText: 'Two-factor sign-in is off' }).waitFor(WAIT);
    await ana.page.getByRole('button', { name: 'Turn on' }).waitFor(WAIT);

    // The password alone logs in again.
    await logOut();
    await logIn(ana.page, 'ana@acme.test');
  });

  it('an organization that requires it shows a member without it only the setup, then the workspace', async () => {
    await server.api('POST', '/api/v1/auth/register', { body: { email: 'ben@acme.test', username: 'ben', password: PASSWORD } });
    await ana.page.click('#userMenuButton');
    await ana.page.getByRole('menuitem', { name: 'Administration' }).click();
    await ana.page.getByLabel('Who must sign in with an authenticator app').selectOption('everyone');
    await ana.page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor(WAIT);
    assert.equal((await server.api('GET', '/api/v1/organizations/current', { token: await token() })).two_factor_policy, 'everyone');

    const ben = await person(browser, server.url);
    try {
      await ben.page.goto('/login');
      await ben.page.fill('#loginEmail', 'ben@acme.test');
      await ben.page.fill('#loginPassword', PASSWORD);
      await ben.page.click('#loginButton');
      await ben.page.getByText('Your organization requires two-factor sign-in').waitFor(WAIT);
      assert.equal(await ben.page.locator('#channelList').count(), 0, 'nothing of the workspace');
      assert.deepEqual(await violations(ben.page), [], 'the required setup has no WCAG violations');

      await ben.page.getByRole('button', { name: 'Turn on' }).click();
      await ben.page.getByLabel('Current password').fill(PASSWORD);
      await ben.page.getByRole('button', { name: 'Continue' }).click();
      const benKey = base32(await ben.page.locator('#twoFactorSecret').textContent());
      await ben.page.getByRole('textbox', { name: 'Code from the app' }).fill(totp(benKey, currentStep()));
      await ben.page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
      await ben.page.getByRole('button', { name: 'I have saved them' }).click();
      await ben.page.locator('#userMenuButton').waitFor(WAIT);
      await ben.page.locator('#channelList').waitFor(WAIT);
      assert.deepEqual(ben.incidents, []);
    } finally {
      await ben.context.close();
    }
    // Ben lost his phone: an admin turns it off for him (once; a second time there is nothing to turn off).
    const turnOff = ana.page.getByRole('button', { name: 'Turn off two-factor sign-in for ben' });
    await turnOff.click();
    await ana.page.getByRole('status').filter({ hasText: 'Two-factor sign-in is off for' }).waitFor(WAIT);
    await turnOff.click();
    await ana.page.getByRole('alert').filter({ hasText: 'not on' }).waitFor(WAIT);
    // Back to each person's choice, for whoever runs after.
    await ana.page.getByLabel('Who must sign in with an authenticator app').selectOption('optional');
    await ana.page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor(WAIT);
  });

  it('raised no dialog, no page error and nothing the security policy blocked', () => {
    assert.deepEqual(ana.incidents, []);
  });
});
