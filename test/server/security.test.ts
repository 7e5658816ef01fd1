/**
 * Admission and bounds of the signaling server, under Node with real sockets on 127.0.0.1:
 * room tokens (and every way a token is refused), origin allowlist, connection and room caps,
 * rate limit, repeated violations, heartbeat, TURN credentials, metrics, SIGTERM, the command.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { createRoomToken } from '../../src/server/auth.js';
import { MemoryDirectory, type MemberRecord } from '../../src/server/directory.js';
import { perFile, slowLink, startServerProcess, until } from './support.js';

const SECRET = 'a-test-secret-of-reasonable-length-0123456789';
const key = new TextEncoder().encode(SECRET);
const { server, client } = perFile({});
const now = () => Math.floor(Date.now() / 1000);
/** A 56 KB offer (as JSON): a few hundred of them are more than socket buffers take. */
const BIG_OFFER = { description: { type: 'offer', sdp: `v=0\r\n${'a=x-filler\r\n'.repeat(4000)}` } };

/**
 * A server that allows 1 MiB waiting per connection; A joins `room` directly, and the far one
 * through a `slowLink` passing `bytesPerSecond` toward it.
 */
async function overSlowLink(room: string, bytesPerSecond: number) {
  const s = await server({ rateLimit: { perSecond: 1000, burst: 1000 }, maxBufferedBytes: 1024 * 1024 });
  const link = await slowLink(s.port, bytesPerSecond);
  after(() => link.close());
  const a = client(s.url);
  const far = client(s.url.replace(`:${s.port}/`, `:${link.port}/`));
  const wa = await a.join(room);
  const wf = await far.join(room);
  await a.next((f) => f.type === 'peer-joined', 'A sees the far one');
  return { s, a, far, wa, wf };
}

describe('room tokens', () => {
  it('admit to the token’s room, with the token’s identity and name', async () => {
    const s = await server({ tokenSecret: SECRET });
    const token = await createRoomToken(SECRET, { room: 'standup', user: 'u-42', name: 'Ada (verified)' });
    const a = client(s.url);
    const w = await a.join('standup', { token, name: 'Mallory' });
    assert.equal(w.type, 'welcome');
    assert.equal(w.name, 'Ada (verified)', 'the name claim wins over the one asked for');
    const b = client(s.url);
    const wb = await b.join('standup', { token: await createRoomToken(SECRET, { room: 'standup', user: 'u-7' }) });
    assert.deepEqual(wb.peers, [{ id: w.id, name: 'Ada (verified)', user: 'u-42' }]);
  });

  const refusals: [string, () => Promise<string | undefined>][] = [
    ['no token', async () => undefined],
    ['an expired token', () => new SignJWT({ room: 'r' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(now() - 10).sign(key)],
    ['a token signed with another key', () => createRoomToken('another-secret-entirely', { room: 'r' })],
    ['alg: none', async () => new UnsecuredJWT({ room: 'r' }).setExpirationTime(now() + 600).encode()],
    ['a token without exp', () => new SignJWT({ room: 'r' }).setProtectedHeader({ alg: 'HS256' }).sign(key)],
    ['a token for another room', () => createRoomToken(SECRET, { room: 'elsewhere' })],
    ['a token without a room', () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(now() + 600).sign(key)],
    ['garbage', async () => 'not.a.jwt'],
  ];
  for (const [what, make] of refusals) {
    it(`refuse ${what} with close code 4401 before any room data`, async () => {
      const s = await server({ tokenSecret: SECRET });
      const insider = client(s.url);
      await insider.join('r', { token: await createRoomToken(SECRET, { room: 'r' }) });
      const c = client(s.url);
      await c.opened;
      const token = await make();
      c.send({ v: 1, type: 'join', room: 'r', ...(token ? { token } : {}) });
      const closed = await c.closing();
      assert.equal(closed.code, 4401);
      assert.ok(closed.reason.length > 0, 'with a reason');
      assert.deepEqual(c.frames.filter((f) => f.type !== 'error'), [], 'no room data reached the refused client');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(insider.frames.filter((f) => f.type === 'peer-joined').length, 0, 'the room never saw it');
    });
  }
});

describe('admission', () => {
  it('refuses a foreign origin with 4403 and admits an allowed one', async () => {
    const s = await server({ allowedOrigins: ['https://app.example'] });
    const bad = client(s.url, { origin: 'https://evil.example' });
    assert.equal((await bad.closing()).code, 4403);
    const good = client(s.url, { origin: 'https://app.example' });
    assert.equal((await good.join('o')).type, 'welcome');
  });

  it('refuses connections over the global cap with 4503, distinct from a full room (4409)', async () => {
    const s = await server({ maxConnections: 2, maxPeersPerRoom: 1 });
    const a = client(s.url);
    assert.equal((await a.join('cap')).type, 'welcome');
    const b = client(s.url);
    const refused = await b.join('cap');
    assert.equal(refused.code, 'room-full');
    assert.equal((await b.closing()).code, 4409);
    const c = client(s.url);
    await c.opened;
    const d = client(s.url);
    await d.opened.catch(() => {});
    assert.equal((await d.closing()).code, 4503);
    assert.match(s.signaling.metrics.render(), /rtc_signal_messages_refused_total\{reason="server-full"\} 1/);
  });

  it('closes a connection that never joins with 4408', async () => {
    const s = await server({ joinTimeoutMs: 200 });
    const c = client(s.url);
    assert.equal((await c.closing()).code, 4408);
  });
});

describe('bounds', () => {
  it('rate-limits a flood with an error code, then closes it with 1008; others are unaffected', async () => {
    const s = await server({ rateLimit: { perSecond: 20, burst: 20 }, maxViolations: 10 });
    const flood = client(s.url);
    const calm = client(s.url);
    const wf = await flood.join('flood');
    const wc = await calm.join('flood');
    for (let i = 0; i < 400 && !flood.closed; i++) {
      flood.send({ v: 1, type: 'signal', to: wc.id, data: { candidate: { candidate: `c${i}` } } });
    }
    const err = await flood.next((f) => f.type === 'error' && f.code === 'rate-limited', 'rate-limited error');
    assert.match(err.message, /too fast/);
    assert.equal((await flood.closing()).code, 1008);
    const relayed = calm.frames.filter((f) => f.type === 'signal').length;
    assert.ok(relayed <= 25, `at most a burst got through (${relayed})`);
    calm.send({ v: 1, type: 'signal', to: wf.id, data: { candidate: { candidate: 'x' } } });
    assert.equal(calm.closed, undefined);
  });

  it('closes with 1008 after repeated invalid frames', async () => {
    const s = await server({ maxViolations: 5 });
    const c = client(s.url);
    await c.opened;
    for (let i = 0; i < 10; i++) c.send('{nope');
    assert.equal((await c.closing()).code, 1008);
    assert.equal(c.frames.filter((f) => f.code === 'bad-json').length, 5);
  });

  it('a burst over the rate limit and a signal to someone who just left are forgiven: the connection stays', async () => {
    const s = await server({ rateLimit: { perSecond: 10, burst: 10 }, maxViolations: 3 });
    const a = client(s.url);
    const b = client(s.url);
    await a.join('forgiven');
    const wb = await b.join('forgiven');
    // An ICE restart's burst: 18 frames at once, 8 over the limit (dropped; the client sends them again).
    for (let i = 0; i < 18; i++) a.send({ v: 1, type: 'signal', to: wb.id, data: { candidate: { candidate: `c${i}` } } });
    await a.next((f) => f.type === 'error' && f.code === 'rate-limited', 'rate-limited error');
    await new Promise((r) => setTimeout(r, 1200)); // the bucket refills
    // Candidates still in flight to B as B leaves: 'unknown-peer' each time, never a violation.
    b.send({ v: 1, type: 'leave' });
    await a.next((f) => f.type === 'peer-left' && f.id === wb.id, 'A sees B leave');
    for (let i = 0; i < 5; i++) a.send({ v: 1, type: 'signal', to: wb.id, data: { candidate: { candidate: `late${i}` } } });
    await until(() => a.frames.filter((f) => f.code === 'unknown-peer').length === 5, 'five unknown-peer errors');
    // And one honest mistake after all that is still just an error.
    a.send('{nope');
    await a.next((f) => f.code === 'bad-json', 'bad-json error');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(a.closed, undefined, `still connected: ${JSON.stringify(a.closed)}`);
  });

  it('cuts off a client that stops reading once too much waits for it; it resumes and gets what it missed', async () => {
    const s = await server({ rateLimit: { perSecond: 1000, burst: 1000 }, maxBufferedBytes: 1024 * 1024 });
    const a = client(s.url);
    const slow = client(s.url);
    const wa = await a.join('slow-reader');
    const ws = await slow.join('slow-reader');
    await a.next((f) => f.type === 'peer-joined', 'A sees the slow one');
    slow.ws.pause(); // reads nothing more: the kernel's buffers fill, then the server's
    // 250 of 56 KB: 14 MB, more than the kernel's socket buffers take for a socket that is not
    // read (its window stays small; at most 4 + 6 MB on Debian's defaults) plus the 1 MiB allowed
    // here, and within the slow one's outbox (256 kept for it).
    for (let i = 0; i < 250; i++) a.send({ v: 1, type: 'signal', to: ws.id, seq: i + 1, data: BIG_OFFER });
    const metrics = async () => (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
    await until(async () => /^rtc_signal_messages_refused_total\{reason="too-slow"\} 1$/m.test(await metrics()), 'counted as too slow', 10_000);
    assert.match(await metrics(), /^rtc_signal_connections 1$/m, 'its connection is closed');
    const mem = process.memoryUsage().arrayBuffers;
    assert.ok(mem < 200 * 1024 * 1024, `server buffers bounded: ${(mem / 1048576).toFixed(0)} MB`);
    // Within its grace period it comes back as itself, and the signals it had not acknowledged are replayed.
    const back = client(s.url);
    const w = await back.join('slow-reader', { resume: { id: ws.id, secret: ws.resume }, ack: 0 });
    assert.equal(w.type, 'welcome');
    assert.equal(w.id, ws.id);
    // Counted by number: what it has not acknowledged yet (this client does not) may be sent again.
    const replayed = () => new Set(back.frames.filter((f) => f.type === 'signal' && f.from === wa.id).map((f) => f.seq)).size;
    await until(() => replayed() === 250 || back.closed, 'all 250 signals replayed', 10_000);
    assert.equal(back.closed, undefined, 'the one that came back reads, and is not cut off');
    assert.equal(a.closed, undefined, 'the sender was never cut off');
  });

  it('does not cut off a client on a slow link that reads all the time, however far behind a burst leaves it', async () => {
    // 8 MB/s toward the client: the 14 MB below take more than a second to arrive, most of it
    // as one write that Node counts as waiting until its last byte is out.
    const { s, wa, wf, a, far } = await overSlowLink('slow-link', 8_000_000);
    for (let i = 0; i < 250; i++) a.send({ v: 1, type: 'signal', to: wf.id, seq: i + 1, data: BIG_OFFER });
    // Counted by number: what it has not acknowledged yet (this client does not) may be sent again.
    const got = () => new Set(far.frames.filter((f) => f.type === 'signal' && f.from === wa.id).map((f) => f.seq)).size;
    await until(() => got() === 250 || far.closed, 'all 250 signals arrive', 15_000);
    assert.equal(far.closed, undefined, 'the far one was not cut off');
    const text = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
    assert.doesNotMatch(text, /reason="too-slow"\} [1-9]/);
  });

  it('cuts off a client on a slow link that takes a little now and then but falls ever further behind its room', async () => {
    const { s, wf, a } = await overSlowLink('falling-behind', 4_000_000);
    const metrics = async () => (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
    const cut = async () => /^rtc_signal_messages_refused_total\{reason="too-slow"\} 1$/m.test(await metrics());
    // 11 MB/s toward a client whose link takes 4: it reads all the time, and is ever further behind.
    let seq = 0;
    for (let i = 0; i < 100 && !(await cut()); i++) {
      for (let k = 0; k < 20; k++) a.send({ v: 1, type: 'signal', to: wf.id, seq: ++seq, data: BIG_OFFER });
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(await cut(), `cut off as too slow (after ${seq} signals)`);
    console.log(`cut off after ${seq} signals`);
    // Before the heartbeat would have closed it (10-20 s: its pong waits behind the backlog): 320
    // signals here and 420 in CI (1.5-2 s) went out first; without the fix, 2,000 (10 s) and not cut.
    assert.ok(seq <= 1000, `within a few seconds of falling behind: ${seq} signals sent`);
  });

  it('an unasked-for pong does not keep a client that stopped reading alive', async () => {
    const s = await server({ heartbeatMs: 300 });
    const c = client(s.url);
    await c.join('pongs');
    c.ws.pause();
    const pongs = setInterval(() => c.ws.pong(Buffer.from('not-your-ping')), 50);
    try {
      const metrics = async () => (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
      await until(async () => /^rtc_signal_connections 0$/m.test(await metrics()), 'closed by the heartbeat', 3000);
    } finally {
      clearInterval(pongs);
    }
  });

  it('a frame over the cap closes with 1009, is counted, and its sender leaves the room at once', async () => {
    const s = await server({ graceMs: 20_000 });
    const a = client(s.url);
    const big = client(s.url);
    await a.join('too-big');
    const wb = await big.join('too-big');
    big.send({ v: 1, type: 'signal', to: 'x', data: { candidate: { candidate: 'x'.repeat(70_000) } } });
    assert.equal((await big.closing()).code, 1009);
    // Not held for a grace period (a refused client does not come back): the others are told now.
    await a.next((f) => f.type === 'peer-left' && f.id === wb.id, 'A is told it left', 2000);
    const text = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
    assert.match(text, /^rtc_signal_messages_refused_total\{reason="too-big"\} 1$/m);
    assert.match(text, /^rtc_signal_participants 1$/m);
  });

  it('closes a half-open socket (no pongs) within two heartbeats', async () => {
    const s = await server({ heartbeatMs: 150 });
    const c = client(s.url, { autoPong: false });
    await c.join('hb');
    const closed = await c.closing(2000);
    assert.equal(closed.code, 1006);
  });
});

describe('TURN credentials', () => {
  it('go to joined participants only, in the TURN REST scheme', async () => {
    const turn = { secret: 'turn-shared-secret', urls: ['turn:127.0.0.1:3478?transport=udp'], ttlSeconds: 600 };
    const s = await server({ turn });
    const c = client(s.url);
    await c.opened;
    c.send('{"v":1,"type":"signal","to":"x","data":{"candidate":{"candidate":""}}}');
    const before = await c.next((f) => f.type === 'error');
    assert.equal(before.code, 'not-joined');
    assert.ok(!JSON.stringify(c.frames).includes('credential'));
    const w = await c.join('turn');
    const [ice] = w.iceServers;
    assert.deepEqual(ice.urls, turn.urls);
    const [expiry, id] = ice.username.split(':');
    assert.equal(id, w.id);
    const left = Number(expiry) - now();
    assert.ok(left > 590 && left <= 600, `expires in the TTL (${left} s)`);
    assert.equal(ice.credential, createHmac('sha1', turn.secret).update(ice.username).digest('base64'));
  });

  it('are renewed halfway through their life, for as long as the participant stays', async () => {
    const turn = { secret: 'turn-shared-secret', urls: ['turn:127.0.0.1:3478?transport=udp'], ttlSeconds: 4 };
    const s = await server({ turn });
    const c = client(s.url);
    const w = await c.join('renew');
    const expiryOf = (ice: { username: string }) => Number(ice.username.split(':')[0]);
    let last = expiryOf(w.iceServers[0]);
    for (let i = 0; i < 2; i++) {
      const fresh = await c.next((f) => f.type === 'ice-servers', 'fresh credentials', 4000);
      assert.ok(now() < last, 'before the old ones expire');
      const [ice] = fresh.iceServers;
      assert.equal(ice.username.split(':')[1], w.id);
      assert.equal(ice.credential, createHmac('sha1', turn.secret).update(ice.username).digest('base64'));
      assert.ok(expiryOf(ice) >= last, 'no older than the ones before');
      last = expiryOf(ice);
    }
  });
});

describe('observability and lifecycle', () => {
  it('serves /healthz and Prometheus /metrics with connections, rooms, relayed and refused counts', async () => {
    const s = await server({ maxViolations: 100 });
    const a = client(s.url);
    const b = client(s.url);
    await a.join('m');
    const wb = await b.join('m');
    a.send({ v: 1, type: 'signal', to: wb.id, data: { candidate: { candidate: 'c' } } });
    a.send('{bad');
    await b.next((f) => f.type === 'signal');
    await a.next((f) => f.type === 'error');
    assert.equal((await fetch(`http://127.0.0.1:${s.port}/healthz`)).status, 200);
    const text = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
    assert.match(text, /^rtc_signal_connections 2$/m);
    assert.match(text, /^rtc_signal_rooms 1$/m);
    assert.match(text, /^rtc_signal_messages_relayed_total 1$/m);
    assert.match(text, /^rtc_signal_messages_refused_total\{reason="bad-json"\} 1$/m);
  });

  it('answers a request target that is no URL (`GET //`) with 400, plain or as an upgrade, and stays up', async () => {
    const proc = await startServerProcess(['--port', '0']);
    try {
      const upgrade = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
      for (const [target, extra] of [['//', ''], ['//a:b', ''], ['/\\', ''], ['//', upgrade], ['//[', upgrade]]) {
        const reply = await rawHttp(proc.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`);
        assert.match(reply, /^HTTP\/1\.1 400 /, `GET ${target}${extra ? ' (upgrade)' : ''}: ${reply.split('\r\n')[0]}`);
      }
      assert.equal(proc.child.exitCode, null, 'the server is still running');
      assert.equal((await fetch(`http://127.0.0.1:${proc.port}/healthz`)).status, 200);
      assert.equal((await client(proc.url).join('still-up')).type, 'welcome');
    } finally {
      await proc.stop();
    }
  });

  it('on SIGTERM tells clients to reconnect (4012), drains and exits; the token command makes tokens it accepts', async () => {
    const env = { RTC_TOKEN_SECRET: SECRET };
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/rtc-signal.mjs', 'token', '--room', 'cli', '--name', 'Cy'], {
      env: { ...process.env, ...env },
    });
    const proc = await startServerProcess(['--port', '0'], env);
    try {
      const c = client(proc.url);
      const w = await c.join('cli', { token: stdout.trim() });
      assert.equal(w.type, 'welcome');
      assert.equal(w.name, 'Cy');
      proc.child.kill('SIGTERM');
      assert.equal((await c.closing()).code, 4012);
      assert.equal(await proc.exited, 0);
    } finally {
      await proc.stop();
    }
  });
});

describe('resume', () => {
  it('refuses a forged resume secret: the claimant joins as someone new', async () => {
    const s = await server();
    const a = client(s.url);
    const wa = await a.join('res');
    a.ws.terminate();
    const m = client(s.url);
    const w = await m.join('res', { resume: { id: wa.id, secret: 'forged-secret' }, ack: 0 });
    assert.notEqual(w.id, wa.id);
    assert.equal(w.resumed, false);
  });

  it('announces the leave once the grace period ends', async () => {
    const s = await server({ graceMs: 300 });
    const a = client(s.url);
    const b = client(s.url);
    const wa = await a.join('g');
    await b.join('g');
    a.ws.terminate();
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(b.frames.filter((f) => f.type === 'peer-left').length, 0, 'not during the grace period');
    const left = await b.next((f) => f.type === 'peer-left', 'peer-left', 2000);
    assert.equal(left.id, wa.id);
  });

  it('brings back a participant whose leave was announced as a new one; within the grace period, as itself', async () => {
    const s = await server({ graceMs: 300 });
    const a = client(s.url);
    const b = client(s.url);
    const wa = await a.join('back');
    const wb = await b.join('back');
    const claim = { resume: { id: wa.id, secret: wa.resume }, ack: 0 };

    // Within the grace period: the same participant, and the others saw nothing.
    a.ws.terminate();
    const a2 = client(s.url);
    const w2 = await a2.join('back', claim);
    assert.equal(w2.id, wa.id);
    assert.equal(w2.resumed, true);

    // Past it: B was told A left, so A's claim brings it back under a new id, and B sees it join.
    a2.ws.terminate();
    assert.equal((await b.next((f) => f.type === 'peer-left', 'peer-left', 2000)).id, wa.id);
    const a3 = client(s.url);
    const w3 = await a3.join('back', claim);
    assert.notEqual(w3.id, wa.id, 'a new id: B dropped the old one');
    assert.equal(w3.resumed, false);
    assert.deepEqual(w3.peers.map((p: { id: string }) => p.id), [wb.id], 'B is there');
    assert.equal((await b.next((f) => f.type === 'peer-joined', 'peer-joined', 2000)).peer.id, w3.id);
  });

  it('a connection closed cleanly while its join is admitted leaves at once, not after a grace period', async () => {
    class SlowDirectory extends MemoryDirectory {
      override async admit(room: string, rec: MemberRecord, max: number) {
        await new Promise((r) => setTimeout(r, 200));
        return super.admit(room, rec, max);
      }
    }
    const s = await server({ directory: new SlowDirectory('slow'), graceMs: 20_000 });
    const a = client(s.url);
    await a.join('gone-early');
    const b = client(s.url);
    await b.opened;
    b.send({ v: 1, type: 'join', room: 'gone-early' });
    await new Promise((r) => setTimeout(r, 50));
    b.ws.close(1000); // the tab closed while the server was still admitting it
    const joined = await a.next((f) => f.type === 'peer-joined', 'A sees B join');
    await a.next((f) => f.type === 'peer-left' && f.id === joined.peer.id, 'and leave at once', 2000);
  });

  it('two connections with the same claim at once: the later one is the participant, and the room stays watched', async () => {
    const first = await server({ resumeKey: 'shared' });
    const a = client(first.url);
    const wa = await a.join('twice');
    a.ws.terminate();
    // Another process of the deployment (same resume key), whose directory admits in 100 ms.
    class SlowDirectory extends MemoryDirectory {
      unwatched: string[] = [];
      override async admit(room: string, rec: MemberRecord, max: number) {
        await new Promise((r) => setTimeout(r, 100));
        return super.admit(room, rec, max);
      }
      override unwatch(room: string) {
        this.unwatched.push(room);
      }
    }
    const directory = new SlowDirectory('shared');
    const s = await server({ resumeKey: 'shared', directory });
    const [c1, c2] = [client(s.url), client(s.url)];
    await Promise.all([c1.opened, c2.opened]);
    const claim = { resume: { id: wa.id, secret: wa.resume } };
    const w1 = c1.join('twice', claim);
    await new Promise((r) => setTimeout(r, 20));
    const w2 = await c2.join('twice', claim);
    assert.equal((await w1).type, 'welcome');
    assert.equal(w2.type, 'welcome', `the second gets in: ${JSON.stringify(w2)}`);
    assert.equal(w2.id, wa.id);
    assert.equal((await c1.closing()).reason, 'resumed elsewhere');
    assert.deepEqual([...s.signaling.rooms()], [['twice', 1]]);
    assert.deepEqual(directory.unwatched, [], 'the room was never let go');
  });
});

/** Sends `request` as raw bytes and resolves to what came back when the server closed or after 2 s. */
function rawHttp(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let reply = '';
    const done = () => (clearTimeout(timer), socket.destroy(), resolve(reply));
    const timer = setTimeout(done, 2000);
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n\r\n')) done();
    });
    socket.on('end', done);
    socket.on('error', (err) => (reply ? done() : (clearTimeout(timer), reject(err))));
  });
}
