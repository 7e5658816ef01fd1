/**
 * The rtc-elements signaling server: rooms over WebSocket, attached to any Node HTTP server.
 *
 * The server assigns every participant its id, stamps `from` on what it relays and relays only
 * inside the sender's room. Admission is checked before any room data goes out (origin, global
 * connection cap, room token, room capacity) and refused with a 4xxx close code. Every room
 * message to a participant is numbered and kept until acknowledged, so a client that drops
 * and comes back with its resume secret within the grace period misses nothing.
 * Bad input gets an `error` frame; it never throws out of a handler.
 *
 * This file wires the parts together and handles shutdown: `admission.ts` (connections and
 * frames), `rooms.ts` (joining, leaving, routing), `delivery.ts` (numbered, acknowledged
 * sending and resume), `slot.ts` (what is kept per connection and per participant).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type ServerOptions } from 'ws';
import { CloseCode, MAX_FRAME_BYTES } from '../protocol/messages.js';
import { Admission, CLOSE_TIMEOUT_MS, refuse } from './admission.js';
import { Delivery, MAX_BUFFERED } from './delivery.js';
import { MemoryDirectory, type Directory } from './directory.js';
import { Metrics } from './metrics.js';
import type { RedisClusterTarget, RedisSentinelTarget } from './redis-connection.js';
import { Rooms } from './rooms.js';
import type { TurnOptions } from './turn.js';

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
  /** Frames per second per connection, on average and in a burst (default 200 / 400). */
  rateLimit?: { perSecond: number; burst: number };
  /** Refused frames tolerated per connection before closing it with 1008 (default 20; each forgiven after 10 s). */
  maxViolations?: number;
  /** Bytes that may wait to be sent to one connection; past it (a client that stopped reading) it is cut off to resume (default 8 MiB). */
  maxBufferedBytes?: number;
  /** How long a dropped participant's slot and messages are kept for it to resume (default 20 s). */
  graceMs?: number;
  /** A connection that has not joined after this long is closed with 4408 (default 10 s). */
  joinTimeoutMs?: number;
  /** Signs resume secrets; shared by every process of a deployment (default: random, or shared via Redis). */
  resumeKey?: string;
  /** Shares rooms between processes through Redis at this URL (`redis://` or `rediss://`). */
  redisUrl?: string;
  /** Shares rooms between processes through the Redis master these sentinels watch (instead of `redisUrl`). */
  redisSentinel?: RedisSentinelTarget;
  /** Shares rooms between processes through a Redis Cluster (instead of `redisUrl`). */
  redisCluster?: RedisClusterTarget;
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

/** The path signaling answers on: `options.path`, with its leading slash (`signal` would match no request). */
export const signalingPath = (path = '/signal') => `/${path.replace(/^\/+/, '')}`;

/** Attaches signaling to `server` at `options.path` (default `/signal`). */
export function attachSignaling(server: Server, options: SignalingOptions = {}): SignalingServer {
  const path = signalingPath(options.path);
  const graceMs = options.graceMs ?? 20_000;
  const log = options.log ?? (() => {});
  const metrics = new Metrics();
  let draining = false;
  let closing = false;

  let directory: Directory;
  let ready: Promise<void>;
  /** The directory itself from the moment it exists (with Redis, before Redis is up): what closing closes. */
  let made: Directory | undefined;
  if (options.directory) {
    directory = made = options.directory;
    ready = Promise.resolve();
  } else if (options.redisSentinel || options.redisCluster || options.redisUrl) {
    const target = options.redisSentinel ?? options.redisCluster ?? options.redisUrl!;
    // Loaded only when asked for, so a server without Redis never needs the client installed.
    const connected = import('./redis-directory.js').then(async ({ RedisDirectory, describeRedis }) => {
      const d = (made = new RedisDirectory(target, { graceMs, log }));
      if (closing) void d.close();
      const slow = setTimeout(() => log(`waiting for Redis at ${describeRedis(target)}`), 2000);
      slow.unref();
      await d.ready();
      clearTimeout(slow);
      return d;
    });
    directory = new Proxy({} as Directory, {
      get: (_t, prop) => {
        if (prop === 'then') return undefined;
        throw new Error(`directory used before Redis was ready (${String(prop)})`);
      },
    });
    ready = connected.then((d) => {
      directory = d;
    });
  } else {
    directory = made = new MemoryDirectory(options.resumeKey ?? randomBytes(32).toString('base64url'));
    ready = Promise.resolve();
  }
  let resumeKey = options.resumeKey ?? '';
  ready = ready.then(async () => {
    directory.onEvent = (room, event) => rooms.onBusEvent(room, event);
    directory.onLocate = (room, id) => rooms.locate(room, id);
    directory.onSignalsLost = (n) => (metrics.signalsLost += n);
    directory.onResync = () => void rooms.resync().catch((err) => log(`resync failed: ${(err as Error).stack ?? err}`));
    // Redis may drop or fail over just now: keep asking rather than stay unready for good.
    while (!resumeKey) {
      try {
        resumeKey = await directory.sharedKey();
      } catch (err) {
        log(`resume key: ${(err as Error).message}; trying again`);
      }
      if (resumeKey) break;
      if (closing) throw new Error('closed before Redis was ready');
      await new Promise((r) => setTimeout(r, 500));
    }
  });
  ready.catch((err) => log(`signaling not ready: ${(err as Error).message}`));

  // No compression (ws's server default, said here): deflating small frames costs more than it saves.
  // `closeTimeout`: a ws server option (ws 8.23, pinned) that @types/ws 8.18 does not list yet; see CLOSE_TIMEOUT_MS.
  const wsOptions: ServerOptions & { closeTimeout: number } = {
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    closeTimeout: CLOSE_TIMEOUT_MS,
  };
  const wss = new WebSocketServer(wsOptions);
  const delivery = new Delivery(options.retransmitMs ?? 1500, options.maxBufferedBytes ?? MAX_BUFFERED);
  const admission = new Admission(
    wss,
    {
      maxConnections: options.maxConnections ?? 10_000,
      // Generous enough for trickle ICE: a browser restarting ICE with several peers sends bursts
      // of candidates (Firefox gathers many), and a dropped frame costs a retransmission.
      rate: options.rateLimit ?? { perSecond: 200, burst: 400 },
      maxViolations: options.maxViolations ?? 20,
      joinTimeoutMs: options.joinTimeoutMs ?? 10_000,
      heartbeatMs: options.heartbeatMs ?? 10_000,
      origins: options.allowedOrigins ? new Set(options.allowedOrigins) : null,
    },
    metrics,
    () => rooms,
    () => draining,
    log,
  );
  const rooms: Rooms = new Rooms({
    maxPeers: options.maxPeersPerRoom ?? 6,
    graceMs,
    tokenSecret: options.tokenSecret,
    turn: options.turn,
    metrics,
    delivery,
    directory: () => directory,
    ready,
    resumeKey: () => resumeKey,
    violation: (conn, code, message) => admission.violation(conn, code, message),
    refuse: (conn, code, reason, why) => refuse(metrics, conn, code, reason, why),
    stopping: () => draining || closing,
    log,
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const requested = pathOf(req);
    if (requested === null) return void socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    if (requested !== path) {
      // Another upgrade handler (e.g. a dev server's) may want it; with none, say no, or the
      // socket would stay open for ever, outside every cap (and hold up close() and SIGTERM).
      if (server.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);

  return {
    metrics,
    ready,
    rooms: () => rooms.sizes(),
    handleHttp(req, res) {
      const requested = pathOf(req);
      if (requested === null) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request target\n');
        return true;
      }
      if (requested === '/healthz') {
        res.writeHead(draining ? 503 : 200, { 'content-type': 'text/plain' }).end(draining ? 'draining\n' : 'ok\n');
        return true;
      }
      if (requested === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.render());
        return true;
      }
      return false;
    },
    drain: (timeoutMs = 5000) =>
      new Promise<void>((resolve) => {
        draining = true;
        const { conns } = admission;
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
      admission.close();
      delivery.close();
      rooms.close();
      server.off('upgrade', onUpgrade);
      for (const socket of wss.clients) socket.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      // Redis may not be up yet: close the directory as it is rather than wait for it.
      await made?.close().catch(() => {});
    },
  };
}

/** The path a request asks for, or null when its target is no URL at all (`GET //`, `GET /\\`). */
function pathOf(req: IncomingMessage): string | null {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return null; // `new URL` throws on these: in a request listener that would end the process
  }
}
