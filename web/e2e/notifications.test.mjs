// Notifications end to end: stored while you are away and waiting in the centre when you come
// back, counted the same in every tab, emailed (to a local SMTP sink) when left unread, and
// kept quiet for muted channels. Run with `npm run e2e` after `npm run build` and `cargo build`.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { freePort, launch, logIn, PASSWORD, person, send, Server, shotPath, violations } from './lib.mjs';
import { SmtpSink } from './smtp.mjs';

const WAIT = { timeout: 20_000 };
let server, sink, browser, ana, ben;
const people = {};
const channels = {};

async function register(email, username, display_name, organization_name) {
  const auth = await server.api('POST', '/api/v1/auth/register', { body: { email, username, display_name, password: PASSWORD, organization_name } });
  return { token: auth.access_token, user: auth.user };
}

/** Waits until `check` (asked every 100 ms) returns something truthy, and returns it. */
async function eventually(check, what, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

const unreadOnServer = (who) => server.api('GET', '/api/v1/notifications/unread_count', { token: people[who].token });
const bell = (page) => page.locator('#notificationsButton');
const centre = (page) => page.getByRole('dialog', { name: 'Notifications' });
const link = (page, name) => page.locator(`#channelList .channel-link[data-channel-name="${name}"]`);

describe('notifications', () => {
  before(async () => {
    sink = await new SmtpSink().start();
    // The port is chosen first: links in emails name the server's address.
    const port = await freePort();
    server = new Server({
      settings: {
        TANDEM_MAIL__SMTP_HOST: '127.0.0.1',
        TANDEM_MAIL__SMTP_PORT: String(sink.port),
        TANDEM_MAIL__TLS: 'none',
        TANDEM_NOTIFICATIONS__EMAIL_SWEEP_INTERVAL_MS: '200',
        TANDEM_NOTIFICATIONS__BASE_URL: `http://127.0.0.1:${port}`,
      },
    });
    server.port = port;
    await server.start();
    people.ana = await register('ana@acme.test', 'ana', 'Ana García', 'Acme');
    people.ben = await register('ben@acme.test', 'ben', 'Ben Ortiz');
    people.cleo = await register('cleo@acme.test', 'cleo', 'Cleo Park');
    for (const name of ['general', 'launch', 'random']) {
      channels[name] = await server.api('POST', '/api/v1/channels', { token: people.ana.token, body: { name } });
      for (const who of ['ben', 'cleo']) {
        await server.api('POST', `/api/v1/channels/${channels[name].id}/join`, { token: people[who].token });
      }
    }
    browser = await launch();
    ana = { name: 'Ana', ...(await person(browser, server.url)) };
    await ana.page.goto('/login');
    await logIn(ana.page, 'ana@acme.test');
  });

  afterEach(async (t) => {
    for (const p of [ana, ben]) await p?.page.screenshot({ path: shotPath(`notifications-${t.name}-${p.name}`) }).catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
    await sink?.stop();
  });

  it('a mention while Ben was away waits in his centre, and opening it marks it read everywhere', async () => {
    // Ben has never opened Tandem in a browser: nobody is listening for him.
    await ana.page.goto(`/c/${channels.launch.id}`);
    await ana.page.locator('.connection[data-state="open"]').waitFor({ ...WAIT, state: 'attached' });
    const text = '@ben can you review the launch checklist before Friday?';
    await send(ana.page, text);
    await eventually(async () => (await unreadOnServer('ben')).unread === 1, 'the notification to be stored');

    ben = { name: 'Ben', ...(await person(browser, server.url)) };
    await ben.page.goto('/login');
    await logIn(ben.page, 'ben@acme.test');
    // He lands in #general; the bell counts what is waiting, from the server.
    await ben.page.locator('#channelName', { hasText: 'general' }).waitFor(WAIT);
    await ben.page.getByRole('button', { name: 'Notifications, 1 unread, 1 high priority' }).waitFor(WAIT);
    const other = await ben.context.newPage();
    other.on('pageerror', (error) => ben.incidents.push(`page error (second tab): ${error.message}`));
    await other.goto('/');
    await other.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor(WAIT);

    await bell(ben.page).click();
    const panel = centre(ben.page);
    const item = panel.locator('.notification-item.unread');
    await item.waitFor(WAIT);
    assert.equal(await item.count(), 1);
    assert.match(await item.textContent(), /Ana García mentioned you in #launch/);
    assert.match(await item.textContent(), /can you review the launch checklist before Friday\?/);

    // Not clipped by the sidebar: all of it is in the window, and on top where it reaches past the sidebar.
    const box = await panel.boundingBox();
    const sidebar = await ben.page.locator('nav.sidebar').boundingBox();
    assert.ok(box.x + box.width > sidebar.x + sidebar.width + 40, `the centre reaches past the sidebar (${JSON.stringify(box)})`);
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= 1280 && box.y + box.height <= 800, `the centre is inside the window (${JSON.stringify(box)})`);
    const onTop = await ben.page.evaluate(
      ([x, y]) => !!document.elementFromPoint(x, y)?.closest('#notificationCentre'),
      [box.x + box.width - 12, box.y + box.height / 2],
    );
    assert.ok(onTop, 'the right part of the centre is visible, not cut off');
    assert.deepEqual(await violations(ben.page), [], 'the open centre has no WCAG violations');

    await item.click();
    await ben.page.locator('#channelName', { hasText: 'launch' }).waitFor(WAIT);
    await ben.page.locator('#messagesContainer .message.highlighted', { hasText: 'review the launch checklist' }).waitFor(WAIT);
    await ben.page.getByRole('button', { name: 'Notifications', exact: true }).waitFor(WAIT);
    // The other tab agrees without a reload, and so does the server.
    await other.getByRole('button', { name: 'Notifications', exact: true }).waitFor(WAIT);
    assert.deepEqual(await unreadOnServer('ben'), { unread: 0, high_priority: 0 });
    await other.reload();
    await other.locator('#userMenuButton').waitFor(WAIT);
    await other.getByRole('button', { name: 'Notifications', exact: true }).waitFor(WAIT);
    await bell(other).click();
    await centre(other).locator('.notification-item', { hasText: 'review the launch checklist' }).waitFor(WAIT);
    assert.equal(await centre(other).locator('.notification-item.unread').count(), 0, 'read, and still listed');
    await other.keyboard.press('Escape');
    await centre(other).waitFor({ ...WAIT, state: 'detached' });
    assert.equal(await other.evaluate(() => document.activeElement?.id), 'notificationsButton', 'Escape gives the focus back to the bell');
    await other.close();
  });

  it('an unread mention is emailed to who is away, with the excerpt and a link to the channel', async () => {
    const settings = await server.api('PUT', '/api/v1/users/me/notification-settings', {
      token: people.cleo.token,
      body: { email_enabled: true, email_delay_minutes: 0, email_digest: 'immediately' },
    });
    assert.equal(settings.email_delay_minutes, 0);
    await ana.page.goto(`/c/${channels.launch.id}`);
    await ana.page.locator('.connection[data-state="open"]').waitFor({ ...WAIT, state: 'attached' });
    await send(ana.page, '@cleo the launch checklist needs your sign-off');

    const mail = await sink.waitFor((m) => m.to.includes('cleo@acme.test'));
    assert.match(mail.text, /the launch checklist needs your sign-off/);
    assert.ok(mail.text.includes(`${server.url}/c/${channels.launch.id}`), `a link to the channel in:\n${mail.text}`);
    assert.match(mail.raw, /^To:.*cleo@acme\.test/im);

    // Its links open the message in context, and the settings.
    const links = [...mail.text.matchAll(/https?:\/\/[^\s"<>]+/g)].map(([url]) => url).filter((url) => url.startsWith(server.url));
    const toMessage = links.find((url) => url.includes(`/c/${channels.launch.id}`));
    await ben.page.goto(toMessage);
    await ben.page.locator('#channelName', { hasText: 'launch' }).waitFor(WAIT);
    await ben.page.locator('#messagesContainer .message.highlighted', { hasText: 'needs your sign-off' }).waitFor(WAIT);
    const toSettings = links.find((url) => !url.includes('/c/'));
    assert.ok(toSettings, `a link to the settings in:\n${mail.text}`);
    await ben.page.goto(toSettings);
    await ben.page.getByRole('heading', { name: 'Notification settings' }).waitFor(WAIT);
  });

  it('a muted channel shows no unread count, and still shows its mentions', async () => {
    await ben.page.goto(`/c/${channels.random.id}`);
    await ben.page.locator('#channelName', { hasText: 'random' }).waitFor(WAIT);
    await ben.page.getByRole('button', { name: /Notifications for this channel: default/ }).click();
    const menu = ben.page.getByRole('menu', { name: 'Notifications for this channel' });
    assert.equal(await menu.getByRole('menuitemradio', { checked: true }).textContent().then((t) => t.startsWith('Default')), true);
    await menu.getByRole('menuitemcheckbox', { name: /Mute channel/ }).click();
    await ben.page.getByRole('button', { name: 'Notifications for this channel: muted' }).waitFor(WAIT);
    await link(ben.page, 'random').and(ben.page.locator('.muted-channel')).waitFor(WAIT);

    await link(ben.page, 'general').click();
    await ben.page.locator('#channelName', { hasText: 'general' }).waitFor(WAIT);
    const post = (name, content) => server.api('POST', `/api/v1/channels/${channels[name].id}/messages`, { token: people.ana.token, body: { content } });
    await post('random', 'Anyone for coffee?');
    await post('launch', 'The launch is moved to Monday');
    // Frames come in order: once #launch counts its message, #random has had its chance.
    await link(ben.page, 'launch').locator('.badge').waitFor(WAIT);
    assert.equal(await link(ben.page, 'random').locator('.badge').count(), 0, 'no unread count for a muted channel');
    const dim = await link(ben.page, 'random').evaluate((el) => getComputedStyle(el).color);
    const plain = await link(ben.page, 'general').evaluate((el) => getComputedStyle(el).color);
    assert.notEqual(dim, plain, 'a muted channel is dimmed');

    await post('random', '@ben the coffee machine is fixed');
    const badge = link(ben.page, 'random').locator('.badge');
    await badge.waitFor(WAIT);
    assert.equal(await badge.textContent(), '1');
    assert.equal(await badge.evaluate((el) => getComputedStyle(el).color), 'rgb(255, 255, 255)', 'badge text stays white');
    await bell(ben.page).click();
    await centre(ben.page).locator('.notification-item.unread', { hasText: 'mentioned you in #random' }).waitFor(WAIT);
    await ben.page.keyboard.press('Escape');

    // Kept by the server.
    await ben.page.reload();
    await link(ben.page, 'random').and(ben.page.locator('.muted-channel')).waitFor(WAIT);
    await link(ben.page, 'random').locator('.badge').waitFor(WAIT);
    await ben.page.getByRole('button', { name: 'Notifications, 1 unread, 1 high priority' }).waitFor(WAIT);

    // Reading the channel reads its notifications too.
    await link(ben.page, 'random').click();
    await ben.page.locator('#channelName', { hasText: 'random' }).waitFor(WAIT);
    await ben.page.getByRole('button', { name: 'Notifications', exact: true }).waitFor(WAIT);
    assert.equal((await unreadOnServer('ben')).unread, 0);
  });

  it('notification settings: from the user menu, the server’s objections beside the form, saved for next time', async () => {
    await ben.page.click('#userMenuButton');
    await ben.page.getByRole('menuitem', { name: 'Notifications' }).click();
    await ben.page.getByRole('heading', { name: 'Notification settings' }).waitFor(WAIT);
    const form = ben.page.getByRole('form', { name: 'Notification settings' });
    await form.getByLabel('Wait before emailing (minutes)').fill('5000');
    await form.getByRole('button', { name: 'Save settings' }).click();
    const alert = form.getByRole('alert').first();
    await alert.waitFor(WAIT);
    assert.ok((await alert.textContent()).trim().length > 0);

    await form.getByLabel('Wait before emailing (minutes)').fill('15');
    await form.getByLabel('Pause notifications every day').check();
    await form.getByLabel('From').fill('22:00');
    await form.getByLabel('To', { exact: true }).fill('07:30');
    await form.getByLabel('Time zone').selectOption('Europe/Madrid');
    await form.getByLabel('Language').selectOption('es');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor(WAIT);
    const saved = await server.api('GET', '/api/v1/users/me/notification-settings', { token: people.ben.token });
    assert.deepEqual(
      { delay: saved.email_delay_minutes, from: saved.dnd_start, to: saved.dnd_end, zone: saved.time_zone, language: saved.language },
      { delay: 15, from: '22:00', to: '07:30', zone: 'Europe/Madrid', language: 'es' },
    );
    assert.deepEqual(await violations(ben.page), [], 'the settings page has no WCAG violations');

    await ben.page.reload();
    await ben.page.getByRole('heading', { name: 'Notification settings' }).waitFor(WAIT);
    assert.equal(await form.getByLabel('Wait before emailing (minutes)').inputValue(), '15');
    assert.equal(await form.getByLabel('Time zone').inputValue(), 'Europe/Madrid');
  });

  it('works at phone width: the centre opens from the drawer, inside the screen', async () => {
    const phone = await person(browser, server.url, { viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true });
    await phone.page.goto('/login');
    await logIn(phone.page, 'ben@acme.test');
    await phone.page.getByRole('button', { name: 'Open the sidebar' }).click();
    await phone.page.waitForFunction(() => document.querySelector('nav.sidebar').getBoundingClientRect().x >= 0, null, WAIT);
    await bell(phone.page).click();
    const panel = centre(phone.page);
    await panel.locator('.notification-item').first().waitFor(WAIT);
    const box = await panel.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390 && box.y >= 0 && box.y + box.height <= 780, `inside the screen (${JSON.stringify(box)})`);
    await phone.page.keyboard.press('Escape');
    await panel.waitFor({ ...WAIT, state: 'detached' });
    assert.deepEqual(phone.incidents, []);
    await phone.context.close();
  });

  it('raised no dialog and no page error', () => {
    assert.deepEqual(ana.incidents, []);
    assert.deepEqual(ben.incidents, []);
  });
});
