// The client package (web/packages/client) as an integrator uses it, from Node, against the real
// server: the built package (dist/), not its source. An admin makes a bot and a `/roll` command
// with the typed REST client; the README's example bot (examples/slash-bot.mjs, run as its own
// process) answers the command and posts as the bot; a `ChannelSocket` sees every change once,
// in order, across a restart of the server and a stop and resume. Run with `npm run e2e` after
// `npm run build` and `cargo build`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { ApiError, call, ChannelSocket, createTandemClient, sign } from '@tandem/client';
import { freePort, PASSWORD, Server } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const example = path.resolve(here, '../packages/client/examples/slash-bot.mjs');
const ROLLED = /^@ana rolled 2d6: ([1-6]) \+ ([1-6]) = \*\*(\d+)\*\*$/;

let server, botPort, bot, ana, general, botUser, secret;

/** Waits until `check()` is truthy (it is asked every 50 ms, for up to 20 s). */
async function until(check, what) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Starts the example bot as its own process, as its README says, and waits for it to listen. */
async function startBot(env) {
  const child = spawn(process.execPath, [example], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  await until(() => log.includes('/roll answers on port') || child.exitCode !== null, 'the bot to listen');
  if (child.exitCode !== null) throw new Error(`the example bot exited:\n${log}`);
  return { child, log: () => log, stop: () => child.kill('SIGKILL') };
}

/** A channel socket of the package on Node 20 (`ws`), recording what it hands over. */
function watch(afterSeq, token) {
  const seen = { changes: [], states: [] };
  const socket = new ChannelSocket({
    baseUrl: server.url,
    token,
    channelId: general.id,
    afterSeq,
    WebSocket,
    onChange: (frame) => seen.changes.push(frame),
    onState: (state) => seen.states.push(state),
  });
  socket.start();
  return Object.assign(seen, { socket });
}

/** What people and bots wrote, in the order the socket handed it over (system notes aside). */
const posted = (seen) => written(seen).map((f) => f.message.content);
const written = (seen) => seen.changes.filter((f) => f.type === 'chat_message' && f.message.message_type !== 'system');

describe('the client package', () => {
  before(async () => {
    botPort = await freePort();
    server = new Server({ settings: { TANDEM_INTEGRATIONS__ALLOWED_HOSTS: JSON.stringify([`127.0.0.1:${botPort}`]) } });
    await server.start();

    const anonymous = createTandemClient({ baseUrl: server.url });
    const signedUp = await call(
      anonymous.POST('/api/v1/auth/register', {
        body: { email: 'ana@acme.test', username: 'ana', password: PASSWORD, organization_name: 'Acme' },
      }),
    );
    ana = { token: signedUp.access_token, user: signedUp.user };
    ana.api = createTandemClient({ baseUrl: server.url, token: ana.token });
    general = await call(ana.api.POST('/api/v1/channels', { body: { name: 'general', type: 'public' } }));
    const made = await call(ana.api.POST('/api/v1/bots', { body: { username: 'dice', display_name: 'Dice' } }));
    botUser = made.bot;
    const command = await call(
      ana.api.POST('/api/v1/slash-commands', {
        body: { trigger: 'roll', url: `http://127.0.0.1:${botPort}/`, description: 'Roll dice' },
      }),
    );
    secret = command.secret;
    bot = await startBot({ TANDEM_URL: server.url, TANDEM_BOT_TOKEN: made.token, TANDEM_COMMAND_SECRET: secret, PORT: String(botPort) });
  });

  after(async () => {
    bot?.stop();
    await server?.stop();
    server?.cleanup();
  });

  it('types and runs REST calls, with the server\'s errors as ApiError', async () => {
    assert.equal(botUser.is_bot, true);
    assert.equal(botUser.bot_owner_id, ana.user.id);
    const { channels } = await call(ana.api.GET('/api/v1/channels'));
    assert.deepEqual(
      channels.map((c) => c.name),
      ['general'],
    );
    const taken = await call(ana.api.POST('/api/v1/channels', { body: { name: 'general', type: 'public' } })).catch((e) => e);
    assert.ok(taken instanceof ApiError, `${taken}`);
    assert.equal(taken.status, 409);
    assert.equal(taken.code, 'channel_name_taken');
    const forged = createTandemClient({ baseUrl: server.url, token: 'tdm_pat_forged' });
    const refused = await call(forged.GET('/api/v1/channels')).catch((e) => e);
    assert.equal(refused.status, 401);
    assert.ok(['invalid_token', 'token_revoked', 'unauthenticated'].includes(refused.code), refused.code);
  });

  it('runs the README\'s bot: /roll posts the roll as the bot, which the socket sees once', async (t) => {
    const seen = watch(0, ana.token);
    t.after(() => seen.socket.stop());
    await until(() => seen.socket.isOpen, 'the socket to open');
    const ran = await call(
      ana.api.POST('/api/v1/channels/{channel_id}/commands', { params: { path: { channel_id: general.id } }, body: { text: '/roll 2d6' } }),
    );
    // The bot posted by itself, so its answer to the command is empty.
    assert.equal(ran.response_type, 'ephemeral');
    assert.equal(ran.text, '');
    const roll = await until(() => written(seen)[0], 'the roll');
    assert.equal(roll.message.user_id, botUser.id);
    const [, a, b, total] = ROLLED.exec(roll.message.content) ?? assert.fail(`not a roll: ${roll.message.content}`);
    assert.equal(Number(a) + Number(b), Number(total));
    // The bot joined the channel to post: that change came first, and nothing came twice.
    const joined = seen.changes.find((f) => f.type === 'member_joined');
    assert.ok(joined && joined.seq < roll.seq, 'the bot joined before posting');
    const seqs = seen.changes.map((f) => f.seq);
    assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
    assert.equal(new Set(seqs).size, seqs.length);

    // A mistake is answered to the caller alone.
    const usage = await call(
      ana.api.POST('/api/v1/channels/{channel_id}/commands', { params: { path: { channel_id: general.id } }, body: { text: '/roll lots' } }),
    );
    assert.deepEqual([usage.response_type, usage.text], ['ephemeral', 'Usage: `/roll 2d6`']);
  });

  it('the bot refuses requests that are not signed with the command\'s secret, or are stale', async () => {
    const body = JSON.stringify({ command: '/roll', text: '2d6', channel_id: general.id, username: 'mallory' });
    const post = (headers) => fetch(`http://127.0.0.1:${botPort}/`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const now = Math.floor(Date.now() / 1000);
    const forged = await post({ 'x-tandem-timestamp': String(now), 'x-tandem-signature': await sign('whsec_guess', now, body) });
    assert.equal(forged.status, 401);
    const stale = await post({ 'x-tandem-timestamp': String(now - 600), 'x-tandem-signature': await sign(secret, now - 600, body) });
    assert.equal(stale.status, 401);
    assert.equal((await post({})).status, 401);
    // Signed as the server signs, the same request is answered.
    const good = await post({ 'x-tandem-timestamp': String(now), 'x-tandem-signature': await sign(secret, now, body) });
    assert.equal(good.status, 200);
    const { messages } = await call(
      ana.api.GET('/api/v1/channels/{channel_id}/messages', { params: { path: { channel_id: general.id } } }),
    );
    assert.equal(messages.filter((m) => m.content.startsWith('@mallory')).length, 1);
  });

  it('the socket reconnects after the server restarts and resumes: every change once, in order', async (t) => {
    const seen = watch(0, ana.token);
    t.after(() => seen.socket.stop());
    await until(() => seen.socket.isOpen, 'the socket to open');
    const before = seen.socket.lastSeq;
    assert.ok(before > 0, 'the socket replayed the channel from the start');
    const ack = await seen.socket.request({ type: 'chat_message', content: 'before the restart', client_msg_id: 'c-1' });
    assert.equal(ack.client_msg_id, 'c-1');
    await until(() => posted(seen).includes('before the restart'), 'the message before the restart');

    await server.restart();
    // Posted while the socket is away (or reconnecting): it arrives after the resume, once.
    await call(
      ana.api.POST('/api/v1/channels/{channel_id}/messages', {
        params: { path: { channel_id: general.id } },
        body: { content: 'while it was away' },
      }),
    );
    await until(() => posted(seen).includes('while it was away'), 'the message posted during the restart');
    assert.ok(seen.states.includes('reconnecting'), `states: ${seen.states}`);
    assert.equal(seen.states.at(-1), 'open');
    await seen.socket.request({ type: 'chat_message', content: 'after the restart' });
    await until(() => posted(seen).includes('after the restart'), 'the message after the restart');

    // Stopped, then resumed from its last seq in a new socket: only what came since.
    const last = seen.socket.lastSeq;
    seen.socket.stop();
    for (const content of ['one', 'two', 'three']) {
      await call(ana.api.POST('/api/v1/channels/{channel_id}/messages', { params: { path: { channel_id: general.id } }, body: { content } }));
    }
    const resumed = watch(last, ana.token);
    t.after(() => resumed.socket.stop());
    await until(() => posted(resumed).length === 3, 'the three messages after the resume');
    assert.deepEqual(posted(resumed), ['one', 'two', 'three']);
    const seqs = [...seen.changes, ...resumed.changes].map((f) => f.seq);
    assert.deepEqual(
      seqs,
      Array.from({ length: seqs.length }, (_, i) => i + 1),
      'the two sockets together saw every seq exactly once',
    );
  });
});
