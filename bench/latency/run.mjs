#!/usr/bin/env node
/**
 * Call-setup latency: the kit against the floors and the libraries users pick instead.
 * Interleaved trials in a shuffled order each round, headless Chromium with fake devices, all on
 * 127.0.0.1. The clock starts once getUserMedia has resolved.
 *
 *   node --import tsx bench/latency/run.mjs [rounds=20]
 *   BENCH_ONLY=rtc-elements,two-page node --import tsx bench/latency/run.mjs 40   (scenarios whose name contains one of these)
 */
import { createServer as createNetServer } from 'node:net';
import { WebSocketServer } from 'ws';
import { PeerServer } from 'peer';
import { launchChromium, median, p90, record, shuffle, table } from '../lib.mjs';
import { readRoot, startKitServer } from '../kit-server.mjs';

const rounds = Number(process.argv[2] ?? 20);

const { server, base, signalingUrl, close } = await startKitServer(
  {
    '/page.js': ['text/javascript', readRoot('bench/latency/page.js')],
    '/simplepeer.min.js': ['text/javascript', readRoot('node_modules/simple-peer/simplepeer.min.js')],
    '/peerjs.js': ['text/javascript', readRoot('node_modules/peerjs/dist/peerjs.js')],
  },
  '<script src="/simplepeer.min.js"></script><script src="/peerjs.js"></script>',
);

// A bare relay (the floor), on the same HTTP server as the kit's signaling.
const relay = new WebSocketServer({ noServer: true });
const rooms = new Map();
server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname !== '/relay') return;
  relay.handleUpgrade(req, socket, head, (ws) => {
    const room = url.searchParams.get('room');
    const members = rooms.get(room) ?? new Set();
    rooms.set(room, members.add(ws));
    ws.on('message', (m) => members.forEach((o) => o !== ws && o.send(m.toString())));
    ws.on('close', () => members.delete(ws) && members.size === 0 && rooms.delete(room));
  });
});
const wsBase = base.replace('http', 'ws');

// PeerJS's own server.
const peerPort = await new Promise((r) => {
  const s = createNetServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => r(port));
  });
});
const peerServer = PeerServer({ port: peerPort, host: '127.0.0.1', path: '/peerjs' });

const browser = await launchChromium();
const pageA = await browser.newPage({ type: 'window' });
const pageB = await browser.newPage({ type: 'window' });
for (const p of [pageA, pageB]) {
  await p.goto(base);
  await p.waitForFunction(() => window.bench && customElements.get('rtc-call'));
}

/** A trial that has not finished in 20 s failed (it says where, rather than holding up the run). */
const TRIAL_MS = 20_000;
const bounded = (promise, what) => {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result in ${TRIAL_MS / 1000} s`)), TRIAL_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
};

const onePage = (fn, arg) => async () => {
  const r = await bounded(pageA.evaluate((fn, arg) => window.bench[fn](arg), fn, arg), fn);
  await pageA.evaluate(() => window.bench.cleanup());
  return { connected: r.connected - r.start, frame: r.frame - r.start };
};
const twoPage = (fn, args) => async (i) => {
  const shared = args(i); // once: a room name with Date.now() in it must be the same for both pages
  const a = { ...shared, role: 'wait' };
  const b = { ...shared, role: 'call' };
  await pageA.evaluate(() => (window.__ready = false));
  const waiting = pageA.evaluate((fn, a) => window.bench[fn](a), fn, a);
  waiting.catch(() => {}); // awaited below; a failed trial must not become an unhandled rejection
  await pageA.waitForFunction(() => window.__ready, { timeout: 10000 });
  const rb = await bounded(pageB.evaluate((fn, b) => window.bench[fn](b), fn, b), `${fn} (calling page)`);
  const ra = await bounded(waiting, `${fn} (waiting page)`);
  await Promise.all([pageA.evaluate(() => window.bench.cleanup()), pageB.evaluate(() => window.bench.cleanup())]);
  return {
    signaling: rb.signaling - rb.start,
    connected: rb.connected - rb.start,
    frame: Math.max(ra.frame, rb.frame) - rb.start,
  };
};

const scenarios = {
  'one-page floor (trickle)': onePage('onePage', { trickle: true }),
  'one-page, no trickle': onePage('onePage', { trickle: false }),
  'two-page floor (bare ws relay)': twoPage('relay', (i) => ({ url: `${wsBase}/relay?room=r${i}` })),
  'simple-peer (one page)': onePage('simplePeer'),
  'PeerJS + peer server': twoPage('peerJs', (i) => ({ host: '127.0.0.1', port: peerPort, id: `bench${i}x${Date.now()}` })),
  'rtc-elements': twoPage('kit', (i) => ({ url: signalingUrl, room: `bench-${i}-${Date.now()}` })),
};

const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
for (const name of Object.keys(scenarios)) {
  if (only.length && !name.includes('two-page floor') && !only.some((o) => name.includes(o))) delete scenarios[name];
}
const results = Object.fromEntries(Object.keys(scenarios).map((k) => [k, []]));
const failures = [];
let trial = 0;
const deadline = Date.now() + 8 * 60_000; // bounded whatever happens
for (let round = 0; round < rounds && Date.now() < deadline; round++) {
  for (const name of shuffle(Object.keys(scenarios))) {
    trial++;
    try {
      results[name].push(await scenarios[name](trial));
    } catch (err) {
      console.error(`\n  ${name} trial ${trial} failed: ${err.message}`);
      failures.push(`${name} trial ${trial}: ${err.message}`);
      await Promise.all([pageA, pageB].map((p) => p.evaluate(() => window.bench.cleanup()).catch(() => {})));
    }
  }
  process.stderr.write(`\r  round ${round + 1}/${rounds}`);
}
process.stderr.write('\n');

const floor = median(results['two-page floor (bare ws relay)'].map((r) => r.frame));
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const rows = Object.entries(results).map(([name, rs]) => {
  const f = rs.map((r) => r.frame);
  return [
    name, rs.length,
    fmt(median(rs.map((r) => r.signaling))), fmt(median(rs.map((r) => r.connected))),
    fmt(median(f)), fmt(p90(f)), (median(f) / floor).toFixed(2) + '×',
  ];
});
console.log('\nCall setup, ms from the start (getUserMedia already resolved); first frame = later of both sides');
table(['scenario', 'n', 'signaling', 'connected', 'frame p50', 'frame p90', 'vs 2-page floor'], rows);
if (failures.length) console.log(`\n${failures.length} failed trial(s), not counted:\n  ${failures.join('\n  ')}`);
if (!only.length) record('latency', {
  rounds,
  unit: 'ms',
  scenarios: Object.fromEntries(
    Object.entries(results).map(([name, rs]) => [
      name,
      {
        n: rs.length,
        signaling: median(rs.map((r) => r.signaling)),
        connectedP50: median(rs.map((r) => r.connected)),
        frameP50: median(rs.map((r) => r.frame)),
        frameP90: p90(rs.map((r) => r.frame)),
        ratioToTwoPageFloor: median(rs.map((r) => r.frame)) / floor,
      },
    ]),
  ),
  failures,
});

await browser.close();
relay.close();
peerServer.close?.();
await close();
process.exit(0);
