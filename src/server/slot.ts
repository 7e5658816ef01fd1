/**
 * The two records the signaling server keeps: a `Conn` per WebSocket, and a `Slot` per
 * participant. A slot outlives its connection for the grace period, so a participant that drops
 * and comes back (resume) finds its id, its place in the room and its undelivered messages.
 */
import type { WebSocket, RawData } from 'ws';
import { PROTOCOL_VERSION, type PeerInfo, type SignalMessage } from '../protocol/messages.js';
import { Inbox, Outbox } from '../protocol/sequencing.js';
import type { TokenBucket } from './rate-limit.js';
import type { SignalFrame } from './signal-frame.js';

/** One WebSocket connection, joined to a slot or not yet. */
export interface Conn {
  socket: WebSocket;
  slot?: Slot;
  /** Answered the last ping (with its payload: an unasked-for pong proves nothing). */
  alive: boolean;
  /** The number of the last ping (its payload is the process's prefix and this; 0: none yet). */
  ping: number;
  /** The close code the server refused this connection with, if it did (what the close event may not say). */
  refusedWith?: number;
  /** Cut off because it read too slowly (too much waiting to be sent to it). */
  tooSlow?: boolean;
  /** Bytes waiting to go out at the last tick, when more than allowed. */
  waitingBefore?: number;
  /** Bytes of the write under way not yet taken by the kernel, at that tick (when known). */
  queuedBefore?: number;
  /** Ticks in a row with more than allowed waiting and none of it gone. */
  stalledTicks?: number;
  /** A join is being handled (token check, directory): frames wait in `backlog`. */
  joining: boolean;
  backlog: { raw: RawData; binary: boolean }[];
  bucket: TokenBucket;
  /** Refused frames, each forgiven after a while (made at the first one: most connections never need it). */
  faults?: TokenBucket;
  /** Frames dropped by the rate limit, likewise. */
  drops?: TokenBucket;
  rateNoticeAt: number;
  joinTimer?: ReturnType<typeof setTimeout>;
  closed: boolean;
  /** How it closed (the client's code, or the server's refusal), once closed. */
  closedWith?: number;
  /** Which tick of the heartbeat period pings this connection. */
  beat: number;
}

/** A participant in a room on this process. */
export interface Slot {
  info: PeerInfo;
  /** The room token set the display name: the participant may not change it. */
  nameFixed?: boolean;
  /** The name last asked for, not yet in the directory; a rename under way; renames allowed; the wait for one. */
  wantName?: string;
  renaming?: boolean;
  renames?: TokenBucket;
  renameTimer?: ReturnType<typeof setTimeout>;
  room: string;
  secret: string;
  epoch: string;
  conn: Conn | null;
  /** Frames to this participant (UTF-8 JSON) not yet acknowledged. */
  outbox: Outbox<Buffer>;
  /** The start of every signal this participant sends, as bytes: `{"v":1,"type":"signal","from":"<id>","data":`. */
  prefix: Buffer;
  /** Signals from this participant: applied once and in order (those waiting for a gap, parsed). */
  inbox: Inbox<SignalMessage | SignalFrame>;
  graceTimer?: ReturnType<typeof setTimeout>;
  retransmitAt: number;
  /** In the delivery's set of slots to check for overdue messages. */
  watched: boolean;
  /** Waiting in one of the lazy acknowledgement lists. */
  ackQueued: boolean;
  /** The delivery tick since which an acknowledgement is owed to this participant (-1: none). */
  ackOwedSince: number;
  /** When this participant gets fresh TURN credentials (ms, Date.now() clock; 0: none issued). */
  turnRenewAt: number;
}

/** The start of every signal from participant `from`; the server's stamp of who sent it. */
export const signalPrefix = (from: string) =>
  `{"v":${PROTOCOL_VERSION},"type":"signal","from":${JSON.stringify(from)},"data":`;

/** A new slot for participant `info` in `room`. */
export function newSlot(info: PeerInfo, room: string, secret: string, epoch: string): Slot {
  return {
    info,
    room,
    secret,
    epoch,
    conn: null,
    outbox: new Outbox<Buffer>(256),
    prefix: Buffer.from(signalPrefix(info.id)),
    inbox: new Inbox<SignalMessage | SignalFrame>(64),
    retransmitAt: 0,
    watched: false,
    ackQueued: false,
    ackOwedSince: -1,
    turnRenewAt: 0,
  };
}
