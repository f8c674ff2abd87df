import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, client } from './api';
import { ApiError } from './errors';
import { getSession, startSession, subscribe } from './session';
import { user } from '../test/fixtures';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const auth = (n: number) => ({ access_token: `access-${n}`, refresh_token: `refresh-${n}`, token_type: 'bearer' as const, expires_in: 900, user: user(1, 'ana') });

function fakeServer(handler: (url: string, init: { auth?: string | null; body?: string }) => Response) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    return handler(new URL(request.url).pathname, { auth: request.headers.get('authorization'), body: await request.clone().text() });
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

afterEach(() => vi.unstubAllGlobals());

describe('the API client', () => {
  it('renews an expired access token once and retries the request', async () => {
    startSession(auth(1));
    const seen: string[] = [];
    fakeServer((path, { auth: header }) => {
      seen.push(`${path} ${header ?? ''}`);
      if (path === '/api/v1/auth/refresh') return json(200, auth(2));
      if (header === 'Bearer access-1') return json(401, { code: 'token_expired', message: 'the access token expired' });
      return json(200, { channels: [] });
    });
    await expect(call(client.GET('/api/v1/channels'))).resolves.toEqual({ channels: [] });
    expect(seen).toEqual(['/api/v1/channels Bearer access-1', '/api/v1/auth/refresh ', '/api/v1/channels Bearer access-2']);
    expect(getSession()?.refreshToken).toBe('refresh-2');
  });

  it('ends the session as expired when the refresh is refused', async () => {
    startSession(auth(1));
    const reasons: string[] = [];
    const stop = subscribe((_, reason) => reasons.push(reason));
    fakeServer((path) =>
      path === '/api/v1/auth/refresh'
        ? json(401, { code: 'invalid_refresh_token', message: 'log in again' })
        : json(401, { code: 'token_revoked', message: 'revoked' }),
    );
    const error = await call(client.GET('/api/v1/channels')).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, code: 'token_revoked' });
    expect(getSession()).toBeNull();
    expect(reasons).toContain('expired');
    stop();
  });

  it('throws one typed error carrying the server body', async () => {
    startSession(auth(1));
    fakeServer(() =>
      json(422, { code: 'validation_failed', message: 'name: too long', details: [{ field: 'name', code: 'too_long', message: 'at most 80' }] }),
    );
    const error: ApiError = await call(client.POST('/api/v1/channels', { body: { name: 'x'.repeat(100) } })).catch((e) => e);
    expect(error).toMatchObject({ status: 422, code: 'validation_failed', message: 'name: too long' });
    expect(error.field('name')).toBe('at most 80');
  });

  it('reads the user again when the server answers that the address must be confirmed first', async () => {
    startSession(auth(1));
    const seen: string[] = [];
    fakeServer((path) => {
      seen.push(path);
      if (path === '/api/v1/auth/me') return json(200, user(1, 'ana', { email_verified: false }));
      return json(403, { code: 'email_unverified', message: 'Confirm your email address first' });
    });
    await expect(call(client.GET('/api/v1/channels'))).rejects.toMatchObject({ status: 403, code: 'email_unverified' });
    await vi.waitFor(() => expect(getSession()?.user.email_verified).toBe(false));
    expect(seen).toEqual(['/api/v1/channels', '/api/v1/auth/me']);
  });

  it('reports an unreachable server as network_error', async () => {
    startSession(auth(1));
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(call(client.GET('/api/v1/channels'))).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });
});
