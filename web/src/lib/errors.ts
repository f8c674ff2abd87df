// The one error every API call throws is the client package's `ApiError`; here are the words
// the app shows for errors.
import { ApiError } from '@tandem/client';

export { ApiError, errorMessage, retryAfterSeconds } from '@tandem/client';
export type { ClientErrorCode } from '@tandem/client';

/** "Try again in 40 seconds." from a 429's `Retry-After`, or null without one. */
export function waitMessage(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.status !== 429 || error.retryAfter === null) return null;
  const seconds = Math.max(1, error.retryAfter);
  if (seconds < 60) return `Try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`;
  const minutes = Math.ceil(seconds / 60);
  return `Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
}

/**
 * The message of an emailed link that no longer works (unknown, used, replaced, revoked or
 * expired: `invalid_link`), or undefined for any other failure.
 */
export function invalidLink(error: unknown): string | undefined {
  return error instanceof ApiError ? error.detail('invalid_link')?.message : undefined;
}
