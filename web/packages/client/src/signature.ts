// The signature of Tandem's requests to an integration's endpoint (outgoing webhooks and slash
// commands): `X-Tandem-Signature: v1=<hex>`, the HMAC-SHA256 of `"{X-Tandem-Timestamp}.{body}"`
// under the secret (`whsec_…`) shown when the hook or command was made. Web Crypto only, so it
// runs in browsers, Node 20+, Deno, Bun and edge workers.

/** The replay window: a request whose timestamp is further from now than this is refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

function bytesOf(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? encoder.encode(body) : body;
}

/** The `X-Tandem-Signature` value of `body` sent at `timestamp` (Unix seconds). */
export async function sign(secret: string, timestamp: number | string, body: string | Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const prefix = encoder.encode(`${timestamp}.`);
  const payload = bytesOf(body);
  const message = new Uint8Array(prefix.length + payload.length);
  message.set(prefix);
  message.set(payload, prefix.length);
  return `v1=${hex(await crypto.subtle.sign('HMAC', key, message))}`;
}

/** Header names as Node gives them (lower case, maybe arrays) or a Fetch `Headers`. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Compares in time that does not depend on where two strings differ. */
function equalInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

export interface VerifyOptions {
  /** The request's headers: `x-tandem-timestamp` and `x-tandem-signature` are read. */
  headers: HeaderSource;
  /** The body exactly as received (bytes or text), before any parsing. */
  body: string | Uint8Array;
  /** Seconds since the epoch now (for tests); `Date.now()` by default. */
  now?: number;
  /** The replay window in seconds (300). */
  toleranceSeconds?: number;
}

/**
 * Whether a request to an integration's endpoint came from Tandem: signed with `secret`, and
 * sent within the replay window. Check it before reading the body.
 *
 * ```ts
 * if (!(await verifySignature(secret, { headers: req.headers, body: rawBody }))) return res.writeHead(401).end();
 * ```
 */
export async function verifySignature(secret: string, options: VerifyOptions): Promise<boolean> {
  const timestamp = header(options.headers, 'x-tandem-timestamp');
  const given = header(options.headers, 'x-tandem-signature');
  if (!secret || !timestamp || !given || !/^\d+$/.test(timestamp)) return false;
  const now = options.now ?? Date.now() / 1000;
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS)) return false;
  return equalInConstantTime(await sign(secret, timestamp, options.body), given);
}
