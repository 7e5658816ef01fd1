/**
 * Sending to participants, reliably: every room message to a participant is numbered and kept
 * (as the bytes that went out) until acknowledged, sent again when overdue or when the client
 * reports a gap, and replayed on resume. Acknowledgements owed to a participant ride on the
 * next frame to it; the rest go out in batches about a second later (at once after a gap).
 */
import {
  PROTOCOL_VERSION,
  type ErrorCode,
  type PeerJoinedMessage,
  type PeerLeftMessage,
  type PeerRenamedMessage,
  type ServerMessage,
} from '../protocol/messages.js';
import type { Conn, Slot } from './slot.js';

/** ws options for a frame given as bytes: it is UTF-8 text all the same. */
const TEXT = { binary: false } as const;

/**
 * Most bytes a connection may have waiting to go out (by default). A client that stops reading
 * (or reads slower than its room talks to it) would otherwise grow the server's memory without
 * limit; cut off, it reconnects and resumes, and what it missed is replayed from its outbox.
 * Checked by the 100 ms tick, and only against a connection that drained nothing for several
 * ticks, so a burst that a reader takes in (a resume's replay) is not taken for a slow reader.
 */
export const MAX_BUFFERED = 8 * 1024 * 1024;

/**
 * Ticks in a row (of 100 ms) in which nothing of a backlog over the limit may leave before its
 * connection is cut off: a second. A kernel takes a slow link's bytes in steps (when a third or
 * so of its send buffer is free), which on an 8 MB/s link over loopback came 350 ms apart, and a
 * server short of CPU can itself go a tick without getting to a socket that its client reads.
 */
const STALLED_TICKS = 10;

/** Sends one text frame (an object is serialized; bytes are UTF-8 JSON) if the connection is open. */
export function transmit(conn: Conn | null, message: ServerMessage | string | Buffer): void {
  const socket = conn?.socket;
  if (socket && socket.readyState === socket.OPEN) {
    if (typeof message === 'string') socket.send(message);
    else if (message instanceof Uint8Array) socket.send(message, TEXT);
    else socket.send(JSON.stringify(message));
  }
}

/**
 * Bytes of the write under way that the kernel has not taken yet (libuv's write queue), or
 * undefined where the socket does not say (a WebSocket's TCP socket is ws's `_socket`, and its
 * queue Node's `_handle.writeQueueSize`: internal both, so read defensively).
 */
function writeQueueSize(socket: Conn['socket']): number | undefined {
  const size = (socket as { _socket?: { _handle?: { writeQueueSize?: unknown } } })._socket?._handle?.writeQueueSize;
  return typeof size === 'number' ? size : undefined;
}

const SEQ = Buffer.from(',"seq":');
const ACK = Buffer.from(',"ack":');
const CLOSE = 0x7d; // }

/** How many decimal digits `n` (a non-negative safe integer) has. */
function digits(n: number): number {
  let d = 1;
  for (; n >= 10; d++) n = Math.floor(n / 10);
  return d;
}

/** Writes `n` (`d` digits) in decimal at `at`; returns where it ends. */
function writeDigits(out: Buffer, at: number, n: number, d: number): number {
  for (let i = at + d - 1; i >= at; i--) {
    out[i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return at + d;
}

/** Tells a client why its frame was refused. */
export const sendError = (conn: Conn, code: ErrorCode, message: string) =>
  transmit(conn, { v: PROTOCOL_VERSION, type: 'error', code, message });

/** Numbered, acknowledged delivery to the participants of this process. */
export class Delivery {
  readonly #retransmitMs: number;
  readonly #maxBuffered: number;
  readonly #ackSoon = new Set<Slot>();
  // Lazy acknowledgements wait about a second for a message to ride on, in ten rotating lists
  // so they go out spread over the second rather than all at once. Lists and a flag rather
  // than sets: a slot joins one for the first frame it sends in a second, not for every frame.
  readonly #ackLater: Slot[][] = Array.from({ length: 10 }, () => []);
  #ticks = 0;
  /**
   * Slots that may have messages not yet acknowledged (`slot.watched`). A slot leaves only in
   * the tick, once all is acknowledged: not on each acknowledgement, which would take it out
   * and put it back in for nearly every message relayed.
   */
  readonly #unacked = new Set<Slot>();
  readonly #pump: ReturnType<typeof setInterval>;
  /**
   * The time at the last tick. Relaying reads this rather than the system clock (a read costs
   * about 50 ns on these machines, and a relayed frame took two): what it times is overdue
   * messages, which only the tick checks, so reading the clock more often would gain nothing.
   */
  #now = Date.now();

  constructor(retransmitMs: number, maxBuffered = MAX_BUFFERED) {
    this.#retransmitMs = retransmitMs;
    this.#maxBuffered = maxBuffered;
    this.#pump = setInterval(() => this.#tick(), 100);
    this.#pump.unref();
  }

  /**
   * A relayed signal, the hot path: the sender's cached prefix (which stamps `from`), the
   * validated `data` as JSON bytes (`data[start, end)`), then the numbers, in one buffer. No
   * object or string is built per recipient, and what is kept until acknowledged is bytes
   * outside the JavaScript heap: kept frames are what survives a scavenge, and strings (with
   * the frame they were cut from) made every one of them several times dearer.
   */
  signal(slot: Slot, prefix: Buffer, data: Buffer, start = 0, end = data.length): void {
    this.#enqueue(slot, this.#frame(slot, prefix, data, start, end), this.#now);
  }

  /** A room event (someone joined, left or was renamed), numbered like signals. */
  event(slot: Slot, message: PeerJoinedMessage | PeerLeftMessage | PeerRenamedMessage): void {
    const head = Buffer.from(JSON.stringify(message).slice(0, -1));
    this.#enqueue(slot, this.#frame(slot, head, head, 0, 0), this.#now);
  }

  /** A signal from `slot` arrived in order: its acknowledgement may wait for a frame to ride on. */
  ackLater(slot: Slot): void {
    if (slot.ackOwedSince < 0) slot.ackOwedSince = this.#ticks;
    if (slot.ackQueued) return;
    slot.ackQueued = true;
    this.#ackLater[this.#ticks % 10].push(slot);
  }

  /** A signal from `slot` was a duplicate or came after a gap: acknowledge soon, so it resends. */
  ackSoon(slot: Slot): void {
    this.#ackSoon.add(slot);
  }

  /** Takes an acknowledgement from `slot`; true if it acknowledged something new. */
  acked(slot: Slot, seq: number): boolean {
    const now = this.#now;
    if (!slot.outbox.ack(seq, now)) return false;
    if (slot.outbox.size > 0) slot.retransmitAt = now + this.#retransmitMs;
    return true;
  }

  /** An ack that did not advance while messages are pending: the client saw a gap; resend. */
  nudged(slot: Slot): void {
    if (slot.outbox.size > 0) this.#retransmit(slot, Date.now(), true);
  }

  /**
   * A participant came back to its slot having applied up to `ack`: false if what follows is no
   * longer all here (the caller restarts the numbering); else replays it after `welcome`.
   */
  canResume(slot: Slot, ack: number): boolean {
    return slot.outbox.canReplayAfter(ack) && ack <= slot.outbox.seq;
  }

  /** Sends the welcome, then everything after `ack` not yet acknowledged. */
  resume(slot: Slot, ack: number, welcome: ServerMessage): void {
    slot.outbox.ack(ack);
    transmit(slot.conn, welcome);
    for (const m of slot.outbox.after(ack)) transmit(slot.conn, m);
  }

  /** Stops tracking a slot that is gone. */
  forget(slot: Slot): void {
    this.#ackSoon.delete(slot); // the lazy lists skip it: it has no connection
    this.#unacked.delete(slot);
    slot.watched = false;
  }

  close(): void {
    clearInterval(this.#pump);
  }

  #enqueue(slot: Slot, frame: Buffer, now: number): void {
    slot.outbox.add(frame, now);
    if (slot.outbox.size === 1) slot.retransmitAt = now + this.#retransmitMs;
    if (!slot.watched) {
      slot.watched = true;
      this.#unacked.add(slot);
    }
    transmit(slot.conn, frame);
  }

  /**
   * `head`, then `body[start, end)`, then the end of a frame to `slot`: its number and, riding
   * along, the acknowledgement it is owed (`,"seq":N,"ack":M}`).
   */
  #frame(slot: Slot, head: Buffer, body: Buffer, start: number, end: number): Buffer {
    const seq = slot.outbox.nextSeq;
    const ack = slot.inbox.last;
    const seqDigits = digits(seq);
    const ackDigits = ack === 0 ? 0 : digits(ack);
    const size = head.length + (end - start) + SEQ.length + seqDigits + (ack === 0 ? 0 : ACK.length + ackDigits) + 1;
    const out = Buffer.allocUnsafe(size);
    // TypedArray `set` rather than Buffer `copy`: the same bytes without copy's checks per call.
    out.set(head, 0);
    let at = head.length;
    if (end > start) out.set(start === 0 && end === body.length ? body : body.subarray(start, end), at);
    at += end - start;
    out.set(SEQ, at);
    at = writeDigits(out, at + SEQ.length, seq, seqDigits);
    if (ack !== 0) {
      out.set(ACK, at);
      at += ACK.length;
      at = writeDigits(out, at, ack, ackDigits);
      slot.inbox.ackDue = false;
      slot.ackOwedSince = -1;
    }
    // Every byte of `out` (uninitialized memory) is written: never send a byte of anything else.
    if (at !== size - 1) throw new Error(`frame of ${size} bytes filled to ${at + 1}`);
    out[at] = CLOSE;
    return out;
  }

  #ackNow(slot: Slot): void {
    if (slot.inbox.ackDue) transmit(slot.conn, { v: PROTOCOL_VERSION, type: 'ack', seq: slot.inbox.last });
    slot.inbox.ackDue = false;
    slot.ackOwedSince = -1;
  }

  #retransmit(slot: Slot, now: number, nudge: boolean): void {
    if (!slot.conn) return;
    // What went out before has not all left yet: sending it again would only pile up copies.
    if (slot.conn.socket.bufferedAmount > 0) return;
    if (nudge && now < slot.retransmitAt - this.#retransmitMs / 2) return; // just sent them
    slot.retransmitAt = now + this.#retransmitMs;
    for (const m of slot.outbox.after(slot.outbox.acked, now)) transmit(slot.conn, m);
  }

  /**
   * More than allowed waits to go out to `conn`, and none of it left for `STALLED_TICKS` ticks
   * in a row: a client that does not read. (One that reads drains a burst such as a resume's
   * replay, however big, a little from one tick to the next.) Node hands a backlog to the kernel
   * as one write (writev) and counts all of it as waiting until the last byte is taken, which on
   * a slow link is seconds of steady reading: libuv's queue for that write changing is progress
   * too (Node's own socket timeout looks at the same number, for the same reason), as long as
   * nothing more piles up behind it.
   */
  #stuck(conn: Conn): boolean {
    const waiting = conn.socket.bufferedAmount;
    if (waiting <= this.#maxBuffered) {
      conn.waitingBefore = conn.queuedBefore = undefined;
      conn.stalledTicks = 0;
      return false;
    }
    const queued = writeQueueSize(conn.socket);
    const before = conn.waitingBefore;
    // The write under way moving is progress only while no more piles up behind it: a client that
    // takes a little now and then but falls further behind is slower than its room, and goes.
    const moved = before === undefined || waiting < before || (waiting === before && queued !== conn.queuedBefore);
    conn.waitingBefore = waiting;
    conn.queuedBefore = queued;
    conn.stalledTicks = moved ? 0 : (conn.stalledTicks ?? 0) + 1;
    return conn.stalledTicks >= STALLED_TICKS;
  }

  /** Every 100 ms: acknowledgements that are due, and messages overdue for an acknowledgement. */
  #tick(): void {
    const now = (this.#now = Date.now());
    for (const slot of this.#ackSoon) this.#ackNow(slot);
    this.#ackSoon.clear();
    const tick = ++this.#ticks;
    const later = this.#ackLater[tick % 10]; // the ones queued ten ticks ago
    this.#ackLater[tick % 10] = [];
    for (const slot of later) {
      // Owed for a second: acknowledge now. Owed since more recently (an acknowledgement rode on
      // a frame to it meanwhile): wait until that is a second old, for another frame to ride on.
      if (slot.inbox.ackDue && slot.ackOwedSince > tick - 10) {
        this.#ackLater[slot.ackOwedSince % 10].push(slot);
        continue;
      }
      slot.ackQueued = false;
      this.#ackNow(slot);
    }

    for (const slot of this.#unacked) {
      if (slot.outbox.size === 0) {
        this.#unacked.delete(slot);
        slot.watched = false;
      } else if (slot.conn && this.#stuck(slot.conn)) {
        slot.conn.tooSlow = true;
        slot.conn.socket.terminate();
      } else if (slot.conn && now >= slot.retransmitAt) {
        this.#retransmit(slot, now, false);
      }
    }
  }
}
