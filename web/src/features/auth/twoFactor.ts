// What the two-factor forms (logging in, the settings page) share: how a typed code is sent
// and what a refused one says.
import { ApiError, errorMessage, waitMessage } from '../../lib/errors';

/** Six digits from the app as typed ("123 456" too): spaces are dropped. */
export function appCode(typed: string): string {
  return typed.replace(/\s+/g, '');
}

/** A recovery code as typed: the server takes any case, with or without dashes or spaces. */
export function recoveryCode(typed: string): string {
  return typed.trim();
}

/** Whether a failure is a refused code (wrong, expired, or already used). */
export function isInvalidCode(error: unknown): boolean {
  return error instanceof ApiError && !!error.detail('invalid_code');
}

/** Whether the failure is a wrong password (enrolling, turning off). */
export function isWrongPassword(error: unknown): boolean {
  return error instanceof ApiError && error.detail('incorrect')?.field === 'password';
}

/** Too many wrong codes or passwords: how long to wait, from `Retry-After`. */
export function tooManyMessage(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.status !== 429) return null;
  return `Too many attempts. ${waitMessage(error) ?? 'Wait a little, then try again.'}`;
}

export const INVALID_APP_CODE = 'That code did not work. Codes change every 30 seconds and each one works once: enter the one your app shows now.';
export const INVALID_RECOVERY_CODE = 'That recovery code did not work: check it, and remember each one works only once.';
export const WRONG_PASSWORD = 'That password is not right.';

/** The message for a failed code step (`recovery`: a recovery code was typed). */
export function codeError(error: unknown, recovery = false): string {
  if (isInvalidCode(error)) return recovery ? INVALID_RECOVERY_CODE : INVALID_APP_CODE;
  return tooManyMessage(error) ?? errorMessage(error);
}
