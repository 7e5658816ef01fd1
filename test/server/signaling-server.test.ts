/**
 * The signaling server under Node with real sockets on 127.0.0.1: rooms, ids, relaying,
 * isolation between rooms, and bad input that must never bring it down.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { serverPerFile } from './support.js';

const file = serverPerFile({ maxPeersPerRoom: 3 });

/** A test client that records every frame it receives. */
class Client {
  readonly frames: any[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  closed?: { code: number; reason: string };
  #waiters: (() => void)[] = [];

  constructor(url = file.server.url) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()));
      this.#waiters.splice(0).forEach((w) => w());
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.#waiters.splice(0).forEach((w) => w());
    });
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits (at most 3 s) for a frame matching `pred`, and returns it. */
  async next(pred: (f: any) => boolean, what = 'frame'): Promise<any> {
    const end = Date.now() + 3000;
    for (;;) {
      const found = this.frames.find(pred);
      if (found) {
        this.frames.splice(this.frames.indexOf(found), 1);
        return found;
      }
      if (Date.now() > end) throw new Error(`no ${what} within 3 s; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  async join(room: string, name?: string) {
    await this.opened;
    this.send({ v: 1, type: 'join', room, name });
    return this.next((f) => f.type === 'welcome' || f.type === 'error', 'welcome');
  }

  close() {
    this.ws.close();
  }
}

let roomSeq = 0;
const room = () => `r${++roomSeq}-${process.pid}`;

describe('signaling server', () => {
  it('assigns ids, lists existing peers, and announces joins and leaves', async () => {
    const r = room();
    const a = new Client();
    const b = new Client();
    const wa = await a.join(r, 'Ada');
    assert.equal(wa.type, 'welcome');
    assert.match(wa.id, /^[\w-]+$/);
    assert.deepEqual(wa.peers, []);
    const wb = await b.join(r, 'Bob');
    assert.notEqual(wb.id, wa.id);
    assert.deepEqual(wb.peers, [{ id: wa.id, name: 'Ada' }]);
    const joined = await a.next((f) => f.type === 'peer-joined');
    assert.deepEqual(joined.peer, { id: wb.id, name: 'Bob' });
    b.close();
    const left = await a.next((f) => f.type === 'peer-left');
    assert.equal(left.id, wb.id);
    a.close();
  });

  it('relays a signal to its target only, with `from` stamped by the server', async () => {
    const r = room();
    const [a, b, c] = [new Client(), new Client(), new Client()];
    const wa = await a.join(r);
    const wb = await b.join(r);
    await c.join(r);
    const data = { description: { type: 'offer', sdp: 'v=0\r\n' } };
    a.send({ v: 1, type: 'signal', to: wb.id, data, from: 'forged' });
    const got = await b.next((f) => f.type === 'signal');
    const { seq, ...rest } = got;
    assert.deepEqual(rest, { v: 1, type: 'signal', from: wa.id, data });
    assert.ok(Number.isInteger(seq) && seq > 0, 'room messages carry a sequence number');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(c.frames.filter((f) => f.type === 'signal').length, 0);
    [a, b, c].forEach((x) => x.close());
  });

  it('never relays across rooms: a peer of another room is unknown', async () => {
    const a = new Client();
    const b = new Client();
    await a.join(room());
    const wb = await b.join(room());
    a.send({ v: 1, type: 'signal', to: wb.id, data: { candidate: { candidate: '' } } });
    const err = await a.next((f) => f.type === 'error');
    assert.equal(err.code, 'unknown-peer');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(b.frames.filter((f) => f.type === 'signal').length, 0);
    a.close();
    b.close();
  });

  it('refuses a signal before joining, a second join, and a full room', async () => {
    const r = room();
    const a = new Client();
    await a.opened;
    a.send({ v: 1, type: 'signal', to: 'abc', data: { candidate: { candidate: '' } } });
    assert.equal((await a.next((f) => f.type === 'error')).code, 'not-joined');
    await a.join(r);
    a.send({ v: 1, type: 'join', room: room() });
    assert.equal((await a.next((f) => f.type === 'error')).code, 'already-joined');
    const others = [new Client(), new Client()];
    for (const o of others) assert.equal((await o.join(r)).type, 'welcome');
    const fourth = new Client();
    const refused = await fourth.join(r);
    assert.equal(refused.type, 'error');
    assert.equal(refused.code, 'room-full');
    [a, ...others, fourth].forEach((x) => x.close());
  });

  it('answers malformed frames with an error code and stays up', async () => {
    const a = new Client();
    await a.opened;
    const bad: [unknown, string][] = [
      ['{oops', 'bad-json'],
      ['"just a string"', 'bad-message'],
      ['{"v":9,"type":"join","room":"x"}', 'unsupported-version'],
      ['{"v":1,"type":"nope"}', 'bad-message'],
      ['{"v":1,"type":"join","room":42}', 'bad-message'],
      ['{"v":1,"type":"signal","to":"x","data":{"description":{"type":"offer","sdp":7}}}', 'bad-message'],
    ];
    for (const [frame, code] of bad) {
      a.send(frame);
      const err = await a.next((f) => f.type === 'error', `error for ${frame}`);
      assert.equal(err.code, code, String(frame));
      assert.equal(typeof err.message, 'string');
    }
    a.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal((await a.next((f) => f.type === 'error')).code, 'bad-message');
    // Still serving: a fresh client can join.
    const b = new Client();
    assert.equal((await b.join(room())).type, 'welcome');
    a.close();
    b.close();
  });

  it('closes a socket that sends a frame over 64 KiB with 1009, and keeps serving', async () => {
    const a = new Client();
    await a.opened;
    a.send(JSON.stringify({ v: 1, type: 'join', room: 'x'.repeat(70 * 1024) }));
    const end = Date.now() + 3000;
    while (!a.closed && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(a.closed?.code, 1009);
    const b = new Client();
    assert.equal((await b.join(room())).type, 'welcome');
    b.close();
  });

  it('answers /healthz', async () => {
    const res = await fetch(`http://127.0.0.1:${file.server.port}/healthz`);
    assert.equal(res.status, 200);
  });
});
