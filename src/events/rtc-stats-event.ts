import type { StatsSample } from '../core/stats.js';

/**
 * Fired by `<rtc-call>` with each stats sample of the call, while something consumes samples
 * (an `<rtc-stats>` or a `session.stats.subscribe()`); listening alone does not start sampling.
 */
export class RtcStatsEvent extends Event {
  constructor(
    /** The sample: bitrates, loss, delay, path and quality per remote participant and kind. */
    readonly sample: StatsSample,
  ) {
    super('rtc-stats', { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'rtc-stats': RtcStatsEvent;
  }
}
