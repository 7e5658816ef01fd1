/** Browser-test access to real coturn servers started by scripts/turn-plugin.mjs. */
import { executeServerCommand } from '@web/test-runner-commands';

/** A running TURN server. */
export interface TurnServer {
  id: number;
  port: number;
  urls: string[];
  secret: string;
}

/** Starts a coturn on 127.0.0.1; null when coturn is not installed (the caller skips, except under CI). */
export async function startTurn(secret?: string): Promise<TurnServer | null> {
  const r = await executeServerCommand<TurnServer | { missing: true }, { secret?: string }>('turn-start', { secret });
  return 'missing' in r ? null : r;
}

/** Stops a TURN server (its port stays reserved for `restartTurn`). */
export const stopTurn = (t: TurnServer) => executeServerCommand<boolean, { id: number }>('turn-stop', { id: t.id });

/** Restarts a stopped TURN server on the same port. */
export const restartTurn = (t: TurnServer) =>
  executeServerCommand<boolean, { id: number }>('turn-restart', { id: t.id });

/**
 * TURN REST credentials: username `<expiry>:<user>`, credential base64(HMAC-SHA1(secret, username)).
 * `ttlSeconds` may be negative to make an already expired credential.
 */
export async function turnCredentials(
  turn: TurnServer,
  user: string,
  ttlSeconds = 600,
): Promise<RTCIceServer> {
  const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:${user}`;
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(turn.secret),
    { name: 'HMAC', hash: 'SHA-1' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(username)));
  const credential = btoa(String.fromCharCode(...mac));
  return { urls: turn.urls, username, credential };
}

/** The local and remote candidate types of the selected pair, e.g. `['relay', 'relay']`. */
export async function selectedPairTypes(pc: RTCPeerConnection): Promise<[string, string] | null> {
  const report = await pc.getStats();
  let pairId: string | undefined;
  report.forEach((s) => {
    if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
  });
  // Firefox has no transport stats: fall back to the nominated, succeeded pair.
  if (!pairId) {
    report.forEach((s) => {
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pairId = s.id;
    });
  }
  const pair = pairId ? report.get(pairId) : undefined;
  if (!pair) return null;
  return [report.get(pair.localCandidateId)?.candidateType, report.get(pair.remoteCandidateId)?.candidateType];
}
