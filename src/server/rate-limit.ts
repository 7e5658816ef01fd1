import { performance } from 'node:perf_hooks';

/** A token bucket: `rate` per second on average, bursts of up to `burst`. */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    now = performance.now(),
  ) {
    this.#tokens = burst;
    this.#at = now;
  }

  /** Takes one token; false when the bucket is empty. */
  take(now = performance.now()): boolean {
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / 1000) * this.rate);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
