/** Helpers for tests that drive `CallSession`s directly (no elements). */
import { CallSession, type CallConfig } from '../core/call-session.js';
import { signalingUrl, uniqueRoom, until } from './call-helpers.js';

/** Joins `n` sessions to one fresh room, one after the other, and waits until each sees every other as connected. */
export async function joinedSessions(n: number, config: CallConfig = {}): Promise<CallSession[]> {
  const url = await signalingUrl();
  const room = uniqueRoom('session');
  const sessions: CallSession[] = [];
  for (let i = 0; i < n; i++) {
    const s = new CallSession({ signaling: url, room, name: `P${i}`, ...config });
    sessions.push(s);
    await s.join();
  }
  await allConnected(sessions);
  return sessions;
}

/** Waits until every session has every other one as a connected participant. */
export function allConnected(sessions: CallSession[], message = 'everyone connected'): Promise<unknown> {
  return until(
    () =>
      sessions.every(
        (s) =>
          s.state.participants.length === sessions.length - 1 &&
          s.state.participants.every((p) => p.connectionState === 'connected'),
      ),
    message,
  );
}

/** SHA-256 of some bytes, as hex. */
export async function sha256(data: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}
