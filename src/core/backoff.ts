/** Reconnection delays: about 0, 0.3, 1.2, 2.7, 4.8 s, then every 7 s, each with ±20 % jitter. */

/** The schedule before jitter, ms. */
export const BACKOFF_STEPS_MS: readonly number[] = [0, 300, 1200, 2700, 4800];
/** The delay after the schedule runs out, ms. */
export const BACKOFF_CEILING_MS = 7000;

/**
 * The delay before reconnection attempt `attempt` (0-based). Jitter spreads the clients of a
 * restarted server so they do not all come back in the same millisecond.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random, jitter = 0.2): number {
  const base = BACKOFF_STEPS_MS[attempt] ?? BACKOFF_CEILING_MS;
  return Math.round(base * (1 - jitter + 2 * jitter * random()));
}
