// The REST client against a scripted fetch: the bearer token, one renewal after a 401 that a
// new token can fix, errors as `ApiError`, and real-time addresses from the AsyncAPI channels.
import { describe, expect, it, vi } from 'vitest';
import { ApiError, call, channels, createTandemClient, realtimeUrl } from '../src/index.js';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** A fetch that records `METHOD path auth` and answers with `answer`. */
function scripted(answer: (request: Request, seen: string[]) => Response | Promise<Response>) {
  const seen: string[] = [];
  const fetch = vi.fn(async (request: Request) => {
    seen.push(`${request.method} ${new URL(request.url).pathname} ${request.headers.get('authorization') ?? '-'}`);
    return answer(request, seen);
  });
  return { fetch, seen };
}

describe('createTandemClient', () => {
  it('sends a fixed token, typed paths and bodies, and gives the data', async () => {
    const { fetch, seen } = scripted(async (request) => {
      expect(request.headers.get('x-extra')).toBe('1');
      expect(await request.json()).toEqual({ content: 'Hello' });
      return json(201, { id: 9 });
    });
    const tandem = createTandemClient({ baseUrl: 'https://chat.example.com', token: 'tdm_pat_abc', fetch, headers: { 'x-extra': '1' } });
    const sent = await call(tandem.POST('/api/v1/channels/{channel_id}/messages', { params: { path: { channel_id: 4 } }, body: { content: 'Hello' } }));
    expect(sent).toMatchObject({ id: 9 });
    expect(seen).toEqual(['POST /api/v1/channels/4/messages Bearer tdm_pat_abc']);
  });

  it('renews once after a renewable 401 and sends the request again with the new token', async () => {
    let token = 'old';
    const renew = vi.fn(async () => {
      token = 'new';
      return true;
    });
    const { fetch, seen } = scripted((request) =>
      request.headers.get('authorization') === 'Bearer old'
        ? json(401, { code: 'token_expired', message: 'The access token expired.' })
        : json(200, { channels: [] }),
    );
    const tandem = createTandemClient({ baseUrl: 'http://x', token: () => token, renew, fetch });
    await expect(call(tandem.GET('/api/v1/channels'))).resolves.toEqual({ channels: [] });
    expect(renew).toHaveBeenCalledTimes(1);
    expect(seen).toEqual(['GET /api/v1/channels Bearer old', 'GET /api/v1/channels Bearer new']);
  });

  it('does not renew for a 401 a new token cannot fix, nor twice, nor without a token', async () => {
    const renew = vi.fn(async () => true);
    const wrong = scripted(() => json(401, { code: 'invalid_credentials', message: 'Wrong email or password.' }));
    const tandem = createTandemClient({ baseUrl: 'http://x', token: 't', renew, fetch: wrong.fetch });
    await expect(call(tandem.GET('/api/v1/channels'))).rejects.toMatchObject({ status: 401, code: 'invalid_credentials' });
    expect(renew).not.toHaveBeenCalled();

    const expired = scripted(() => json(401, { code: 'token_expired', message: 'The access token expired.' }));
    const again = createTandemClient({ baseUrl: 'http://x', token: 't', renew, fetch: expired.fetch });
    await expect(call(again.GET('/api/v1/channels'))).rejects.toMatchObject({ code: 'token_expired' });
    expect(renew).toHaveBeenCalledTimes(1);
    expect(expired.seen).toHaveLength(2);

    const anonymous = createTandemClient({ baseUrl: 'http://x', renew, fetch: expired.fetch });
    await expect(call(anonymous.GET('/api/v1/channels'))).rejects.toBeInstanceOf(ApiError);
    expect(renew).toHaveBeenCalledTimes(1);
  });

  it('throws ApiError: the server\'s code and Retry-After, a network failure, an answer that is not an error body', async () => {
    const limited = scripted(() => json(429, { code: 'rate_limited', message: 'Slow down.' }, { 'retry-after': '7' }));
    const error = await call(createTandemClient({ baseUrl: 'http://x', fetch: limited.fetch }).GET('/api/v1/channels')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', message: 'Slow down.', retryAfter: 7 });

    const down = createTandemClient({ baseUrl: 'http://x', fetch: async () => Promise.reject(new TypeError('fetch failed')) });
    await expect(call(down.GET('/api/v1/channels'))).rejects.toMatchObject({ status: 0, code: 'network_error' });

    const proxy = scripted(() => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    await expect(call(createTandemClient({ baseUrl: 'http://x', fetch: proxy.fetch }).GET('/api/v1/channels'))).rejects.toMatchObject({
      status: 502,
      code: 'unexpected_response',
    });
  });
});

describe('realtimeUrl', () => {
  it('builds each channel of the AsyncAPI document from the REST base address', () => {
    expect(realtimeUrl('https://chat.example.com', 'chat', { channel_id: 12 }, { token: 'a b', after_seq: 40 })).toBe(
      'wss://chat.example.com/api/v1/ws/chat/12?token=a+b&after_seq=40',
    );
    expect(realtimeUrl('http://127.0.0.1:8080', 'notifications', { user_id: 3 }, { token: 't' })).toBe(
      'ws://127.0.0.1:8080/api/v1/ws/notifications/3?token=t',
    );
    expect(realtimeUrl('https://chat.example.com', 'activityStream', { channel_id: 5 })).toBe('https://chat.example.com/api/v1/sse/activity/5');
    expect(channels.chat.transport).toBe('websocket');
    expect(channels.dashboardStream.transport).toBe('events');
  });
});
