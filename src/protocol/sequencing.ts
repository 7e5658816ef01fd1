/**
 * Exactly-once, in-order delivery of signaling messages over connections that may drop,
 * duplicate or lose frames. Both the browser client and the server use it, one `Outbox` and one
 * `Inbox` per direction of a participant's slot. Messages carry `seq` (1, 2, …); the receiver
 * applies only the next one, ignores duplicates, and answers `ack {seq}` (the last applied);
 * the sender keeps what is not acknowledged and sends it again on a gap, a timeout or a resume.
 */

/** The sending half: numbers messages and keeps them until the other side acknowledges them. */
export class Outbox<T> {
  #seq = 0;
  #acked = 0;
  // A queue as an array with head and end indices, and no wrapper object per message: a server
  // keeps every frame until it is acknowledged, and each extra object there is garbage-collector
  // work. The array is reused rather than emptied (`length = 0` would drop its storage, and a
  // new one per message is young garbage that a scavenge must copy while the message waits).
  #pending: (T | undefined)[] = [];
  #head = 0;
  #end = 0;
  /** The sequence number of `#pending[#head]`. */
  #first = 1;
  /** Since when the oldest unacknowledged message has waited: sent, resent, or acknowledgement progress. */
  #since = 0;
  /** True once a message was dropped unacknowledged because the outbox was full. */
  overflowed = false;

  /** @param limit most messages kept unacknowledged; older ones are dropped (and `overflowed` set). */
  constructor(readonly limit = 512) {}

  /** The last sequence number handed out. */
  get seq(): number {
    return this.#seq;
  }

  /** The sequence number the next message gets. */
  get nextSeq(): number {
    return this.#seq + 1;
  }

  /** The highest sequence number the other side acknowledged. */
  get acked(): number {
    return this.#acked;
  }

  /** Messages not acknowledged yet. */
  get size(): number {
    return this.#end - this.#head;
  }

  /** Numbers a message built by `make(seq)` and keeps it until acknowledged. */
  push(make: (seq: number) => T, now = Date.now()): T {
    const message = make(this.#seq + 1);
    this.add(message, now);
    return message;
  }

  /** Keeps `message`, already built with sequence number `nextSeq`, until acknowledged. */
  add(message: T, now = Date.now()): void {
    this.#seq++;
    if (this.size === 0) {
      this.#first = this.#seq;
      this.#since = now;
    }
    this.#pending[this.#end++] = message;
    if (this.size > this.limit) {
      this.#pending[this.#head++] = undefined;
      this.#first++;
      this.overflowed = true;
    }
    this.#compact();
  }

  /** The other side applied everything up to `seq`. Returns true if that acknowledged something new. */
  ack(seq: number, now = Date.now()): boolean {
    if (seq <= this.#acked) return false;
    this.#acked = Math.min(seq, this.#seq);
    if (this.#acked >= this.#first) {
      const drop = Math.min(this.#acked - this.#first + 1, this.size);
      for (let i = 0; i < drop; i++) this.#pending[this.#head++] = undefined;
      this.#first += drop;
      this.#compact();
    }
    this.#since = now;
    return true;
  }

  #compact(): void {
    if (this.#head === this.#end) {
      this.#head = this.#end = 0; // the slots in between were cleared as they were acknowledged
    } else if (this.#head > 32 && this.#head * 2 > this.#end) {
      const pending = this.#pending;
      const size = this.#end - this.#head;
      pending.copyWithin(0, this.#head, this.#end);
      pending.fill(undefined, size, this.#end);
      this.#head = 0;
      this.#end = size;
    }
  }

  /** Whether everything after `seq` is still here to be sent again. */
  canReplayAfter(seq: number): boolean {
    if (seq >= this.#seq) return true;
    return this.size > 0 && this.#first <= seq + 1;
  }

  /** The unacknowledged messages after `seq`, in order, marked as sent now. */
  after(seq: number, now = Date.now()): T[] {
    const from = this.#head + Math.max(0, seq + 1 - this.#first);
    if (from === this.#head && this.size > 0) this.#since = now;
    return this.#pending.slice(from, this.#end) as T[];
  }

  /** True when the oldest unacknowledged message has waited `timeoutMs` without any acknowledgement. */
  overdue(now: number, timeoutMs: number): boolean {
    return this.size > 0 && now - this.#since >= timeoutMs;
  }

  /** Forgets everything and restarts numbering at 1 (a new slot). */
  reset(): void {
    this.#seq = this.#acked = 0;
    this.#pending = [];
    this.#head = this.#end = 0;
    this.#first = 1;
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
    const arrival = this.accept(seq, message);
    if (arrival !== 'apply') return { arrival, ready: [] };
    const ready = [message];
    for (let next = this.next(); next !== undefined; next = this.next()) ready.push(next);
    return { arrival, ready };
  }

  /**
   * `receive` without allocating, for a server's hot path: on `'apply'` the caller applies
   * `message`, then whatever `next()` hands out until it returns undefined.
   */
  accept(seq: number, message: T): Arrival {
    this.ackDue = true;
    if (seq <= this.#last || this.#ahead?.has(seq)) return 'duplicate';
    if (seq > this.#last + 1) {
      if (seq - this.#last <= this.limit) (this.#ahead ??= new Map()).set(seq, message);
      return 'gap';
    }
    this.#last = seq;
    return 'apply';
  }

  /** The message that was waiting for the gap `accept` just filled, if any (then it counts as applied). */
  next(): T | undefined {
    const ahead = this.#ahead;
    if (!ahead?.size) return undefined;
    const message = ahead.get(this.#last + 1);
    if (message === undefined) return undefined;
    ahead.delete(this.#last + 1);
    this.#last += 1;
    return message;
  }

  /** Restarts at `last` (the sender restarted its numbering). */
  reset(last = 0): void {
    this.#last = last;
    this.#ahead = undefined;
    this.ackDue = false;
  }
}
