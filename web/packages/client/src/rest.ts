// The REST client: openapi-fetch typed by the generated `paths`, sending the bearer token, and
// renewing an expired one once (when the caller says how) before retrying the request.
import createClient, { type Client } from 'openapi-fetch';
import { ApiError, retryAfterSeconds } from './errors.js';
import type { paths } from './generated/api.js';

/** A token, or how to get the current one (a session's access token changes as it is renewed). */
export type TokenSource = string | null | undefined | (() => string | null | undefined);

export interface ClientOptions {
  /** Where Tandem answers, e.g. `https://chat.example.com`; `''` for the page's own origin. */
  baseUrl: string;
  /** A personal access token, a bot's token, or a signed-in session's access token. */
  token?: TokenSource;
  /**
   * Called once when a request is refused because the token expired or was revoked: true when a
   * new token is ready (the request is sent again with it), false to give up.
   */
  renew?: () => Promise<boolean>;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** Sees every answer (after any renewal), e.g. to notice a 403 the app should act on. */
  onResponse?: (response: Response) => void;
  /** The fetch to use; the global one by default, looked up at each request. */
  fetch?: (request: Request) => Promise<Response>;
}

/** The client `createTandemClient` returns: `GET`, `POST`, `PUT`, `PATCH`, `DELETE` by path. */
export type TandemClient = Client<paths>;

/** The codes of a 401 after which a renewed token may succeed. */
const RENEWABLE = new Set(['token_expired', 'invalid_token', 'token_revoked', 'unauthenticated']);

/** Reads a token source now. */
export function currentToken(token: TokenSource | undefined): string | null {
  return (typeof token === 'function' ? token() : token) ?? null;
}

/**
 * A typed client of the REST API. Every path, parameter, body and answer is checked by the
 * compiler against openapi/openapi.json; `call` turns an answer into its data or an `ApiError`.
 *
 * ```ts
 * const tandem = createTandemClient({ baseUrl: 'https://chat.example.com', token: process.env.TANDEM_TOKEN });
 * const { channels } = await call(tandem.GET('/api/v1/channels'));
 * ```
 */
export function createTandemClient(options: ClientOptions): TandemClient {
  const fetchOne = options.fetch ?? ((request: Request) => globalThis.fetch(request));

  async function send(request: Request): Promise<Response> {
    const token = currentToken(options.token);
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    for (const [name, value] of Object.entries(options.headers ?? {})) request.headers.set(name, value);
    try {
      return await fetchOne(request);
    } catch {
      throw new ApiError(0, { code: 'network_error', message: 'Could not reach the server. Check your connection.' });
    }
  }

  async function authenticated(request: Request): Promise<Response> {
    const retry = options.renew ? request.clone() : null;
    let response = await send(request);
    if (retry && options.renew && response.status === 401 && currentToken(options.token)) {
      const body = (await response.clone().json().catch(() => null)) as { code?: string } | null;
      if (body && RENEWABLE.has(body.code ?? '') && (await options.renew())) response = await send(retry);
    }
    options.onResponse?.(response);
    return response;
  }

  return createClient<paths>({ baseUrl: options.baseUrl, fetch: authenticated });
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Awaits a client call: its data, or the `ApiError` of its error body. */
export async function call<T>(request: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await request;
  if (!response.ok) throw ApiError.from(response.status, error, retryAfterSeconds(response.headers.get('retry-after')));
  return data as T;
}
