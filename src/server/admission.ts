/**
 * Connections: who may connect (origin allowlist, global connection cap, a join in time), the
 * heartbeat that closes half-open sockets (and ones that stopped reading), and every frame's way in: rate limit, validation
 * (an `error` frame with a code; repeated violations close with 1008), then the room's handler.
 * Refusals are close codes sent before any room data: a browser cannot read an HTTP status.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { CloseCode, checkClientMessage, type ErrorCode } from '../protocol/messages.js';
import { sendError } from './delivery.js';
import type { Metrics, RefusalReason } from './metrics.js';
import { TokenBucket } from './rate-limit.js';
import type { Rooms } from './rooms.js';
import { readSignalFrame } from './signal-frame.js';
import type { Conn } from './slot.js';

/** How long until one refused frame is forgiven, ms. */
const FORGIVE_MS = 10_000;

/**
 * How long a client has to answer the server's close frame (a refusal, a join timeout, a
 * goodbye) before its socket is cut, ms. ws waits 30 s by default: a client that never answers
 * held its socket (and its memory) that long. A browser answers within a round trip, and once
 * it has our close frame it reports our code however the socket ends.
 */
export const CLOSE_TIMEOUT_MS = 2000;

/**
 * Ping payloads: this process's random prefix, then the ping's number (under 2^30, so the number
 * kept per connection stays a small integer, not a boxed double). A pong counts only if it
 * echoes the connection's last ping; nothing of it is kept but the number.
 */
const PING_PREFIX = randomBytes(4).readUInt32BE(0);
const PING_LIMIT = 0x3fffffff;

/** Ticks per heartbeat period; each pings its share of the connections. */
const BEATS = 100;

/** The limits a connection lives under. */
export interface AdmissionLimits {
  maxConnections: number;
  rate: { perSecond: number; burst: number };
  maxViolations: number;
  joinTimeoutMs: number;
  heartbeatMs: number;
  origins: Set<string> | null;
}

/** Refuses `conn` with a close code, counting why. */
export function refuse(metrics: Metrics, conn: Conn, code: number, reason: string, why: RefusalReason): void {
  metrics.refuse(why);
  conn.refusedWith = code;
  conn.socket.close(code, reason);
}

/** Every open connection of this process, and what happens to their frames. */
export class Admission {
  readonly conns = new Set<Conn>();
  /**
   * Sockets refused at the door (origin, connection cap) whose closing handshake is not done
   * yet: counted against the connection cap, as they hold a socket all the same.
   */
  readonly #refusing = new Set<Conn>();
  readonly #limits: AdmissionLimits;
  readonly #metrics: Metrics;
  readonly #rooms: () => Rooms;
  readonly #draining: () => boolean;
  readonly #log: (line: string) => void;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  #connCount = 0;
  #beat = 0;
  /** The number of the last ping sent (numbers start at 1: 0 on a connection means none sent yet). */
  #pings = 0;

  constructor(
    wss: WebSocketServer,
    limits: AdmissionLimits,
    metrics: Metrics,
    rooms: () => Rooms,
    draining: () => boolean,
    log: (line: string) => void,
  ) {
    this.#limits = limits;
    this.#metrics = metrics;
    this.#rooms = rooms;
    this.#draining = draining;
    this.#log = log;
    wss.on('connection', (socket: WebSocket, req: IncomingMessage) => this.#accept(socket, req));
    // Each connection is pinged once per heartbeat period, a hundredth of them per tick: pinging
    // thousands at once (or even a tenth of them) stalls relaying for a millisecond or more.
    this.#heartbeat = setInterval(() => this.#ping(), limits.heartbeatMs / BEATS);
    this.#heartbeat.unref();
  }

  /**
   * Counts a refused frame; too many close the connection. Each is forgiven after
   * `FORGIVE_MS`, so a long call's rare honest mistakes never add up. A signal to someone
   * who has just left is no mistake (it crossed their goodbye): answered, not counted.
   */
  violation(conn: Conn, code: ErrorCode, message: string): void {
    this.#metrics.refuse(code);
    if (code !== 'unknown-peer') {
      const max = this.#limits.maxViolations;
      conn.faults ??= new TokenBucket(1000 / FORGIVE_MS, max);
      if (!conn.faults.take()) {
        return refuse(this.#metrics, conn, CloseCode.PolicyViolation, 'too many invalid frames', 'policy-violation');
      }
    }
    sendError(conn, code, message);
  }

  /** Stops the heartbeat and every join timer. */
  close(): void {
    clearInterval(this.#heartbeat);
    for (const conn of this.conns) clearTimeout(conn.joinTimer);
  }

  #accept(socket: WebSocket, req: IncomingMessage): void {
    const limits = this.#limits;
    const conn: Conn = {
      socket,
      alive: true,
      joining: false,
      backlog: [],
      bucket: new TokenBucket(limits.rate.perSecond, limits.rate.burst),
      rateNoticeAt: -Infinity, // performance.now() starts at 0 with the process: the first notice is due at once
      closed: false,
      beat: this.#connCount++ % BEATS,
      ping: 0,
    };
    socket.on('error', (err: Error & { code?: string }) => {
      // Over the frame cap, ws closes with 1009 and stops reading: the close event will say 1006.
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        this.#metrics.refuse('too-big');
        conn.refusedWith = CloseCode.TooBig;
      } else this.#log(`socket error: ${err.message}`);
    });
    socket.on('close', (code) => {
      conn.closed = true;
      conn.closedWith = conn.refusedWith ?? code;
      if (conn.tooSlow) this.#metrics.refuse('too-slow');
      if (this.#refusing.delete(conn)) this.#metrics.connectionsClosing = this.#refusing.size;
      if (this.conns.has(conn)) this.#gone(conn, conn.closedWith);
    });
    if (this.#draining()) return socket.close(CloseCode.Reconnect, 'server restarting');
    if (limits.origins && !limits.origins.has(req.headers.origin ?? '')) {
      return this.#refuseAtDoor(conn, CloseCode.ForbiddenOrigin, 'origin not allowed', 'forbidden-origin');
    }
    if (this.conns.size + this.#refusing.size >= limits.maxConnections) {
      return this.#refuseAtDoor(conn, CloseCode.ServerFull, 'server full', 'server-full');
    }
    this.conns.add(conn);
    this.#metrics.connections = this.conns.size;
    this.#awaitJoin(conn);
    socket.on('pong', (data) => {
      // Read in place: no copy, nothing allocated per pong.
      if (data.length === 8 && data.readUInt32BE(0) === PING_PREFIX && data.readUInt32BE(4) === conn.ping) conn.alive = true;
    });
    socket.on('message', (raw, isBinary) => this.#safeFrame(conn, raw, isBinary));
  }

  /**
   * Refuses a connection before admitting it, with a close code while those being refused are
   * fewer than the cap; past that (a flood of connections that do not answer a close frame), it
   * is cut at once, so refused sockets never hold more than the cap's worth again.
   */
  #refuseAtDoor(conn: Conn, code: number, reason: string, why: RefusalReason): void {
    if (this.#refusing.size >= this.#limits.maxConnections) {
      this.#metrics.refuse(why);
      conn.refusedWith = code;
      conn.socket.terminate();
      return;
    }
    this.#refusing.add(conn);
    this.#metrics.connectionsClosing = this.#refusing.size;
    refuse(this.#metrics, conn, code, reason, why);
  }

  /** A connection joined to nothing (new, or its participant left) must join within the join timeout. */
  #awaitJoin(conn: Conn): void {
    clearTimeout(conn.joinTimer);
    conn.joinTimer = setTimeout(() => {
      if (!conn.slot) refuse(this.#metrics, conn, CloseCode.JoinTimeout, 'no join in time', 'join-timeout');
    }, this.#limits.joinTimeoutMs);
    conn.joinTimer.unref?.();
  }

  #gone(conn: Conn, code: number): void {
    this.conns.delete(conn);
    this.#metrics.connections = this.conns.size;
    clearTimeout(conn.joinTimer);
    this.#rooms().connectionGone(conn, code);
  }

  #safeFrame(conn: Conn, raw: RawData, isBinary: boolean): void {
    try {
      this.#frame(conn, raw, isBinary);
    } catch (err) {
      // A bug here must cost one frame, not the process.
      this.#log(`handler error: ${(err as Error).stack ?? err}`);
      sendError(conn, 'bad-message', 'frame could not be handled');
    }
  }

  #frame(conn: Conn, raw: RawData, isBinary: boolean): void {
    if (conn.joining) {
      if (conn.backlog.length >= 32) return this.violation(conn, 'rate-limited', 'wait for the welcome');
      conn.backlog.push({ raw, binary: isBinary });
      return;
    }
    if (!conn.bucket.take()) {
      this.#metrics.refuse('rate-limited');
      // A burst over the limit costs some frames (the client sends them again); only a flood
      // that goes on (more than another burst's worth dropped, a tenth of the rate forgiven) closes
      // the connection.
      conn.drops ??= new TokenBucket(this.#limits.rate.perSecond / 10, this.#limits.rate.burst);
      if (!conn.drops.take()) {
        return refuse(this.#metrics, conn, CloseCode.PolicyViolation, 'sending too fast', 'policy-violation');
      }
      const now = performance.now();
      if (now - conn.rateNoticeAt > 1000) {
        conn.rateNoticeAt = now;
        sendError(conn, 'rate-limited', 'sending too fast; frames are being dropped');
      }
      return;
    }
    if (isBinary) return this.violation(conn, 'bad-message', 'frames must be text');
    const rooms = this.#rooms();
    // The hot path: a signal in the kit client's exact shape is checked over its bytes and
    // relayed without parsing (signal-frame.ts); any other frame is parsed and validated.
    const fast = Buffer.isBuffer(raw) ? readSignalFrame(raw) : undefined;
    if (fast) return rooms.signal(conn, fast);
    const text = raw.toString();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.violation(conn, 'bad-json', 'frame is not valid JSON');
    }
    const parsed = checkClientMessage(value);
    if (!parsed.ok) return this.violation(conn, parsed.code, parsed.error);
    const msg = parsed.message;
    switch (msg.type) {
      case 'join': {
        clearTimeout(conn.joinTimer);
        conn.joining = true;
        void rooms
          .join(conn, msg)
          .catch((err) => {
            // Our failure, not the client's (most likely Redis is unreachable): say so and close
            // with 1013, which clients take as "try again", not as a refusal.
            this.#log(`join failed: ${(err as Error).stack ?? err}`);
            this.#metrics.refuse('unavailable');
            sendError(conn, 'unavailable', 'the server cannot admit anyone right now; try again shortly');
            conn.socket.close(CloseCode.TryAgainLater, 'try again later');
          })
          .finally(() => {
            conn.joining = false;
            for (const f of conn.backlog.splice(0)) this.#safeFrame(conn, f.raw, f.binary);
          });
        return;
      }
      case 'signal':
        return rooms.signal(conn, msg);
      case 'ack':
        return rooms.ack(conn, msg.seq);
      case 'rename':
        return rooms.rename(conn, msg.name);
      case 'leave':
        // Its socket stays open for another join; an idle one is closed as a new one would be.
        if (rooms.leave(conn)) this.#awaitJoin(conn);
        return;
    }
  }

  #ping(): void {
    const bucket = this.#beat++ % BEATS;
    for (const conn of this.conns) {
      if (conn.beat !== bucket) continue;
      // No pong since the last ping: the socket is half-open (a vanished laptop, a dead NAT).
      if (!conn.alive) {
        conn.socket.terminate();
        continue;
      }
      conn.alive = false;
      // A payload of its own: only a client that reads can send it back. The buffer is the
      // frame's while it is sent (ws may queue it), so each ping has its own, dropped once sent;
      // the connection keeps only the number.
      conn.ping = this.#pings = (this.#pings % PING_LIMIT) + 1;
      const payload = Buffer.allocUnsafe(8);
      payload.writeUInt32BE(PING_PREFIX, 0);
      payload.writeUInt32BE(conn.ping, 4);
      conn.socket.ping(payload);
    }
  }
}
