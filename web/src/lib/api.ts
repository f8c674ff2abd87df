// The REST client: typed by the generated `paths`, authenticated from the session, refreshing
// an expired access token once and retrying. Every failure is thrown as one `ApiError`.
import createClient from 'openapi-fetch';
import type { paths } from './generated/api';
import { ApiError, retryAfterSeconds } from './errors';
import { REFRESH_COOKIE_HEADER, getSession, refresh, updateUser } from './session';

async function authFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  const response = await send(request);
  if (response.status === 403 && getSession()) void noticeUnverified(response.clone());
  if (response.status !== 401 || !getSession()) return response;
  const body = (await response.clone().json().catch(() => null)) as { code?: string } | null;
  if (!body || !['token_expired', 'invalid_token', 'token_revoked', 'unauthenticated'].includes(body.code ?? '')) {
    return response;
  }
  const renewed = await refresh();
  return renewed ? send(retry) : response;
}

async function send(request: Request): Promise<Response> {
  const session = getSession();
  if (session) request.headers.set('Authorization', `Bearer ${session.accessToken}`);
  // Answers that sign in put the refresh token in an HttpOnly cookie, never in the body.
  for (const [name, value] of Object.entries(REFRESH_COOKIE_HEADER)) request.headers.set(name, value);
  try {
    return await fetch(request);
  } catch {
    throw new ApiError(0, { code: 'network_error', message: 'Could not reach the server. Check your connection.' });
  }
}

export const client = createClient<paths>({ baseUrl: '', fetch: authFetch });

let rereading: Promise<void> | null = null;

/**
 * A 403 `email_unverified`: the account waits for its address to be confirmed (the session
 * may predate that, or say otherwise). The user is read again, so the shell shows why instead
 * of failing requests.
 */
async function noticeUnverified(response: Response) {
  const body = (await response.json().catch(() => null)) as { code?: string } | null;
  if (body?.code !== 'email_unverified' || rereading) return;
  rereading = (async () => {
    const { data } = await client.GET('/api/v1/auth/me').catch(() => ({ data: undefined }));
    const session = getSession();
    if (!session || (data && data.id !== session.user.id)) return;
    updateUser(data ?? { ...session.user, email_verified: false });
  })().finally(() => {
    rereading = null;
  });
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Awaits an openapi-fetch call: its data, or the `ApiError` of its error body. */
export async function call<T>(request: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await request;
  if (!response.ok) throw ApiError.from(response.status, error, retryAfterSeconds(response.headers.get('retry-after')));
  return data as T;
}
