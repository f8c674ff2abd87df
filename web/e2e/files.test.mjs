// File sharing: an image picked with the attach button and a document dropped on the
// conversation reach the other person, with the image's preview once it is processed.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { launch, person, png, Server, shotPath, signUp } from './lib.mjs';

const WAIT = { timeout: 30_000 };
let server, browser, ana, ben;

describe('sharing files', () => {
  before(async () => {
    server = new Server();
    await server.start();
    browser = await launch();
    ana = { name: 'Ana', ...(await person(browser, server.url)) };
    ben = { name: 'Ben', ...(await person(browser, server.url)) };
    await signUp(ana.page, { email: 'ana@acme.test', username: 'ana', displayName: 'Ana García', organization: 'Acme' });
    await signUp(ben.page, { email: 'ben@acme.test', username: 'ben', displayName: 'Ben Ortiz' });
    await ana.page.getByRole('button', { name: 'Create a channel' }).click();
    await ana.page.fill('#newChannelName', 'design');
    await ana.page.click('#createChannelButton');
    await ana.page.locator('#channelName', { hasText: 'design' }).waitFor(WAIT);
    await ben.page.getByRole('button', { name: 'Browse channels' }).click();
    await ben.page.getByRole('button', { name: 'Join design' }).click();
    await ben.page.locator('#channelName', { hasText: 'design' }).waitFor(WAIT);
  });

  afterEach(async (t) => {
    for (const p of [ana, ben]) await p?.page.screenshot({ path: shotPath(`files-${t.name}-${p.name}`) }).catch(() => {});
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    server?.cleanup();
  });

  it('shares an image from the attach button; both see its preview', async () => {
    await ana.page.locator('input[aria-label="Files to share"]').setInputFiles({ name: 'mockup.png', mimeType: 'image/png', buffer: png(320, 200) });
    for (const p of [ana, ben]) {
      const image = p.page.locator('#messagesContainer .attachment-image img[alt="mockup.png"]');
      await image.waitFor(WAIT);
      await p.page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await image.elementHandle(), WAIT);
    }
    assert.equal(await ana.page.locator('.uploads .upload').count(), 0, 'the finished upload leaves the list');
  });

  it('shares a document dropped on the conversation; it downloads', async () => {
    const drop = await ana.page.evaluateHandle(() => {
      const data = new DataTransfer();
      data.items.add(new File(['Quarterly notes\n'], 'notes.txt', { type: 'text/plain' }));
      return data;
    });
    await ana.page.dispatchEvent('.drop-zone', 'dragenter', { dataTransfer: drop });
    await ana.page.locator('.drop-overlay', { hasText: 'Drop files to share in #design' }).waitFor(WAIT);
    await ana.page.dispatchEvent('.drop-zone', 'drop', { dataTransfer: drop });
    const link = ben.page.locator('#messagesContainer a.attachment-file', { hasText: 'notes.txt' });
    await link.waitFor(WAIT);
    const href = await link.getAttribute('href');
    const body = await ben.page.evaluate((url) => fetch(url).then((r) => r.text()), href);
    assert.equal(body, 'Quarterly notes\n');
    assert.equal(await ana.page.locator('.drop-overlay').count(), 0);
  });

  it('raised no dialog and no page error', () => {
    assert.deepEqual(ana.incidents, []);
    assert.deepEqual(ben.incidents, []);
  });
});
