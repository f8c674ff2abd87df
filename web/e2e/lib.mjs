// Helpers of the end-to-end tests and the screenshot script: the real `tandem` binary on a
// fresh embedded database in a temporary directory, and Debian's Chromium driven by
// playwright-core. Nothing is downloaded.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../..');
export const webDist = path.resolve(here, '../dist');
export const PASSWORD = 'violet harbor kettle';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A `tandem serve` process; `restart()` kills it and starts it again on the same data and port. */
export class Server {
  /** `settings`: extra TANDEM_* variables for the server. */
  constructor({ binary = process.env.E2E_SERVER_BIN ?? path.join(repo, 'target/debug/tandem'), settings = {} } = {}) {
    this.settings = settings;
    if (!fs.existsSync(binary)) throw new Error(`no server binary at ${binary}: run \`cargo build -p tandem-server\` (or set E2E_SERVER_BIN)`);
    if (!fs.existsSync(path.join(webDist, 'index.html'))) throw new Error(`the web app is not built (${webDist}): run \`npm run build\``);
    this.binary = binary;
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-e2e-'));
    this.log = '';
  }

  async start() {
    this.port ??= await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    this.child = spawn(this.binary, ['serve'], {
      cwd: repo,
      env: {
        // The server reads every TANDEM_* variable as a setting: pass only these.
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TANDEM_'))),
        TANDEM_DATA_DIR: this.dataDir,
        TANDEM_ADDR: `127.0.0.1:${this.port}`,
        TANDEM_AUTH__BCRYPT_COST: '4',
        // Every person of a test signs up from 127.0.0.1.
        TANDEM_AUTH__MAX_REGISTRATIONS_PER_ADDRESS_PER_HOUR: '100000',
        // Joining by email domain needs no confirmed address here; identity.test.mjs turns
        // the default (confirmation required) back on.
        TANDEM_AUTH__REQUIRE_EMAIL_VERIFICATION: 'false',
        TANDEM_HTTP__WEB_DIR: webDist,
        TANDEM_HTTP__SHUTDOWN_TIMEOUT_SECS: '1',
        TANDEM_LOG__LEVEL: 'warn',
        // Webhooks and commands reach only the receivers a test allows, nothing else.
        TANDEM_INTEGRATIONS__ALLOW_PUBLIC_ADDRESSES: 'false',
        ...this.settings,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const append = (d) => (this.log = (this.log + d).slice(-20_000));
    this.child.stdout.on('data', append);
    this.child.stderr.on('data', append);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`tandem exited (${this.child.exitCode}):\n${this.log}`);
      try {
        const res = await fetch(`${this.url}/readyz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`tandem did not become ready:\n${this.log}`);
  }

  async stop() {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }

  async restart() {
    await this.stop();
    await this.start();
  }

  cleanup() {
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  async api(method, pathname, { token, body } = {}) {
    const res = await fetch(this.url + pathname, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${pathname}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }
}

export async function launch() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A browser context for one person, recording dialogs, page errors and what the security policy blocked: all must stay empty. */
export async function person(browser, baseURL, options = {}) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  const incidents = [];
  page.on('dialog', (dialog) => {
    incidents.push(`dialog: ${dialog.type()} ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => incidents.push(`page error: ${error.message}`));
  // What the Content-Security-Policy blocked: the app must need nothing it forbids.
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy')) incidents.push(`blocked: ${message.text()}`);
  });
  return { context, page, incidents };
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's WCAG findings on the page, one line each. axe is evaluated through the DevTools
 * protocol, which the page's Content-Security-Policy does not govern (an injected <script>
 * would be refused, as it should be).
 */
export async function violations(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'best-practice'], resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

export async function signUp(page, { email, username, displayName, organization }) {
  await page.goto('/signup');
  if (!organization) await page.getByRole('radio', { name: 'Join my team' }).click();
  await page.fill('#signupEmail', email);
  if (organization) await page.fill('#signupOrganization', organization);
  await page.fill('#signupUsername', username);
  if (displayName) await page.fill('#signupDisplayName', displayName);
  await page.fill('#signupPassword', PASSWORD);
  await page.click('#signupButton');
  await page.locator('#userMenuButton').waitFor();
}

export async function logIn(page, email) {
  await page.fill('#loginEmail', email);
  await page.fill('#loginPassword', PASSWORD);
  await page.click('#loginButton');
  await page.locator('#userMenuButton').waitFor();
}

/** The messages of the open channel whose content is exactly `text`. */
export function messagesWith(page, text) {
  return page.locator('#messagesContainer .message:not(.pending) .message-content').filter({ hasText: exact(text) });
}

/** Matches an element whose whole text is `text` (an edited message adds "(edited)"). */
export function exact(text) {
  return new RegExp(`^${escape(text)}(\\(edited\\))?$`);
}

export function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function send(page, text) {
  await page.fill('#messageInput', text);
  await page.press('#messageInput', 'Enter');
}

/** Where a test leaves what a browser showed: $TMPDIR/tandem-e2e/<name>.png. */
export function shotPath(name) {
  const dir = path.join(os.tmpdir(), 'tandem-e2e');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name.replace(/[^\w-]+/g, '-').slice(0, 80)}.png`);
}

/** A small RGB PNG, made here; `paint(x, y)` gives each pixel's [r, g, b]. */
export function png(width, height, paint = (x, y) => [(x * 4) & 255, (y * 5) & 255, 180]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = [0];
    for (let x = 0; x < width; x++) row.push(...paint(x, y));
    rows.push(Buffer.from(row));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
