#!/usr/bin/env node
/**
 * `npm run bench:server`: the kit's signaling server against a bare `ws` relay (rooms of two,
 * frames forwarded unchanged) and the PeerJS server (`peer` package), alternated in the same
 * run, on loopback only. Ours runs as users would in production: room tokens required (HS256),
 * rate limits on, sequence numbers and acknowledgements as the kit's client sends them.
 *
 * For each server, each round, on a fresh server process:
 *   - latency: one-way relay latency p50/p99 at a paced 2,000 msg/s over 1,000 sockets;
 *   - CPU: relayed messages per server CPU-second (utime + stime of the server process, from
 *     /proc) at a paced 20,000 msg/s, a load every server sustains: a saturated server batches
 *     more per wake-up and would look cheaper per message than one that keeps up. Measured on
 *     all servers at once, the load going to each in turn for a second at a time (CPU_SLICES
 *     turns each): other jobs on a shared machine come and go over seconds, and slices that
 *     close together give every server the same share of them (a 3 s window per server and
 *     round, half a minute apart, swung the ratio between 0.7 and 1.0 from round to round);
 *   - saturation: closed loop over the same 1,000 sockets; relayed messages per second;
 *   - idle memory: extra RSS per idle socket (joined, in rooms of two) from 1,000 to 5,000 sockets.
 * Prints the medians over rounds and ours / bare and PeerJS / bare ratios beside them.
 *
 *   npm run bench:server           (5 rounds of 3 s phases; --quick: 1 round of 2 s)
 *   BENCH_ROUNDS=3 BENCH_SECONDS=4 node --import tsx bench/server/run.mjs
 * Records its medians under "server" in bench/results/latest.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { createRoomToken } from '../../src/server/auth.ts';
import { machine, record } from '../lib.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const QUICK = process.argv.includes('--quick');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 5));
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 2 : 3));
const SOCKETS = 1000;
const IDLE_TO = 5000;
/** How long the 5,000 sockets sit idle before their RSS is read, ms: past ours' 10 s heartbeat period. */
const IDLE_SETTLE_MS = 11_000;
const PACED_RATE = 2000;
const CPU_RATE = Number(process.env.BENCH_CPU_RATE ?? 20000); // msg/s offered while measuring CPU per message
const CPU_SLICES = Number(process.env.BENCH_CPU_SLICES ?? (QUICK ? 4 : 6 * ROUNDS)); // one-second turns per server
const CPU_SLICE_MS = 1000;
const WINDOW = 2; // messages in flight per direction per pair at saturation
const SECRET = 'bench-secret-0123456789abcdef0123456789';
const TICK = 100; // USER_HZ: /proc CPU times are in clock ticks (getconf CLK_TCK)

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const candidate = (ts) => ({
  candidate: `candidate:842163049 1 udp 1677729535 127.0.0.1 50000 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag sK1 network-cost 999 ts=${ts}`,
  sdpMid: '0',
  sdpMLineIndex: 0,
});
const tsOf = (text) => {
  const i = text.indexOf('ts=');
  return i < 0 ? NaN : parseFloat(text.slice(i + 3));
};

// ---- servers -------------------------------------------------------------------------------

const OURS_BUNDLE = join(mkdtempSync(join(tmpdir(), 'rtc-bench-')), 'rtc-signal.mjs');
execFileSync(process.execPath, ['scripts/build-server.mjs', OURS_BUNDLE], { cwd: root, stdio: 'ignore' });
// The bundle imports ws, jose and ioredis: resolve them from this checkout's node_modules.
symlinkSync(join(root, 'node_modules'), join(dirname(OURS_BUNDLE), 'node_modules'));

const SERVERS = {
  bare: { cmd: ['bench/server/servers/bare-relay.mjs'], env: {} },
  peerjs: { cmd: ['bench/server/servers/peerjs.mjs'], env: {} },
  // As deployed: the production bundle (npm run build:server) under plain Node, built below.
  ours: {
    cmd: [OURS_BUNDLE, '--port', '0', '--host', '127.0.0.1', '--quiet', '--max-connections', '20000'],
    env: { RTC_TOKEN_SECRET: SECRET, RTC_RATE_PER_SECOND: '500', RTC_RATE_BURST: '1000', RTC_MAX_PEERS: '2' },
  },
};

// A server still running when the benchmark is interrupted goes with it.
const running = new Set();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const child of running) child.kill('SIGKILL');
    process.exit(130);
  });
}

async function startServer(kind) {
  const { cmd, env } = SERVERS[kind];
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, ...cmd], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const line = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${kind} did not start`)), 20000);
    child.once('exit', (c) => reject(new Error(`${kind} exited with ${c}`)));
    createInterface({ input: child.stdout }).once('line', (l) => (clearTimeout(t), resolve(l)));
  });
  const { port } = JSON.parse(line);
  return { kind, child, port, pid: child.pid };
}

const cpuSeconds = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK; // utime, stime
};
const rssBytes = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;

// ---- clients: one adapter per protocol, same payloads -------------------------------------------

/** A pair of sockets in one room, able to send to each other and report what arrives. */
class Pair {
  constructor(server, index, onArrive) {
    this.server = server;
    this.index = index;
    this.onArrive = onArrive;
    this.sockets = [];
    this.beatAt = performance.now() - ((index * 97) % 5000); // heartbeats spread over their 5 s
  }

  async open() {
    const { kind, port } = this.server;
    const room = `room-${this.index}`;
    const ids = [`p${this.index}a`, `p${this.index}b`];
    const token = kind === 'ours' ? await createRoomToken(SECRET, { room, ttlSeconds: 3600 }) : '';
    for (let side = 0; side < 2; side++) {
      const url =
        kind === 'peerjs'
          ? `ws://127.0.0.1:${port}/peerjs?key=peerjs&id=${ids[side]}&token=t${side}`
          : kind === 'ours'
            ? `ws://127.0.0.1:${port}/signal`
            : `ws://127.0.0.1:${port}/`;
      const ws = new WebSocket(url, { perMessageDeflate: false });
      const s = { ws, side, id: ids[side], peer: undefined, seq: 0, last: 0, ackDue: false, owedSince: -1 };
      this.sockets.push(s);
      await new Promise((resolve, reject) => {
        ws.once('error', reject);
        ws.once('open', () => {
          if (kind === 'bare') ws.send(JSON.stringify({ type: 'join', room }));
          if (kind === 'ours') ws.send(JSON.stringify({ v: 1, type: 'join', room, token }));
        });
        ws.on('message', (data) => {
          const m = JSON.parse(data.toString());
          if (m.type === 'welcome' || m.type === 'OPEN') {
            s.id = m.id ?? s.id;
            if (m.peers?.[0]) s.peer = m.peers[0].id;
            return resolve();
          }
          this.#receive(s, m);
        });
      });
    }
    if (kind === 'ours') {
      await until(() => this.sockets[0].peer, 'peer-joined');
      this.sockets[1].peer = this.sockets[0].id;
    } else {
      this.sockets[0].peer = ids[1];
      this.sockets[1].peer = ids[0];
    }
  }

  #receive(s, m) {
    const { kind } = this.server;
    if (kind === 'ours') {
      if (m.type === 'peer-joined') {
        s.peer = m.peer.id;
        s.last = m.seq;
        s.ackDue = true;
        if (s.owedSince < 0) s.owedSince = performance.now();
        return;
      }
      if (m.type !== 'signal') return;
      // As the kit's client: apply in order, acknowledge on the next send (or lazily).
      if (m.seq !== s.last + 1) return void (globalThis.__skipped = (globalThis.__skipped ?? 0) + 1);
      s.last = m.seq;
      s.ackDue = true;
      if (s.owedSince < 0) s.owedSince = performance.now();
      this.onArrive(this, s.side, tsOf(m.data.candidate.candidate));
    } else if (kind === 'peerjs') {
      if (m.type === 'CANDIDATE') this.onArrive(this, s.side, tsOf(m.payload.candidate.candidate));
    } else {
      this.onArrive(this, s.side, tsOf(m.data.candidate.candidate));
    }
  }

  /** Sends one message from `side` to the other side. */
  send(side) {
    const s = this.sockets[side];
    const data = { candidate: candidate(performance.now()) };
    let frame;
    if (this.server.kind === 'ours') {
      frame = { v: 1, type: 'signal', to: s.peer, data, seq: ++s.seq, ack: s.last };
      s.ackDue = false;
      s.owedSince = -1;
    } else if (this.server.kind === 'peerjs') frame = { type: 'CANDIDATE', dst: s.peer, payload: data };
    else frame = { type: 'signal', data };
    s.ws.send(JSON.stringify(frame));
  }

  /** The kit's client acknowledges on its own once an acknowledgement has been owed for 1 s (none rode on a signal). */
  /** A PeerJS client sends a HEARTBEAT every 5 s; without one the server drops it after its alive_timeout. */
  heartbeat(now) {
    if (this.server.kind !== 'peerjs' || now - this.beatAt < 5000) return;
    this.beatAt = now;
    for (const s of this.sockets) if (s.ws.readyState === 1) s.ws.send('{"type":"HEARTBEAT"}');
  }

  lazyAcks(now) {
    if (this.server.kind !== 'ours') return;
    for (const s of this.sockets) {
      if (!s.ackDue || now - s.owedSince < 1000) continue;
      if (s.ws.readyState === 1) s.ws.send(JSON.stringify({ v: 1, type: 'ack', seq: s.last }));
      s.ackDue = false;
      s.owedSince = -1;
    }
  }

  /** Leaves as a client would (the kit's client says goodbye first), closing cleanly. */
  close() {
    for (const s of this.sockets) {
      if (this.server.kind === 'ours' && s.ws.readyState === 1) s.ws.send('{"v":1,"type":"leave"}');
      s.ws.close(1000);
    }
  }
}

async function until(check, what, timeout = 10000) {
  const end = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(5);
  }
}

async function openPairs(server, from, count, onArrive) {
  const pairs = [];
  const BATCH = 100;
  for (let i = 0; i < count; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - i) }, (_, k) => new Pair(server, from + i + k, onArrive));
    await Promise.all(batch.map((p) => p.open()));
    pairs.push(...batch);
  }
  return pairs;
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const median = (xs) => quantile(xs, 0.5);

// ---- one server, one round ------------------------------------------------------------------

/** Extra RSS per idle socket on a fresh server: 1,000 sockets, then 5,000 (joined, rooms of two, silent). */
async function idleMemory(kind) {
  const server = await startServer(kind);
  try {
    const first = await openPairs(server, 0, SOCKETS / 2, () => {});
    await sleep(1500);
    const rss1 = rssBytes(server.pid);
    const more = await openPairs(server, SOCKETS / 2, (IDLE_TO - SOCKETS) / 2, () => {});
    // A heartbeat period (ours pings each socket every 10 s), so every socket has been pinged
    // at least once, as in steady state: read after 1.5 s, most of them had not been yet.
    await sleep(IDLE_SETTLE_MS);
    const rss5 = rssBytes(server.pid);
    [...first, ...more].forEach((p) => p.close());
    return (rss5 - rss1) / (IDLE_TO - SOCKETS) / 1024;
  } finally {
    await stopServer(server);
  }
}

async function stopServer(server) {
  server.child.kill('SIGTERM');
  const killer = setTimeout(() => server.child.kill('SIGKILL'), 3000);
  await new Promise((r) => (server.child.exitCode !== null ? r() : server.child.once('exit', r)));
  clearTimeout(killer);
}

/** Sends `rate` messages a second, round-robin over `senders`, until the returned function is called. */
function pace(senders, rate) {
  // Owed messages follow the clock, not the tick count: timers fire late under load.
  let next = 0;
  let owed = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    owed += ((now - last) / 1000) * rate;
    last = now;
    for (; owed >= 1; owed--) {
      const [p, side] = senders[next++ % senders.length];
      p.send(side);
    }
  }, 5);
  return () => clearInterval(timer);
}

/**
 * 1,000 sockets in rooms of two on `server`, acknowledging as the kit's client does; what they
 * receive goes to `traffic.arrive(pair, side, ts)`.
 */
async function openTraffic(server) {
  const traffic = { arrive: () => {} };
  const base = await openPairs(server, 0, SOCKETS / 2, (pair, side, ts) => traffic.arrive(pair, side, ts));
  // Each client acknowledges on its own once an acknowledgement has been owed for a second, as
  // the kit's client does with its own timer (checked here every 100 ms); PeerJS clients send
  // their heartbeats, as PeerJS's client does.
  const ackTimer = setInterval(() => {
    const now = performance.now();
    for (const p of base) {
      p.lazyAcks(now);
      p.heartbeat(now);
    }
  }, 100);
  traffic.base = base;
  traffic.senders = base.flatMap((p) => [[p, 0], [p, 1]]);
  traffic.close = () => {
    clearInterval(ackTimer);
    base.forEach((p) => p.close());
  };
  return traffic;
}

/**
 * Relayed messages per server CPU-second at the paced CPU_RATE: every server up at once, the
 * load going to each in turn for CPU_SLICE_MS, CPU_SLICES turns each (see the header).
 */
async function cpuPerMessage(kinds) {
  const runs = [];
  try {
    for (const kind of kinds) {
      const server = await startServer(kind);
      runs.push({ kind, server, traffic: await openTraffic(server), relayed: 0, cpu: 0, seconds: 0, turns: [] });
    }
    await sleep(1000);
    // A warm-up second each (JIT, buffer pools), not counted.
    for (const r of runs) {
      const stop = pace(r.traffic.senders, CPU_RATE);
      await sleep(1000);
      stop();
    }
    await sleep(300);
    for (let turn = 0; turn < CPU_SLICES; turn++) {
      for (let i = 0; i < runs.length; i++) {
        const r = runs[(i + turn) % runs.length];
        let relayed = 0;
        r.traffic.arrive = () => relayed++;
        const cpu0 = cpuSeconds(r.server.pid);
        const t0 = performance.now();
        const stop = pace(r.traffic.senders, CPU_RATE);
        await sleep(CPU_SLICE_MS);
        stop();
        const t1 = performance.now();
        await sleep(100); // what is still in flight arrives, and its cost is counted
        const cpu = cpuSeconds(r.server.pid) - cpu0;
        r.traffic.arrive = () => {};
        r.relayed += relayed;
        r.cpu += cpu;
        r.seconds += (t1 - t0) / 1000;
        r.turns.push(relayed / Math.max(0.01, cpu));
      }
    }
    return Object.fromEntries(
      runs.map((r) => [r.kind, { msgsPerCpuSecond: r.relayed / r.cpu, relayedRate: r.relayed / r.seconds, turns: r.turns }]),
    );
  } finally {
    for (const r of runs) {
      r.traffic.close();
      await stopServer(r.server);
    }
  }
}

/** Latency, saturation and idle memory of one server, on fresh processes. */
async function measure(kind) {
  const rssPerSocketKiB = await idleMemory(kind);
  const server = await startServer(kind);
  try {
    // Traffic first, on a fresh server, so the memory phase's thousands of joins and leaves
    // (and the garbage they leave) do not land inside a latency window.
    const traffic = await openTraffic(server);
    await sleep(1000);

    // Latency at a paced 2,000 msg/s over 1,000 sockets (1 s warm-up, then SECONDS measured).
    const latencies = [];
    const stop = pace(traffic.senders, PACED_RATE);
    await sleep(1000);
    traffic.arrive = (_pair, _side, ts) => latencies.push(performance.now() - ts);
    await sleep(SECONDS * 1000);
    traffic.arrive = () => {};
    stop();
    await sleep(300);

    // Saturation: every arrival is answered at once; WINDOW messages in flight per direction per pair.
    let relayed = 0;
    let running = true;
    traffic.arrive = (pair, side) => {
      relayed++;
      if (running) pair.send(side);
    };
    for (const p of traffic.base) for (let w = 0; w < WINDOW; w++) (p.send(0), p.send(1));
    await sleep(500);
    const cpu0 = cpuSeconds(server.pid);
    const n0 = relayed;
    const t0 = performance.now();
    await sleep(SECONDS * 1000);
    const cpu1 = cpuSeconds(server.pid);
    const n1 = relayed;
    const t1 = performance.now();
    running = false;
    await sleep(300);
    traffic.close();

    return {
      kind,
      rssPerSocketKiB,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      latencySamples: latencies.length,
      throughput: ((n1 - n0) * 1000) / (t1 - t0),
      serverCpuShare: (cpu1 - cpu0) / ((t1 - t0) / 1000),
    };
  } finally {
    await stopServer(server);
  }
}

// ---- the run --------------------------------------------------------------------------------

const kinds = (process.env.BENCH_ONLY ?? 'bare,peerjs,ours').split(',');
const results = Object.fromEntries(kinds.map((k) => [k, []]));
const cpu = await cpuPerMessage(kinds);
for (const kind of kinds) {
  const c = cpu[kind];
  const turns = c.turns.map((t) => t.toFixed(0));
  console.error(`cpu ${kind.padEnd(6)} ${c.msgsPerCpuSecond.toFixed(0)} msg/CPU-s (at ${c.relayedRate.toFixed(0)} msg/s; one-second turns: ${turns.join(' ')})`);
}
for (let round = 0; round < ROUNDS; round++) {
  const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]);
  for (const kind of order) {
    const r = await measure(kind);
    results[kind].push({ ...r, msgsPerCpuSecond: cpu[kind].msgsPerCpuSecond });
    console.error(
      `round ${round + 1} ${kind.padEnd(6)} ` +
        `saturation ${r.throughput.toFixed(0)} msg/s (server CPU ${(r.serverCpuShare * 100).toFixed(0)} %), p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms, ` +
        `${r.rssPerSocketKiB.toFixed(2)} KiB/idle socket`,
    );
  }
}

if (globalThis.__skipped) console.error('frames out of order or duplicated at the clients:', globalThis.__skipped);
const med = (kind, field) => median(results[kind].map((r) => r[field]));
const rows = [
  [`relayed msgs per server CPU-second @ ${CPU_RATE / 1000}k msg/s`, 'msgsPerCpuSecond', 0, '≥ 0.9×'],
  ['saturation throughput, msg/s', 'throughput', 0, ''],
  ['p50 one-way latency @ 2k msg/s, ms', 'p50', 2, ''],
  ['p99 one-way latency @ 2k msg/s, ms', 'p99', 2, '≤ 1.1×'],
  ['extra RSS per idle socket, KiB', 'rssPerSocketKiB', 2, '≤ 1.2×'],
];
console.log(
  `\nSignaling server benchmark (loopback; CPU: ${CPU_SLICES} one-second turns each, all servers up; the rest: ${ROUNDS} rounds alternated, medians; ours with tokens and rate limits on)\n`,
);
console.log('| measure | bare ws relay | PeerJS server | ours | PeerJS / bare | ours / bare | goal |');
console.log('|---|---:|---:|---:|---:|---:|---|');
const verdicts = [];
for (const [label, field, digits, goal] of rows) {
  const [b, p, o] = ['bare', 'peerjs', 'ours'].map((k) => (results[k] ? med(k, field) : NaN));
  const ratio = o / b;
  console.log(`| ${label} | ${b.toFixed(digits)} | ${p.toFixed(digits)} | ${o.toFixed(digits)} | ${(p / b).toFixed(2)}× | ${ratio.toFixed(2)}× | ${goal} |`);
  if (goal.startsWith('≥')) verdicts.push([label, ratio >= Number(goal.slice(2, -1))]);
  if (goal.startsWith('≤')) verdicts.push([label, ratio <= Number(goal.slice(2, -1))]);
}
console.log('');
for (const [label, ok] of verdicts) console.log(`${ok ? 'meets' : 'MISSES'} goal: ${label}`);
const fields = ['msgsPerCpuSecond', 'throughput', 'p50', 'p99', 'rssPerSocketKiB'];
record('server', {
  rounds: ROUNDS,
  secondsPerPhase: SECONDS,
  cpuTurns: CPU_SLICES,
  cpuTurnSeconds: CPU_SLICE_MS / 1000,
  cpuRate: CPU_RATE,
  pacedRate: PACED_RATE,
  sockets: SOCKETS,
  idleSocketsTo: IDLE_TO,
  machine: machine(),
  medians: Object.fromEntries(kinds.map((k) => [k, Object.fromEntries(fields.map((f) => [f, med(k, f)]))])),
  ratiosToBare: Object.fromEntries(
    kinds.filter((k) => k !== 'bare').map((k) => [k, Object.fromEntries(fields.map((f) => [f, med(k, f) / med('bare', f)]))]),
  ),
  goals: Object.fromEntries(verdicts.map(([label, ok]) => [label, ok])),
});
