// The signature check of Tandem's requests, against node:crypto's HMAC as an independent
// implementation, and every way a request can fail it.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sign, verifySignature } from '../src/index.js';

const secret = 'whsec_3c1Jm2lq8Zc';
const body = '{"command":"/roll","text":"2d6 ünïcödé","channel_id":12}';
const now = 1_764_950_000;
const reference = (key: string, timestamp: number, payload: string | Uint8Array) =>
  `v1=${createHmac('sha256', key).update(`${timestamp}.`).update(payload).digest('hex')}`;
const headers = (timestamp: number | string, signature: string) => ({
  'x-tandem-timestamp': String(timestamp),
  'x-tandem-signature': signature,
});

describe('sign', () => {
  it('is the hex HMAC-SHA256 of "{timestamp}.{body}", as the server computes it', async () => {
    await expect(sign(secret, now, body)).resolves.toBe(reference(secret, now, body));
    const bytes = new TextEncoder().encode(body);
    await expect(sign(secret, now, bytes)).resolves.toBe(reference(secret, now, bytes));
    // A key longer than SHA-256's block is hashed first (RFC 2104).
    const long = 'k'.repeat(131);
    await expect(sign(long, now, body)).resolves.toBe(reference(long, now, body));
  });
});

describe('verifySignature', () => {
  it('accepts a request signed with the secret within the replay window, from Node or Fetch headers', async () => {
    const signature = reference(secret, now, body);
    expect(await verifySignature(secret, { headers: headers(now, signature), body, now: now + 299 })).toBe(true);
    const fetchHeaders = new Headers(headers(now, signature));
    expect(await verifySignature(secret, { headers: fetchHeaders, body: new TextEncoder().encode(body), now })).toBe(true);
    // Node gives repeated headers as arrays: the first counts.
    expect(await verifySignature(secret, { headers: { ...headers(now, signature), 'x-tandem-signature': [signature, 'x'] }, body, now })).toBe(true);
  });

  it('refuses another secret, another body, a moved timestamp, a stale or future request, and missing headers', async () => {
    const signature = reference(secret, now, body);
    const refused = [
      verifySignature(`${secret}x`, { headers: headers(now, signature), body, now }),
      verifySignature(secret, { headers: headers(now, signature), body: `${body} `, now }),
      verifySignature(secret, { headers: headers(now + 1, signature), body, now }),
      verifySignature(secret, { headers: headers(now, signature), body, now: now + 301 }),
      verifySignature(secret, { headers: headers(now, signature), body, now: now - 301 }),
      verifySignature(secret, { headers: headers(now, signature.toUpperCase()), body, now }),
      verifySignature(secret, { headers: headers(now, signature.slice(0, -1)), body, now }),
      verifySignature(secret, { headers: headers(`${now}.5`, signature), body, now }),
      verifySignature(secret, { headers: { 'x-tandem-signature': signature }, body, now }),
      verifySignature(secret, { headers: { 'x-tandem-timestamp': String(now) }, body, now }),
      verifySignature('', { headers: headers(now, reference('', now, body)), body, now }),
    ];
    expect(await Promise.all(refused)).toEqual(refused.map(() => false));
  });

  it('takes a wider or narrower window when asked', async () => {
    const signature = reference(secret, now, body);
    expect(await verifySignature(secret, { headers: headers(now, signature), body, now: now + 900, toleranceSeconds: 1_000 })).toBe(true);
    expect(await verifySignature(secret, { headers: headers(now, signature), body, now: now + 61, toleranceSeconds: 60 })).toBe(false);
  });
});
