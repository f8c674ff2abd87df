import type { ErrorBody, ErrorCode } from './types';

/** Codes of failures that never reached the server or came back without an error body. */
export type ClientErrorCode = 'network_error' | 'unexpected_response';

/** The one error the API client throws: the server's error body, plus the HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | ClientErrorCode;
  readonly details: ErrorBody['details'];
  /** Seconds to wait before trying again (a 429's `Retry-After`), when the server said. */
  readonly retryAfter: number | null;

  constructor(
    status: number,
    body: { code: ErrorCode | ClientErrorCode; message: string; details?: ErrorBody['details'] },
    retryAfter: number | null = null,
  ) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.details = body.details ?? null;
    this.retryAfter = retryAfter;
  }

  /** A field's message, for forms (`validation_failed` details). */
  field(name: string): string | undefined {
    return this.details?.find((d) => d.field === name)?.message;
  }

  /** The detail with this rule's code (`invalid_link`, `confirmation_needed` ...), if any. */
  detail(code: string): { field: string; code: string; message: string } | undefined {
    return this.details?.find((d) => d.code === code);
  }

  static from(status: number, body: unknown, retryAfter: number | null = null): ApiError {
    if (body && typeof body === 'object' && 'code' in body && 'message' in body) {
      const b = body as ErrorBody;
      return new ApiError(status, b, retryAfter);
    }
    return new ApiError(status, {
      code: 'unexpected_response',
      message: status ? `The server answered ${status}.` : 'No answer from the server.',
    });
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

/** Whole seconds of a `Retry-After` header (only the delay form; a date is ignored). */
export function retryAfterSeconds(header: string | null): number | null {
  if (!header || !/^\d+$/.test(header.trim())) return null;
  return Number(header.trim());
}

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
