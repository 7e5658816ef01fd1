/**
 * Samples `getStats()` for every peer connection of a call at a fixed interval, and only while
 * someone consumes the samples: every consumer shares one `getStats()` per connection per tick.
 */
import { countersOf, peerRates, type Counters, type StatsSample } from './stats.js';

/** Fired with each new sample. */
export class StatsSampleEvent extends Event {
  constructor(readonly sample: StatsSample) {
    super('sample');
  }
}

/** Reference-counted periodic sampler. Fires `sample` events. */
export class StatsSampler extends EventTarget {
  #consumers = 0;
  #timer?: ReturnType<typeof setTimeout>;
  #previous = new Map<string, Counters>();
  #latest: StatsSample | null = null;
  #running = false;

  constructor(
    /** The connections to sample, by participant id. */
    readonly connections: () => Map<string, RTCPeerConnection>,
    /** Milliseconds between samples. */
    public interval = 1000,
  ) {
    super();
  }

  /** The newest sample, or null before the first. */
  get latest(): StatsSample | null {
    return this.#latest;
  }

  /** Whether samples are being taken now. */
  get active(): boolean {
    return this.#running;
  }

  /** Registers a consumer; sampling runs while at least one is registered. Returns the release. */
  subscribe(): () => void {
    this.#consumers++;
    if (this.#consumers === 1) this.#start();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#consumers === 0) this.#stop();
    };
  }

  /** Forgets previous counters (a call ended); consumers stay registered. */
  reset(): void {
    this.#previous.clear();
    this.#latest = null;
  }

  #start(): void {
    this.#running = true;
    const tick = async () => {
      await this.sample();
      if (this.#running) this.#timer = setTimeout(tick, this.interval);
    };
    this.#timer = setTimeout(tick, 0);
  }

  #stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
  }

  /** Takes one sample now. */
  async sample(): Promise<StatsSample> {
    const conns = [...this.connections()].filter(([, pc]) => pc.connectionState !== 'closed');
    const reports = await Promise.all(
      conns.map(([id, pc]) => pc.getStats().then((r) => [id, countersOf(r)] as const, () => null)),
    );
    const peers = [];
    let ts = 0;
    const seen = new Set<string>();
    for (const entry of reports) {
      if (!entry) continue;
      const [id, counters] = entry;
      seen.add(id);
      peers.push(peerRates(id, this.#previous.get(id), counters));
      this.#previous.set(id, counters);
      for (const c of counters.values()) ts = Math.max(ts, c.ts);
    }
    for (const id of this.#previous.keys()) if (!seen.has(id)) this.#previous.delete(id);
    const sample: StatsSample = {
      timestamp: ts || performance.now(),
      sendBitrate: peers.reduce((a, p) => a + p.sendBitrate, 0),
      receiveBitrate: peers.reduce((a, p) => a + p.receiveBitrate, 0),
      peers,
    };
    this.#latest = sample;
    this.dispatchEvent(new StatsSampleEvent(sample));
    return sample;
  }
}
