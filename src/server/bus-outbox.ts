/**
 * Signals on their way to other server processes, kept until one is known to have arrived.
 * Pub/sub keeps nothing: a message published while the recipient's process is reconnecting to
 * Redis (a network blip, a failover) is gone. But PUBLISH says how many subscribers got it, and
 * each process has a channel of its own, so "nobody" means "not heard": the message is held and
 * sent again, with everything queued behind it, until heard or too old.
 */

/** A signal for a participant on another process. */
export interface OutgoingSignal {
  room: string;
  to: string;
}

/** Settings of a `BusOutbox`. */
export interface BusOutboxOptions<T> {
  /** Publishes `items` (in order, as one message) to process `proc`; resolves to how many subscribers got it. */
  publish: (proc: string, items: T[]) => Promise<number>;
  /** The process that holds participant `to` of `room` now (it may have moved), or undefined if it is gone. */
  locate: (room: string, to: string) => string | undefined;
  /** How long a signal is held before it is given up (ms). */
  holdMs: number;
  /** How often a process that did not hear is tried again (ms). */
  retryMs: number;
  /** Most signals held for one process; the oldest go first beyond it. */
  max: number;
  /** Called with how many signals were given up (too old, recipient gone, or over `max`). */
  onLost?: (count: number) => void;
}

interface Queue<T> {
  items: { item: T; at: number }[];
  /** A publish is in flight or a retry is due: nothing else goes out meanwhile, so order holds. */
  busy: boolean;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Per-process queues of signals: at most one publish in flight per process, and whatever
 * queued behind it goes out as one batch when it is heard, so order holds without a round trip
 * per signal.
 */
export class BusOutbox<T extends OutgoingSignal> {
  readonly #opts: BusOutboxOptions<T>;
  readonly #queues = new Map<string, Queue<T>>();
  #closed = false;

  constructor(opts: BusOutboxOptions<T>) {
    this.#opts = opts;
  }

  /** Signals held for processes that have not heard them yet. */
  get held(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.items.length;
    return n;
  }

  /** Queues `item` for process `proc`, and sends it at once unless something before it is on its way. */
  send(proc: string, item: T): void {
    this.#enqueue(proc, item, Date.now());
    this.#flush(proc);
  }

  /** Stops every retry; what is held is dropped. */
  close(): void {
    this.#closed = true;
    for (const q of this.#queues.values()) clearTimeout(q.timer);
    this.#queues.clear();
  }

  #enqueue(proc: string, item: T, at: number): void {
    let q = this.#queues.get(proc);
    if (!q) this.#queues.set(proc, (q = { items: [], busy: false }));
    q.items.push({ item, at });
    if (q.items.length > this.#opts.max) {
      q.items.shift();
      this.#opts.onLost?.(1);
    }
  }

  #flush(proc: string): void {
    const q = this.#queues.get(proc);
    if (!q || q.busy) return;
    if (q.items.length === 0) return void this.#queues.delete(proc);
    q.busy = true;
    const count = q.items.length;
    const finish = (heard: boolean) => {
      if (this.#closed || this.#queues.get(proc) !== q) return;
      if (heard) {
        q.items.splice(0, count);
        q.busy = false;
        return this.#flush(proc);
      }
      // Not heard (its process is not subscribed just now) or not sent (Redis away): try again.
      q.timer = setTimeout(() => this.#retry(proc, q), this.#opts.retryMs);
      q.timer.unref?.();
    };
    this.#opts.publish(proc, q.items.slice(0, count).map((h) => h.item)).then(
      (n) => finish(n > 0),
      () => finish(false),
    );
  }

  /** Gives up what is too old or whose recipient is gone, moves what now has another holder, tries again. */
  #retry(proc: string, q: Queue<T>): void {
    if (this.#closed || this.#queues.get(proc) !== q) return;
    const now = Date.now();
    const kept: Queue<T>['items'] = [];
    const moved: [string, Queue<T>['items'][number]][] = [];
    let lost = 0;
    for (const h of q.items) {
      const where = now - h.at > this.#opts.holdMs ? undefined : this.#opts.locate(h.item.room, h.item.to);
      if (where === undefined) lost++;
      else if (where === proc) kept.push(h);
      else moved.push([where, h]);
    }
    if (lost) this.#opts.onLost?.(lost);
    q.items = kept;
    q.busy = false;
    for (const [where, h] of moved) this.#enqueue(where, h.item, h.at);
    this.#flush(proc);
    for (const where of new Set(moved.map(([w]) => w))) this.#flush(where);
  }
}
