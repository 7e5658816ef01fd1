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
  // A queue as an array and a head index: shifting an array per acknowledgement costs more.
  #pending: Pending<T>[] = [];
  #head = 0;
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
    return this.#pending.length - this.#head;
  }

  /** Numbers a message built by `make(seq)` and keeps it until acknowledged. */
  push(make: (seq: number) => T, now = Date.now()): T {
    const seq = ++this.#seq;
    const message = make(seq);
    this.#pending.push({ seq, message, sentAt: now });
    if (this.size > this.limit) {
      this.#head++;
      this.overflowed = true;
    }
    this.#compact();
    return message;
  }

  /** The other side applied everything up to `seq`. Returns true if that acknowledged something new. */
  ack(seq: number, now = Date.now()): boolean {
    if (seq <= this.#acked) return false;
    this.#acked = Math.min(seq, this.#seq);
    const pending = this.#pending;
    while (this.#head < pending.length && pending[this.#head].seq <= this.#acked) this.#head++;
    this.#compact();
    this.#lastProgress = now;
    return true;
  }

  #compact(): void {
    if (this.#head === this.#pending.length) {
      this.#pending.length = 0;
      this.#head = 0;
    } else if (this.#head > 32 && this.#head * 2 > this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Whether everything after `seq` is still here to be sent again. */
  canReplayAfter(seq: number): boolean {
    if (seq >= this.#seq) return true;
    const first = this.#pending[this.#head];
    return first !== undefined && first.seq <= seq + 1;
  }

  /** The unacknowledged messages after `seq`, in order, marked as sent now. */
  after(seq: number, now = Date.now()): T[] {
    const out: T[] = [];
    for (let i = this.#head; i < this.#pending.length; i++) {
      const p = this.#pending[i];
      if (p.seq > seq) {
        p.sentAt = now;
        out.push(p.message);
      }
    }
    return out;
  }

  /** True when the oldest unacknowledged message has waited `timeoutMs` without any acknowledgement. */
  overdue(now: number, timeoutMs: number): boolean {
    const first = this.#pending[this.#head];
    return first !== undefined && now - Math.max(first.sentAt, this.#lastProgress) >= timeoutMs;
  }

  /** Forgets everything and restarts numbering at 1 (a new slot). */
  reset(): void {
    this.#seq = this.#acked = 0;
    this.#pending = [];
    this.#head = 0;
    this.overflowed = false;
  }
}

/** What became of a sequenced message on arrival. */
export type Arrival = 'apply' | 'duplicate' | 'gap';

/**
 * The receiving half: applies each sequence number once and in order. Messages that arrive
 * ahead of a lost one wait (up to `limit` of them) until the gap is filled.
 */
export class Inbox<T = unknown> {
  #last = 0;
  // Made on the first gap only: a server holds one inbox per participant, most never see one.
  #ahead: Map<number, T> | undefined;
  /** True when an `ack` is owed to the sender (something arrived since the last one). */
  ackDue = false;

  constructor(readonly limit = 256) {}

  /** The last sequence number applied. */
  get last(): number {
    return this.#last;
  }

  /** Takes message `seq`; returns the messages now ready to apply, in order, and what it was. */
  receive(seq: number, message: T): { arrival: Arrival; ready: T[] } {
    this.ackDue = true;
    if (seq <= this.#last || this.#ahead?.has(seq)) return { arrival: 'duplicate', ready: [] };
    if (seq > this.#last + 1) {
      if (seq - this.#last <= this.limit) (this.#ahead ??= new Map()).set(seq, message);
      return { arrival: 'gap', ready: [] };
    }
    const ready = [message];
    this.#last = seq;
    const ahead = this.#ahead;
    if (ahead?.size) {
      for (let next = ahead.get(seq + 1); next !== undefined; next = ahead.get(this.#last + 1)) {
        ahead.delete(this.#last + 1);
        this.#last += 1;
        ready.push(next);
      }
    }
    return { arrival: 'apply', ready };
  }

  /** Restarts at `last` (the sender restarted its numbering). */
  reset(last = 0): void {
    this.#last = last;
    this.#ahead = undefined;
    this.ackDue = false;
  }
}
