/**
 * The rtc-elements signaling server: rooms over WebSocket, attached to any Node HTTP server.
 *
 * The server assigns every participant its id, stamps `from` on what it relays and relays only
 * inside the sender's room. Admission is checked before any room data goes out (origin, global
 * connection cap, room token, room capacity) and refused with a 4xxx close code. Every room
 * message to a participant is numbered and kept until acknowledged, so a client that drops
 * and comes back with its resume secret within the grace period misses nothing.
 * Bad input gets an `error` frame; it never throws out of a handler.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import {
  CloseCode,
  MAX_FRAME_BYTES,
  MAX_NAME_LENGTH,
  PROTOCOL_VERSION,
  checkClientMessage,
  isValidSignal,
  type ErrorCode,
  type JoinMessage,
  type PeerInfo,
  type PeerJoinedMessage,
  type PeerLeftMessage,
  type ServerMessage,
  type SignalMessage,
  type WelcomeMessage,
} from '../protocol/messages.js';
import { Inbox, Outbox } from '../protocol/sequencing.js';
import { TokenError, verifyRoomToken, type RoomGrant } from './auth.js';
import { MemoryDirectory, type BusEvent, type Directory, type MemberRecord } from './directory.js';
import { Metrics, type RefusalReason } from './metrics.js';
import { TokenBucket } from './rate-limit.js';
import { SPAN, valueSpan } from './raw-json.js';
import { turnCredentials, type TurnOptions } from './turn.js';

/** How the signaling server behaves. Every limit has a default fit for production. */
export interface SignalingOptions {
  /** URL path that accepts WebSocket upgrades (default `/signal`). */
  path?: string;
  /** Most participants in one room (default 6). */
  maxPeersPerRoom?: number;
  /** Most open connections on this process; more are refused with 4503 (default 10,000). */
  maxConnections?: number;
  /** How often to ping each socket; one that missed the previous ping is closed (default 10 s). */
  heartbeatMs?: number;
  /** When set, joining needs an HS256 room token signed with this secret. */
  tokenSecret?: string;
  /** When set, only pages from these origins may connect (others: 4403). */
  allowedOrigins?: string[];
  /** When set, joined participants get TURN credentials in their welcome. */
  turn?: TurnOptions;
  /** Frames per second per connection, on average and in a burst (default 50 / 200). */
  rateLimit?: { perSecond: number; burst: number };
  /** Refused frames tolerated per connection before closing it with 1008 (default 20). */
  maxViolations?: number;
  /** How long a dropped participant's slot and messages are kept for it to resume (default 20 s). */
  graceMs?: number;
  /** A connection that has not joined after this long is closed with 4408 (default 10 s). */
  joinTimeoutMs?: number;
  /** Signs resume secrets; shared by every process of a deployment (default: random, or shared via Redis). */
  resumeKey?: string;
  /** Shares rooms between processes through Redis at this URL. */
  redisUrl?: string;
  /** Room membership and the bus between processes (default: in memory, or Redis with `redisUrl`). */
  directory?: Directory;
  /** Unacknowledged messages are sent again after this long (default 1.5 s). */
  retransmitMs?: number;
  /** Called for events worth logging; silent by default. */
  log?: (line: string) => void;
}

/** A running signaling endpoint. */
export interface SignalingServer {
  /** Rooms with a participant on this process, and how many members each has in all. */
  rooms(): Map<string, number>;
  /** Counters, also served as Prometheus text at `/metrics`. */
  readonly metrics: Metrics;
  /** Resolves once the endpoint is ready (Redis connected). */
  readonly ready: Promise<void>;
  /**
   * Serves `/healthz` and `/metrics` (path relative to the server root); returns false for
   * other requests, so it can sit in front of an app's own routes.
   */
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean;
  /**
   * Stops accepting, asks every client to reconnect (close code 4012, to another process if
   * they know one) and resolves once they are gone or after `timeoutMs`.
   */
  drain(timeoutMs?: number): Promise<void>;
  /** Closes every socket and stops accepting upgrades. */
  close(): Promise<void>;
}

interface Conn {
  socket: WebSocket;
  slot?: Slot;
  alive: boolean;
  joining: boolean;
  backlog: { raw: RawData; binary: boolean }[];
  bucket: TokenBucket;
  violations: number;
  rateNoticeAt: number;
  joinTimer?: ReturnType<typeof setTimeout>;
  closed: boolean;
  /** Which tenth of the heartbeat period pings this connection. */
  beat: number;
}

interface Slot {
  info: PeerInfo;
  room: string;
  secret: string;
  epoch: string;
  conn: Conn | null;
  /** Serialized frames not yet acknowledged. */
  outbox: Outbox<string>;
  /** The start of every signal this participant sends: `{"v":1,"type":"signal","from":"<id>","data":`. */
  prefix: string;
  inbox: Inbox<SignalMessage>;
  graceTimer?: ReturnType<typeof setTimeout>;
  retransmitAt: number;
  /** Waiting in one of the lazy acknowledgement lists. */
  ackQueued: boolean;
}

const clean = (s: string) =>
  // eslint-disable-next-line no-control-regex
  s.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_NAME_LENGTH);

/** Attaches signaling to `server` at `options.path` (default `/signal`). */
export function attachSignaling(server: Server, options: SignalingOptions = {}): SignalingServer {
  const path = options.path ?? '/signal';
  const maxPeers = options.maxPeersPerRoom ?? 6;
  const maxConnections = options.maxConnections ?? 10_000;
  // Generous enough for trickle ICE: a browser restarting ICE with several peers sends bursts of
  // candidates (Firefox gathers many), and a dropped frame costs a retransmission.
  const rate = options.rateLimit ?? { perSecond: 200, burst: 400 };
  const maxViolations = options.maxViolations ?? 20;
  const graceMs = options.graceMs ?? 20_000;
  const joinTimeoutMs = options.joinTimeoutMs ?? 10_000;
  const retransmitMs = options.retransmitMs ?? 1500;
  const log = options.log ?? (() => {});
  const origins = options.allowedOrigins ? new Set(options.allowedOrigins) : null;
  const metrics = new Metrics();

  let directory: Directory;
  let ready: Promise<void>;
  if (options.directory) {
    directory = options.directory;
    ready = Promise.resolve();
  } else if (options.redisUrl) {
    const url = options.redisUrl;
    // Loaded only when asked for, so a server without Redis never needs the client installed.
    const made = import('./redis-directory.js').then(async ({ RedisDirectory }) => {
      const d = new RedisDirectory(url, { graceMs, log });
      await d.ready();
      return d;
    });
    directory = new Proxy({} as Directory, {
      get: (_t, prop) => {
        if (prop === 'then') return undefined;
        throw new Error(`directory used before Redis was ready (${String(prop)})`);
      },
    });
    ready = made.then((d) => {
      directory = d;
      directory.onEvent = onBusEvent;
    });
  } else {
    directory = new MemoryDirectory(options.resumeKey ?? randomBytes(32).toString('base64url'));
    ready = Promise.resolve();
  }
  let resumeKey = options.resumeKey ?? '';
  ready = ready.then(async () => {
    directory.onEvent = onBusEvent;
    if (!resumeKey) resumeKey = await directory.sharedKey();
  });
  ready.catch((err) => log(`signaling not ready: ${(err as Error).message}`));

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const conns = new Set<Conn>();
  const slots = new Map<string, Slot>();
  /** Every member of each room this process has a participant in (across processes). */
  const views = new Map<string, Map<string, MemberRecord>>();
  /** This process's participants per room. */
  const local = new Map<string, Set<Slot>>();
  const ackSoon = new Set<Slot>();
  // Lazy acknowledgements wait about a second for a message to ride on, in ten rotating lists
  // so they go out spread over the second rather than all at once. Lists and a flag rather
  // than sets: a slot joins one for the first frame it sends in a second, not for every frame.
  const ackLater: Slot[][] = Array.from({ length: 10 }, () => []);
  let ticks = 0;
  const unacked = new Set<Slot>();
  let draining = false;
  let connCount = 0;
  let closing = false;

  const secretFor = (room: string, id: string) =>
    createHmac('sha256', resumeKey).update(`${room}\n${id}`).digest('base64url');
  const secretMatches = (room: string, id: string, secret: string) => {
    const want = Buffer.from(secretFor(room, id));
    const got = Buffer.from(secret);
    return want.length === got.length && timingSafeEqual(want, got);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path) return; // another upgrade handler (e.g. a dev server) may want it
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);

  // ---- sending -----------------------------------------------------------------------------

  const transmit = (conn: Conn | null, message: ServerMessage | string) => {
    const socket = conn?.socket;
    if (socket && socket.readyState === socket.OPEN) {
      socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    }
  };
  /** Numbers `frame` (built by the caller with `outbox.nextSeq`) for `slot`, keeps it until acknowledged and sends it. */
  const enqueue = (slot: Slot, frame: string, now: number) => {
    slot.outbox.add(frame, now);
    if (slot.outbox.size === 1) {
      slot.retransmitAt = now + retransmitMs;
      unacked.add(slot);
    }
    transmit(slot.conn, frame);
  };
  /** The end of a frame to `slot`: its number and, riding along, the acknowledgement it is owed. */
  const tail = (slot: Slot) => {
    const ack = slot.inbox.last;
    if (ack === 0) return `,"seq":${slot.outbox.nextSeq}}`;
    slot.inbox.ackDue = false;
    return `,"seq":${slot.outbox.nextSeq},"ack":${ack}}`;
  };
  /**
   * A relayed signal, the hot path: the sender's cached prefix (which stamps `from`), the
   * validated `data` as JSON text, then the numbers. No object is built per recipient.
   */
  const deliverSignal = (slot: Slot, prefix: string, data: string) =>
    enqueue(slot, `${prefix}${data}${tail(slot)}`, Date.now());
  /** A room event (someone joined or left), numbered like signals. */
  const deliver = (slot: Slot, message: PeerJoinedMessage | PeerLeftMessage) =>
    enqueue(slot, `${JSON.stringify(message).slice(0, -1)}${tail(slot)}`, Date.now());
  const signalPrefix = (from: string) => `{"v":${PROTOCOL_VERSION},"type":"signal","from":${JSON.stringify(from)},"data":`;
  const sendError = (conn: Conn, code: ErrorCode, message: string) =>
    transmit(conn, { v: PROTOCOL_VERSION, type: 'error', code, message });
  const refuseClose = (conn: Conn, code: number, reason: string, why: RefusalReason) => {
    metrics.refuse(why);
    conn.socket.close(code, reason);
  };
  /** Counts a refused frame; too many close the connection. */
  const violation = (conn: Conn, code: ErrorCode, message: string) => {
    metrics.refuse(code);
    if (++conn.violations > maxViolations) {
      return refuseClose(conn, CloseCode.PolicyViolation, 'too many invalid frames', 'policy-violation');
    }
    sendError(conn, code, message);
  };

  // ---- rooms --------------------------------------------------------------------------------

  const toLocal = (room: string, make: () => PeerJoinedMessage | PeerLeftMessage, except?: string) => {
    for (const s of local.get(room) ?? []) if (s.info.id !== except) deliver(s, make());
  };
  const peerInfo = (r: MemberRecord): PeerInfo => (r.user ? { id: r.id, name: r.name, user: r.user } : { id: r.id, name: r.name });

  function onBusEvent(room: string, event: BusEvent) {
    const view = views.get(room);
    if (!view) return;
    switch (event.kind) {
      case 'joined': {
        const known = view.has(event.peer.id);
        view.set(event.peer.id, event.peer);
        const mine = slots.get(event.peer.id);
        if (mine && mine.room === room) dropSlot(mine, false); // it resumed elsewhere
        if (!known) toLocal(room, () => ({ v: PROTOCOL_VERSION, type: 'peer-joined', peer: peerInfo(event.peer) }));
        return;
      }
      case 'takeover': {
        const rec = view.get(event.id);
        if (rec) view.set(event.id, { ...rec, proc: event.proc });
        const mine = slots.get(event.id);
        if (mine && mine.room === room) dropSlot(mine, false);
        return;
      }
      case 'left':
        if (!view.delete(event.id)) return;
        toLocal(room, () => ({ v: PROTOCOL_VERSION, type: 'peer-left', id: event.id }));
        return;
      case 'signal': {
        const target = slots.get(event.to);
        if (target && target.room === room && view.has(event.from)) {
          deliverSignal(target, signalPrefix(event.from), JSON.stringify(event.data));
        }
        return;
      }
    }
  }

  /** Forgets a local participant; with `announce`, removes it from the room for everyone. */
  function dropSlot(slot: Slot, announce: boolean) {
    if (slots.get(slot.info.id) !== slot) return;
    slots.delete(slot.info.id);
    clearTimeout(slot.graceTimer);
    ackSoon.delete(slot); // the lazy lists skip it: it has no connection
    unacked.delete(slot);
    metrics.participants = slots.size;
    if (slot.conn) {
      slot.conn.slot = undefined;
      slot.conn.socket.close(CloseCode.Normal, 'resumed elsewhere');
      slot.conn = null;
    }
    const mine = local.get(slot.room);
    mine?.delete(slot);
    const { room } = slot;
    const id = slot.info.id;
    if (mine?.size === 0) {
      local.delete(room);
      views.delete(room);
      directory.unwatch(room);
      metrics.rooms = local.size;
    }
    if (!announce) return;
    views.get(room)?.delete(id);
    void directory.remove(room, id).then((removed) => {
      if (!removed) return;
      directory.publish(room, { kind: 'left', id });
      toLocal(room, () => ({ v: PROTOCOL_VERSION, type: 'peer-left', id }));
    }, (err) => log(`remove ${id}: ${(err as Error).message}`));
    log(`leave ${id} room=${JSON.stringify(room)}`);
  }

  const attach = (slot: Slot, conn: Conn) => {
    if (slot.conn && slot.conn !== conn) {
      const old = slot.conn;
      old.slot = undefined;
      old.socket.close(CloseCode.Normal, 'replaced by a newer connection');
    }
    clearTimeout(slot.graceTimer);
    slot.graceTimer = undefined;
    slot.conn = conn;
    conn.slot = slot;
  };

  const welcomeFor = (slot: Slot, resumed: boolean): WelcomeMessage => {
    const view = views.get(slot.room)!;
    const peers = [...view.values()].filter((r) => r.id !== slot.info.id).map(peerInfo);
    return {
      v: PROTOCOL_VERSION,
      type: 'welcome',
      id: slot.info.id,
      room: slot.room,
      peers,
      resume: slot.secret,
      resumed,
      epoch: slot.epoch,
      ack: slot.inbox.last,
      name: slot.info.name,
      ...(options.turn ? { iceServers: [turnCredentials(options.turn, slot.info.id)] } : {}),
    };
  };

  async function onJoin(conn: Conn, msg: JoinMessage) {
    if (conn.slot) return violation(conn, 'already-joined', 'leave before joining another room');
    let grant: RoomGrant | undefined;
    if (options.tokenSecret) {
      if (!msg.token) return refuseClose(conn, CloseCode.InvalidToken, 'room token required', 'invalid-token');
      try {
        grant = await verifyRoomToken(options.tokenSecret, msg.token, msg.room);
      } catch (err) {
        const reason = err instanceof TokenError ? err.reason : 'token invalid';
        return refuseClose(conn, CloseCode.InvalidToken, reason, 'invalid-token');
      }
    }
    await ready;
    if (conn.closed) return;
    const room = grant?.room ?? msg.room;
    const name = clean(grant?.name ?? msg.name ?? '');

    // Coming back: the same process still holds the slot (a dropped socket within the grace period).
    const claim = msg.resume && secretMatches(room, msg.resume.id, msg.resume.secret) ? msg.resume : undefined;
    const held = claim ? slots.get(claim.id) : undefined;
    if (held && held.room === room) {
      attach(held, conn);
      const ack = msg.ack ?? 0;
      const replayable = held.outbox.canReplayAfter(ack) && ack <= held.outbox.seq;
      if (!replayable) {
        held.epoch = randomUUID().slice(0, 8);
        held.outbox.reset();
        held.inbox.reset();
      } else {
        held.outbox.ack(ack);
      }
      metrics.resumes++;
      transmit(conn, welcomeFor(held, true));
      for (const m of held.outbox.after(ack)) transmit(conn, m);
      log(`resume ${held.info.id} room=${JSON.stringify(room)}`);
      return;
    }

    // A fresh slot: a new participant, or one coming back to a process that does not hold it
    // (a restarted server, another process after this one's died): same id, numbering restarts.
    const id = claim?.id ?? randomUUID();
    const rec: MemberRecord = { id, name, proc: directory.proc, ...(grant?.user ? { user: grant.user } : {}) };
    await directory.watch(room);
    const members = await directory.admit(room, rec, maxPeers);
    if (!members) {
      if (!local.has(room)) directory.unwatch(room);
      metrics.refuse('room-full');
      sendError(conn, 'room-full', `room is full (${maxPeers} participants)`);
      conn.socket.close(CloseCode.RoomFull, `room is full (${maxPeers} participants)`);
      return;
    }
    const view = views.get(room) ?? new Map<string, MemberRecord>();
    const known = view.has(id) || (claim !== undefined && members.some((m) => m.id === id && m.proc !== rec.proc));
    for (const m of members) view.set(m.id, m);
    view.set(id, rec);
    views.set(room, view);
    const slot: Slot = {
      info: peerInfo(rec),
      room,
      secret: secretFor(room, id),
      epoch: randomUUID().slice(0, 8),
      conn: null,
      outbox: new Outbox<string>(256),
      prefix: signalPrefix(id),
      inbox: new Inbox<SignalMessage>(64),
      retransmitAt: 0,
      ackQueued: false,
    };
    const stale = slots.get(id);
    if (stale) dropSlot(stale, false);
    slots.set(id, slot);
    const set = local.get(room) ?? new Set<Slot>();
    set.add(slot);
    local.set(room, set);
    metrics.participants = slots.size;
    metrics.rooms = local.size;
    attach(slot, conn);
    if (claim) metrics.resumes++;
    else metrics.joins++;
    transmit(conn, welcomeFor(slot, claim !== undefined));
    if (known) {
      directory.publish(room, { kind: 'takeover', id, proc: rec.proc });
    } else {
      directory.publish(room, { kind: 'joined', peer: rec });
      toLocal(room, () => ({ v: PROTOCOL_VERSION, type: 'peer-joined', peer: slot.info }), id);
    }
    log(`${claim ? 'resume (new slot)' : 'join'} ${id} room=${JSON.stringify(room)} size=${view.size}`);
    if (conn.closed) onConnGone(conn);
  }

  /** A valid signal; `text` is the frame it came in, to forward its `data` without serializing it again. */
  function onSignal(conn: Conn, msg: SignalMessage, text?: string) {
    const slot = conn.slot;
    if (!slot) return violation(conn, 'not-joined', 'join a room first');
    if (msg.seq === undefined) return relay(conn, slot, msg, text);
    // A duplicate is dropped; one ahead of a lost one waits for it (the ack asks for it again).
    const arrival = slot.inbox.accept(msg.seq, msg);
    if (arrival !== 'apply') {
      ackSoon.add(slot); // a gap or a duplicate: acknowledge soon, so the sender resends
      return;
    }
    // In order: acknowledge lazily (usually piggybacked on a frame to it).
    if (!slot.ackQueued) {
      slot.ackQueued = true;
      ackLater[ticks % 10].push(slot);
    }
    relay(conn, slot, msg, text);
    for (let next = slot.inbox.next(); next !== undefined; next = slot.inbox.next()) relay(conn, slot, next);
  }

  function relay(conn: Conn, slot: Slot, msg: SignalMessage, text?: string) {
    if (msg.ack !== undefined) onAck(slot, msg.ack);
    const target = views.get(slot.room)?.get(msg.to);
    // A peer in another room is as unknown as one that never existed.
    if (!target || msg.to === slot.info.id) return violation(conn, 'unknown-peer', 'no such participant here');
    metrics.relayed++;
    const dest = slots.get(msg.to);
    if (dest && dest.room === slot.room) {
      const span = text === undefined ? -1 : valueSpan(text, 'data');
      const data = span < 0 ? JSON.stringify(msg.data) : text!.slice(Math.floor(span / SPAN), span % SPAN);
      deliverSignal(dest, slot.prefix, data);
    } else {
      directory.publish(slot.room, { kind: 'signal', from: slot.info.id, to: msg.to, data: msg.data });
    }
  }

  function onFrame(conn: Conn, raw: RawData, isBinary: boolean) {
    if (conn.joining) {
      if (conn.backlog.length >= 32) return violation(conn, 'rate-limited', 'wait for the welcome');
      conn.backlog.push({ raw, binary: isBinary });
      return;
    }
    if (!conn.bucket.take()) {
      metrics.refuse('rate-limited');
      if (++conn.violations > maxViolations * 5) {
        return refuseClose(conn, CloseCode.PolicyViolation, 'sending too fast', 'policy-violation');
      }
      const now = performance.now();
      if (now - conn.rateNoticeAt > 1000) {
        conn.rateNoticeAt = now;
        sendError(conn, 'rate-limited', 'sending too fast; frames are being dropped');
      }
      return;
    }
    if (isBinary) return violation(conn, 'bad-message', 'frames must be text');
    const text = raw.toString();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return violation(conn, 'bad-json', 'frame is not valid JSON');
    }
    // The hot path: a valid signal is relayed as parsed, without building a message from it.
    if (isValidSignal(value)) return onSignal(conn, value, text);
    const parsed = checkClientMessage(value);
    if (!parsed.ok) return violation(conn, parsed.code, parsed.error);
    const msg = parsed.message;
    switch (msg.type) {
      case 'join': {
        clearTimeout(conn.joinTimer);
        conn.joining = true;
        void onJoin(conn, msg)
          .catch((err) => {
            log(`join failed: ${(err as Error).stack ?? err}`);
            sendError(conn, 'bad-message', 'the join could not be handled');
          })
          .finally(() => {
            conn.joining = false;
            for (const f of conn.backlog.splice(0)) safeFrame(conn, f.raw, f.binary);
          });
        return;
      }
      case 'signal':
        return onSignal(conn, msg);
      case 'ack': {
        const slot = conn.slot;
        if (!slot) return violation(conn, 'not-joined', 'join a room first');
        // An ack that does not advance while messages are pending: the client saw a gap.
        if (!onAck(slot, msg.seq) && slot.outbox.size > 0) retransmit(slot, Date.now(), true);
        return;
      }
      case 'leave':
        if (conn.slot) dropSlot(conn.slot, true);
        return;
    }
  }

  function safeFrame(conn: Conn, raw: RawData, isBinary: boolean) {
    try {
      onFrame(conn, raw, isBinary);
    } catch (err) {
      // A bug here must cost one frame, not the process.
      log(`handler error: ${(err as Error).stack ?? err}`);
      sendError(conn, 'bad-message', 'frame could not be handled');
    }
  }

  /** Takes an acknowledgement; true if it acknowledged something new. */
  function onAck(slot: Slot, seq: number): boolean {
    if (!slot.outbox.ack(seq)) return false;
    if (slot.outbox.size === 0) unacked.delete(slot);
    else slot.retransmitAt = Date.now() + retransmitMs;
    return true;
  }

  function retransmit(slot: Slot, now: number, nudge: boolean) {
    if (!slot.conn) return;
    if (nudge && now < slot.retransmitAt - retransmitMs / 2) return; // just sent them
    slot.retransmitAt = now + retransmitMs;
    for (const m of slot.outbox.after(slot.outbox.acked, now)) transmit(slot.conn, m);
  }

  function onConnGone(conn: Conn, code = 1006) {
    conns.delete(conn);
    metrics.connections = conns.size;
    clearTimeout(conn.joinTimer);
    const slot = conn.slot;
    if (!slot || slot.conn !== conn) return;
    slot.conn = null;
    conn.slot = undefined;
    if (draining || closing) return; // the slot lives on in the directory for another process to take over
    // A clean close from the client (tab closed, page left) is a goodbye; anything else may come back.
    if (code === 1000 || code === 1001 || code === 1005) return dropSlot(slot, true);
    // Keep the slot (and its undelivered messages) for the participant to come back.
    slot.graceTimer = setTimeout(() => dropSlot(slot, true), graceMs);
    slot.graceTimer.unref?.();
  }

  wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
    const conn: Conn = {
      socket,
      alive: true,
      joining: false,
      backlog: [],
      bucket: new TokenBucket(rate.perSecond, rate.burst),
      violations: 0,
      rateNoticeAt: 0,
      closed: false,
      beat: connCount++ % 10,
    };
    socket.on('error', (err) => log(`socket error: ${err.message}`));
    socket.on('close', (code) => {
      conn.closed = true;
      if (code === CloseCode.TooBig) metrics.refuse('too-big');
      if (conns.has(conn)) onConnGone(conn, code);
    });
    // Refusals go out as close codes before any room data: a browser cannot read an HTTP status.
    if (draining) return socket.close(CloseCode.Reconnect, 'server restarting');
    if (origins && !origins.has(req.headers.origin ?? '')) {
      return refuseClose(conn, CloseCode.ForbiddenOrigin, 'origin not allowed', 'forbidden-origin');
    }
    if (conns.size >= maxConnections) {
      return refuseClose(conn, CloseCode.ServerFull, 'server full', 'server-full');
    }
    conns.add(conn);
    metrics.connections = conns.size;
    conn.joinTimer = setTimeout(() => {
      if (!conn.slot) refuseClose(conn, CloseCode.JoinTimeout, 'no join in time', 'join-timeout');
    }, joinTimeoutMs);
    conn.joinTimer.unref?.();
    socket.on('pong', () => (conn.alive = true));
    socket.on('message', (raw, isBinary) => safeFrame(conn, raw, isBinary));
  });

  // Each connection is pinged once per heartbeat period, a tenth of them per tick: pinging
  // thousands at once would stall relaying for milliseconds every period.
  let beat = 0;
  const heartbeat = setInterval(() => {
    const bucket = beat++ % 10;
    for (const conn of conns) {
      if (conn.beat !== bucket) continue;
      // No pong since the last ping: the socket is half-open (a vanished laptop, a dead NAT).
      if (!conn.alive) {
        conn.socket.terminate();
        continue;
      }
      conn.alive = false;
      conn.socket.ping();
    }
  }, (options.heartbeatMs ?? 10_000) / 10);
  heartbeat.unref();

  // Acknowledgements go out in batches; unacknowledged messages go out again when overdue.
  const ackNow = (slot: Slot) => {
    if (slot.inbox.ackDue) transmit(slot.conn, { v: PROTOCOL_VERSION, type: 'ack', seq: slot.inbox.last });
    slot.inbox.ackDue = false;
  };
  const pump = setInterval(() => {
    for (const slot of ackSoon) ackNow(slot);
    ackSoon.clear();
    const later = ackLater[++ticks % 10]; // the ones queued ten ticks ago
    for (const slot of later) {
      slot.ackQueued = false;
      ackNow(slot);
    }
    later.length = 0;

    const now = Date.now();
    for (const slot of unacked) {
      if (slot.outbox.size === 0) unacked.delete(slot);
      else if (slot.conn && now >= slot.retransmitAt) retransmit(slot, now, false);
    }
  }, 100);
  pump.unref();

  const stopTimers = () => {
    clearInterval(heartbeat);
    clearInterval(pump);
    for (const slot of slots.values()) clearTimeout(slot.graceTimer);
    for (const conn of conns) clearTimeout(conn.joinTimer);
  };

  return {
    metrics,
    ready,
    rooms: () => new Map([...local.keys()].map((room) => [room, views.get(room)?.size ?? 0])),
    handleHttp(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/healthz') {
        res.writeHead(draining ? 503 : 200, { 'content-type': 'text/plain' }).end(draining ? 'draining\n' : 'ok\n');
        return true;
      }
      if (url.pathname === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.render());
        return true;
      }
      return false;
    },
    drain: (timeoutMs = 5000) =>
      new Promise<void>((resolve) => {
        draining = true;
        for (const conn of conns) conn.socket.close(CloseCode.Reconnect, 'server restarting, reconnect');
        const end = Date.now() + timeoutMs;
        const check = setInterval(() => {
          if (conns.size === 0 || Date.now() > end) {
            clearInterval(check);
            for (const conn of conns) conn.socket.terminate();
            resolve();
          }
        }, 20);
      }),
    close: async () => {
      closing = true;
      stopTimers();
      server.off('upgrade', onUpgrade);
      for (const socket of wss.clients) socket.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await ready.catch(() => {});
      await directory.close().catch(() => {});
    },
  };
}
