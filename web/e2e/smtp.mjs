// A tiny SMTP server for the end-to-end tests: it accepts every message (no TLS, no
// authentication) and keeps each one's envelope and raw text, for tests to read.
import net from 'node:net';

export class SmtpSink {
  /** Each: { from, to: [addresses], raw, text } where `text` has its MIME parts decoded. */
  messages = [];
  #server = null;
  #waiters = [];

  async start() {
    this.#server = net.createServer((socket) => this.#session(socket));
    await new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', resolve);
    });
    this.port = this.#server.address().port;
    return this;
  }

  async stop() {
    await new Promise((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** The first message (now or within `timeout` ms) that `match` accepts. */
  waitFor(match, timeout = 20_000) {
    const found = this.messages.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      this.#waiters.push(waiter);
      setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching email within ${timeout} ms; received: ${JSON.stringify(this.messages.map((m) => ({ to: m.to, subject: m.subject })))}`));
      }, timeout);
    });
  }

  #received(message) {
    this.messages.push(message);
    for (const w of [...this.#waiters]) {
      if (w.match(message)) {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        w.resolve(message);
      }
    }
  }

  #session(socket) {
    socket.setEncoding('utf8');
    const reply = (line) => socket.write(`${line}\r\n`);
    let buffer = '';
    let envelope = { from: null, to: [] };
    let inData = false;
    reply('220 sink.test ESMTP ready');
    socket.on('data', (chunk) => {
      buffer += chunk;
      while (true) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          const atStart = buffer.startsWith('.\r\n');
          if (end === -1 && !atStart) return;
          const body = atStart ? '' : buffer.slice(0, end);
          buffer = atStart ? buffer.slice(3) : buffer.slice(end + 5);
          // Dot-stuffing (RFC 5321, 4.5.2).
          const raw = body.replace(/^\.\./gm, '.');
          this.#received({ ...envelope, raw, subject: header(raw, 'subject'), text: decodeMime(raw) });
          envelope = { from: null, to: [] };
          inData = false;
          reply('250 2.0.0 queued');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol === -1) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') reply('250 sink.test');
        else if (verb === 'MAIL') {
          envelope = { from: address(line), to: [] };
          reply('250 2.1.0 ok');
        } else if (verb === 'RCPT') {
          envelope.to.push(address(line));
          reply('250 2.1.5 ok');
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 end with <CRLF>.<CRLF>');
        } else if (verb === 'RSET') {
          envelope = { from: null, to: [] };
          reply('250 2.0.0 ok');
        } else if (verb === 'NOOP') reply('250 2.0.0 ok');
        else if (verb === 'QUIT') {
          reply('221 2.0.0 bye');
          socket.end();
          return;
        } else reply('502 5.5.2 not implemented');
      }
    });
    socket.on('error', () => {});
  }
}

function address(line) {
  const m = /<([^>]*)>/.exec(line);
  return (m ? m[1] : line.split(':').slice(1).join(':').trim()).toLowerCase();
}

/** A header's value (unfolded, encoded words decoded), from the top of a message or part. */
function header(raw, name) {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head);
  return m ? decodeWords(m[1]) : null;
}

function decodeWords(value) {
  return value.replace(/=\?([^?]+)\?([bqBQ])\?([^?]*)\?=/g, (_, _charset, enc, text) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  );
}

function decodeQuotedPrintable(text) {
  const bytes = [];
  const src = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < src.length; i++) {
    if (src[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(src.slice(i + 1, i + 3))) {
      bytes.push(parseInt(src.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(src[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The decoded text of every part of a MIME message, one after the other. */
export function decodeMime(raw) {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\r\n\r\n');
  const type = header(head, 'content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((part) => !part.startsWith('--'))
      .map((part) => decodeMime(part.replace(/^\r?\n/, '')))
      .join('\n');
  }
  const encoding = (header(head, 'content-transfer-encoding') ?? '').toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}
