// Regenerates docs/screenshots/*.png: a seeded organization, seen by Ana, in Chromium.
import fs from 'node:fs';
import path from 'node:path';
import { launch, logIn, person, png, repo, Server } from './lib.mjs';

const out = path.join(repo, 'docs/screenshots');

/** A wireframe of a web page: a header, a hero, three cards. */
function mockup(x, y) {
  const inside = (x0, y0, x1, y1) => x >= x0 && x < x1 && y >= y0 && y < y1;
  if (inside(0, 0, 480, 36)) return inside(16, 12, 90, 24) ? [255, 255, 255] : [79, 70, 229];
  if (inside(32, 60, 300, 78) || inside(32, 90, 240, 100)) return [60, 60, 80];
  if (inside(32, 116, 130, 144)) return [99, 102, 241];
  if (inside(320, 56, 448, 150)) return [199, 210, 254];
  for (const left of [32, 178, 324]) {
    if (inside(left, 176, left + 124, 276)) return inside(left + 12, 188, left + 112, 230) ? [224, 231, 255] : [255, 255, 255];
  }
  return [241, 243, 249];
}
fs.mkdirSync(out, { recursive: true });

const server = new Server();
await server.start();
const browser = await launch();
const open = [];
try {
  const people = {};
  for (const [username, display_name, organization_name] of [
    ['ana', 'Ana García', 'Acme'],
    ['ben', 'Ben Ortiz'],
    ['chloe', 'Chloé Martin'],
    ['dev', 'Dev Patel'],
  ]) {
    const auth = await server.api('POST', '/api/v1/auth/register', {
      body: { email: `${username}@acme.io`, username, display_name, password: 'violet harbor kettle', organization_name: organization_name ?? null },
    });
    people[username] = { token: auth.access_token, id: auth.user.id };
  }
  const as = (who) => ({ token: people[who].token });
  const channel = async (name, description, type = 'public') =>
    server.api('POST', '/api/v1/channels', { ...as('ana'), body: { name, description, type } });
  const general = await channel('general', 'Company-wide announcements and everyday chat');
  const design = await channel('design', 'Mockups, reviews and the design system');
  await channel('engineering', 'Builds, releases and incidents');
  await channel('leadership', 'Planning for the leads', 'private');
  for (const who of ['ben', 'chloe', 'dev']) {
    for (const c of [general, design]) await server.api('POST', `/api/v1/channels/${c.id}/join`, as(who));
  }
  await server.api('POST', '/api/v1/channels', { ...as('ben'), body: { type: 'direct', member_ids: [people.ana.id] } });
  const post = (who, content, reply_to_id = null, c = general) =>
    server.api('POST', `/api/v1/channels/${c.id}/messages`, { ...as(who), body: { content, reply_to_id } });

  await post('chloe', 'Morning all! The **Q4 roadmap** review is at 11:00 in the big room ☕');
  await post('chloe', 'Slides are in the shared drive: https://intranet.acme.io/roadmap');
  await post('dev', 'Deploy of `v2.4.0` went out at 08:12. Error rates look normal so far.');
  const launchMsg = await post('ben', 'Launch checklist for Thursday:\n- final copy review\n- pricing page QA\n- press kit to @chloe');
  await post('ana', 'Thanks Ben. @dev can you own the pricing page QA?');
  await post('dev', 'On it 👍');
  await post('chloe', 'Press kit draft is ready — _feedback welcome_ before EOD.');
  await post('ben', 'Looks great. One note in the thread.', launchMsg.id);
  await post('chloe', 'Copy review is booked for Wednesday 3pm.', null);
  await post('dev', 'I will add the QA results to the checklist thread.', launchMsg.id);
  await post('chloe', 'Final copy is approved ✅', launchMsg.id);
  for (const [who, emoji] of [['ana', '🎉'], ['dev', '🎉'], ['chloe', '👍']]) {
    await server.api('POST', `/api/v1/messages/${launchMsg.id}/reactions`, { ...as(who), body: { emoji } });
  }
  // Chloé shares a mockup; wait for its thumbnail.
  const form = new FormData();
  form.append('file', new Blob([png(480, 300, mockup)], { type: 'image/png' }), 'homepage-v2.png');
  form.append('caption', 'New homepage mockup, comments welcome 🎨');
  const shared = await fetch(`${server.url}/api/v1/channels/${general.id}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${people.chloe.token}` },
    body: form,
  }).then((r) => r.json());
  for (let i = 0; i < 100; i++) {
    const m = await server.api('GET', `/api/v1/messages/${shared.id}`, as('chloe'));
    if (m.attachments[0]?.thumbnail_url) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const pinned = await post('ana', 'Reminder: all-hands on **Friday at 4pm**. Bring questions for the AMA, @here');
  await server.api('POST', `/api/v1/messages/${pinned.id}/pin`, as('ana'));
  await post('dev', 'roadmap question: does the Q4 plan include the mobile release?', null, design);
  await server.api('POST', `/api/v1/messages/${pinned.id}/reactions`, { ...as('ben'), body: { emoji: '👀' } });

  // Ben is online and typing in #general.
  const ben = await person(browser, server.url);
  open.push(ben);
  await ben.page.goto('/login');
  await logIn(ben.page, 'ben@acme.io');
  await ben.page.goto(`/c/${general.id}`);
  await ben.page.locator('#messageInput').waitFor();

  const ana = await person(browser, server.url, { viewport: { width: 1360, height: 820 }, deviceScaleFactor: 1 });
  open.push(ana);
  const shot = (name) => ana.page.screenshot({ path: path.join(out, `${name}.png`) });
  await ana.page.goto('/login');
  await ana.page.locator('#loginEmail').waitFor();
  await shot('login');
  await logIn(ana.page, 'ana@acme.io');
  await ana.page.goto(`/c/${general.id}`);
  await ana.page.locator('#messagesContainer .message', { hasText: 'all-hands' }).waitFor();
  await ben.page.fill('#messageInput', 'Sounds good, see you');
  await ana.page.locator('#typingIndicator', { hasText: 'typing' }).waitFor();
  await ana.page.fill('#messageInput', 'See you all at the review ');
  await shot('channel');

  await ana.page.locator('.thread-summary').first().click();
  await ana.page.locator('#threadPanel .message', { hasText: 'Final copy is approved' }).waitFor();
  await shot('thread');

  await ana.page.keyboard.press('Escape');
  await ana.page.getByRole('button', { name: 'Search messages' }).click();
  await ana.page.selectOption('#searchPanel select[aria-label="Channel"]', '');
  await ana.page.fill('#searchInput', 'roadmap');
  await ana.page.press('#searchInput', 'Enter');
  await ana.page.locator('.search-result mark').first().waitFor();
  await shot('search');

  await ana.page.evaluate(() => localStorage.setItem('tandem.theme', 'dark'));
  await ana.page.goto(`/c/${general.id}`);
  await ana.page.locator('#messagesContainer .message', { hasText: 'all-hands' }).waitFor();
  await shot('channel-dark');

  const phone = await person(browser, server.url, { viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true });
  await phone.page.goto('/login');
  await logIn(phone.page, 'chloe@acme.io');
  await phone.page.goto(`/c/${general.id}`);
  await phone.page.locator('#messagesContainer .message', { hasText: 'all-hands' }).waitFor();
  await phone.page.screenshot({ path: path.join(out, 'phone.png') });

  for (const p of [ana, ben, phone]) if (p.incidents.length) throw new Error(p.incidents.join('\n'));
  console.log(`screenshots written to ${path.relative(process.cwd(), out)}`);
} catch (error) {
  for (const [i, p] of open.entries()) {
    await p.page.screenshot({ path: `/tmp/tandem-screenshots-failure-${i}.png` }).catch(() => {});
    console.error(p.incidents.join('\n'));
  }
  throw error;
} finally {
  await browser.close();
  await server.stop();
  server.cleanup();
}
