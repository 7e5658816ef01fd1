/**
 * The signaling client's reconnection, under Node with the real server and real sockets on
 * 127.0.0.1 (the same client code the browser runs, given the `ws` WebSocket): exactly-once,
 * in-order signals through a relay that drops and duplicates frames and cuts connections;
 * resume within the grace period; several URLs; refusals never retried; a bounded give-up.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { BACKOFF_CEILING_MS, backoffDelay } from '../../src/core/backoff.js';
import {
  SignalingClient,
  type ClosedEvent,
  type PeerJoinedEvent,
  type SignalEvent,
} from '../../src/core/signaling-client.js';
import { WebSocketTransport } from '../../src/core/websocket-transport.js';
import { createRoomToken } from '../../src/server/auth.js';
import { startSignalingServer, type RunningServer } from '../../src/server/http-server.js';
import { LossyRelay, prng, until } from './support.js';

const Ws = WebSocket as unknown as new (url: string) => globalThis.WebSocket;
const transport = (url: string) => () => new WebSocketTransport(url, { WebSocket: Ws, connectTimeoutMs: 2000 });
const fast = (n: number) => [0, 50, 100, 200][n] ?? 300;

/** Records the candidates a client receives, by sender. */
function recorder(client: SignalingClient) {
  const got: string[] = [];
  client.addEventListener('signal', (e) => {
    const { data } = e as SignalEvent;
    if ('candidate' in data) got.push(data.candidate.candidate);
  });
  return got;
}
const cand = (tag: string, i: number) => ({ candidate: { candidate: `candidate:${tag}-${i}`, sdpMid: '0', sdpMLineIndex: 0 } });

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('backoff', () => {
  it('follows about 0, 0.3, 1.2, 2.7, 4.8 s, then every 7 s, with jitter', () => {
    const mid = () => 0.5;
    assert.deepEqual([0, 1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, mid)), [0, 300, 1200, 2700, 4800, 7000, 7000]);
    assert.equal(backoffDelay(2, () => 0), 960);
    assert.equal(backoffDelay(2, () => 1), 1440);
    assert.equal(backoffDelay(50, () => 1), Math.round(BACKOFF_CEILING_MS * 1.2));
  });
});

describe('signaling client reconnection', () => {
  it('delivers every signal exactly once and in order through a relay that drops, duplicates and cuts', async () => {
    const server = await startSignalingServer({
      port: 0,
      retransmitMs: 300,
      graceMs: 10_000,
      rateLimit: { perSecond: 2000, burst: 2000 },
    });
    cleanups.push(() => server.close());
    const rand = prng(42);
    // Only sequenced traffic and acks are lost: the join handshake is what resume protects.
    const relay = await LossyRelay.start(server.url, (frame) => {
      if (!/"type":"(signal|ack|peer-joined|peer-left)"/.test(frame)) return 'pass';
      const r = rand();
      return r < 0.15 ? 'drop' : r < 0.3 ? 'dup' : 'pass';
    });
    cleanups.push(() => relay.close());
    const opts = { backoff: fast, retransmitMs: 300 };
    const a = new SignalingClient([transport(relay.url)], opts);
    const b = new SignalingClient([transport(relay.url)], opts);
    cleanups.push(() => (a.close(), b.close()));
    const room = 'lossy';
    const wa = await a.join(room, 'A');
    const bJoined = new Promise<PeerJoinedEvent>((r) => a.addEventListener('peer-joined', (e) => r(e as PeerJoinedEvent), { once: true }));
    const wb = await b.join(room, 'B');
    assert.equal(wb.peers[0].id, wa.id);
    assert.equal((await bJoined).peer.id, wb.id);
    const atA = recorder(a);
    const atB = recorder(b);
    let reconnects = 0;
    for (const c of [a, b]) c.addEventListener('reconnected', () => reconnects++);

    const N = 300;
    for (let i = 0; i < N; i++) {
      a.signal(wb.id, cand('a', i));
      b.signal(wa.id, cand('b', i));
      if (i % 100 === 50) relay.cutAll(); // both connections die mid-stream; sends queue meanwhile
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => atB.length >= N && atA.length >= N, `all signals arrive (a→b ${atB.length}, b→a ${atA.length})`, 20_000);
    await new Promise((r) => setTimeout(r, 700)); // let any stray retransmission land
    assert.deepEqual(atB, Array.from({ length: N }, (_, i) => `candidate:a-${i}`));
    assert.deepEqual(atA, Array.from({ length: N }, (_, i) => `candidate:b-${i}`));
    assert.ok(relay.dropped > 20 && relay.duplicated > 20, `the relay did drop (${relay.dropped}) and duplicate (${relay.duplicated})`);
    assert.ok(reconnects >= 4, `both clients reconnected after each cut (${reconnects})`);
    assert.equal(a.id, wa.id, 'same participant after reconnecting');
    assert.equal(b.id, wb.id);
    assert.equal(server.signaling.rooms().get(room), 2);
  });

  it('a server that stops answering for a while (slow, not gone) gets the client back as itself, not as someone new', async () => {
    const server = await startSignalingServer({ port: 0, graceMs: 10_000 });
    cleanups.push(() => server.close());
    // Nothing reaches A while `mute`: its signals go out, their acknowledgements never come back.
    let mute = false;
    const relay = await LossyRelay.start(server.url, (_, toServer) => (mute && !toServer ? 'drop' : 'pass'));
    cleanups.push(() => relay.close());
    // Back 300 ms later: time for the server to have taken a goodbye as one.
    const a = new SignalingClient([transport(relay.url)], { backoff: () => 300, retransmitMs: 200 });
    const b = new SignalingClient([transport(server.url)], { backoff: fast });
    cleanups.push(() => (a.close(), b.close()));
    const wa = await a.join('slow-server');
    const wb = await b.join('slow-server');
    const left: string[] = [];
    b.addEventListener('peer-left', () => left.push('left'));
    const lost = new Promise<Event>((r) => a.addEventListener('reconnecting', r, { once: true }));
    mute = true;
    a.signal(wb.id, cand('a', 0));
    assert.match(((await lost) as any).info.reason, /stopped answering/);
    mute = false;
    const back = await new Promise<Event>((r) => a.addEventListener('reconnected', r, { once: true }));
    assert.equal((back as any).welcome.resumed, true, 'its place was kept: dropping a silent socket is not a goodbye');
    assert.equal(a.id, wa.id);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(left, [], 'B saw no leave');
  });

  it('keeps the slot for the grace period: the peer sees no leave, and messages sent meanwhile arrive', async () => {
    const server = await startSignalingServer({ port: 0, graceMs: 5000 });
    cleanups.push(() => server.close());
    const relay = await LossyRelay.start(server.url, () => 'pass');
    cleanups.push(() => relay.close());
    const a = new SignalingClient([transport(relay.url)], { backoff: () => 600 });
    const b = new SignalingClient([transport(server.url)], { backoff: fast });
    cleanups.push(() => (a.close(), b.close()));
    const wa = await a.join('grace');
    const wb = await b.join('grace');
    assert.equal(wa.grace, 5000, 'the welcome says how long a place is kept');
    const left: string[] = [];
    b.addEventListener('peer-left', () => left.push('left'));
    const atA = recorder(a);
    relay.cutAll(); // a is away for ~600 ms
    await until(() => !a.connected, 'a notices the drop');
    for (let i = 0; i < 5; i++) b.signal(wa.id, cand('b', i)); // to a participant who is away
    const back = await new Promise<Event>((r) => a.addEventListener('reconnected', r, { once: true }));
    assert.equal((back as any).welcome.resumed, true);
    assert.equal((back as any).welcome.id, wa.id);
    await until(() => atA.length === 5, 'messages sent while away are delivered');
    assert.deepEqual(atA, [0, 1, 2, 3, 4].map((i) => `candidate:b-${i}`));
    assert.deepEqual(left, [], 'no peer-left for a participant who came back in time');
    assert.ok(wb);
  });

  it('moves to the next URL when its server goes away (4012), as the same participant', async () => {
    const resumeKey = 'shared-resume-key-for-this-test';
    const s1 = await startSignalingServer({ port: 0, resumeKey });
    const s2 = await startSignalingServer({ port: 0, resumeKey });
    cleanups.push(() => s1.close(), () => s2.close());
    const a = new SignalingClient([transport(s1.url), transport(s2.url)], { backoff: fast });
    cleanups.push(() => a.close());
    const wa = await a.join('moving', 'A');
    const back = new Promise<any>((r) => a.addEventListener('reconnected', r, { once: true }));
    await s1.signaling.drain(2000);
    const { welcome } = await back;
    assert.equal(welcome.id, wa.id, 'same id on the other server');
    assert.equal(welcome.resumed, true);
    assert.equal(s2.signaling.rooms().get('moving'), 1);
  });

  it('asks getToken again on every reconnect, and never retries a refused token', async () => {
    const secret = 'token-secret-for-reconnect-test';
    const server = await startSignalingServer({ port: 0, tokenSecret: secret });
    cleanups.push(() => server.close());
    const relay = await LossyRelay.start(server.url, () => 'pass');
    cleanups.push(() => relay.close());
    let asked = 0;
    let good = true;
    const a = new SignalingClient([transport(relay.url)], {
      backoff: fast,
      token: async () => {
        asked++;
        return good ? createRoomToken(secret, { room: 'tok', ttlSeconds: 60 }) : createRoomToken('wrong', { room: 'tok' });
      },
    });
    cleanups.push(() => a.close());
    await a.join('tok');
    assert.equal(asked, 1);
    relay.cutAll();
    await new Promise((r) => a.addEventListener('reconnected', r, { once: true }));
    assert.equal(asked, 2, 'a fresh token for the reconnection');
    good = false;
    const closed = new Promise<ClosedEvent>((r) => a.addEventListener('closed', (e) => r(e as ClosedEvent), { once: true }));
    relay.cutAll();
    const e = await closed;
    assert.equal(e.error.code, 'invalid-token');
    assert.equal(e.info.code, 4401);
    const refusedAt = asked;
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(asked, refusedAt, 'no further attempt after a refusal');
  });

  it('refuses the first join with a readable code, without retrying', async () => {
    const server = await startSignalingServer({ port: 0, tokenSecret: 'x'.repeat(32) });
    cleanups.push(() => server.close());
    const a = new SignalingClient([transport(server.url)], { backoff: fast, token: () => 'not-a-jwt' });
    await assert.rejects(a.join('r'), (err: any) => err.code === 'invalid-token');
    assert.equal(server.signaling.metrics.refused.get('invalid-token'), 1);
  });

  it('gives up after the reconnect timeout and says so', async () => {
    const server = await startSignalingServer({ port: 0 });
    const a = new SignalingClient([transport(server.url)], { backoff: () => 100, reconnectTimeoutMs: 1200 });
    cleanups.push(() => a.close());
    await a.join('gone');
    const closed = new Promise<ClosedEvent>((r) => a.addEventListener('closed', (e) => r(e as ClosedEvent), { once: true }));
    const t0 = Date.now();
    await server.close();
    const e = await closed;
    assert.equal(e.error.code, 'signaling-lost');
    const took = Date.now() - t0;
    assert.ok(took >= 1000 && took < 6000, `gave up after the timeout (${took} ms)`);
  });
});
