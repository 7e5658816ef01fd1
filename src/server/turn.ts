/**
 * TURN credentials in the TURN REST scheme (coturn's `use-auth-secret`): the username is
 * `<expiry unix seconds>:<participant id>` and the credential is base64 HMAC-SHA1 of the
 * username under the secret shared with the TURN server. They expire on their own.
 */
import { createHmac } from 'node:crypto';
import type { WireIceServer } from '../protocol/messages.js';

/** Where the TURN servers are and how long their credentials live. */
export interface TurnOptions {
  /** The `static-auth-secret` shared with the TURN server. */
  secret: string;
  /** `turn:` / `turns:` (and `stun:`) URLs. */
  urls: string[];
  /** Credential lifetime in seconds (default 3600). */
  ttlSeconds?: number;
}

/** How long TURN credentials live unless `ttlSeconds` says otherwise. */
export const TURN_TTL_SECONDS = 3600;

/** Issues a time-limited credential for participant `id`. */
export function turnCredentials(opts: TurnOptions, id: string, now = Date.now()): WireIceServer {
  const expiry = Math.floor(now / 1000) + (opts.ttlSeconds ?? TURN_TTL_SECONDS);
  const username = `${expiry}:${id}`;
  const credential = createHmac('sha1', opts.secret).update(username).digest('base64');
  return { urls: [...opts.urls], username, credential };
}
