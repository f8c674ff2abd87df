// Slash commands end to end: a member runs Tandem's own from the composer (`/shrug` posts,
// `/help` answers them alone), and an admin registers a command of the organization's on the
// admin page, answered by a tiny HTTP endpoint on 127.0.0.1 (allowed to the server by
// `integrations.allowed_hosts`, as an operator would) which checks the signature with the secret
// shown once and posts in the channel. Run with `npm run e2e` after `npm run build` and `cargo build`.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import { launch, messagesWith, person, send, Server, shotPath, signUp, violations } from './lib.mjs';

const WAIT = { timeout: 20_000 };
const SHRUGGED = 'it works ¯\\_(ツ)_/¯';
let server, browser, ana, ben, endpoint;

/** Whether the request is signed with `secret`, as docs/integrations.md tells endpoints to check. */
function verify(secret, headers, body) {
  const timestamp = headers['x-tandem-timestamp'];
  if (!secret || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  const expected = Buffer.from(`v1=${mac}`);
  const given = Buffer.from(headers['x-tandem-signature'] ?? '');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * The command's endpoint on 127.0.0.1: refuses (401) what is not signed with `secret` (set once
 * the admin page shows it), answers `/deploy fail` with a 500, and anything else by posting
 * "deployed" in the channel. Every request is recorded, with whether its signature verified.
 */
async function startEndpoint() {
  const state = { secret: null, received: [] };
  const listener = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const verified = verify(state.secret, req.headers, body);
      state.received.push({ method: req.method, url: req.url, headers: req.headers, body, verified });
      if (!verified) return void res.writeHead(401).end();
      if (JSON.parse(body.toString('utf8')).text === 'fail') return void res.writeHead(500).end();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ response_type: 'in_channel', text: 'deployed' }));
    });
  });
  await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address();
  return Object.assign(state, {
    port,
    url: `http://127.0.0.1:${port}/tandem-command`,
    close: () => new Promise((r) => listener.close(r)),
  });
}

const notices = (page) => page.locator('#messagesContainer .command-notice');

describe('slash commands', () => {
  before(async () => {
    endpoint = await startEndpoint();
    server = new Server({ settings: { TANDEM_INTEGRATIONS__ALLOWED_HOSTS: JSON.stringify([`127.0.0.1:${endpoint.port}`]) } });
    await server.start();
    browser = await launch();
    ana = { name: 'Ana', ...(await person(browser, server.url)) };
    ben = { name: 'Ben', ...(await person(browser, server.url)) };
    // Ana founds Acme (she is its admin); Ben joins as a member.
    await signUp(ana.page, { email: 'ana@acme.test', username: 'ana', displayName: 'Ana García', organization: 'Acme' });
    await signUp(ben.page, { email: 'ben@acme.test', username: 'ben', displayName: 'Ben Ortiz' });
    await ana.page.getByRole('button', { name: 'Create a channel' }).click();
    await ana.page.fill('#newChannelName', 'general');
    await ana.page.click('#createChannelButton');
    await ana.page.locator('#channelName', { hasText: 'general' }).waitFor(WAIT);
    await ben.page.getByRole('button', { name: 'Browse channels' }).click();
    await ben.page.getByRole('button', { name: 'Join general' }).click();
    await ben.page.locator('#channelName', { hasText: 'general' }).waitFor(WAIT);
    for (const p of [ana, ben]) await p.page.locator('.connection[data-state="open"]').waitFor({ ...WAIT, state: 'attached' });
  });

  afterEach(async (t) => {
    for (const p of [ana, ben]) await p?.page.screenshot({ path: shotPath(`slash-commands-${t.name}-${p.name}`), fullPage: true }).catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
    await endpoint?.close();
  });

  it('suggests commands as a member types /, and /shrug posts in the channel for everyone', async () => {
    const { page } = ben;
    const input = page.locator('#messageInput');
    await input.click();
    await input.pressSequentially('/sh');
    const list = page.getByRole('listbox', { name: 'Commands' });
    await list.waitFor(WAIT);
    const options = await list.getByRole('option').allInnerTexts();
    assert.equal(options.length, 1);
    assert.match(options[0], /^\/shrug \[message\]\s+\S/);
    await page.keyboard.press('Tab');
    assert.equal(await input.inputValue(), '/shrug ');
    await input.pressSequentially('it works');
    await page.keyboard.press('Enter');

    for (const p of [ben, ana]) {
      await messagesWith(p.page, SHRUGGED).first().waitFor(WAIT);
      assert.equal(await messagesWith(p.page, SHRUGGED).count(), 1, `the shrug shows once for ${p.name}`);
    }
    assert.equal(await input.inputValue(), '');
    assert.equal(await page.locator('#messagesContainer .message.pending').count(), 0);
    // Typed with `//`, a slash starts a plain message.
    await send(page, '//etc/hosts is where it is');
    await messagesWith(ana.page, '/etc/hosts is where it is').waitFor(WAIT);
    assert.deepEqual([...ben.incidents, ...ana.incidents], []);
  });

  it('answers /help to the member alone, as a notice they dismiss', async () => {
    const { page } = ben;
    await send(page, '/help');
    const notice = notices(page);
    await notice.waitFor(WAIT);
    assert.equal(await notice.count(), 1);
    const text = await notice.innerText();
    assert.match(text, /Only you can see this/);
    for (const usage of ['/me <action>', '/shrug [message]', '/invite @person', '/leave', '/topic <text>', '/mute', '/unmute', '/help']) {
      assert.ok(text.includes(usage), `the notice lists ${usage}: ${text}`);
    }
    // Rendered as messages are: the usages are code.
    assert.ok((await notice.locator('.message-content code').count()) >= 8);
    assert.equal(await page.locator('#messageInput').inputValue(), '');
    // Nobody else sees it, and nothing was posted.
    await ana.page.waitForTimeout(1_000);
    assert.equal(await notices(ana.page).count(), 0);
    assert.equal(await messagesWith(ana.page, '/help').count(), 0);
    assert.deepEqual(await violations(page), []);

    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await notice.waitFor({ ...WAIT, state: 'detached' });
    // A mistake is said by the composer, and what was typed stays to be fixed.
    await send(page, '/nope now');
    const alert = page.locator('#commandError');
    await alert.waitFor(WAIT);
    assert.equal(await alert.innerText(), 'There is no /nope command: /help lists them.');
    assert.equal(await page.locator('#messageInput').inputValue(), '/nope now');
    await page.fill('#messageInput', '');
    await alert.waitFor({ ...WAIT, state: 'detached' });
    assert.deepEqual(ben.incidents, []);
  });

  it('runs a command the admin registered, answered by a signed request to its endpoint', async () => {
    const { page } = ana;
    await page.click('#userMenuButton');
    await page.getByRole('menuitem', { name: 'Administration' }).click();
    const section = page.getByRole('region', { name: 'Slash commands' });
    await section.getByText('No command of your own yet.').waitFor(WAIT);
    const form = section.getByRole('form', { name: 'Add a slash command' });
    await form.getByRole('textbox', { name: 'Command' }).fill('deploy');
    await form.getByRole('textbox', { name: 'Address' }).fill(endpoint.url);
    await form.getByRole('textbox', { name: 'Description' }).fill('Deploy a service');
    await form.getByRole('button', { name: 'Add command' }).click();

    const secretInput = section.getByRole('textbox', { name: 'The command’s signing secret' });
    await secretInput.waitFor(WAIT);
    const secret = await secretInput.inputValue();
    assert.match(secret, /^whsec_\S+$/);
    endpoint.secret = secret;
    const row = section.locator('#slashCommands tbody tr', { hasText: '/deploy' });
    await row.waitFor(WAIT);
    const cells = await row.locator('td').allInnerTexts();
    assert.match(cells[0], /^\/deploy/);
    assert.equal(cells[1], 'Deploy a service');
    assert.equal(cells[2], endpoint.url);
    assert.deepEqual(await violations(page), []);
    assert.equal(endpoint.received.length, 0);

    // In the channel, the composer suggests it, and running it posts the endpoint's answer.
    await page.getByRole('link', { name: /general/ }).first().click();
    const input = page.locator('#messageInput');
    await input.waitFor(WAIT);
    await input.click();
    await input.pressSequentially('/dep');
    const option = page.getByRole('listbox', { name: 'Commands' }).getByRole('option');
    await option.first().waitFor(WAIT);
    assert.match(await option.first().innerText(), /^\/deploy \[text\]\s+Deploy a service$/);
    await page.keyboard.press('Tab');
    assert.equal(await input.inputValue(), '/deploy ');
    await input.pressSequentially('api');
    await page.keyboard.press('Enter');

    for (const p of [ana, ben]) {
      await messagesWith(p.page, 'deployed').first().waitFor(WAIT);
      assert.equal(await messagesWith(p.page, 'deployed').count(), 1, `"deployed" shows once for ${p.name}`);
    }
    assert.equal(endpoint.received.length, 1);
    const [request] = endpoint.received;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/tandem-command');
    assert.equal(request.headers['x-tandem-event'], 'slash_command');
    assert.match(request.headers['x-tandem-signature'], /^v1=[0-9a-f]{64}$/);
    assert.ok(request.verified, 'the signature verifies with the secret shown once');
    assert.ok(!verify(`${secret}x`, request.headers, request.body), 'and not with another');
    const body = JSON.parse(request.body.toString('utf8'));
    assert.equal(body.command, '/deploy');
    assert.equal(body.text, 'api');
    assert.equal(body.channel_name, 'general');
    assert.equal(body.username, 'ana');

    // The endpoint failing is said by the composer, keeping the text.
    await send(page, '/deploy fail');
    const alert = page.locator('#commandError');
    await alert.waitFor(WAIT);
    assert.match(await alert.innerText(), /^\/deploy did not work/);
    assert.equal(await input.inputValue(), '/deploy fail');
    assert.deepEqual([...ana.incidents, ...ben.incidents], []);
  });

  it('/leave leaves the channel and goes elsewhere', async () => {
    const { page } = ben;
    const channelUrl = page.url();
    assert.match(channelUrl, /\/c\/\d+/);
    await send(page, '/leave');
    await page.waitForURL((url) => url.toString() !== channelUrl, WAIT);
    await page.getByRole('link', { name: /general/ }).waitFor({ ...WAIT, state: 'detached' });
    assert.deepEqual(ben.incidents, []);
  });
});
