/**
 * Signals on their way to other server processes, kept until one is known to have arrived.
 * Pub/sub keeps nothing: a message published while the recipient's process is reconnecting to
 * Redis (a network blip, a failover) is gone. But PUBLISH says how many subscribers got it, and
 * each process has a channel of its own, so "nobody" means "not heard": the message is held and
 * sent again, with everything queued behind it, until heard or too old. (Heard can still be
 * lost, so the receiving side also waits for senders it does not know yet; see `Rooms`.)
 */

/** A signal for a participant on another process, serialized once. */
export interface OutgoingSignal {
  room: string;
  to: string;
  /** The signal as JSON, as it goes into the batch. */
  text: string;
}

/** Settings of a `BusOutbox`. */
export interface BusOutboxOptions {
  /** Publishes `texts` (in order, as one message) to process `proc`; resolves to how many subscribers got it. */
  publish: (proc: string, texts: string[]) => Promise<number>;
  /** The process that holds participant `to` of `room` now (it may have moved), or undefined if it is gone. */
  locate: (room: string, to: string) => string | undefined;
  /** How long a signal is held before it is given up (ms). */
  holdMs: number;
  /** How often a process that did not hear is tried again (ms). */
  retryMs: number;
  /** Most bytes held for one process; the oldest go first beyond it. */
  maxBytes: number;
  /** Most bytes in one publish (a batch stops before the signal that would pass it; one signal always goes). */
  batchBytes: number;
  /** Called with how many signals were given up (too old, recipient gone, or over `maxBytes`). */
  onLost?: (count: number) => void;
}

interface Held {
  item: OutgoingSignal;
  at: number;
}

interface Queue {
  items: Held[];
  bytes: number;
  /** A publish is in flight or a retry is due: nothing else goes out meanwhile, so order holds. */
  busy: boolean;
  /** How many of the first items are in the publish in flight. */
  sending: number;
  timer?: ReturnType<typeof setTimeout>;
}

const recipient = (s: OutgoingSignal) => `${s.room}\n${s.to}`;

/**
 * Per-process queues of signals: at most one publish in flight per process, and whatever
 * queued behind it goes out as one batch when it is heard, so order holds without a round trip
 * per signal. All signals held for one recipient are in one queue (where the first went), so
 * when the recipient moves to another process they move together, still in order.
 */
export class BusOutbox {
  readonly #opts: BusOutboxOptions;
  readonly #queues = new Map<string, Queue>();
  /** Which process's queue holds signals for a recipient, and how many. */
  readonly #holders = new Map<string, { proc: string; count: number }>();
  #closed = false;

  constructor(opts: BusOutboxOptions) {
    this.#opts = opts;
  }

  /** Signals held for processes that have not heard them yet. */
  get held(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.items.length;
    return n;
  }

  /** Queues `item` for process `proc` (or behind what is held for its recipient), and sends it unless something is on its way. */
  send(proc: string, item: OutgoingSignal): void {
    if (this.#closed) return;
    const target = this.#holders.get(recipient(item))?.proc ?? proc;
    this.#enqueue(target, { item, at: Date.now() });
    this.#flush(target);
  }

  /** Stops every retry; what is held is given up. */
  close(): void {
    this.#closed = true;
    const held = this.held;
    for (const q of this.#queues.values()) clearTimeout(q.timer);
    this.#queues.clear();
    this.#holders.clear();
    if (held) this.#opts.onLost?.(held);
  }

  #enqueue(proc: string, h: Held): void {
    let q = this.#queues.get(proc);
    if (!q) this.#queues.set(proc, (q = { items: [], bytes: 0, busy: false, sending: 0 }));
    q.items.push(h);
    q.bytes += h.item.text.length;
    const key = recipient(h.item);
    const holder = this.#holders.get(key);
    if (holder) holder.count++;
    else this.#holders.set(key, { proc, count: 1 });
    // Over the cap: the oldest go, but not those in flight.
    let lost = 0;
    while (q.bytes > this.#opts.maxBytes && q.items.length > q.sending + 1) {
      this.#release(q, q.items.splice(q.sending, 1)[0]);
      lost++;
    }
    if (lost) this.#opts.onLost?.(lost);
  }

  /** Takes `h` (already out of `q.items`) off the books. */
  #release(q: Queue, h: Held): void {
    q.bytes -= h.item.text.length;
    const key = recipient(h.item);
    const holder = this.#holders.get(key)!;
    if (--holder.count === 0) this.#holders.delete(key);
  }

  #flush(proc: string): void {
    const q = this.#queues.get(proc);
    if (!q || q.busy) return;
    this.#expire(q);
    if (q.items.length === 0) return void this.#queues.delete(proc);
    q.busy = true;
    let count = 0;
    for (let bytes = 0; count < q.items.length; count++) {
      bytes += q.items[count].item.text.length;
      if (count > 0 && bytes > this.#opts.batchBytes) break;
    }
    q.sending = count;
    const finish = (heard: boolean) => {
      if (this.#closed || this.#queues.get(proc) !== q) return;
      q.sending = 0;
      if (heard) {
        for (const h of q.items.splice(0, count)) this.#release(q, h);
        q.busy = false;
        return this.#flush(proc);
      }
      // Not heard (its process is not subscribed just now) or not sent (Redis away): try again.
      q.timer = setTimeout(() => this.#retry(proc, q), this.#opts.retryMs);
      q.timer.unref?.();
    };
    this.#opts.publish(proc, q.items.slice(0, count).map((h) => h.item.text)).then(
      (n) => finish(n > 0),
      () => finish(false),
    );
  }

  /** Gives up what has been held too long. */
  #expire(q: Queue): void {
    const old = Date.now() - this.#opts.holdMs;
    let lost = 0;
    while (q.items.length && q.items[0].at < old) {
      this.#release(q, q.items.shift()!);
      lost++;
    }
    if (lost) this.#opts.onLost?.(lost);
  }

  /** Gives up what is too old or whose recipient is gone, moves what now has another holder, tries again. */
  #retry(proc: string, q: Queue): void {
    if (this.#closed || this.#queues.get(proc) !== q) return;
    q.busy = false;
    this.#expire(q);
    const kept: Held[] = [];
    const moved: [string, Held][] = [];
    let lost = 0;
    for (const h of q.items) {
      const where = this.#opts.locate(h.item.room, h.item.to);
      if (where === proc) kept.push(h);
      else {
        this.#release(q, h);
        if (where === undefined) lost++;
        else moved.push([where, h]);
      }
    }
    if (lost) this.#opts.onLost?.(lost);
    q.items = kept;
    // Every signal for a recipient moves at once, in order, behind nothing else of its.
    for (const [where, h] of moved) this.#enqueue(where, h);
    this.#flush(proc);
    for (const where of new Set(moved.map(([w]) => w))) this.#flush(where);
  }
}
