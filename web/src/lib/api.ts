// The REST client of the app: the client package's, authenticated from the session, renewing
// an expired access token once and retrying. Every failure is thrown as one `ApiError`.
import { createTandemClient } from '@tandem/client';
import { REFRESH_COOKIE_HEADER, getSession, sessionCredentials, updateUser } from './session';

export { call } from '@tandem/client';

export const client = createTandemClient({
  ...sessionCredentials,
  // Answers that sign in put the refresh token in an HttpOnly cookie, never in the body.
  headers: REFRESH_COOKIE_HEADER,
  onResponse: (response) => {
    if (response.status === 403 && getSession()) void noticeUnverified(response.clone());
  },
});

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
