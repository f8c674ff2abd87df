import type { ErrorBody, ErrorCode } from './types.js';

/** Codes of failures that never reached the server or came back without an error body. */
export type ClientErrorCode = 'network_error' | 'unexpected_response';

/**
 * The one error the client throws: the server's error body (`code`, `message`, `details`), plus
 * the HTTP status (0 for a failure that never reached the server, and for socket requests).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | ClientErrorCode;
  readonly details: ErrorBody['details'];
  /** Seconds to wait before trying again (a 429's or 503's `Retry-After`), when the server said. */
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

  /** The error of an answer: its body when the server sent an error body, else `unexpected_response`. */
  static from(status: number, body: unknown, retryAfter: number | null = null): ApiError {
    if (body && typeof body === 'object' && 'code' in body && 'message' in body) {
      return new ApiError(status, body as ErrorBody, retryAfter);
    }
    return new ApiError(status, {
      code: 'unexpected_response',
      message: status ? `The server answered ${status}.` : 'No answer from the server.',
    });
  }
}

/** What to tell a person about a failure: the server's message, or the error's. */
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
