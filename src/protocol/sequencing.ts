/**
 * Exactly-once, in-order delivery of signaling messages over connections that may drop,
 * duplicate or lose frames. Both the browser client and the server use it, one `Outbox` and one
 * `Inbox` per direction of a participant's slot. Messages carry `seq` (1, 2, …); the receiver
 * applies only the next one, ignores duplicates, and answers `ack {seq}` (the last applied);
 * the sender keeps what is not acknowledged and sends it again on a gap, a timeout or a resume.
 */

/** One sent-but-unacknowledged message. */
interface Pending<T> {
  seq: number;
  message: T;
  sentAt: number;
}

/** The sending half: numbers messages and keeps them until the other side acknowledges them. */
export class Outbox<T> {
  #seq = 0;
  #acked = 0;
  #pending: Pending<T>[] = [];
  #lastProgress = 0;
  /** True once a message was dropped unacknowledged because the outbox was full. */
  overflowed = false;

  /** @param limit most messages kept unacknowledged; older ones are dropped (and `overflowed` set). */
  constructor(readonly limit = 512) {}

  /** The last sequence number handed out. */
  get seq(): number {
    return this.#seq;
  }

  /** The highest sequence number the other side acknowledged. */
  get acked(): number {
    return this.#acked;
  }

  /** Messages not acknowledged yet. */
  get size(): number {
    return this.#pending.length;
  }

  /** Numbers a message built by `make(seq)` and keeps it until acknowledged. */
  push(make: (seq: number) => T, now = Date.now()): T {
    const seq = ++this.#seq;
    const message = make(seq);
    this.#pending.push({ seq, message, sentAt: now });
    if (this.#pending.length > this.limit) {
      this.#pending.shift();
      this.overflowed = true;
    }
    return message;
  }

  /** The other side applied everything up to `seq`. Returns true if that acknowledged something new. */
  ack(seq: number, now = Date.now()): boolean {
    if (seq <= this.#acked) return false;
    this.#acked = Math.min(seq, this.#seq);
    let drop = 0;
    while (drop < this.#pending.length && this.#pending[drop].seq <= this.#acked) drop++;
    this.#pending.splice(0, drop);
    this.#lastProgress = now;
    return true;
  }

  /** Whether everything after `seq` is still here to be sent again. */
  canReplayAfter(seq: number): boolean {
    if (seq >= this.#seq) return true;
    const first = this.#pending[0];
    return first !== undefined && first.seq <= seq + 1;
  }

  /** The unacknowledged messages after `seq`, in order, marked as sent now. */
  after(seq: number, now = Date.now()): T[] {
    const out: T[] = [];
    for (const p of this.#pending) {
      if (p.seq > seq) {
        p.sentAt = now;
        out.push(p.message);
      }
    }
    return out;
  }

  /** True when the oldest unacknowledged message has waited `timeoutMs` without any acknowledgement. */
  overdue(now: number, timeoutMs: number): boolean {
    const first = this.#pending[0];
    return first !== undefined && now - Math.max(first.sentAt, this.#lastProgress) >= timeoutMs;
  }

  /** Forgets everything and restarts numbering at 1 (a new slot). */
  reset(): void {
    this.#seq = this.#acked = 0;
    this.#pending = [];
    this.overflowed = false;
  }
}

/** What the receiver should do with a sequenced message. */
export type Arrival = 'apply' | 'duplicate' | 'gap';

/** The receiving half: applies each sequence number once and in order. */
export class Inbox {
  #last = 0;
  /** True when an `ack` is owed to the sender (something arrived since the last one). */
  ackDue = false;

  /** The last sequence number applied. */
  get last(): number {
    return this.#last;
  }

  /** Classifies `seq`; on `apply` it is recorded as applied. */
  arrive(seq: number): Arrival {
    this.ackDue = true;
    if (seq <= this.#last) return 'duplicate';
    if (seq > this.#last + 1) return 'gap';
    this.#last = seq;
    return 'apply';
  }

  /** Restarts at 0 (the sender restarted its numbering). */
  reset(last = 0): void {
    this.#last = last;
    this.ackDue = false;
  }
}
