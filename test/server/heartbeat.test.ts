/**
 * The heartbeat: every connection is pinged with a payload of its own, and only the echo of it
 * keeps the connection (an unasked-for pong proves nothing: see security.test.ts). What the
 * server keeps per connection for this is a number, not a buffer: idle memory per socket is
 * what a signaling server's capacity is counted in. Real sockets on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as v8 from 'node:v8';
import { startSignalingServer, type RunningServer } from '../../src/server/http-server.js';
import { RawClient, until } from './support.js';

const servers: RunningServer[] = [];
const clients: RawClient[] = [];
after(async () => {
  for (const c of clients) c.ws.terminate();
  await Promise.all(servers.map((s) => s.close()));
});

async function server(heartbeatMs: number) {
  const s = await startSignalingServer({ port: 0, heartbeatMs });
  servers.push(s);
  return s;
}

async function joined(s: RunningServer, n: number, room: string) {
  const cs = Array.from({ length: n }, () => new RawClient(s.url));
  clients.push(...cs);
  await Promise.all(cs.map((c, i) => c.join(`${room}-${i}`)));
  return cs;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Buffers alive in this process after a full collection. */
function liveBuffers(): number {
  gc!();
  gc!();
  return v8.queryObjects(Buffer, { format: 'count' }) as number;
}

describe('heartbeat', () => {
  it('clients that answer stay through many heartbeats', async () => {
    const s = await server(100);
    const cs = await joined(s, 5, 'answering');
    await new Promise((r) => setTimeout(r, 1200)); // a dozen heartbeats
    assert.deepEqual(cs.map((c) => c.closed), [undefined, undefined, undefined, undefined, undefined]);
    assert.match(await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text(), /^rtc_signal_connections 5$/m);
  });

  // v8.queryObjects: Node 20.13 or later.
  const skip = !gc ? 'needs node --expose-gc (npm run test:server)' : typeof v8.queryObjects !== 'function' ? 'needs Node 20.13+' : false;
  it('keeps no buffer per connection for its pings', { skip }, async () => {
    const N = 300;
    // The same sockets twice: on a server that has not pinged them yet, then on one that has
    // pinged each of them several times. Whatever differs is what pinging left behind.
    const base = liveBuffers();
    const quiet = await server(60_000);
    await joined(quiet, N, 'quiet');
    await new Promise((r) => setTimeout(r, 600));
    const withQuiet = liveBuffers();
    const beating = await server(100);
    const cs = await joined(beating, N, 'beating');
    await new Promise((r) => setTimeout(r, 600)); // about six pings each
    await until(() => cs.every((c) => !c.closed), 'all still open');
    const withBeating = liveBuffers();
    const perQuiet = (withQuiet - base) / N;
    const perBeating = (withBeating - withQuiet) / N;
    assert.ok(
      perBeating - perQuiet < 0.25,
      `buffers kept per pinged connection: ${(perBeating - perQuiet).toFixed(2)} (${perQuiet.toFixed(2)} per connection not yet pinged, ${perBeating.toFixed(2)} pinged)`,
    );
  });
});
