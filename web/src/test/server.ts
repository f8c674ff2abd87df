// What tests share to stand in for the server and a signed-in session.
import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach, vi } from 'vitest';
import { endSession, startSession } from '../lib/session';
import type { User } from '../lib/types';

/** The server's JSON answer (no body for 204). */
export const json = (body: unknown, status = 200) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** Each test of the file signed in as `me`; after it, signed out, unrendered and with the real `fetch` back. */
export function signedInEachTest(me: () => User) {
  beforeEach(() => startSession({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: me() }));
  afterEach(() => {
    cleanup();
    endSession('signed_out');
    vi.unstubAllGlobals();
  });
}
