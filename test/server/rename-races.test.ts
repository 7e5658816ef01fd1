/**
 * Renaming under pressure: token-named participants, bursts and storms, Redis breaks, takeovers
 * across processes and races with resyncs; and names Redis's Lua cannot read back (lone
 * surrogates). Real sockets; Redis where the test needs it; a stand-in directory where the test
 * plays the other processes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRoomToken } from '../../src/server/auth.js';
import { MemoryDirectory, type BusEvent, type MemberRecord, type SignalEvent } from '../../src/server/directory.js';
import { MEDIA_STATE, perFile, until } from './support.js';

const { server, client } = perFile();
const rename = (name: unknown) => ({ v: 1, type: 'rename', name });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A directory standing in for Redis: the test plays the other processes (bus events, resync answers). */
class FakeDir extends MemoryDirectory {
  sent: { proc: string; event: SignalEvent }[] = [];
  membersGate?: Promise<void>;
  constructor() {
    super('k'.repeat(43));
  }
  override send(...args: unknown[]): void {
    const [proc, , event] = args as [string, string, SignalEvent];
    this.sent.push({ proc, event });
  }
  override async members(room: string): Promise<MemberRecord[]> {
    const snapshot = await super.members(room); // read now, answered later
    await this.membersGate;
    return snapshot;
  }
  bus(room: string, e: BusEvent) {
    this.onEvent!(room, e);
  }
}

describe('rename under pressure', () => {
  it('a token-named participant whose page sets the name a few times is not thrown out (1008, final)', async () => {
    const secret = 'rename-test-secret-0123456789abcdef0123';
    const s = await server({ tokenSecret: secret });
    const a = client(s.url);
    await a.join('t', { token: await createRoomToken(secret, { room: 't', name: 'Dr. Ada' }) });
    // e.g. <rtc-call .name=${input.value}>: each keystroke is a rename, each one 'forbidden'
    for (const n of ['A', 'Ad', 'Ada', 'Ada ', 'Ada L', 'Ada Lo', 'Ada Lov', 'Ada Love', 'Ada Lovel', 'Ada Lovela', 'Ada Lovelac', 'Ada Lovelace', 'Ada Lovelace!', 'x', 'xy', 'xyz', 'xyz1', 'xyz12', 'xyz123', 'xyz1234', 'xyz12345']) a.send(rename(n));
    await sleep(300);
    assert.equal(a.closed?.code, undefined, `closed ${JSON.stringify(a.closed)}`);
  });

  it('a rename to the name one already has is not broadcast (one client, N× frames to the room)', async () => {
    const s = await server();
    const [a, b] = [client(s.url), client(s.url)];
    await a.join('storm', { name: 'Ada' });
    await b.join('storm', { name: 'Bob' });
    for (let i = 0; i < 300; i++) a.send(rename('Ada'));
    await sleep(500);
    const got = b.frames.filter((f) => f.type === 'peer-renamed').length;
    assert.ok(got <= 1, `B got ${got} peer-renamed frames for 300 no-op renames`);
  });

  it("a 'renamed' from a process that no longer holds the participant does not move it back there", async () => {
    const dir = new FakeDir();
    const s = await server({ directory: dir });
    const a = client(s.url);
    await a.join('x', { name: 'Ada' });
    const bob: MemberRecord = { id: 'bob', name: 'Bob', proc: 'p2' };
    dir.bus('x', { kind: 'joined', peer: bob });
    await a.next((f) => f.type === 'peer-joined', 'A sees Bob');
    // Bob resumed on p3 (takeover, from p3); p2's rename, done in Redis just before, is published after it.
    dir.bus('x', { kind: 'takeover', id: 'bob', proc: 'p3' });
    dir.bus('x', { kind: 'renamed', peer: { ...bob, name: 'Robert' } });
    a.send({ v: 1, type: 'signal', to: 'bob', data: MEDIA_STATE });
    await until(() => dir.sent.length, 'signal sent on');
    assert.equal(dir.sent[0].proc, 'p3', 'the signal goes to the process holding Bob');
  });

  it('a resync whose answer was read before a rename does not undo it', async () => {
    const dir = new FakeDir();
    const s = await server({ directory: dir });
    const a = client(s.url);
    await a.join('y', { name: 'Ada' });
    const bob: MemberRecord = { id: 'bob', name: 'Bob', proc: 'p2' };
    await dir.admit('y', bob, 6);
    dir.bus('y', { kind: 'joined', peer: bob });
    await a.next((f) => f.type === 'peer-joined', 'A sees Bob');
    let open!: () => void;
    dir.membersGate = new Promise((r) => (open = r));
    dir.onResync!(); // Redis back: reads the room (Bob still 'Bob')...
    await sleep(50);
    dir.bus('y', { kind: 'renamed', peer: { ...bob, name: 'Robert' } }); // ...then Bob renames, heard before the answer
    open();
    await sleep(200);
    const names = a.frames.filter((f) => f.type === 'peer-renamed').map((f) => f.peer.name);
    assert.equal(names.at(-1), 'Robert', `A was told, in order: ${JSON.stringify(names)}`);
  });
});

import { after } from 'node:test';
import { skipRedis, startRedis, type RedisProcess } from './redis-support.js';

describe('rename on Redis', { skip: skipRedis }, () => {
  let redis: RedisProcess | undefined;
  after(() => redis?.stop());

  it('a name with a lone surrogate: the member still leaves (peer-left), and its rename is answered', async () => {
    redis = await startRedis();
    const s = await server({ redisUrl: redis.url });
    const [a, b] = [client(s.url), client(s.url)];
    const wa = await a.join('ls', { name: 'x\ud83d' }); // raw client; JSON.stringify sends "\ud83d"
    assert.equal(wa.type, 'welcome');
    await b.join('ls', { name: 'Bob' });
    a.send(rename('Ada'));
    await sleep(500);
    const answered = a.frames.some((f) => f.type === 'peer-renamed' || f.type === 'error');
    a.send({ v: 1, type: 'leave' });
    await sleep(500);
    const room = await redis.client.hgetall('rtc:room:{ls}');
    assert.deepEqual(
      { answered, bHeardLeft: b.frames.some((f) => f.type === 'peer-left' && f.id === wa.id), stillInRedis: wa.id in room },
      { answered: true, bHeardLeft: true, stillInRedis: false },
    );
  });
});

import { redisLink } from './redis-support.js';

describe('rename during a Redis break', { skip: skipRedis }, () => {
  let redis: RedisProcess | undefined;
  let link: Awaited<ReturnType<typeof redisLink>> | undefined;
  after(() => {
    link?.close();
    redis?.stop();
  });

  it('a rename asked while Redis is away reaches the room once Redis is back', async () => {
    redis = await startRedis();
    link = await redisLink(redis.url);
    const s = await server({ redisUrl: link.url });
    const [a, b] = [client(s.url), client(s.url)];
    const wa = await a.join('br', { name: 'Ada' });
    await b.join('br', { name: 'Bob' });
    link.cut();
    a.send(rename('Ada L.'));
    await sleep(5000); // the rename fails meanwhile
    const e = a.frames.find((f) => f.type === 'error');
    link.heal();
    await until(() => s.signaling.metrics.resyncs > 0, 'resync', 15_000);
    await sleep(1500);
    const rec = JSON.parse((await redis.client.hget('rtc:room:{br}', wa.id)) ?? '{}');
    assert.deepEqual(
      { bHeard: b.frames.some((f) => f.type === 'peer-renamed'), inRedis: rec.name },
      { bHeard: true, inRedis: 'Ada L.' },
      `A got ${JSON.stringify(e)} and nothing tells the kit client it was its rename`,
    );
  });
});

import { createHmac } from 'node:crypto';

describe('rename, more', () => {
  it('resuming on another process under a new name (renamed while reconnecting) tells the room', async () => {
    const dir = new FakeDir();
    const s = await server({ directory: dir });
    const b = client(s.url);
    await b.join('tk', { name: 'Bob' });
    // Ada was on p1, which died; she renamed herself while her client was reconnecting.
    const ada: MemberRecord = { id: 'ada', name: 'Ada', proc: 'p1' };
    await dir.admit('tk', ada, 6);
    dir.bus('tk', { kind: 'joined', peer: ada });
    await b.next((f) => f.type === 'peer-joined', 'B sees Ada');
    const secret = createHmac('sha256', 'k'.repeat(43)).update('tk\nada').digest('base64url');
    const a = client(s.url);
    const w = await a.join('tk', { name: 'Ada L.', resume: { id: 'ada', secret }, ack: 0 });
    assert.equal(w.id, 'ada', 'taken over here');
    await sleep(300);
    const told = b.frames.filter((f) => f.peer?.id === 'ada').map((f) => `${f.type}:${f.peer.name}`);
    assert.deepEqual(told, ['peer-renamed:Ada L.'], `directory says ${(await dir.members('tk')).find((m) => m.id === 'ada')?.name}`);
  });

  it('a burst of renames from one participant does not cost another, reconnecting, its resume', async () => {
    const s = await server();
    const [a, b, c] = [client(s.url), client(s.url), client(s.url)];
    await a.join('burst', { name: 'Ada' });
    const wb = await b.join('burst', { name: 'Bob' });
    const wc = await c.join('burst', { name: 'Cy' });
    const pj = await b.next((f) => f.type === 'peer-joined' && f.peer.id === wc.id, 'B sees C');
    const last = Math.max(pj.seq, ...b.frames.map((f) => f.seq ?? 0));
    b.ws.terminate(); // B's network drops; C's offer to B waits in B's outbox
    await sleep(100);
    c.send({ v: 1, type: 'signal', to: wb.id, data: { description: { type: 'offer', sdp: 'v=0' } } });
    for (let i = 0; i < Number(process.env.N ?? 300); i++) a.send(rename(`Ada ${i}`)); // a page binding name to something that changes
    await sleep(500);
    const b2 = client(s.url);
    const w = await b2.join('burst', { name: 'Bob', resume: { id: wb.id, secret: wb.resume }, ack: last });
    await sleep(300);
    assert.deepEqual(
      { sameEpoch: w.epoch === wb.epoch, gotOffer: b2.frames.some((f) => f.type === 'signal' && f.from === wc.id) },
      { sameEpoch: true, gotOffer: true },
      JSON.stringify({ last, w, c: c.frames, b2: b2.frames.slice(0, 3) }).slice(0, 1500),
    );
  });
});

describe('lone surrogates fill a room', { skip: skipRedis }, () => {
  let redis: RedisProcess | undefined;
  after(() => redis?.stop());
  it('six joins-and-leaves with such a name leave the room full', async () => {
    redis = await startRedis();
    const s = await server({ redisUrl: redis.url });
    for (let i = 0; i < 6; i++) {
      const g = client(s.url);
      await g.join('full', { name: `\udc00${i}` });
      g.send({ v: 1, type: 'leave' });
      g.close();
    }
    await sleep(300);
    const w = await client(s.url).join('full', { name: 'Honest' });
    assert.equal(w.type, 'welcome', JSON.stringify(w));
  });
});

describe('rename failures while Redis is away', { skip: skipRedis }, () => {
  let redis: RedisProcess | undefined;
  let link: Awaited<ReturnType<typeof redisLink>> | undefined;
  after(() => {
    link?.close();
    redis?.stop();
  });
  it('are counted, and logged a bounded number of times', async () => {
    redis = await startRedis();
    link = await redisLink(redis.url);
    const lines: string[] = [];
    const s = await server({ redisUrl: link.url, log: (l) => lines.push(l) });
    const a = client(s.url);
    await a.join('logs', { name: 'Ada' });
    link.cut();
    for (let i = 0; i < 300; i++) a.send(rename(`n${i}`));
    await sleep(6000); // they fail meanwhile
    const logged = lines.filter((l) => l.startsWith('rename ')).length;
    const metrics = s.signaling.metrics.render();
    assert.deepEqual(
      { logged: logged <= 10, counted: /reason="unavailable"} [1-9]/.test(metrics) },
      { logged: true, counted: true },
      `rename lines logged: ${logged}`,
    );
  });
});

describe('a token name cut in an emoji', { skip: skipRedis }, () => {
  let redis: RedisProcess | undefined;
  after(() => redis?.stop());
  it('a participant named by its token with an emoji at the 64th unit still leaves', async () => {
    redis = await startRedis();
    const secret = 'rename-test-secret-0123456789abcdef0123';
    const s = await server({ redisUrl: redis.url, tokenSecret: secret });
    const [a, b] = [client(s.url), client(s.url)];
    const wa = await a.join('emoji', { token: await createRoomToken(secret, { room: 'emoji', name: `${'a'.repeat(63)}😀` }) });
    await b.join('emoji', { token: await createRoomToken(secret, { room: 'emoji' }), name: 'Bob' });
    a.close(); // tab closed: a goodbye
    await sleep(500);
    assert.equal(b.frames.some((f) => f.type === 'peer-left' && f.id === wa.id), true, 'B hears A left');
  });
});
