// Outgoing webhooks end to end: a tiny HTTP receiver on 127.0.0.1 (allowed to the server by
// `integrations.allowed_hosts`, as an operator would), an admin subscribing it on the admin page
// (an address that is not allowed is refused on the field), a message posted in the app arriving
// there signed with the secret shown once, and the delivery log saying so. Run with `npm run e2e`
// after `npm run build` and `cargo build`.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import { freePort, launch, messagesWith, person, send, Server, shotPath, signUp, violations } from './lib.mjs';

const WAIT = { timeout: 20_000 };
let server, browser, ana, channel, receiver;

const session = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('tandem.session')));

/** An endpoint on 127.0.0.1 recording every request (headers and raw body), answering 204. */
async function startReceiver() {
  const received = [];
  const waiting = [];
  const listener = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(204).end();
      for (const w of waiting.splice(0)) w();
    });
  });
  await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address();
  return {
    port,
    url: `http://127.0.0.1:${port}/tandem-events`,
    received,
    /** The first request `match`es, waiting up to 30 s for it. */
    async first(match) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const found = received.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such request; received: ${received.map((r) => r.headers['x-tandem-event']).join(', ')}`);
        await new Promise((r) => {
          waiting.push(r);
          setTimeout(r, 500);
        });
      }
    },
    close: () => new Promise((r) => listener.close(r)),
  };
}

/** Whether the request is signed with `secret`, as docs/integrations.md tells receivers to check. */
function verify(secret, headers, body) {
  const timestamp = headers['x-tandem-timestamp'];
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  const expected = Buffer.from(`v1=${mac}`);
  const given = Buffer.from(headers['x-tandem-signature'] ?? '');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

describe('outgoing webhooks', () => {
  before(async () => {
    receiver = await startReceiver();
    // Only this receiver may be reached at a loopback address; any other is refused.
    server = new Server({ settings: { TANDEM_INTEGRATIONS__ALLOWED_HOSTS: JSON.stringify([`127.0.0.1:${receiver.port}`]) } });
    await server.start();
    browser = await launch();
    ana = await person(browser, server.url);
    // Ana founds Acme: she is its admin.
    await signUp(ana.page, { email: 'ana@acme.test', username: 'ana', displayName: 'Ana García', organization: 'Acme' });
    channel = await server.api('POST', '/api/v1/channels', { token: (await session(ana.page)).accessToken, body: { name: 'deploys' } });
    // Made by a script, the channel shows once the app reads its channels again.
    await ana.page.goto(`/c/${channel.id}`);
    await ana.page.locator('#messageInput').waitFor(WAIT);
  });

  afterEach(async (t) => {
    await ana?.page.screenshot({ path: shotPath(`outgoing-webhooks-${t.name}`), fullPage: true }).catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
    await receiver?.close();
  });

  it('subscribes an endpoint on the admin page, which receives a message posted in the app, signed with the secret shown once', async () => {
    const { page } = ana;
    await page.click('#userMenuButton');
    await page.getByRole('menuitem', { name: 'Administration' }).click();
    const section = page.getByRole('region', { name: 'Outgoing webhooks' });
    await section.getByText('No outgoing webhook yet.').waitFor(WAIT);

    const form = section.getByRole('form', { name: 'Add an outgoing webhook' });
    await form.getByRole('textbox', { name: 'Name' }).fill('CI notifier');
    // Another port on loopback is not allowed: refused on the address field, and never asked.
    const other = await freePort();
    const address = form.getByRole('textbox', { name: 'Address' });
    await address.fill(`http://127.0.0.1:${other}/events`);
    assert.equal(await form.getByRole('checkbox', { name: 'Message posted' }).isChecked(), true);
    await form.getByRole('checkbox', { name: 'Reaction added' }).check();
    await form.getByRole('checkbox', { name: 'deploys' }).check();
    await form.getByRole('button', { name: 'Add webhook' }).click();
    const refused = form.locator('#outgoingUrlError');
    await refused.waitFor(WAIT);
    assert.match(await refused.innerText(), /^Webhooks may not send to this address\. 127\.0\.0\.1 is not among the hosts webhooks may reach here/);
    assert.equal(await address.getAttribute('aria-invalid'), 'true');
    assert.equal(await form.getByRole('alert').innerText(), 'The webhook was not added: see the fields marked above.');
    // The form, with its refusal, passes the accessibility checks.
    assert.deepEqual(await violations(page), []);

    // The allowed receiver is subscribed; the secret is shown this once.
    await address.fill(receiver.url);
    await form.getByRole('button', { name: 'Add webhook' }).click();
    const secretInput = section.getByRole('textbox', { name: 'The signing secret' });
    await secretInput.waitFor(WAIT);
    const secret = await secretInput.inputValue();
    assert.match(secret, /^whsec_\S+$/);
    await section.getByRole('status').filter({ hasText: 'will not be shown again' }).waitFor(WAIT);
    const row = section.locator('#outgoingWebhooks tbody tr[data-webhook-id]', { hasText: 'CI notifier' });
    await row.waitFor(WAIT);
    const text = await row.innerText();
    assert.match(text, new RegExp(receiver.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.match(text, /Message posted, Reaction added/);
    assert.match(text, /#deploys/);
    assert.match(text, /Active/);
    assert.equal(await address.inputValue(), '');
    const hookId = Number(await row.getAttribute('data-webhook-id'));
    // The admin page, with the webhook and its secret shown, passes the accessibility checks.
    assert.deepEqual(await violations(page), []);
    assert.equal(receiver.received.length, 0);

    // A message posted in #deploys is delivered, signed.
    await page.goto(`/c/${channel.id}`);
    await send(page, '!deploy api v2');
    await messagesWith(page, '!deploy api v2').waitFor(WAIT);
    const request = await receiver.first((r) => r.headers['x-tandem-event'] === 'message_created');
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/tandem-events');
    assert.match(request.headers['content-type'], /^application\/json/);
    assert.match(request.headers['x-tandem-signature'], /^v1=[0-9a-f]{64}$/);
    assert.ok(verify(secret, request.headers, request.body), 'the signature verifies with the secret shown once');
    assert.ok(!verify(`${secret}x`, request.headers, request.body), 'and not with another');
    const body = JSON.parse(request.body.toString('utf8'));
    assert.equal(body.event, 'message_created');
    assert.equal(body.channel_id, channel.id);
    assert.equal(body.data.message.content, '!deploy api v2');
    assert.equal(body.hook_id, hookId);

    // The delivery log says it succeeded.
    await page.click('#userMenuButton');
    await page.getByRole('menuitem', { name: 'Administration' }).click();
    await section.getByRole('button', { name: 'Deliveries of CI notifier' }).click();
    const log = section.getByRole('region', { name: 'Latest deliveries to CI notifier' });
    const delivered = log.locator('tbody tr', { hasText: 'Message posted' });
    const deadline = Date.now() + 20_000;
    while (!/Succeeded/.test((await delivered.first().innerText({ timeout: 5_000 }).catch(() => '')) ?? '')) {
      assert.ok(Date.now() < deadline, `the delivery did not succeed: ${await log.innerText()}`);
      await page.waitForTimeout(500);
      await log.getByRole('button', { name: 'Refresh the deliveries of CI notifier' }).click();
    }
    const cells = await delivered.first().locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(0, 4), ['Message posted', 'Succeeded', '1', '204']);
    assert.match(cells[4], /^\d+$/);
    assert.equal(cells[5], '—');
    assert.deepEqual(await violations(page), []);
    assert.deepEqual(ana.incidents, []);
  });

  it('turns the webhook off and on, and deletes it once confirmed', async () => {
    const { page } = ana;
    await page.goto('/admin');
    const section = page.getByRole('region', { name: 'Outgoing webhooks' });
    const row = section.locator('#outgoingWebhooks tbody tr[data-webhook-id]', { hasText: 'CI notifier' });
    await row.waitFor(WAIT);

    await section.getByRole('button', { name: 'Turn off CI notifier' }).click();
    await section.getByRole('status').filter({ hasText: 'CI notifier is off' }).waitFor(WAIT);
    await row.getByText('turned off by @ana').waitFor(WAIT);
    // Off, nothing is sent.
    const before = receiver.received.length;
    await server.api('POST', `/api/v1/channels/${channel.id}/messages`, { token: (await session(page)).accessToken, body: { content: 'while off' } });
    await page.waitForTimeout(2_000);
    assert.equal(receiver.received.length, before);

    await section.getByRole('button', { name: 'Turn on CI notifier' }).click();
    await section.getByRole('status').filter({ hasText: 'CI notifier is on again' }).waitFor(WAIT);
    await row.getByText('Active', { exact: true }).waitFor(WAIT);

    await section.getByRole('button', { name: 'Delete CI notifier' }).click();
    await page.getByRole('dialog', { name: 'Delete an outgoing webhook' }).getByRole('button', { name: 'Delete webhook' }).click();
    await section.getByRole('status').filter({ hasText: 'CI notifier was deleted' }).waitFor(WAIT);
    await section.getByText('No outgoing webhook yet.').waitFor(WAIT);
    assert.deepEqual((await server.api('GET', '/api/v1/outgoing-webhooks', { token: (await session(page)).accessToken })).webhooks, []);
    assert.deepEqual(ana.incidents, []);
  });
});
