/**
 * A probe, not a benchmark with a goal: the server's own JavaScript per relayed signal, with the
 * sockets taken out. Sockets are stand-ins that take what is sent and drop it, so what is timed
 * is what the kit's server adds to a relay: the frame's check (signal-frame.ts), rate limit,
 * sequencing and acknowledgements, routing, and building the frame that goes out. The kernel, ws
 * and the rest of a real relay are what `npm run bench:server` adds on top.
 *
 *   node --import tsx bench/server/handler-cost.ts        (200 rooms of two, 900 signals each way)
 *
 * Prints microseconds of CPU per relayed signal, after a third of the run as warm-up.
 */
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { createRoomToken } from '../../src/server/auth.ts';
import { attachSignaling } from '../../src/server/signaling-server.ts';

const ROOMS = 200;
const ROUNDS = Number(process.env.BENCH_HANDLER_ROUNDS ?? 900);
const SECRET = 'bench-secret-0123456789abcdef0123456789';

/** A stand-in for ws's WebSocket: what the server sends is counted and dropped. */
class Socket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  first: string | undefined;
  /** Frames sent as bytes: relayed signals and room events. */
  sent = 0;
  /** Frames sent as strings: the welcome, errors, acknowledgements sent alone. */
  texts = 0;
  send(frame: unknown): void {
    this.first ??= String(frame);
    if (typeof frame === 'string') this.texts++;
    else this.sent++;
  }
  ping(): void {}
  close(): void {}
  terminate(): void {}
}

// The server's WebSocketServer, caught as it subscribes, so stand-in sockets can connect to it.
let wss: WebSocketServer | undefined;
const on = WebSocketServer.prototype.on;
WebSocketServer.prototype.on = function (this: WebSocketServer, ...args: Parameters<typeof on>) {
  wss = this;
  return on.apply(this, args);
} as typeof on;
const server = attachSignaling(createServer(), {
  tokenSecret: SECRET,
  maxPeersPerRoom: 2,
  rateLimit: { perSecond: 1e6, burst: 1e6 },
});
WebSocketServer.prototype.on = on;
await server.ready;

const rooms: { a: Socket; b: Socket; aId: string; bId: string }[] = [];
for (let i = 0; i < ROOMS; i++) {
  const room = `room-${i}`;
  const token = await createRoomToken(SECRET, { room, ttlSeconds: 3600 });
  const pair = [new Socket(), new Socket()];
  for (const socket of pair) {
    wss!.emit('connection', socket, { headers: {} });
    socket.emit('message', Buffer.from(JSON.stringify({ v: 1, type: 'join', room, token })), false);
    for (let k = 0; k < 500 && socket.first === undefined; k++) await new Promise((r) => setTimeout(r, 1));
  }
  const [a, b] = pair;
  rooms.push({ a, b, aId: JSON.parse(a.first!).id, bId: JSON.parse(b.first!).id });
}

// What the kit's client sends: a candidate, numbered, with the acknowledgement riding along.
const candidate = (n: number) => ({
  candidate: {
    candidate: `candidate:842163049 1 udp 1677729535 192.0.2.1 50000 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag sK1 network-cost 999 n=${n}`,
    sdpMid: '0',
    sdpMLineIndex: 0,
  },
});
let cpu = 0;
let relayed = 0;
for (let n = 1; n <= ROUNDS; n++) {
  // Frames are made before the clock starts: only the server's handling is timed.
  const frames: [Socket, Buffer][] = [];
  for (const r of rooms) {
    // The server numbers frames to each participant from 2 (the welcome's peer list or the
    // peer-joined took 1), so n + 1 acknowledges everything up to the last signal it sent.
    frames.push([r.a, Buffer.from(JSON.stringify({ v: 1, type: 'signal', to: r.bId, data: candidate(n), seq: n, ack: n }))]);
    frames.push([r.b, Buffer.from(JSON.stringify({ v: 1, type: 'signal', to: r.aId, data: candidate(n), seq: n, ack: n + 1 }))]);
  }
  const before = rooms.reduce((sum, r) => sum + r.a.sent + r.b.sent, 0);
  const start = process.cpuUsage();
  for (const [socket, frame] of frames) socket.emit('message', frame, false);
  const used = process.cpuUsage(start);
  if (n > ROUNDS / 3) {
    cpu += used.user + used.system;
    relayed += rooms.reduce((sum, r) => sum + r.a.sent + r.b.sent, 0) - before;
  }
}
if (relayed === 0) throw new Error('nothing was relayed');
// One text each: the welcome. Any more would be errors (a frame refused) timed as if relayed.
const texts = rooms.reduce((sum, r) => sum + r.a.texts + r.b.texts, 0);
if (texts !== 2 * ROOMS) throw new Error(`${texts - 2 * ROOMS} frames were answered with an error or an ack alone`);
console.log(`server JavaScript per relayed signal: ${(cpu / relayed).toFixed(2)} µs of CPU (${relayed} signals, ${ROOMS} rooms of two)`);
await server.close();
