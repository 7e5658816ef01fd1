/**
 * Scale-out on a Redis Cluster, for real: three `redis-server --cluster-enabled` masters, two
 * signaling server processes each given a different node to start from (`REDIS_CLUSTER_NODES`).
 * A room's keys share a hash tag, so the scripts that touch two of them run; signals and room
 * events go over sharded pub/sub; a call between two headless Chromium browsers, one on each
 * process, works; and a room goes on when the master holding it dies and its replica takes over.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { Participant, framesRise, launch, servePage } from './browser.js';
import { connectRedis } from '../../src/server/redis-connection.js';
import { skipRedis as skip, startRedisCluster, testCerts } from './redis-support.js';
import { MEDIA_STATE, RawClient, startServerProcess, until, type ServerProcess } from './support.js';

let cluster: Awaited<ReturnType<typeof startRedisCluster>> | undefined;
const cleanup: (() => unknown)[] = [];

before(async () => {
  if (!skip) cluster = await startRedisCluster(3);
});

// Each test's processes, clients and browsers go after it, so the next does not share two cores
// with a call still running; the cluster goes after them all.
afterEach(async () => {
  for (const stop of cleanup.splice(0).reverse()) await stop();
});
after(() => cluster?.stop());

/** Two server processes on the cluster (`seeds`), each starting from a different node, with a 1 s grace period. */
async function twoProcesses(seeds = cluster!.seeds, more: Record<string, string> = {}): Promise<[ServerProcess, ServerProcess]> {
  const [n1, n2] = seeds.split(',');
  const env = { RTC_GRACE_MS: '1000', ...more };
  const ps = await Promise.all([
    startServerProcess(['--port', '0'], { ...env, REDIS_CLUSTER_NODES: n1 }),
    startServerProcess(['--port', '0'], { ...env, REDIS_CLUSTER_NODES: n2 }),
  ]);
  for (const p of ps) cleanup.push(() => p.stop());
  return ps as [ServerProcess, ServerProcess];
}

const client = (p: ServerProcess) => {
  const c = new RawClient(`ws://127.0.0.1:${p.port}/signal`);
  cleanup.push(() => c.ws.terminate());
  return c;
};

it('two processes share rooms on a Redis Cluster: joins, signals, leaves, returns, and a vanished process swept', { skip, timeout: 60_000 }, async () => {
  const [p1, p2] = await twoProcesses();
  // Rooms whose keys land on different nodes; and one whose name holds braces (the hash tag's own).
  const rooms = ['north', 'south', 'east', 'west', '}{braces}'];
  const slots = new Set<number>();
  for (const room of rooms) {
    const key = `rtc:room:{${encodeURIComponent(room)}}`;
    slots.add(Math.floor(((await cluster!.nodes[0].client.call('CLUSTER', 'KEYSLOT', key)) as number) / 5462));
  }
  assert.ok(slots.size >= 2, 'the rooms are spread over the nodes');

  for (const room of rooms) {
    const a = client(p1);
    const b = client(p2);
    const wa = await a.join(room);
    const wb = await b.join(room);
    assert.deepEqual(wb.peers.map((p: { id: string }) => p.id), [wa.id], `${room}: B is told of A`);
    await a.next((f) => f.type === 'peer-joined' && f.peer.id === wb.id, `${room}: A hears B join`);
    a.send({ v: 1, type: 'signal', to: wb.id, data: MEDIA_STATE });
    await b.next((f) => f.type === 'signal' && f.from === wa.id, `${room}: A's signal reaches B`);
    b.send({ v: 1, type: 'signal', to: wa.id, data: MEDIA_STATE });
    await a.next((f) => f.type === 'signal' && f.from === wb.id, `${room}: B's signal reaches A`);

    // A goodbye removes B's record and remembers the leave (one script, two keys of the room).
    b.send({ v: 1, type: 'leave' });
    await a.next((f) => f.type === 'peer-left' && f.id === wb.id, `${room}: A hears B leave`);
    const again = client(p2);
    const w2 = await again.join(room, { resume: { id: wb.id, secret: wb.resume }, ack: 0 });
    assert.notEqual(w2.id, wb.id, `${room}: B's return after its leave was announced is a new participant`);
    await a.next((f) => f.type === 'peer-joined' && f.peer.id === w2.id, `${room}: A hears B join again`);
  }

  // Process 2 vanishes: after the grace period process 1 sweeps its participants from the rooms.
  await p2.stop('SIGKILL');
  const a = client(p1);
  const wa = await a.join('north');
  assert.equal(wa.peers.length, 2, 'A and B of the first round (B on the vanished process)');
  await a.next((f) => f.type === 'peer-left', 'the vanished process is swept', 15_000);
});

it('a call between two browsers, each on its own process, over a Redis Cluster', { skip, timeout: 90_000 }, async () => {
  const [p1, p2] = await twoProcesses();
  const [b1, b2, served] = await Promise.all([launch(), launch(), servePage()]);
  cleanup.push(() => served.close(), () => b1.close(), () => b2.close());
  const a = await Participant.open(b1 as Browser, served.url, p1.url, 'cluster-call', 'Ada', true);
  const b = await Participant.open(b2 as Browser, served.url, p2.url, 'cluster-call', 'Bob', true);
  cleanup.push(() => a.close(), () => b.close());
  for (const p of [a, b]) await framesRise(p, 'call across two processes on a cluster', 10, 25_000);
  const [sa, sb] = [await a.state(), await b.state()];
  assert.deepEqual([sa.participants[0]?.id, sb.participants[0]?.id], [sb.localId, sa.localId]);
});

it('a room goes on when the cluster master holding it dies and its replica takes over', { skip, timeout: 90_000 }, async () => {
  const failing = await startRedisCluster(3, true);
  cleanup.push(() => failing.stop());
  const [m0, m1, m2] = failing.nodes;
  // A room on the first master; the processes start from the other two.
  let room = '';
  for (let i = 0; !room; i++) {
    const slot = (await m0.client.call('CLUSTER', 'KEYSLOT', `rtc:room:{failing-${i}}`)) as number;
    if (slot < 5462) room = `failing-${i}`;
  }
  const [p1, p2] = await twoProcesses(`127.0.0.1:${m1.port},127.0.0.1:${m2.port}`);
  const a = client(p1);
  const b = client(p2);
  const wa = await a.join(room);
  const wb = await b.join(room);
  await a.next((f) => f.type === 'peer-joined' && f.peer.id === wb.id, 'A hears B join');
  const replica = failing.replicas[0];
  await replica.client.call('READONLY');
  await until(async () => (await replica.client.hlen(`rtc:room:{${room}}`)) === 2, 'both members on the replica');

  m0.stop();
  await until(async () => /role:master/.test(await replica.client.info('replication')), 'the replica takes over', 20_000);

  const c = client(p2);
  const wc = await c.join(room);
  assert.equal(wc.type, 'welcome', `C is admitted: ${JSON.stringify(wc)}`);
  assert.deepEqual(wc.peers.map((p: { id: string }) => p.id).sort(), [wa.id, wb.id].sort(), 'and told of A and B');
  await a.next((f) => f.type === 'peer-joined' && f.peer.id === wc.id, 'A hears C join', 10_000);
  c.send({ v: 1, type: 'signal', to: wa.id, data: MEDIA_STATE });
  // Held (up to 5 s) while a process's subscriber is still moving to the new master.
  await a.next((f) => f.type === 'signal' && f.from === wc.id, "C's signal reaches A", 6000);
  a.send({ v: 1, type: 'signal', to: wb.id, data: MEDIA_STATE });
  await b.next((f) => f.type === 'signal' && f.from === wa.id, "A's signal reaches B", 6000);
});

it('a Redis Cluster over TLS with a user and password', { skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-tls-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const certs = testCerts(dir);
  const secure = await startRedisCluster(3, false, { tls: certs, password: 'a-cluster-secret' });
  cleanup.push(() => secure.stop());
  // The test CA is trusted the way a deployment would add its own: NODE_EXTRA_CA_CERTS.
  const [p1, p2] = await twoProcesses(secure.seeds, {
    REDIS_TLS: '1',
    REDIS_USERNAME: 'default',
    REDIS_PASSWORD: 'a-cluster-secret',
    NODE_EXTRA_CA_CERTS: certs.ca,
  });
  const a = client(p1);
  const b = client(p2);
  const wa = await a.join('tls');
  const wb = await b.join('tls');
  await a.next((f) => f.type === 'peer-joined' && f.peer.id === wb.id, 'A hears B join');
  b.send({ v: 1, type: 'signal', to: wa.id, data: MEDIA_STATE });
  await a.next((f) => f.type === 'signal' && f.from === wb.id, "B's signal reaches A");
  b.send({ v: 1, type: 'leave' });
  await a.next((f) => f.type === 'peer-left' && f.id === wb.id, 'A hears B leave');
  // Every connection of theirs is TLS: the nodes have no plain port.
  const clients = (await secure.nodes[0].client.call('CLIENT', 'LIST')) as string;
  assert.match(clients, / name=rtc-signal:/);
});

it('sharded subscriptions that ioredis lost (its subscriber group stopped and stuck) are found and made again', { skip, timeout: 30_000 }, async () => {
  const sub = connectRedis({ cluster: cluster!.seeds.split(',') }, 'rtc-signal:test:sub', { forSubscriptions: true });
  const pub = connectRedis({ cluster: cluster!.seeds.split(',') }, 'rtc-signal:test:pub');
  cleanup.push(() => sub.client.disconnect(), () => pub.client.disconnect());
  const got: string[] = [];
  sub.onMessage((_channel, text) => got.push(text));
  await sub.subscribe(['rtc:bus:{lost-and-found}']);
  assert.equal(await pub.publish('rtc:bus:{lost-and-found}', 'before'), 1);
  await until(() => got.includes('before'), 'heard before');
  assert.equal(await sub.repairSubscriptions!(), false, 'nothing to repair while they work');
  // The state a failover left it in here: its subscribers gone, a reset that never ends.
  const group = (sub.client as unknown as { shardedSubscribers: { stop(): void; isResetting: boolean } }).shardedSubscribers;
  group.stop();
  group.isResetting = true;
  await until(async () => (await pub.publish('rtc:bus:{lost-and-found}', 'lost')) === 0, 'nobody hears the channel now');
  assert.equal(await sub.repairSubscriptions!(), false, 'once may be a reset under way');
  assert.equal(await sub.repairSubscriptions!(), true, 'twice in a row is stuck: made again');
  await until(async () => (await pub.publish('rtc:bus:{lost-and-found}', 'after')) === 1, 'subscribed again');
  await until(() => got.includes('after'), 'heard after');
});
