/**
 * Redis failing over under two signaling server processes, for real: a master and a replica
 * (`redis-server --replicaof`), and either a sentinel that promotes the replica when the master
 * dies, or a failover behind one address (as a managed Redis does it) that leaves connections
 * open to the old master, now a read-only replica. Either way the room goes on: someone joining
 * afterwards is admitted, the other process hears of it, and signals cross between processes;
 * and a call between two headless Chromium browsers, each on its own process, goes on.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, it } from 'node:test';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/server/redis-connection.js';
import { Participant, eventually, framesRise, launch, servePage } from './browser.js';
import { redisLink, skipRedis as skip, startRedis, testCerts, type RedisProcess, type Secure } from './redis-support.js';
import { MEDIA_STATE, RawClient, startServerProcess, until, type ServerProcess } from './support.js';

/**
 * What the test started, stopped in reverse order after it: a later test must not share two cores
 * with an earlier one's Redis set, server processes and browsers (a call still encoding video
 * slowed the TLS failover after it past its time limits in CI).
 */
const started: { stop(): unknown }[] = [];
const stopping = (stop: () => unknown) => started.push({ stop });
afterEach(async () => {
  for (const s of started.splice(0).reverse()) await s.stop();
});
/** A master and its replica, the replica in sync. */
async function masterAndReplica(secure: Secure = {}): Promise<[RedisProcess, RedisProcess]> {
  const master = await startRedis([], undefined, secure);
  const replica = await startRedis(['--replicaof', '127.0.0.1', String(master.port)], undefined, secure);
  started.push(master, replica);
  await until(async () => /master_link_status:up/.test(await replica.client.info('replication')), 'the replica in sync', 10_000);
  return [master, replica];
}

/** Two server processes on `env`'s Redis; A joins `room` through the first, B through the second. */
async function roomAcrossTwo(env: Record<string, string>, room: string) {
  const [p1, p2] = await Promise.all([startServerProcess(['--port', '0'], env), startServerProcess(['--port', '0'], env)]);
  started.push(p1, p2);
  const client = (p: ServerProcess) => {
    const c = new RawClient(`ws://127.0.0.1:${p.port}/signal`);
    stopping(() => c.ws.terminate());
    return c;
  };
  const a = client(p1);
  const b = client(p2);
  const wa = await a.join(room);
  const wb = await b.join(room);
  await a.next((f) => f.type === 'peer-joined' && f.peer.id === wb.id, 'A sees B');
  return { p1, p2, a, b, wa, wb, client };
}

/** After the failover: C joins through process 2, A (process 1) hears of it, and signals cross both ways. */
async function roomGoesOn(t: Awaited<ReturnType<typeof roomAcrossTwo>>) {
  // While process 2 is still reconnecting, a join gets `unavailable` (1013); the kit's client then
  // tries again, and so does C here (every 250 ms, for up to 10 s).
  let c = t.client(t.p2);
  let wc = await c.join(t.wa.room);
  for (let i = 0; i < 40 && wc.type === 'error' && wc.code === 'unavailable'; i++) {
    await new Promise((r) => setTimeout(r, 250));
    c = t.client(t.p2);
    wc = await c.join(t.wa.room);
  }
  assert.equal(wc.type, 'welcome', `C is admitted after the failover: ${JSON.stringify(wc)}`);
  assert.deepEqual(wc.peers.map((p: { id: string }) => p.id).sort(), [t.wa.id, t.wb.id].sort(), 'and is told of A and B');
  await t.a.next((f) => f.type === 'peer-joined' && f.peer.id === wc.id, 'A hears that C joined', 10_000).catch(async (err: Error) => {
    // Seen once in CI (Sentinel over TLS), never here: say whether process 1 caught up after the failover.
    const said = await Promise.all(
      [t.p1, t.p2].map(async (p) => ((await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text()).match(/^rtc_signal_resyncs_total .*$/m) ?? ['?'])[0]),
    );
    throw new Error(`${err.message}; process 1, 2: ${said.join(', ')}`);
  });
  c.send({ v: 1, type: 'signal', to: t.wa.id, data: MEDIA_STATE });
  const fromC = await t.a.next((f) => f.type === 'signal' && f.from === wc.id, "C's signal reaches A", 6000);
  t.a.send({ v: 1, type: 'signal', to: t.wb.id, data: MEDIA_STATE });
  // Held until B's process is subscribed again (it may still be reconnecting): up to 5 s.
  const sentAt = Date.now();
  const fromA = await t.b.next((f) => f.type === 'signal' && f.from === t.wa.id, "A's signal reaches B", 6000);
  console.log(`A's signal reached B after ${Date.now() - sentAt} ms`);
  // Once each (later frames may only be the server resending the same number: no acks here).
  await new Promise((r) => setTimeout(r, 1000));
  for (const [c, from, first] of [[t.a, wc.id, fromC], [t.b, t.wa.id, fromA]] as const) {
    const again = c.frames.filter((f) => f.type === 'signal' && f.from === from && f.seq !== first.seq);
    assert.deepEqual(again, [], 'each signal delivered once');
  }
  for (const p of [t.p1, t.p2]) {
    const text = await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text();
    assert.match(text, /^rtc_signal_signals_lost_total 0$/m, 'no signal given up');
  }
  assert.equal(t.a.closed, undefined, 'A stayed connected');
}

it('a failover behind one address: connections left on the old master (read-only now) move to the new one', { skip, timeout: 60_000 }, async () => {
  const [master, replica] = await masterAndReplica();
  const link = await redisLink(master.url);
  stopping(() => link.close());
  const t = await roomAcrossTwo({ REDIS_URL: link.url }, 'behind-one-address');
  await until(async () => (await replica.client.hlen('rtc:room:{behind-one-address}')) === 2, 'both members on the replica');

  // The replica becomes master, the old master its replica; the address now leads to the new one.
  await replica.client.replicaof('NO', 'ONE');
  await master.client.replicaof('127.0.0.1', String(replica.port));
  link.retarget(replica.port);
  await until(async () => /master_link_status:up/.test(await master.client.info('replication')), 'the old master follows the new', 10_000);

  await roomGoesOn(t);
  // All of both processes' connections left the old master, the subscribers too (they never
  // write, so only their process can tell them): a subscriber left on the old master would still
  // get what is published (replicas pass it on), but the new master's PUBLISH would not count it.
  await until(async () => (await ours(replica)) === 4 && (await ours(master)) === 0, 'every connection on the new master', 5000);
});

/** How many of the signaling processes' connections `redis` has. */
async function ours(redis: RedisProcess): Promise<number> {
  const list = (await redis.client.call('CLIENT', 'LIST')) as string;
  return list.split('\n').filter((line) => / name=rtc-signal:/.test(line)).length;
}

/** A master, its replica and a sentinel watching them (quorum 1, the master down after 1 s), all in sync. */
async function sentinelSet(secure: Secure = {}) {
  const [master, replica] = await masterAndReplica(secure);
  const sentinel = await startRedis(
    [],
    [
      `sentinel monitor mymaster 127.0.0.1 ${master.port} 1`,
      'sentinel down-after-milliseconds mymaster 1000',
      'sentinel failover-timeout mymaster 5000',
      ...(secure.password ? [`sentinel auth-pass mymaster ${secure.password}`] : []),
    ],
    { tls: secure.tls }, // the sentinel itself asks no password here
  );
  started.push(sentinel);
  await until(async () => ((await sentinel.client.call('SENTINEL', 'REPLICAS', 'mymaster')) as unknown[]).length === 1, 'the sentinel knows the replica', 15_000);
  const promoted = () =>
    until(
      async () => ((await sentinel.client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as string[])[1] === String(replica.port),
      'the sentinel promotes the replica',
      20_000,
    );
  return { master, replica, sentinel, promoted };
}

it('a Sentinel failover: the master dies, the sentinel promotes its replica, the processes follow', { skip, timeout: 60_000 }, async () => {
  const { master, replica, sentinel, promoted } = await sentinelSet();
  const t = await roomAcrossTwo({ REDIS_SENTINELS: `127.0.0.1:${sentinel.port}` }, 'sentinel');
  // Both processes went through the sentinel to the master.
  assert.equal(await master.client.hlen('rtc:room:{sentinel}'), 2);
  await until(async () => (await replica.client.hlen('rtc:room:{sentinel}')) === 2, 'both members on the replica');

  master.stop();
  await promoted();
  // At once: the processes may still be reconnecting, and signals between them wait until they hear.
  await roomGoesOn(t);
  assert.equal(await replica.client.hlen('rtc:room:{sentinel}'), 3, 'the room lives on the new master');
});

it('a Sentinel switchover: the old master lives on, and the processes leave it for the new one', { skip, timeout: 60_000 }, async () => {
  const { master, replica, sentinel, promoted } = await sentinelSet();
  const t = await roomAcrossTwo({ REDIS_SENTINELS: `127.0.0.1:${sentinel.port}` }, 'switchover');
  await until(async () => (await replica.client.hlen('rtc:room:{switchover}')) === 2, 'both members on the replica');

  await sentinel.client.call('SENTINEL', 'FAILOVER', 'mymaster');
  await promoted();
  // The sentinel tells the old master it is a replica only once it next polls it (up to 10 s):
  // until then it takes writes, so the processes must leave it when the sentinel announces the switch.
  const t0 = Date.now();
  await until(async () => (await ours(replica)) === 4, "both processes' connections on the new master", 5000);
  console.log(`switchover: both processes on the new master ${Date.now() - t0} ms after it was promoted`);
  await roomGoesOn(t);
  assert.equal(await replica.client.hlen('rtc:room:{switchover}'), 3, 'the room lives on the new master');
});

it('a connection told to reconnect while it asks the sentinel for the master comes back, subscriptions and all', { skip, timeout: 30_000 }, async () => {
  // What ioredis's failover detector does when a failover notice lands while a connection is
  // connecting (seen under load over TLS, where asking the sentinel takes longest): ioredis 6
  // takes the connect it cut short as final, and the process stayed deaf for good.
  const { sentinel } = await sentinelSet();
  const target = { sentinels: [`127.0.0.1:${sentinel.port}`] };
  const sub = connectRedis(target, 'rtc-signal:test:sub', { forSubscriptions: true });
  const pub = connectRedis(target, 'rtc-signal:test:pub');
  stopping(() => {
    sub.close();
    pub.close();
  });
  for (const link of [sub, pub]) link.client.on('error', () => {}); // the directory logs them; ioredis prints them unheard
  const heard: string[] = [];
  sub.onMessage((_, text) => heard.push(text));
  await until(() => sub.client.status === 'ready' && pub.client.status === 'ready', 'both connected');
  await sub.subscribe(['rtc:test']);
  const cut = new Promise<void>((resolve) =>
    (sub.client as Redis).once('connecting', () => {
      sub.client.disconnect(true);
      resolve();
    }),
  );
  sub.client.disconnect(true);
  await cut;
  await until(async () => (await pub.publish('rtc:test', 'hello')) === 1, 'the subscriber is back and subscribed again', 10_000);
  await until(() => heard.includes('hello'), 'and hears what is published');
});

it('a call across two processes goes on through a Sentinel failover', { skip, timeout: 120_000 }, async () => {
  const { master, sentinel, promoted } = await sentinelSet();
  const env = { REDIS_SENTINELS: `127.0.0.1:${sentinel.port}` };
  const [p1, p2] = await Promise.all([startServerProcess(['--port', '0'], env), startServerProcess(['--port', '0'], env)]);
  started.push(p1, p2);
  const [b1, b2, served] = await Promise.all([launch(), launch(), servePage()]);
  stopping(() => b1.close());
  stopping(() => b2.close());
  stopping(() => served.close());
  const a = await Participant.open(b1, served.url, p1.url, 'failover-call', 'Ada', true);
  const b = await Participant.open(b2, served.url, p2.url, 'failover-call', 'Bob', true);
  stopping(() => a.close());
  stopping(() => b.close());
  for (const p of [a, b]) await framesRise(p, 'call across two processes', 10, 25_000);
  const ids = [(await a.state()).localId, (await b.state()).localId];

  master.stop();
  await promoted();

  // A renegotiation needs signals between the processes, so through the new master. Its offer may
  // go out while a process is still reconnecting (back within about a second): held meanwhile.
  const ufragAtB = await b.remoteUfrag();
  await a.renegotiate();
  await eventually(async () => {
    const atB = await b.remoteUfrag();
    return atB !== null && atB !== ufragAtB;
  }, 'a renegotiation through the new master completes', 20_000);
  for (const p of [a, b]) await framesRise(p, 'after the failover', 10);
  const [sa, sb] = [await a.state(), await b.state()];
  assert.deepEqual([sa.localId, sb.localId], ids, 'both kept their ids');
  assert.deepEqual([sa.participants.map((p: { id: string }) => p.id), sb.participants.map((p: { id: string }) => p.id)], [[ids[1]], [ids[0]]], 'neither saw the other leave');
});

// Was quarantined under CI (failed in 4 of 5 CI runs, 0 of 11 here): on a loaded machine a
// failover notice could land while a connection asked the sentinel (over TLS) where the master is,
// and ioredis ended that connection for good. Under three busy loops here it failed 2 runs in 5
// before the fix in connectRedis (and the test above), none in 8 after.
it('Sentinel over TLS with a password: the processes follow a failover', { skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-tls-'));
  stopping(() => rmSync(dir, { recursive: true, force: true }));
  const certs = testCerts(dir);
  const { master, sentinel, promoted } = await sentinelSet({ tls: certs, password: 'a-master-secret' });
  const t = await roomAcrossTwo(
    { REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`, REDIS_TLS: '1', REDIS_PASSWORD: 'a-master-secret', NODE_EXTRA_CA_CERTS: certs.ca },
    'sentinel-tls',
  );
  master.stop();
  await promoted();
  await roomGoesOn(t);
});
