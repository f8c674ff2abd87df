import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, client } from './api';
import { ApiError } from './errors';
import { getSession, refresh, startSession, subscribe } from './session';
import { user } from '../test/fixtures';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
// What the server answers the web app, which asks for the refresh token in a cookie.
const withoutRefreshToken = (n: number) => ({ access_token: `access-${n}`, token_type: 'bearer' as const, expires_in: 900, user: user(1, 'ana') });
// What it answers clients that keep the refresh token themselves.
const auth = (n: number) => ({ ...withoutRefreshToken(n), refresh_token: `refresh-${n}` });

function fakeServer(handler: (url: string, init: { auth?: string | null; body?: string; cookieMode?: boolean }) => Response) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    return handler(new URL(request.url).pathname, {
      auth: request.headers.get('authorization'),
      body: await request.clone().text(),
      cookieMode: request.headers.get('tandem-refresh') === 'cookie',
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

afterEach(() => vi.unstubAllGlobals());

describe('the API client', () => {
  it('renews an expired access token once and retries the request', async () => {
    startSession(withoutRefreshToken(1));
    const seen: string[] = [];
    fakeServer((path, { auth: header, body, cookieMode }) => {
      seen.push(`${path} ${header ?? ''}`);
      expect(cookieMode).toBe(true);
      if (path === '/api/v1/auth/refresh') {
        expect(body).toBe('');
        return json(200, withoutRefreshToken(2));
      }
      if (header === 'Bearer access-1') return json(401, { code: 'token_expired', message: 'the access token expired' });
      return json(200, { channels: [] });
    });
    await expect(call(client.GET('/api/v1/channels'))).resolves.toEqual({ channels: [] });
    expect(seen).toEqual(['/api/v1/channels Bearer access-1', '/api/v1/auth/refresh ', '/api/v1/channels Bearer access-2']);
    expect(getSession()?.accessToken).toBe('access-2');
    expect(JSON.stringify(localStorage)).not.toContain('refresh');
  });

  it('moves a refresh token stored by an earlier version into the cookie', async () => {
    startSession(auth(1));
    localStorage.setItem('tandem.session', JSON.stringify({ ...getSession(), refreshToken: 'refresh-1' }));
    window.dispatchEvent(new StorageEvent('storage', { key: 'tandem.session' }));
    const bodies: string[] = [];
    fakeServer((path, { body }) => {
      if (path === '/api/v1/auth/refresh') {
        bodies.push(body ?? '');
        return json(200, withoutRefreshToken(2));
      }
      return json(200, { channels: [] });
    });
    await refresh();
    await refresh();
    expect(bodies).toEqual([JSON.stringify({ refresh_token: 'refresh-1' }), '']);
    expect(getSession()?.refreshToken).toBeUndefined();
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
