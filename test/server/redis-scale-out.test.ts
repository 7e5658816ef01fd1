/**
 * Scale-out on Redis, for real: a `redis-server` on a free port, two signaling server
 * processes sharing rooms through it, and two headless Chromium browsers each joined through a
 * different process. They complete a call; then the first browser's process is killed, its
 * client moves to the other process (its `signaling` lists both) as the same participant, and
 * the call recovers: a renegotiation goes through, frames keep rising.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { after, afterEach, before, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { attachSignaling } from '../../src/server/signaling-server.js';
import { Participant, eventually, framesRise, launch, servePage } from './browser.js';
import { REDIS, redisLink, skipRedis, startRedis, type RedisProcess } from './redis-support.js';
import { MEDIA_STATE, RawClient, freePort, startServerProcess, until, type ServerProcess } from './support.js';

const skip = skipRedis;

let main: RedisProcess | undefined;
let redisUrl = '';
let dir = '';
const servers: ServerProcess[] = [];
const browsers: Browser[] = [];
let page: Awaited<ReturnType<typeof servePage>> | undefined;

before(async () => {
  if (skip) return;
  main = await startRedis();
  redisUrl = main.url;
  dir = mkdtempSync(join(tmpdir(), 'rtc-redis-late-'));
});

// Each test's processes and browsers go after it (the next must not share two cores with a call
// still running); the page server and Redis after them all.
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
  for (const b of browsers.splice(0)) await b.close();
});
after(async () => {
  await page?.close();
  main?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('two browsers on two server processes share a room; killing one process, its client moves to the other', { skip, timeout: 90_000 }, async () => {
  const env = { REDIS_URL: redisUrl };
  const [p1, p2] = await Promise.all([startServerProcess(['--port', '0'], env), startServerProcess(['--port', '0'], env)]);
  servers.push(p1, p2);
  let b1: Browser, b2: Browser;
  [b1, b2, page] = await Promise.all([launch(), launch(), servePage()]);
  browsers.push(b1, b2);
  // Each lists its own process first and the other as a fallback.
  const a = await Participant.open(b1, page.url, `${p1.url} ${p2.url}`, 'scaled', 'Ada', true);
  const b = await Participant.open(b2, page.url, `${p2.url} ${p1.url}`, 'scaled', 'Bob', true);
  try {
    for (const p of [a, b]) await framesRise(p, 'call across two processes', 10, 25_000);
    const metrics = async (s: ServerProcess) => (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
    assert.match(await metrics(p1), /^rtc_signal_connections 1$/m, 'Ada is on process 1');
    assert.match(await metrics(p2), /^rtc_signal_connections 1$/m, 'Bob is on process 2');
    const idA = (await a.state()).localId;

    await p1.stop('SIGKILL');
    await eventually(async () => (await a.state()).signalingConnected, 'Ada reconnects through process 2', 20_000);
    assert.equal((await a.state()).localId, idA, 'as the same participant');
    assert.match(await metrics(p2), /^rtc_signal_connections 2$/m);
    for (const p of [a, b]) await framesRise(p, 'after the move', 10);

    const ufragAtB = await b.remoteUfrag();
    await a.renegotiate();
    await eventually(async () => {
      const atB = await b.remoteUfrag();
      return atB !== null && atB !== ufragAtB;
    }, 'a renegotiation through process 2 completes');
    await eventually(async () => (await a.remoteUfrag()) !== null && (await b.state()).participants[0]?.connectionState === 'connected', 'stable');
    for (const p of [a, b]) await framesRise(p, 'after the renegotiation', 10);
    assert.equal((await b.state()).participants.length, 1, 'Bob never saw Ada leave');
  } finally {
    await a.close();
    await b.close();
  }
});

/** Raw clients of the tests below, closed by `closeClients` at the end of each. */
const clients: RawClient[] = [];
const client = (p: ServerProcess) => {
  const c = new RawClient(`ws://127.0.0.1:${p.port}/signal`);
  clients.push(c);
  return c;
};
const closeClients = () => clients.splice(0).forEach((c) => c.ws.terminate());

/** `rtc_signal_signals_lost_total` of process `p`. */
const signalsLost = async (p: ServerProcess) =>
  /^rtc_signal_signals_lost_total (\d+)$/m.exec(await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text())?.[1];

/** Two server processes with a 1 s grace period; the first reaches Redis through a link the test can cut. */
async function cutOffPair() {
  const link = await redisLink(redisUrl);
  const env = { RTC_GRACE_MS: '1000' };
  const [p1, p2] = await Promise.all([
    startServerProcess(['--port', '0'], { ...env, REDIS_URL: link.url }),
    startServerProcess(['--port', '0'], { ...env, REDIS_URL: redisUrl }),
  ]);
  servers.push(p1, p2);
  return { link, p1, p2 };
}

it('a process cut off from Redis catches up when it is back, and hands back participants it was swept of', { skip, timeout: 90_000 }, async () => {
  const { link, p1, p2 } = await cutOffPair();
  try {
    const a = client(p1);
    const b = client(p2);
    const l = client(p1);
    const wa = await a.join('cut');
    const wb = await b.join('cut');
    const wl = await l.join('cut');
    await a.next((f) => f.type === 'peer-joined' && f.peer.id === wb.id, 'A sees B');
    await a.next((f) => f.type === 'peer-joined' && f.peer.id === wl.id, 'A sees L');
    a.send({ v: 1, type: 'ack', seq: 2 }); // so nothing is sent again during the break

    // A short break: what happens in the room meanwhile never reaches process 1 over the bus, and
    // process 1 cannot tell anyone that L (its own) left.
    link.cut();
    await new Promise((r) => setTimeout(r, 300));
    const c = client(p2);
    const wc = await c.join('cut');
    b.send({ v: 1, type: 'leave' });
    l.send({ v: 1, type: 'leave' });
    // Long enough for process 1's Redis client to give up on what it queued (L's removal).
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(a.frames.filter((f) => f.type === 'peer-joined' || f.type === 'peer-left').length, 0, `nothing reached A during the break: ${JSON.stringify(a.frames)}`);
    assert.ok(wc.peers.some((p: { id: string }) => p.id === wl.id), 'to process 2, L is still there');
    link.heal();
    await a.next((f) => f.type === 'peer-joined' && f.peer.id === wc.id, 'A learns that C joined', 10_000);
    await a.next((f) => f.type === 'peer-left' && f.id === wb.id, 'A learns that B left', 10_000);
    await a.next((f) => f.type === 'peer-left' && f.id === wl.id, 'A learns that L left', 10_000);
    await c.next((f) => f.type === 'peer-left' && f.id === wl.id, 'C learns that L left (process 1 tells it once back)', 10_000);
    assert.equal(a.frames.filter((f) => f.type === 'peer-joined' && f.peer.id === wl.id).length, 0, 'L is not announced again');
    // And C's signals reach A again (process 1 knows C now).
    c.send({ v: 1, type: 'signal', to: wa.id, data: MEDIA_STATE });
    const got = await a.next((f) => f.type === 'signal' && f.from === wc.id, 'C’s signal at A', 5000);
    assert.equal(got.from, wc.id);

    // Meanwhile process 1 cannot admit anyone: a clear "try again", not a refusal.
    link.cut();
    const d = client(p1);
    const refused = await d.join('cut');
    assert.equal(refused.type, 'error');
    assert.equal(refused.code, 'unavailable');
    assert.equal((await d.closing(10_000)).code, 1013);
    link.heal();

    // A long break: process 2 takes process 1 for dead and sweeps A; C is told A left.
    const cutAt = Date.now();
    link.cut();
    await c.next((f) => f.type === 'peer-left' && f.id === wa.id, 'C is told A left (swept)', 30_000);
    // However long Redis is away, process 1 tries it again at least once a second, so it is back
    // soon after Redis is (ioredis's own backoff grows to 5 s: from 5 to 10 s into an outage its
    // two connections made 2 attempts, so a failover could find them back 5 s late).
    await new Promise((r) => setTimeout(r, Math.max(0, cutAt + 10_000 - Date.now())));
    const late = link.refused.filter((t) => t >= cutAt + 5000).length;
    assert.ok(late >= 6, `process 1 tried Redis ${late} times from 5 to 10 s into the break`);
    const healedAt = Date.now();
    link.heal();
    // Back, process 1 finds A swept: it asks A to join again, and A's claim brings it back as a new participant.
    const closed = await a.closing(15_000);
    assert.equal(closed.code, 4012);
    console.log(`back from a 10 s break: A asked to join again ${Date.now() - healedAt} ms after Redis was`);
    const metrics = await (await fetch(`http://127.0.0.1:${p1.port}/metrics`)).text();
    assert.match(metrics, /^rtc_signal_rejoins_total 1$/m);
    assert.match(metrics, /^rtc_signal_resyncs_total [1-9]/m, 'counted: the rooms caught up after each break');
    const a2 = client(p1);
    const w2 = await a2.join('cut', { resume: { id: wa.id, secret: wa.resume }, ack: 0 });
    assert.equal(w2.type, 'welcome');
    assert.notEqual(w2.id, wa.id, 'a new id: the room dropped the old one');
    assert.equal(w2.resumed, false);
    assert.deepEqual(w2.peers.map((p: { id: string }) => p.id), [wc.id]);
    await c.next((f) => f.type === 'peer-joined' && f.peer.id === w2.id, 'C sees A join again', 5000);
  } finally {
    closeClients();
    await p1.stop();
    await p2.stop();
    link.close();
  }
});

it('a full room whose members all went with their process lets the next one in', { skip, timeout: 40_000 }, async () => {
  const env = { REDIS_URL: redisUrl, RTC_MAX_PEERS: '2', RTC_GRACE_MS: '2000' };
  const [p1, p2] = await Promise.all([startServerProcess(['--port', '0'], env), startServerProcess(['--port', '0'], env)]);
  servers.push(p1, p2);
  try {
    await client(p1).join('ghosts');
    await client(p1).join('ghosts');
    assert.equal((await client(p2).join('ghosts')).code, 'room-full', 'full while they are there');
    // Process 1 dies with both members; nobody on a live process is in the room to sweep them.
    await p1.stop('SIGKILL');
    closeClients();
    // Once process 1's liveness has run out (6 s), a newcomer is let in, and told of no ghosts.
    let welcome: any;
    for (let i = 0; i < 20 && welcome?.type !== 'welcome'; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      welcome = await client(p2).join('ghosts');
    }
    assert.equal(welcome.type, 'welcome', `let in: ${JSON.stringify(welcome)}`);
    assert.deepEqual(welcome.peers, []);
  } finally {
    closeClients();
    await p2.stop();
  }
});

it('join-and-leave churn is remembered in one capped set per room, and a leave still counts as announced', { skip, timeout: 40_000 }, async () => {
  const p = await startServerProcess(['--port', '0'], { REDIS_URL: redisUrl });
  servers.push(p);
  try {
    const first = await client(p).join('churn');
    const firstClient = clients.at(-1)!;
    // As the kit's client leaves: a leave, then its socket closed (the server keeps it open after a leave).
    firstClient.send({ v: 1, type: 'leave' });
    firstClient.close();
    await firstClient.closing();
    for (let i = 0; i < 100; i++) {
      const c = client(p);
      await c.join('churn');
      c.send({ v: 1, type: 'leave' });
      c.close();
    }
    await until(async () => (await main!.client.zcard('rtc:left:{churn}')) === 101, 'each leave remembered', 10_000);
    assert.deepEqual(await main!.client.keys('rtc:left:{churn}*'), ['rtc:left:{churn}'], 'one key for the room, not one per leave');
    // The first one's leave was announced: its resume secret brings it back as someone new.
    const back = await client(p).join('churn', { resume: { id: first.id, secret: first.resume }, ack: 0 });
    assert.equal(back.type, 'welcome');
    assert.notEqual(back.id, first.id);
  } finally {
    closeClients();
    await p.stop();
  }
});

it('signals between processes sent during a short break arrive after it, in order', { skip, timeout: 30_000 }, async () => {
  const { link, p1, p2 } = await cutOffPair();
  const a = new RawClient(`ws://127.0.0.1:${p1.port}/signal`);
  const b = new RawClient(`ws://127.0.0.1:${p2.port}/signal`);
  try {
    const wa = await a.join('blip');
    const wb = await b.join('blip');
    await a.next((f) => f.type === 'peer-joined', 'A sees B');
    const candidate = (n: number) => ({ candidate: { candidate: `candidate:${n} 1 udp 1 127.0.0.1 ${9000 + n} typ host`, sdpMid: '0', sdpMLineIndex: 0 } });
    const port = (f: { data: { candidate: { candidate: string } } }) => Number(f.data.candidate.candidate.split(' ')[5]) - 9000;
    // Process 1 is cut off from Redis for 1.5 s (not long enough to be taken for dead): it can
    // neither publish nor hear. Each side sends three signals meanwhile.
    link.cut();
    await new Promise((r) => setTimeout(r, 200));
    for (let n = 1; n <= 3; n++) {
      a.send({ v: 1, type: 'signal', to: wb.id, data: candidate(n), seq: n });
      b.send({ v: 1, type: 'signal', to: wa.id, data: candidate(n), seq: n });
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1200));
    link.heal();
    const seqs = new Map<RawClient, Set<number>>();
    const got = async (c: RawClient, from: string, who: string) => {
      const ns: number[] = [];
      seqs.set(c, new Set());
      for (let i = 0; i < 3; i++) {
        const f = await c.next((f) => f.type === 'signal' && f.from === from, `${who}'s signal ${i + 1}`, 5000);
        seqs.get(c)!.add(f.seq);
        ns.push(port(f));
      }
      return ns;
    };
    assert.deepEqual(await got(b, wa.id, 'A'), [1, 2, 3], "A's signals reach B in order");
    assert.deepEqual(await got(a, wb.id, 'B'), [1, 2, 3], "B's signals reach A in order");
    // Each once: what comes later is only the server sending the same numbered frames again (these
    // clients never acknowledge), never a second delivery of a signal.
    await new Promise((r) => setTimeout(r, 1500));
    for (const [c, from] of [[b, wa.id], [a, wb.id]] as const) {
      const again = c.frames.filter((f) => f.type === 'signal' && f.from === from).map((f) => f.seq);
      assert.ok(again.every((n) => seqs.get(c)!.has(n)), `delivered once: ${JSON.stringify(again)} besides ${[...seqs.get(c)!]}`);
    }
    assert.deepEqual([await signalsLost(p1), await signalsLost(p2)], ['0', '0']);
  } finally {
    a.ws.terminate();
    b.ws.terminate();
    link.close();
  }
});

it('a process whose Redis connections go silent without closing makes them again before it is taken for dead', { skip, timeout: 40_000 }, async () => {
  const { link, p1, p2 } = await cutOffPair();
  const a = new RawClient(`ws://127.0.0.1:${p1.port}/signal`);
  const b = new RawClient(`ws://127.0.0.1:${p2.port}/signal`);
  try {
    const wa = await a.join('silent');
    const wb = await b.join('silent');
    await a.next((f) => f.type === 'peer-joined' && f.peer.id === wb.id, 'A sees B');
    assert.equal(link.open, 2, "process 1's two connections go through the link");
    // Both of process 1's connections go silent, as when a NAT or a load balancer drops them
    // without a word: TCP would not tell for minutes, and meanwhile process 1 could neither hear
    // nor keep itself alive, so process 2 would sweep A after 6 s.
    const frozenAt = Date.now();
    link.freeze();
    await until(() => link.frozen === 0 && link.open === 2, 'process 1 drops the silent connections and makes new ones', 10_000);
    console.log(`silent Redis connections made again after ${Date.now() - frozenAt} ms`);
    b.send({ v: 1, type: 'signal', to: wa.id, data: MEDIA_STATE, seq: 1 });
    await a.next((f) => f.type === 'signal' && f.from === wb.id, "B's signal reaches A", 5000);
    a.send({ v: 1, type: 'signal', to: wb.id, data: MEDIA_STATE, seq: 1 });
    await b.next((f) => f.type === 'signal' && f.from === wa.id, "A's signal reaches B", 5000);
    // Past when a sweep would have come (liveness 6 s, grace 1 s, a sweep every 2 s): B never saw A leave.
    await new Promise((r) => setTimeout(r, Math.max(0, frozenAt + 10_000 - Date.now())));
    assert.deepEqual(b.frames.filter((f) => f.type === 'peer-left'), [], 'A was never swept');
    assert.equal(a.closed, undefined, 'A stayed connected');
    assert.deepEqual([await signalsLost(p1), await signalsLost(p2)], ['0', '0']);
  } finally {
    a.ws.terminate();
    b.ws.terminate();
    link.close();
  }
});

it('a signal from someone who joined during a break reaches its recipient after the catch-up tells of them', { skip, timeout: 30_000 }, async () => {
  const { link, p1, p2 } = await cutOffPair();
  const a = new RawClient(`ws://127.0.0.1:${p1.port}/signal`);
  const c = new RawClient(`ws://127.0.0.1:${p2.port}/signal`);
  try {
    const wa = await a.join('joined-meanwhile');
    link.cut();
    await new Promise((r) => setTimeout(r, 300));
    // C joins while process 1 hears nothing, and signals A at once; process 1 is back 1 s later.
    const wc = await c.join('joined-meanwhile');
    c.send({ v: 1, type: 'signal', to: wa.id, data: MEDIA_STATE, seq: 1 });
    await new Promise((r) => setTimeout(r, 1000));
    link.heal();
    const told = await a.next((f) => f.type === 'peer-joined' && f.peer.id === wc.id, 'A is told C joined', 5000);
    const sig = await a.next((f) => f.type === 'signal' && f.from === wc.id, "A gets C's signal", 5000);
    assert.ok(told.seq < sig.seq, 'told of C before its signal');
    assert.equal(await signalsLost(p1), '0');
  } finally {
    a.ws.terminate();
    c.ws.terminate();
    link.close();
  }
});

it('malformed messages on its Redis channels are dropped; the process stays up and its rooms work', { skip, timeout: 30_000 }, async () => {
  const p = await startServerProcess(['--port', '0'], { REDIS_URL: redisUrl });
  servers.push(p);
  const a = new RawClient(`ws://127.0.0.1:${p.port}/signal`);
  const b = new RawClient(`ws://127.0.0.1:${p.port}/signal`);
  try {
    const wa = await a.join('garbage');
    const wb = await b.join('garbage');
    // Every process on this Redis (this one among them) gets them on its own channel.
    const procs = [...((await main!.client.call('CLIENT', 'LIST')) as string).matchAll(/ name=rtc-signal:(\w+):sub/g)].map((m) => m[1]);
    assert.ok(procs.length > 0, 'the process is connected');
    const bad = ['not json', 'null', '{"origin":"x","signals":[null,1,"s",{"kind":"joined"},{"kind":"signal","room":"garbage","n":1}]}'];
    for (const proc of procs) for (const text of bad) await main!.client.publish(`rtc:to:{${proc}}`, text);
    for (const text of ['{"origin":"x","event":null}', '{"origin":"x","event":{"kind":"joined"}}', '{"origin":"x","event":{"kind":"left","id":7}}', '[]']) {
      await main!.client.publish('rtc:bus:{garbage}', text);
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(p.child.exitCode, null, 'still running');
    a.send({ v: 1, type: 'signal', to: wb.id, data: MEDIA_STATE });
    await b.next((f) => f.type === 'signal' && f.from === wa.id, "A's signal reaches B");
    assert.equal(a.frames.filter((f) => f.type === 'peer-joined' || f.type === 'peer-left').length, 1, 'only B joined');
  } finally {
    a.ws.terminate();
    b.ws.terminate();
    await p.stop();
  }
});

it('a signal for a participant who just moved to another process is passed on by the one it left', { skip, timeout: 30_000 }, async () => {
  // Process 3 (C's) hears Redis 300 ms late, so it still sends to process 1 after A moved to 2.
  const link = await redisLink(redisUrl);
  const [p1, p2, p3] = await Promise.all([
    startServerProcess(['--port', '0'], { REDIS_URL: redisUrl }),
    startServerProcess(['--port', '0'], { REDIS_URL: redisUrl }),
    startServerProcess(['--port', '0'], { REDIS_URL: link.url }),
  ]);
  servers.push(p1, p2, p3);
  try {
    const a = client(p1);
    const c = client(p3);
    const wa = await a.join('moving');
    const wc = await c.join('moving');
    await a.next((f) => f.type === 'peer-joined' && f.peer.id === wc.id, 'A sees C');
    link.delay(150, 150);
    // A's connection drops; A comes back through process 2 as itself. Process 1 had only A in the room.
    a.ws.terminate();
    const a2 = client(p2);
    const w2 = await a2.join('moving', { resume: { id: wa.id, secret: wa.resume }, ack: 0 });
    assert.equal(w2.id, wa.id);
    c.send({ v: 1, type: 'signal', to: wa.id, data: MEDIA_STATE, seq: 1 });
    await a2.next((f) => f.type === 'signal' && f.from === wc.id, "C's signal reaches A on process 2", 5000);
    assert.deepEqual([await signalsLost(p1), await signalsLost(p2), await signalsLost(p3)], ['0', '0', '0']);
  } finally {
    closeClients();
    link.close();
  }
});

it('a join stays in the room\'s events though the last participant of its process leaves while Redis admits it', { skip, timeout: 30_000 }, async () => {
  const { link, p1, p2 } = await cutOffPair();
  try {
    const x = client(p1);
    await x.join('race');
    // Y's admission takes 400 ms, and X, process 1's only participant in the room, leaves during it.
    link.delay(400);
    const y = client(p1);
    await y.opened;
    const joining = y.join('race');
    await new Promise((r) => setTimeout(r, 150));
    x.send({ v: 1, type: 'leave' });
    const wy = await joining;
    assert.equal(wy.type, 'welcome');
    link.delay(0);
    await y.next((f) => f.type === 'peer-left', 'Y hears that X left');
    // Z joins through process 2: only the bus can tell process 1.
    const z = client(p2);
    const wz = await z.join('race');
    await y.next((f) => f.type === 'peer-joined' && f.peer.id === wz.id, 'Y hears that Z joined');
    z.send({ v: 1, type: 'signal', to: wy.id, data: MEDIA_STATE });
    await y.next((f) => f.type === 'signal' && f.from === wz.id, 'Z\'s signal reaches Y');
  } finally {
    closeClients();
    link.close();
  }
});

it('a process that stalled long enough to be swept hands back its participants when it wakes', { skip, timeout: 90_000 }, async () => {
  const env = { RTC_GRACE_MS: '1000', REDIS_URL: redisUrl };
  const [p1, p2] = await Promise.all([startServerProcess(['--port', '0'], env), startServerProcess(['--port', '0'], env)]);
  servers.push(p1, p2);
  const a = new RawClient(`ws://127.0.0.1:${p1.port}/signal`);
  const c = new RawClient(`ws://127.0.0.1:${p2.port}/signal`);
  try {
    const wa = await a.join('stall');
    await c.join('stall');
    // Stopped, process 1 keeps its connections (to Redis too) but refreshes nothing: it is swept.
    p1.child.kill('SIGSTOP');
    try {
      await c.next((f) => f.type === 'peer-left' && f.id === wa.id, 'C is told A left (swept)', 30_000);
    } finally {
      p1.child.kill('SIGCONT');
    }
    // Awake, it reads the sweep's announcement of its own participant: A is asked to join again.
    const closed = await a.closing(10_000);
    assert.equal(closed.code, 4012);
    const a2 = new RawClient(`ws://127.0.0.1:${p1.port}/signal`);
    const w2 = await a2.join('stall', { resume: { id: wa.id, secret: wa.resume }, ack: 0 });
    assert.notEqual(w2.id, wa.id);
    await c.next((f) => f.type === 'peer-joined' && f.peer.id === w2.id, 'C sees A join again', 5000);
    a2.ws.terminate();
  } finally {
    a.ws.terminate();
    c.ws.terminate();
    await p1.stop();
    await p2.stop();
  }
});

it('a server started before Redis waits for it, then serves', { skip, timeout: 60_000 }, async () => {
  const port = await freePort();
  const late = join(dir, 'late');
  mkdirSync(late);
  const starting = startServerProcess(['--port', '0'], { REDIS_URL: `redis://127.0.0.1:${port}` });
  await new Promise((r) => setTimeout(r, 2500)); // ioredis has given up a request or two by now
  const redisLate = spawn(REDIS, ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', late], { stdio: 'ignore' });
  try {
    const p = await starting;
    servers.push(p);
    const a = new RawClient(`ws://127.0.0.1:${p.port}/signal`);
    const b = new RawClient(`ws://127.0.0.1:${p.port}/signal`);
    const wa = await a.join('late');
    const wb = await b.join('late');
    assert.deepEqual(wb.peers.map((x: { id: string }) => x.id), [wa.id]);
    b.send({ v: 1, type: 'signal', to: wa.id, data: MEDIA_STATE });
    assert.equal((await a.next((f) => f.type === 'signal', 'a signal')).from, wb.id);
    a.ws.terminate();
    b.ws.terminate();
  } finally {
    redisLate.kill('SIGKILL');
  }
});

it('closes at once while still waiting for a Redis that is not there', { skip }, async () => {
  const http = createHttpServer();
  const s = attachSignaling(http, { redisUrl: `redis://127.0.0.1:${await freePort()}` });
  await new Promise((r) => setTimeout(r, 300));
  const t = Date.now();
  await s.close();
  assert.ok(Date.now() - t < 1000, `closed in ${Date.now() - t} ms`);
});

it('a call survives its process being cut off from Redis long enough to be swept', { skip, timeout: 120_000 }, async () => {
  const { link, p1, p2 } = await cutOffPair();
  const [b1, b2, served] = await Promise.all([launch(), launch(), servePage()]);
  browsers.push(b1, b2);
  const a = await Participant.open(b1, served.url, p1.url, 'swept', 'Ada', true);
  const b = await Participant.open(b2, served.url, p2.url, 'swept', 'Bob', true);
  try {
    for (const p of [a, b]) await framesRise(p, 'call across two processes', 10, 25_000);
    const idA = (await a.state()).localId;

    link.cut();
    await eventually(async () => (await b.state()).participants.length === 0, 'Bob is told Ada left (her process was swept)', 30_000);
    link.heal();
    // Ada's process finds her swept and asks her to join again: she comes back as a new participant.
    const back = await eventually(async () => {
      const s = await a.state();
      return s.signalingConnected && s.localId !== idA ? s.localId : null;
    }, 'Ada is back under a new id', 20_000);
    await eventually(async () => {
      const [sa, sb] = [await a.state(), await b.state()];
      return sb.participants.length === 1 && sb.participants[0].id === back && sa.participants.length === 1 && sa.participants[0].connectionState === 'connected';
    }, 'each sees the other again, connected', 20_000);
    for (const p of [a, b]) await framesRise(p, 'after the break', 10, 15_000);
  } finally {
    await a.close();
    await b.close();
    await served.close();
    link.close();
  }
});
