/**
 * `rename`: a participant changes its display name in the room without leaving it. Everyone,
 * the renamed one included, hears `peer-renamed`; later joiners see the new name; a token's
 * name cannot be changed; across processes sharing Redis too. Real sockets on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createRoomToken } from '../../src/server/auth.js';
import { skipRedis, startRedis, type RedisProcess } from './redis-support.js';
import { MEDIA_STATE, RawClient, perFile, startServerProcess, type ServerProcess } from './support.js';

const { server, client } = perFile();
const rename = (name: unknown) => ({ v: 1, type: 'rename', name });

describe('rename', () => {
  it('tells everyone in the room, the renamed one too, and later joiners get the new name; signals go on', async () => {
    const s = await server();
    const [a, b, other] = [client(s.url), client(s.url), client(s.url)];
    const wa = await a.join('r', { name: 'Ada' });
    const wb = await b.join('r', { name: 'Bob' });
    await other.join('elsewhere', { name: 'Eve' });
    await a.next((f) => f.type === 'peer-joined' && f.peer.id === wb.id, 'A sees B');

    a.send(rename('Ada Lovelace'));
    const atB = await b.next((f) => f.type === 'peer-renamed', 'B hears A’s new name');
    assert.deepEqual(atB.peer, { id: wa.id, name: 'Ada Lovelace' });
    const atA = await a.next((f) => f.type === 'peer-renamed', 'A gets its confirmation');
    assert.deepEqual(atA.peer, { id: wa.id, name: 'Ada Lovelace' });
    assert.equal(typeof atB.seq, 'number', 'numbered like other room events (replayed after a resume)');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(other.frames.filter((f) => f.type === 'peer-renamed').length, 0, 'another room hears nothing');

    const c = client(s.url);
    const wc = await c.join('r', { name: 'Cy' });
    assert.deepEqual(
      wc.peers.find((p: { id: string }) => p.id === wa.id),
      { id: wa.id, name: 'Ada Lovelace' },
      'a later joiner sees the new name',
    );
    // Still the same participant: signals reach it under the same id.
    b.send({ v: 1, type: 'signal', to: wa.id, data: MEDIA_STATE });
    assert.equal((await a.next((f) => f.type === 'signal', 'B’s signal reaches A')).from, wb.id);
    assert.equal(a.closed, undefined, 'A stayed connected');
    const metrics = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
    assert.match(metrics, /^rtc_signal_renames_total 1$/m, 'counted');
  });

  it('a resumed connection keeps the new name', async () => {
    const s = await server({ graceMs: 5000 });
    const [a, b] = [client(s.url), client(s.url)];
    const wa = await a.join('resume', { name: 'Ada' });
    await b.join('resume');
    a.send(rename('Countess'));
    await a.next((f) => f.type === 'peer-renamed', 'renamed');
    a.ws.terminate();
    const again = client(s.url);
    const w = await again.join('resume', { name: 'Ada', resume: { id: wa.id, secret: wa.resume }, ack: 0 });
    assert.equal(w.resumed, true);
    assert.equal(w.name, 'Countess', 'the welcome says the name the room knows');
  });

  it('refuses bad names and renames before a join, with an error code, and changes nothing', async () => {
    const s = await server();
    const [a, b] = [client(s.url), client(s.url)];
    await a.opened;
    a.send(rename('Early'));
    assert.equal((await a.next((f) => f.type === 'error', 'error before a join')).code, 'not-joined');
    await a.join('bad', { name: 'Ada' });
    await b.join('bad');
    for (const name of ['x'.repeat(65), 'a\u0007bell', 42, undefined]) {
      a.send(rename(name));
      const e = await a.next((f) => f.type === 'error', `error for ${JSON.stringify(name)}`);
      assert.equal(e.code, 'bad-message');
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(b.frames.filter((f) => f.type === 'peer-renamed').length, 0, 'nobody was renamed');
    assert.equal(a.closed, undefined, 'a few mistakes do not close the connection');
  });

  it('refuses to change a name set by the room token (forbidden)', async () => {
    const secret = 'rename-test-secret-0123456789abcdef';
    const s = await server({ tokenSecret: secret });
    const [a, b] = [client(s.url), client(s.url)];
    const wa = await a.join('tok', { token: await createRoomToken(secret, { room: 'tok', name: 'Dr. Ada' }) });
    assert.equal(wa.name, 'Dr. Ada');
    await b.join('tok', { token: await createRoomToken(secret, { room: 'tok' }), name: 'Bob' });
    a.send(rename('Somebody else'));
    assert.equal((await a.next((f) => f.type === 'error', 'refused')).code, 'forbidden');
    // A participant whose token names nobody may choose its name.
    b.send(rename('Robert'));
    assert.equal((await a.next((f) => f.type === 'peer-renamed', 'A hears B’s new name')).peer.name, 'Robert');
    assert.equal(a.frames.filter((f) => f.type === 'peer-renamed' && f.peer.id === wa.id).length, 0);
  });
});

describe('rename across processes sharing Redis', { skip: skipRedis }, () => {
  let redis: RedisProcess | undefined;
  const procs: ServerProcess[] = [];
  const raw: RawClient[] = [];
  after(async () => {
    for (const c of raw) c.ws.terminate();
    for (const p of procs) await p.stop();
    redis?.stop();
  });

  it('a participant on the other process hears it, and a later joiner there sees the new name', async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url };
    procs.push(...(await Promise.all([startServerProcess(['--port', '0'], env), startServerProcess(['--port', '0'], env)])));
    const [p1, p2] = procs;
    const on = (p: ServerProcess) => {
      const c = new RawClient(p.url);
      raw.push(c);
      return c;
    };
    const [a, b] = [on(p1), on(p2)];
    const wa = await a.join('shared', { name: 'Ada' });
    const wb = await b.join('shared', { name: 'Bob' });
    await a.next((f) => f.type === 'peer-joined' && f.peer.id === wb.id, 'A sees B', 5000);
    a.send(rename('Ada L.'));
    const atB = await b.next((f) => f.type === 'peer-renamed', 'B, on the other process, hears it', 5000);
    assert.deepEqual(atB.peer, { id: wa.id, name: 'Ada L.' });
    const wc = await on(p2).join('shared', { name: 'Cy' });
    assert.equal(wc.peers.find((p: { id: string }) => p.id === wa.id)?.name, 'Ada L.', 'the directory holds the new name');
  });
});
