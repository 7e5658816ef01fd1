/**
 * The rtc-elements signaling server: rooms over WebSocket, attached to any Node HTTP server.
 *
 * The server assigns every participant its id, stamps `from` on what it relays and relays only
 * inside the sender's room. Bad input gets an `error` frame; it never throws out of a handler.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import {
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  parseClientMessage,
  type ErrorCode,
  type PeerInfo,
  type ServerMessage,
} from '../protocol/messages.js';

/** How the signaling server behaves. */
export interface SignalingOptions {
  /** URL path that accepts WebSocket upgrades. */
  path?: string;
  /** Most participants in one room. */
  maxPeersPerRoom?: number;
  /** How often to ping each socket; a socket that missed the previous ping is closed. */
  heartbeatMs?: number;
  /** Called for events worth logging; silent by default. */
  log?: (line: string) => void;
}

/** A running signaling endpoint. */
export interface SignalingServer {
  /** Rooms and their member counts, for tests and health checks. */
  rooms(): Map<string, number>;
  /** Closes every socket and stops accepting upgrades. */
  close(): Promise<void>;
}

interface Member {
  socket: WebSocket;
  info: PeerInfo;
  room?: string;
  alive: boolean;
}

/** Attaches signaling to `server` at `options.path` (default `/signal`). */
export function attachSignaling(server: Server, options: SignalingOptions = {}): SignalingServer {
  const path = options.path ?? '/signal';
  const maxPeers = options.maxPeersPerRoom ?? 6;
  const log = options.log ?? (() => {});
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const rooms = new Map<string, Map<string, Member>>();
  const members = new Set<Member>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path) return; // another upgrade handler (e.g. a dev server) may want it
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);

  const send = (m: Member, message: ServerMessage) => {
    if (m.socket.readyState === m.socket.OPEN) m.socket.send(JSON.stringify(message));
  };
  const sendError = (m: Member, code: ErrorCode, message: string) =>
    send(m, { v: PROTOCOL_VERSION, type: 'error', code, message });

  const leave = (m: Member) => {
    const name = m.room;
    const room = name === undefined ? undefined : rooms.get(name);
    m.room = undefined;
    if (!room || name === undefined) return;
    room.delete(m.info.id);
    if (room.size === 0) rooms.delete(name);
    for (const other of room.values()) {
      send(other, { v: PROTOCOL_VERSION, type: 'peer-left', id: m.info.id });
    }
  };

  const onFrame = (m: Member, raw: RawData, isBinary: boolean) => {
    if (isBinary) return sendError(m, 'bad-message', 'frames must be text');
    const parsed = parseClientMessage(raw.toString());
    if (!parsed.ok) return sendError(m, parsed.code, parsed.error);
    const msg = parsed.message;
    switch (msg.type) {
      case 'join': {
        if (m.room) return sendError(m, 'already-joined', 'leave before joining another room');
        const room = rooms.get(msg.room) ?? new Map<string, Member>();
        if (room.size >= maxPeers) {
          return sendError(m, 'room-full', `room is full (${maxPeers} participants)`);
        }
        rooms.set(msg.room, room);
        m.info.name = msg.name ?? '';
        const peers = [...room.values()].map((p) => p.info);
        room.set(m.info.id, m);
        m.room = msg.room;
        send(m, { v: PROTOCOL_VERSION, type: 'welcome', id: m.info.id, room: msg.room, peers });
        for (const other of room.values()) {
          if (other !== m) send(other, { v: PROTOCOL_VERSION, type: 'peer-joined', peer: m.info });
        }
        log(`join ${m.info.id} room=${JSON.stringify(msg.room)} size=${room.size}`);
        return;
      }
      case 'signal': {
        const room = m.room ? rooms.get(m.room) : undefined;
        if (!room) return sendError(m, 'not-joined', 'join a room first');
        const target = room.get(msg.to);
        // A peer in another room is as unknown as one that never existed.
        if (!target || target === m) return sendError(m, 'unknown-peer', 'no such participant here');
        send(target, { v: PROTOCOL_VERSION, type: 'signal', from: m.info.id, data: msg.data });
        return;
      }
      case 'leave':
        leave(m);
        return;
    }
  };

  wss.on('connection', (socket: WebSocket) => {
    const m: Member = { socket, info: { id: randomUUID(), name: '' }, alive: true };
    members.add(m);
    socket.on('pong', () => (m.alive = true));
    socket.on('message', (raw, isBinary) => {
      try {
        onFrame(m, raw, isBinary);
      } catch (err) {
        // A bug here must cost one frame, not the process.
        log(`handler error: ${(err as Error).stack ?? err}`);
        sendError(m, 'bad-message', 'frame could not be handled');
      }
    });
    // ws closes with 1009 itself when a frame exceeds maxPayload; the error event follows.
    socket.on('error', (err) => log(`socket error ${m.info.id}: ${err.message}`));
    socket.on('close', () => {
      members.delete(m);
      leave(m);
    });
  });

  const heartbeat = setInterval(() => {
    for (const m of members) {
      // No pong since the last ping: the socket is half-open (a vanished laptop, a dead NAT).
      if (!m.alive) {
        m.socket.terminate();
        continue;
      }
      m.alive = false;
      m.socket.ping();
    }
  }, options.heartbeatMs ?? 10_000);
  heartbeat.unref();

  return {
    rooms: () => new Map([...rooms].map(([name, r]) => [name, r.size])),
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        server.off('upgrade', onUpgrade);
        for (const socket of wss.clients) socket.close(1001, 'server shutting down');
        wss.close(() => resolve());
      }),
  };
}
