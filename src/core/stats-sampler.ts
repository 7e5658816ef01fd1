/**
 * Samples `getStats()` for every peer connection of a call at a fixed interval, and only while
 * someone consumes the samples: every consumer shares one `getStats()` per connection per tick.
 * Also `StatsFeed`, a source fed by hand (recorded or synthetic samples) with the same interface.
 */
import { peerStats, ReportReader, sampleOf, type Snapshot, type StatsSample } from './stats.js';

/** Fired with each new sample (type `sample`). */
export class StatsSampleEvent extends Event {
  constructor(readonly sample: StatsSample) {
    super('sample');
  }
}

/** One point of a bitrate history, bits/s. */
export interface BitratePoint {
  /** Sample timestamp, ms. */
  timestamp: number;
  /** Outgoing bitrate, bits/s. */
  send: number;
  /** Incoming bitrate, bits/s. */
  receive: number;
}

/** What to ask of a source when subscribing. */
export interface SubscribeOptions {
  /** Wanted milliseconds between samples; a shared source samples at the smallest wanted. */
  interval?: number;
}

/**
 * Anything that gives stats samples: the live `StatsSampler` of a call, or a `StatsFeed`.
 * Fires `sample` (a `StatsSampleEvent`) with each sample. Listening does not start sampling:
 * `subscribe()` does.
 */
export interface StatsSource extends EventTarget {
  /** The newest sample, or null before the first. */
  readonly latest: StatsSample | null;
  /** Bitrate points of the last `historyWindow` ms, oldest first: of the whole call, or of one participant. */
  history(peerId?: string): readonly BitratePoint[];
  /** Registers a consumer; samples flow while at least one is registered. Returns the release. */
  subscribe(options?: SubscribeOptions): () => void;
}

/** The shortest interval between samples, ms. */
export const MIN_INTERVAL_MS = 100;

/** The last minute of bitrate points, overall and per participant. */
class BitrateHistory {
  #all: BitratePoint[] = [];
  #peers = new Map<string, BitratePoint[]>();
  constructor(readonly window: number) {}

  /** Adds a sample's points; participants neither in it nor in `keep` (still there, not read this time) are forgotten. */
  add(sample: StatsSample, keep: ReadonlySet<string> = new Set()): void {
    const cut = sample.timestamp - this.window;
    const push = (list: BitratePoint[], send: number, receive: number) => {
      const point = { timestamp: sample.timestamp, send, receive };
      // Points at least a hundredth of the window apart (0.6 s by default), so a sampler faster
      // than once a second does not multiply the graph's points and its drawing cost: the newest
      // point, while too close to the one before it, is moved rather than kept.
      const last = list.at(-1);
      const before = list.at(-2);
      if (last && before && last.timestamp - before.timestamp < this.window / 100) list[list.length - 1] = point;
      else list.push(point);
      while (list.length && list[0].timestamp < cut) list.shift();
    };
    push(this.#all, sample.sendBitrate, sample.receiveBitrate);
    const seen = new Set<string>();
    for (const p of sample.peers) {
      seen.add(p.id);
      let list = this.#peers.get(p.id);
      if (!list) this.#peers.set(p.id, (list = []));
      push(list, p.sendBitrate, p.receiveBitrate);
    }
    for (const id of this.#peers.keys()) if (!seen.has(id) && !keep.has(id)) this.#peers.delete(id);
  }

  get(peerId?: string): readonly BitratePoint[] {
    return peerId === undefined ? this.#all : (this.#peers.get(peerId) ?? []);
  }

  clear(): void {
    this.#all = [];
    this.#peers.clear();
  }
}

/** Keeps track of consumers and the interval they want. */
class Consumers {
  #wanted = new Map<symbol, number | undefined>();
  constructor(private readonly onChange: (count: number) => void) {}

  add(interval?: number): () => void {
    const key = Symbol('consumer');
    this.#wanted.set(key, interval);
    this.onChange(this.#wanted.size);
    return () => {
      if (!this.#wanted.delete(key)) return;
      this.onChange(this.#wanted.size);
    };
  }

  get count(): number {
    return this.#wanted.size;
  }

  /** The smallest interval asked for, if any consumer asked. */
  get interval(): number | undefined {
    const asked = [...this.#wanted.values()].filter((i): i is number => typeof i === 'number' && i > 0);
    return asked.length ? Math.min(...asked) : undefined;
  }
}

/**
 * Reference-counted periodic sampler of a call's peer connections. Fires `sample` events.
 *
 * @example
 * const release = session.stats.subscribe({ interval: 1000 });
 * session.stats.addEventListener('sample', () => console.log(session.stats.latest));
 * // later
 * release();
 */
export class StatsSampler extends EventTarget implements StatsSource {
  /** How long `history()` reaches back, ms. */
  static historyWindow = 60_000;
  /** Milliseconds between samples when no consumer asks for an interval. */
  interval: number;
  #consumers = new Consumers((n) => (n > 0 ? this.#start() : this.#stop()));
  #timer?: ReturnType<typeof setTimeout>;
  #previous = new Map<string, Snapshot>();
  #readers = new Map<string, ReportReader>();
  #latest: StatsSample | null = null;
  #history = new BitrateHistory(StatsSampler.historyWindow);
  #running = false;
  #run = 0;
  #getStatsCalls = 0;
  /** The loop's next step, and when it is due (performance.now()); none while a tick runs. */
  #next?: () => void;
  #dueAt = Infinity;
  #lastTickAt = 0;

  constructor(
    /** The connections to sample, by participant id. */
    readonly connections: () => Map<string, RTCPeerConnection>,
    interval = 1000,
    /** The display name of a participant, where known. */
    readonly nameOf: (id: string) => string | undefined = () => undefined,
  ) {
    super();
    this.interval = interval;
  }

  /** The newest sample, or null before the first (and after the call ended). */
  get latest(): StatsSample | null {
    return this.#latest;
  }

  /** Whether a consumer is registered, so the sampler ticks (it calls `getStats()` only while connections are open). */
  get active(): boolean {
    return this.#running;
  }

  /** How many `getStats()` calls this sampler has made (for cost checks). */
  get getStatsCalls(): number {
    return this.#getStatsCalls;
  }

  /** The interval in use: the smallest a consumer asked for, else `interval`; never under 100 ms. */
  get effectiveInterval(): number {
    // Browsers cache a report for about 50 ms: asking more often only burns the page's time.
    return Math.max(MIN_INTERVAL_MS, this.#consumers.interval ?? this.interval);
  }

  history(peerId?: string): readonly BitratePoint[] {
    return this.#history.get(peerId);
  }

  subscribe(options: SubscribeOptions = {}): () => void {
    return this.#consumers.add(options.interval);
  }

  /** Forgets previous reports and history (the call ended); consumers stay registered. */
  reset(): void {
    this.#previous.clear();
    this.#readers.clear();
    this.#history.clear();
    this.#latest = null;
  }

  #start(): void {
    if (this.#running) return this.#hurry();
    this.#running = true;
    // A tick still awaiting getStats() from a previous run must not start a second loop.
    const run = ++this.#run;
    const tick = async () => {
      if (run !== this.#run) return;
      this.#dueAt = Infinity;
      this.#lastTickAt = performance.now();
      const baselineOnly = await this.#tick();
      // A first report gives no rates: take the next one soon rather than a whole interval later.
      const wait = baselineOnly ? Math.min(250, this.effectiveInterval) : this.effectiveInterval;
      if (run === this.#run) this.#schedule(wait);
    };
    this.#next = tick;
    this.#schedule(0);
  }

  #schedule(wait: number): void {
    clearTimeout(this.#timer);
    this.#dueAt = performance.now() + wait;
    this.#timer = setTimeout(() => void this.#next?.(), wait);
  }

  /** A consumer came or went: a shorter interval takes effect now, not after the wait already under way. */
  #hurry(): void {
    if (this.#dueAt === Infinity) return; // a tick runs: it schedules the next with the new interval
    const due = this.#lastTickAt + this.effectiveInterval;
    if (due < this.#dueAt) this.#schedule(Math.max(0, due - performance.now()));
  }

  #stop(): void {
    this.#running = false;
    this.#run++;
    this.#dueAt = Infinity;
    clearTimeout(this.#timer);
  }

  /** Samples if there is something to sample; true when it only took a first report. */
  async #tick(): Promise<boolean> {
    // No open connection (not joined, alone, or the call ended): nothing to ask, nothing to tell.
    if (this.#open().length === 0) {
      if (this.#previous.size || this.#latest) this.reset();
      return false;
    }
    return (await this.sample()) === null;
  }

  #reader(id: string): ReportReader {
    let reader = this.#readers.get(id);
    if (!reader) this.#readers.set(id, (reader = new ReportReader()));
    return reader;
  }

  #open(): [string, RTCPeerConnection][] {
    return [...this.connections()].filter(([, pc]) => pc.connectionState !== 'closed');
  }

  /**
   * Takes one sample now, fires it and returns it. A participant's first report only sets the
   * baseline its rates are measured from: it joins the next sample. Returns null (and fires
   * nothing) when every report was a first one.
   */
  async sample(): Promise<StatsSample | null> {
    const conns = this.#open();
    this.#getStatsCalls += conns.length;
    const reports = await Promise.all(
      conns.map(([id, pc]) => pc.getStats().then((r) => [id, pc, this.#reader(id).read(r)] as const, () => id)),
    );
    // A report that failed once (a connection being replaced) keeps that participant's baseline
    // and history: the next report goes on from them.
    const failed = new Set(reports.filter((r): r is string => typeof r === 'string'));
    const peers = [];
    let ts = 0;
    let interval = 0;
    const seen = new Set<string>();
    for (const entry of reports) {
      if (typeof entry === 'string') continue;
      const [id, pc, snap] = entry;
      seen.add(id);
      const prev = this.#previous.get(id);
      this.#previous.set(id, snap);
      if (!prev) continue;
      peers.push(peerStats(id, prev, snap, pc.connectionState, this.nameOf(id)));
      const newest = Math.max(0, ...[...snap.values()].map((s) => s.timestamp));
      const before = Math.max(0, ...[...prev.values()].map((s) => s.timestamp));
      ts = Math.max(ts, newest);
      if (before) interval = Math.max(interval, newest - before);
    }
    for (const id of this.#previous.keys()) {
      if (!seen.has(id) && !failed.has(id)) {
        this.#previous.delete(id);
        this.#readers.delete(id);
      }
    }
    if (peers.length === 0 && seen.size > 0) return null;
    const sample = sampleOf(peers, ts || performance.timeOrigin + performance.now(), interval);
    this.#latest = sample;
    this.#history.add(sample, failed);
    this.dispatchEvent(new StatsSampleEvent(sample));
    return sample;
  }
}

/**
 * A stats source fed by hand: recorded or synthetic samples, for stories, demos and tests of
 * what the display shows. `producer` runs while someone subscribes and pushes samples.
 *
 * @example
 * const feed = new StatsFeed((push) => {
 *   const t = setInterval(() => push(makeSample()), 1000);
 *   return () => clearInterval(t);
 * });
 * html`<rtc-stats .source=${feed}></rtc-stats>`;
 */
export class StatsFeed extends EventTarget implements StatsSource {
  #latest: StatsSample | null = null;
  #history = new BitrateHistory(StatsSampler.historyWindow);
  #stopProducer?: () => void;
  #consumers = new Consumers((n) => {
    if (n > 0 && !this.#stopProducer && this.producer) {
      this.#stopProducer = this.producer((s) => this.push(s), this.#consumers.interval ?? 1000) ?? (() => {});
    } else if (n === 0) {
      this.#stopProducer?.();
      this.#stopProducer = undefined;
    }
  });

  constructor(
    /** Starts pushing samples; returns how to stop. Optional: `push()` works without one. */
    readonly producer?: (push: (s: StatsSample) => void, interval: number) => (() => void) | void,
  ) {
    super();
  }

  get latest(): StatsSample | null {
    return this.#latest;
  }

  /** Whether a consumer is registered. */
  get active(): boolean {
    return this.#consumers.count > 0;
  }

  history(peerId?: string): readonly BitratePoint[] {
    return this.#history.get(peerId);
  }

  subscribe(options: SubscribeOptions = {}): () => void {
    return this.#consumers.add(options.interval);
  }

  /** Makes `sample` the latest and fires it. */
  push(sample: StatsSample): void {
    this.#latest = sample;
    this.#history.add(sample);
    this.dispatchEvent(new StatsSampleEvent(sample));
  }
}
