// Identity end to end, with addresses confirmed by emailed links (the server's default): a
// colleague who signs up with the organization's domain waits on the "confirm your email"
// screen until the mailed link is opened; an invitation by email creates an account in the
// invited channels; a forgotten password is reset by mail; the sessions page signs out another
// browser; changing the email goes through the new address. Emails go to a local SMTP sink and
// their links name this server. Run with `npm run e2e` after `npm run build` and `cargo build`.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { escape, freePort, launch, logIn, PASSWORD, person, Server, shotPath, violations } from './lib.mjs';
import { SmtpSink } from './smtp.mjs';

const WAIT = { timeout: 20_000 };
const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
let server, sink, browser, ana;
const channels = {};
const contexts = [];

/** The emails sent so far to `to` whose link leads to `page` (verify-email, invite ...). */
function mailsTo(to, page) {
  return sink.messages.filter((m) => m.to.includes(to) && m.text.includes(`${server.url}/${page}?token=`));
}

/** The `n`th such email (1 = the first), waited for; then its link. */
async function linkIn(to, page, n = 1) {
  const mail = await sink.waitFor((m) => m.to.includes(to) && mailsTo(to, page).indexOf(m) === n - 1);
  const link = new RegExp(`${escape(server.url)}/${page}\\?token=[^\\s"<>&]+`).exec(mail.text)?.[0];
  assert.ok(link, `a ${page} link in:\n${mail.text}`);
  return { mail, link };
}

/** A new browser context for someone, closed at the end. */
async function browse(name, options) {
  const p = { name, ...(await person(browser, server.url, options)) };
  contexts.push(p);
  return p;
}

const token = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('tandem.session'))?.accessToken);

describe('identity', () => {
  before(async () => {
    sink = await new SmtpSink().start();
    // The port is chosen first: links in emails name the server's address.
    const port = await freePort();
    server = new Server({
      settings: {
        TANDEM_AUTH__REQUIRE_EMAIL_VERIFICATION: 'true',
        TANDEM_MAIL__SMTP_HOST: '127.0.0.1',
        TANDEM_MAIL__SMTP_PORT: String(sink.port),
        TANDEM_MAIL__TLS: 'none',
        TANDEM_NOTIFICATIONS__BASE_URL: `http://127.0.0.1:${port}`,
      },
    });
    server.port = port;
    await server.start();

    // Ana founds Acme; her organization claims acme.test once she confirms her address.
    // Signing up only says a link is on its way (the same answer for an address in use); the
    // chosen password then logs in.
    const signedUp = await server.api('POST', '/api/v1/auth/register', {
      body: { email: 'ana@acme.test', username: 'ana', display_name: 'Ana García', password: PASSWORD, organization_name: 'Acme' },
    });
    assert.equal(signedUp.access_token, undefined);
    const founder = await server.api('POST', '/api/v1/auth/login', { body: { email: 'ana@acme.test', password: PASSWORD } });
    assert.equal(founder.user.email_verified, false);
    assert.equal(founder.user.role, 'admin');
    const { link } = await linkIn('ana@acme.test', 'verify-email');
    await server.api('POST', '/api/v1/auth/verify-email', { body: { token: new URL(link).searchParams.get('token') } });
    channels.general = await server.api('POST', '/api/v1/channels', { token: founder.access_token, body: { name: 'general' } });
    channels.launch = await server.api('POST', '/api/v1/channels', { token: founder.access_token, body: { name: 'launch', type: 'private' } });
    assert.equal((await server.api('GET', '/api/v1/organizations/current', { token: founder.access_token })).domain, 'acme.test');

    browser = await launch();
    ana = await browse('ana');
    await ana.page.goto('/login');
    await logIn(ana.page, 'ana@acme.test');
  });

  afterEach(async (t) => {
    for (const p of contexts) await p.page.screenshot({ path: shotPath(`identity-${t.name}-${p.name}`) }).catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
    await sink?.stop();
  });

  it('a colleague who signs up with the domain waits to confirm the address, then the mailed link lets them in', async () => {
    const ben = await browse('ben');
    await ben.page.goto('/signup');
    await ben.page.getByRole('radio', { name: 'Join my team' }).click();
    await ben.page.fill('#signupEmail', 'ben@acme.test');
    await ben.page.fill('#signupUsername', 'ben');
    await ben.page.fill('#signupDisplayName', 'Ben Ortiz');
    await ben.page.fill('#signupPassword', PASSWORD);
    await ben.page.click('#signupButton');

    // Not an app full of errors: one screen that says what to do.
    await ben.page.getByRole('heading', { name: 'Confirm your email address' }).waitFor(WAIT);
    assert.equal(await ben.page.locator('#unverifiedEmail').textContent(), 'ben@acme.test');
    assert.equal(await ben.page.locator('#channelList').count(), 0);
    assert.deepEqual(await violations(ben.page), [], 'the confirm-your-email screen has no WCAG violations');
    const first = await linkIn('ben@acme.test', 'verify-email');
    assert.equal(first.mail.subject, 'Confirm your email address');

    // A new link replaces the first one.
    await ben.page.getByRole('button', { name: 'Send a new link' }).click();
    await ben.page.getByRole('status').filter({ hasText: 'A new link is on its way to ben@acme.test' }).waitFor(WAIT);
    const second = await linkIn('ben@acme.test', 'verify-email', 2);
    const tab = await ben.context.newPage();
    tab.on('pageerror', (error) => ben.incidents.push(`page error (second tab): ${error.message}`));
    await tab.goto(first.link);
    await tab.getByRole('heading', { name: 'This link no longer works' }).waitFor(WAIT);
    await tab.getByRole('button', { name: 'Send a new link' }).waitFor(WAIT);

    // Opened in another tab, the latest link lets both tabs in.
    await tab.goto(second.link);
    await tab.getByRole('heading', { name: 'Email address confirmed' }).waitFor(WAIT);
    await ben.page.locator('#userMenuButton').waitFor(WAIT);
    await ben.page.locator('#channelList').waitFor(WAIT);
    await tab.getByRole('link', { name: 'Continue to Tandem' }).click();
    await tab.locator('#userMenuButton').waitFor(WAIT);
    await tab.close();
    const me = await server.api('GET', '/api/v1/auth/me', { token: await token(ben.page) });
    assert.equal(me.email_verified, true);
    // In the organization now: its channels answer.
    await server.api('GET', '/api/v1/channels', { token: await token(ben.page) });
    assert.deepEqual(ben.incidents, []);
  });

  it('signing up with an address in use looks like any sign-up, and its owner is emailed a way in', async () => {
    const someone = await browse('someone');
    await someone.page.goto('/signup');
    await someone.page.getByRole('radio', { name: 'Join my team' }).click();
    await someone.page.fill('#signupEmail', 'ana@acme.test');
    await someone.page.fill('#signupUsername', 'not-ana');
    await someone.page.fill('#signupPassword', 'another harbor kettle');
    await someone.page.click('#signupButton');
    await someone.page.getByRole('heading', { name: 'Check your inbox' }).waitFor(WAIT);
    assert.match(await someone.page.locator('#signupSent').textContent(), /If ana@acme\.test already has an account, the email says so/);
    assert.deepEqual(await violations(someone.page), [], 'the check-your-inbox screen has no WCAG violations');
    const { mail } = await linkIn('ana@acme.test', 'reset-password');
    assert.equal(mail.subject, 'You already have a Tandem account');
    assert.deepEqual(someone.incidents, []);
  });

  it('an admin invites by email; the invitee opens the mailed link, creates the account and lands in the invited channel', async () => {
    await ana.page.click('#userMenuButton');
    await ana.page.getByRole('menuitem', { name: 'Administration' }).click();
    const form = ana.page.getByRole('form', { name: 'Invite people' });
    await form.waitFor(WAIT);

    // Joining by domain: on by default, and shown with the claimed domain.
    const toggle = ana.page.getByLabel('People can join by signing up with an @acme.test address');
    assert.equal(await toggle.isChecked(), true);
    await toggle.uncheck();
    await ana.page.waitForFunction(() => document.querySelector('#selfSignup')?.checked === false && !document.querySelector('#selfSignup')?.disabled, null, WAIT);
    const anaToken = await token(ana.page);
    assert.equal((await server.api('GET', '/api/v1/organizations/current', { token: anaToken })).self_signup, false);
    await toggle.check();
    await ana.page.waitForFunction(() => document.querySelector('#selfSignup')?.checked === true && !document.querySelector('#selfSignup')?.disabled, null, WAIT);
    assert.equal((await server.api('GET', '/api/v1/organizations/current', { token: anaToken })).self_signup, true);

    // An invitation sent and revoked no longer works.
    await form.getByLabel('Email address').fill('dan@elsewhere.test');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await form.getByRole('status').filter({ hasText: 'Invitation sent to dan@elsewhere.test' }).waitFor(WAIT);
    await ana.page.getByRole('button', { name: 'Revoke the invitation of dan@elsewhere.test' }).click();
    await ana.page.getByRole('button', { name: 'Revoke the invitation of dan@elsewhere.test' }).waitFor({ ...WAIT, state: 'detached' });
    const revoked = await linkIn('dan@elsewhere.test', 'invite');

    await form.getByLabel('Email address').fill('cleo@elsewhere.test');
    await form.getByLabel('Role').selectOption('moderator');
    await form.getByRole('checkbox', { name: 'launch' }).check();
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await form.getByRole('status').filter({ hasText: 'Invitation sent to cleo@elsewhere.test' }).waitFor(WAIT);
    const row = ana.page.locator('#pendingInvitations tr[data-email="cleo@elsewhere.test"]');
    await row.waitFor(WAIT);
    assert.match(await row.textContent(), /Moderator.*#launch/);
    assert.deepEqual(await violations(ana.page), [], 'the admin page has no WCAG violations');

    const { mail, link } = await linkIn('cleo@elsewhere.test', 'invite');
    assert.equal(mail.subject, 'Ana García invited you to Acme on Tandem');
    const cleo = await browse('cleo');
    await cleo.page.goto(revoked.link);
    await cleo.page.getByRole('heading', { name: 'This invitation no longer works' }).waitFor(WAIT);

    await cleo.page.goto(link);
    await cleo.page.getByRole('heading', { name: 'Join Acme on Tandem' }).waitFor(WAIT);
    await cleo.page.getByText('Ana García invited you to join as a moderator.').waitFor(WAIT);
    assert.equal(await cleo.page.inputValue('#inviteEmail'), 'cleo@elsewhere.test');
    assert.deepEqual(await violations(cleo.page), [], 'the invitation page has no WCAG violations');
    await cleo.page.fill('#inviteUsername', 'ben');
    await cleo.page.fill('#inviteDisplayName', 'Cleo Park');
    await cleo.page.fill('#invitePassword', PASSWORD);
    await cleo.page.click('#acceptInvitationButton');
    // The username is someone else's: said beside it, and the link still works.
    await cleo.page.locator('.field-error', { hasText: 'taken' }).waitFor(WAIT);
    await cleo.page.fill('#inviteUsername', 'cleo');
    await cleo.page.click('#acceptInvitationButton');
    await cleo.page.locator('#userMenuButton').waitFor(WAIT);
    await cleo.page.locator('#channelList .channel-link[data-channel-name="launch"]').click();
    await cleo.page.locator('#channelName', { hasText: 'launch' }).waitFor(WAIT);
    const me = await server.api('GET', '/api/v1/auth/me', { token: await token(cleo.page) });
    assert.deepEqual({ role: me.role, verified: me.email_verified, name: me.display_name }, { role: 'moderator', verified: true, name: 'Cleo Park' });

    // No longer pending.
    await ana.page.reload();
    await form.waitFor(WAIT);
    await ana.page.getByText('No pending invitations.').waitFor(WAIT);

    // From the people list: signed out everywhere, then made to choose a new password.
    await ana.page.getByRole('button', { name: 'Sign out cleo everywhere' }).click();
    await ana.page.getByRole('status').filter({ hasText: 'Cleo Park was signed out of 1 session.' }).waitFor(WAIT);
    await cleo.page.getByRole('button', { name: 'Browse channels' }).click().catch(() => {});
    await cleo.page.locator('#loginEmail').waitFor(WAIT);
    await ana.page.getByRole('button', { name: 'Force a password reset for cleo' }).click();
    const dialog = ana.page.getByRole('dialog', { name: 'Force a password reset' });
    await dialog.getByRole('button', { name: 'Force password reset' }).click();
    await ana.page.getByRole('status').filter({ hasText: 'Cleo Park was signed out everywhere and emailed a link' }).waitFor(WAIT);
    await linkIn('cleo@elsewhere.test', 'reset-password');
    await cleo.page.fill('#loginEmail', 'cleo@elsewhere.test');
    await cleo.page.fill('#loginPassword', PASSWORD);
    await cleo.page.click('#loginButton');
    await cleo.page.getByRole('alert').waitFor(WAIT);
    assert.deepEqual(cleo.incidents, []);
  });

  it('a forgotten password: the mailed link sets a new one, then logging in with it works', async () => {
    const ben = await browse('ben-again');
    await ben.page.goto('/login');
    await ben.page.fill('#loginEmail', 'ben@acme.test');
    await ben.page.getByRole('link', { name: 'Forgot your password?' }).click();
    await ben.page.getByRole('heading', { name: 'Reset your password' }).waitFor(WAIT);
    assert.equal(await ben.page.inputValue('#forgotEmail'), 'ben@acme.test', 'the address typed at login is kept');
    await ben.page.click('#forgotButton');
    await ben.page.getByRole('status').filter({ hasText: 'If an account uses ben@acme.test' }).waitFor(WAIT);

    // An address nobody has gets the very same answer.
    await ben.page.getByRole('button', { name: 'try another address' }).click();
    await ben.page.fill('#forgotEmail', 'nobody@acme.test');
    await ben.page.click('#forgotButton');
    await ben.page.getByRole('status').filter({ hasText: 'If an account uses nobody@acme.test' }).waitFor(WAIT);

    const { mail, link } = await linkIn('ben@acme.test', 'reset-password');
    assert.equal(mail.subject, 'Reset your Tandem password');
    await ben.page.goto(link);
    await ben.page.getByRole('heading', { name: 'Choose a new password' }).waitFor(WAIT);
    assert.deepEqual(await violations(ben.page), [], 'the new password page has no WCAG violations');
    // Refused as too weak: said beside the field, and the link still works.
    await ben.page.fill('#resetPassword', 'password');
    await ben.page.fill('#resetPasswordAgain', 'password');
    await ben.page.click('#resetButton');
    await ben.page.locator('#resetPasswordError').waitFor(WAIT);

    const renewed = 'quiet orchard lantern 42';
    await ben.page.fill('#resetPassword', renewed);
    await ben.page.fill('#resetPasswordAgain', renewed);
    await ben.page.click('#resetButton');
    await ben.page.getByRole('status').filter({ hasText: 'Your new password is set' }).waitFor(WAIT);
    assert.match(ben.page.url(), /\/login\?reason=reset$/);
    await ben.page.fill('#loginEmail', 'ben@acme.test');
    await ben.page.fill('#loginPassword', renewed);
    await ben.page.click('#loginButton');
    await ben.page.locator('#userMenuButton').waitFor(WAIT);

    // The link worked once.
    await ben.page.goto(link);
    await ben.page.getByRole('heading', { name: 'Choose a new password' }).waitFor(WAIT);
    await ben.page.fill('#resetPassword', 'another fresh passphrase');
    await ben.page.fill('#resetPasswordAgain', 'another fresh passphrase');
    await ben.page.click('#resetButton');
    await ben.page.getByRole('heading', { name: 'This link no longer works' }).waitFor(WAIT);
    // Put the usual password back, for what follows.
    const auth = await server.api('POST', '/api/v1/auth/login', { body: { email: 'ben@acme.test', password: renewed } });
    await server.api('POST', '/api/v1/auth/password', { token: auth.access_token, body: { current_password: renewed, new_password: PASSWORD } });
    assert.deepEqual(ben.incidents, []);
  });

  it('the sessions page signs out another browser, whose next request then fails', async () => {
    const laptop = await browse('laptop');
    const other = await browse('firefox', { userAgent: FIREFOX_ON_WINDOWS });
    const third = await browse('phone', { viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true });
    for (const p of [laptop, other, third]) {
      await p.page.goto('/login');
      await logIn(p.page, 'ben@acme.test');
    }
    // At phone width each session is a block that fits the screen, its button included.
    await third.page.goto('/settings/sessions');
    const button = third.page.getByRole('button', { name: /^Sign out Firefox on Windows/ });
    await button.waitFor(WAIT);
    const box = await button.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `the button is on screen (${JSON.stringify(box)})`);
    assert.equal(await third.page.evaluate(() => document.documentElement.scrollWidth <= 390 && document.querySelector('.card').scrollWidth <= document.querySelector('.card').clientWidth), true, 'nothing scrolls sideways');
    await laptop.page.click('#userMenuButton');
    await laptop.page.getByRole('menuitem', { name: 'Sessions' }).click();
    await laptop.page.getByRole('heading', { name: 'Where you are signed in' }).waitFor(WAIT);
    const rows = laptop.page.locator('#sessionsTable tbody tr');
    await rows.nth(2).waitFor(WAIT);
    assert.equal(await rows.count(), 3);
    const current = laptop.page.locator('#sessionsTable tr.current-session');
    assert.match(await current.textContent(), /This device/);
    assert.match(await current.textContent(), /Chrome on Linux/);
    assert.match(await laptop.page.locator('#sessionsTable').textContent(), /Firefox on Windows/);
    assert.deepEqual(await violations(laptop.page), [], 'the sessions page has no WCAG violations');

    await laptop.page.getByRole('button', { name: /^Sign out Firefox on Windows/ }).click();
    await laptop.page.getByRole('status').filter({ hasText: 'Signed out of Firefox on Windows.' }).waitFor(WAIT);
    await laptop.page.waitForFunction(() => document.querySelectorAll('#sessionsTable tbody tr').length === 2, null, WAIT);

    // The signed-out browser is back at login as soon as it asks the server anything.
    await other.page.getByRole('button', { name: 'Browse channels' }).click().catch(() => {});
    await other.page.locator('#loginEmail').waitFor(WAIT);
    assert.equal(await other.page.evaluate(() => localStorage.getItem('tandem.session')), null);

    await laptop.page.getByRole('button', { name: 'Sign out all other sessions' }).click();
    await laptop.page.getByRole('status').filter({ hasText: 'Signed out of 1 other session.' }).waitFor(WAIT);
    await laptop.page.waitForFunction(() => document.querySelectorAll('#sessionsTable tbody tr').length === 1, null, WAIT);
    await third.page.reload();
    await third.page.locator('#loginEmail').waitFor(WAIT);
    // This one carries on.
    await laptop.page.reload();
    await laptop.page.getByRole('heading', { name: 'Where you are signed in' }).waitFor(WAIT);
    await laptop.page.locator('#sessionsTable tr.current-session').waitFor(WAIT);
    for (const p of [laptop, other, third]) assert.deepEqual(p.incidents, [], p.name);
  });

  it('changing the email address goes through a link sent to the new address', async () => {
    await ana.page.click('#userMenuButton');
    await ana.page.getByRole('menuitem', { name: 'Profile' }).click();
    await ana.page.getByRole('button', { name: 'Change email address' }).click();
    const form = ana.page.getByRole('form', { name: 'Change email address' });
    await form.getByLabel('New email address').fill('ana.garcia@acme.test');
    await form.getByLabel('Current password').fill('not my password');
    await form.getByRole('button', { name: 'Send a confirmation link' }).click();
    await form.getByRole('alert').waitFor(WAIT);
    await form.getByLabel('Current password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Send a confirmation link' }).click();
    await ana.page.getByRole('status').filter({ hasText: 'Check your inbox at ana.garcia@acme.test' }).waitFor(WAIT);
    assert.equal(await ana.page.locator('#currentEmail').textContent(), 'ana@acme.test', 'unchanged until the link is opened');

    const { link } = await linkIn('ana.garcia@acme.test', 'verify-email');
    await ana.page.goto(link);
    await ana.page.getByRole('heading', { name: 'Email address confirmed' }).waitFor(WAIT);
    await ana.page.getByRole('link', { name: 'Continue to Tandem' }).click();
    await ana.page.locator('#userMenuButton').waitFor(WAIT);
    await ana.page.goto('/profile');
    await ana.page.locator('#currentEmail', { hasText: 'ana.garcia@acme.test' }).waitFor(WAIT);
  });

  it('raised no dialog and no page error', () => {
    for (const p of contexts) assert.deepEqual(p.incidents, [], p.name);
  });
});
