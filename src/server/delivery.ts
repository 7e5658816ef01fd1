/**
 * Sending to participants, reliably: every room message to a participant is numbered and kept
 * (as the text that went out) until acknowledged, sent again when overdue or when the client
 * reports a gap, and replayed on resume. Acknowledgements owed to a participant ride on the
 * next frame to it; the rest go out in batches about a second later (at once after a gap).
 */
import {
  PROTOCOL_VERSION,
  type ErrorCode,
  type PeerJoinedMessage,
  type PeerLeftMessage,
  type ServerMessage,
} from '../protocol/messages.js';
import type { Conn, Slot } from './slot.js';

/** Sends one frame (an object is serialized) if the connection is open. */
export function transmit(conn: Conn | null, message: ServerMessage | string): void {
  const socket = conn?.socket;
  if (socket && socket.readyState === socket.OPEN) {
    socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }
}

/** Tells a client why its frame was refused. */
export const sendError = (conn: Conn, code: ErrorCode, message: string) =>
  transmit(conn, { v: PROTOCOL_VERSION, type: 'error', code, message });

/** Numbered, acknowledged delivery to the participants of this process. */
export class Delivery {
  readonly #retransmitMs: number;
  readonly #ackSoon = new Set<Slot>();
  // Lazy acknowledgements wait about a second for a message to ride on, in ten rotating lists
  // so they go out spread over the second rather than all at once. Lists and a flag rather
  // than sets: a slot joins one for the first frame it sends in a second, not for every frame.
  readonly #ackLater: Slot[][] = Array.from({ length: 10 }, () => []);
  #ticks = 0;
  /** Slots with messages not yet acknowledged. */
  readonly #unacked = new Set<Slot>();
  readonly #pump: ReturnType<typeof setInterval>;

  constructor(retransmitMs: number) {
    this.#retransmitMs = retransmitMs;
    this.#pump = setInterval(() => this.#tick(), 100);
    this.#pump.unref();
  }

  /**
   * A relayed signal, the hot path: the sender's cached prefix (which stamps `from`), the
   * validated `data` as JSON text, then the numbers. No object is built per recipient.
   */
  signal(slot: Slot, prefix: string, data: string): void {
    this.#enqueue(slot, `${prefix}${data}${this.#tail(slot)}`, Date.now());
  }

  /** A room event (someone joined or left), numbered like signals. */
  event(slot: Slot, message: PeerJoinedMessage | PeerLeftMessage): void {
    this.#enqueue(slot, `${JSON.stringify(message).slice(0, -1)}${this.#tail(slot)}`, Date.now());
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
    if (!slot.outbox.ack(seq)) return false;
    if (slot.outbox.size === 0) this.#unacked.delete(slot);
    else slot.retransmitAt = Date.now() + this.#retransmitMs;
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
  }

  close(): void {
    clearInterval(this.#pump);
  }

  #enqueue(slot: Slot, frame: string, now: number): void {
    slot.outbox.add(frame, now);
    if (slot.outbox.size === 1) {
      slot.retransmitAt = now + this.#retransmitMs;
      this.#unacked.add(slot);
    }
    transmit(slot.conn, frame);
  }

  /** The end of a frame to `slot`: its number and, riding along, the acknowledgement it is owed. */
  #tail(slot: Slot): string {
    const ack = slot.inbox.last;
    if (ack === 0) return `,"seq":${slot.outbox.nextSeq}}`;
    slot.inbox.ackDue = false;
    slot.ackOwedSince = -1;
    return `,"seq":${slot.outbox.nextSeq},"ack":${ack}}`;
  }

  #ackNow(slot: Slot): void {
    if (slot.inbox.ackDue) transmit(slot.conn, { v: PROTOCOL_VERSION, type: 'ack', seq: slot.inbox.last });
    slot.inbox.ackDue = false;
    slot.ackOwedSince = -1;
  }

  #retransmit(slot: Slot, now: number, nudge: boolean): void {
    if (!slot.conn) return;
    if (nudge && now < slot.retransmitAt - this.#retransmitMs / 2) return; // just sent them
    slot.retransmitAt = now + this.#retransmitMs;
    for (const m of slot.outbox.after(slot.outbox.acked, now)) transmit(slot.conn, m);
  }

  /** Every 100 ms: acknowledgements that are due, and messages overdue for an acknowledgement. */
  #tick(): void {
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

    const now = Date.now();
    for (const slot of this.#unacked) {
      if (slot.outbox.size === 0) this.#unacked.delete(slot);
      else if (slot.conn && now >= slot.retransmitAt) this.#retransmit(slot, now, false);
    }
  }
}
