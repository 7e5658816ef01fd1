/**
 * 10,000 malformed frames over many sockets (bad JSON, wrong types, huge strings, unknown
 * message kinds, binary, oversized frames, forged fields) against an in-process server while a
 * real browser call runs in another room: the server stays up and keeps serving, its heap
 * after a forced GC is within ~10 MB of where it started, and the call never notices.
 * Needs `node --expose-gc` (as `npm run test:server` runs it).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { WebSocket } from 'ws';
import { startSignalingServer, type RunningServer } from '../../src/server/http-server.js';
import { Participant, framesRise, launch, servePage } from './browser.js';
import { RawClient, prng } from './support.js';

const gc = (globalThis as { gc?: () => void }).gc;
let server: RunningServer;
let browser: Browser;
let page: Awaited<ReturnType<typeof servePage>>;

before(async () => {
  [server, browser, page] = await Promise.all([startSignalingServer({ port: 0 }), launch(), servePage()]);
});
after(async () => {
  await browser?.close();
  await page?.close();
  await server?.close();
});

/** One malformed frame of a kind picked by `r`. */
function malformed(r: () => number, i: number): string | Buffer {
  const big = (n: number) => 'x'.repeat(n);
  const kinds: (() => string | Buffer)[] = [
    () => `{"v":1,"type":"join","room":"a"${'}'.repeat(i % 3)}`.slice(0, 10 + (i % 20)), // truncated JSON
    () => '\u0000\u0001\u0002garbage',
    () => JSON.stringify({ v: 1, type: 'join', room: 42 }),
    () => JSON.stringify({ v: 1, type: 'join', room: big(40_000) }), // huge string under the cap
    () => JSON.stringify({ v: 1, type: 'join', room: 'r', name: big(5000) }),
    () => JSON.stringify({ v: 1, type: `kind-${i}` }), // unknown message kind
    () => JSON.stringify({ v: 2, type: 'join', room: 'r' }),
    () => JSON.stringify({ v: 1, type: 'signal', to: 'nobody', data: { description: { type: 'offer', sdp: 7 } } }),
    () => JSON.stringify({ v: 1, type: 'signal', to: '../../etc', data: { candidate: { candidate: big(3000) } } }),
    () => JSON.stringify({ v: 1, type: 'signal', to: 'x', data: { media: { audio: 'yes' } } }),
    () => JSON.stringify({ v: 1, type: 'ack', seq: -1 }),
    () => JSON.stringify({ v: 1, type: 'join', room: 'r', resume: { id: 'x', secret: {} } }),
    () => JSON.stringify({ v: 1, type: 'join', room: 'r', token: big(10_000) }),
    () => '{"__proto__":{"polluted":true},"v":1,"type":"join"}',
    () => '['.repeat(5000) + ']'.repeat(5000), // deep nesting
    () => JSON.stringify([1, 2, 3]),
    () => 'null',
    () => Buffer.from(Array.from({ length: 64 }, () => Math.floor(r() * 256))), // binary
  ];
  return kinds[Math.floor(r() * kinds.length)]();
}

it('stays up, bounded in memory, and a call in another room is unaffected by 10,000 malformed frames', { timeout: 60_000 }, async () => {
  assert.ok(gc, 'run with node --expose-gc');
  const a = await Participant.open(browser, page.url, server.url, 'calm', 'Ada', true);
  const b = await Participant.open(browser, page.url, server.url, 'calm', 'Bob');
  try {
    for (const p of [a, b]) await framesRise(p, 'the call is up', 10, 20_000);
    for (let i = 0; i < 3; i++) gc!();
    const heapBefore = process.memoryUsage().heapUsed;

    const r = prng(7);
    const TOTAL = 10_000;
    const PER_SOCKET = 20; // the server closes a socket after 20 refused frames
    const PARALLEL = 25;
    let sent = 0;
    let oversized = 0;
    const closes = new Map<number, number>();
    const oneSocket = () =>
      new Promise<void>((resolve) => {
        const ws = new WebSocket(server.url);
        ws.on('error', () => {});
        ws.on('close', (code) => {
          closes.set(code, (closes.get(code) ?? 0) + 1);
          resolve();
        });
        ws.on('open', () => {
          for (let k = 0; k < PER_SOCKET && sent < TOTAL; k++, sent++) {
            if (sent % 997 === 0) {
              oversized++;
              ws.send('y'.repeat(70 * 1024)); // over the 64 KiB cap: closes this socket with 1009
              continue;
            }
            const f = malformed(r, sent);
            ws.send(f, { binary: typeof f !== 'string' });
          }
          ws.close();
        });
      });
    const calmFrames = await a.framesDecoded();
    while (sent < TOTAL) await Promise.all(Array.from({ length: PARALLEL }, oneSocket));
    assert.equal(sent, TOTAL);
    assert.ok((closes.get(1009) ?? 0) >= 1 && oversized > 0, 'oversized frames closed their sockets with 1009');

    // Still serving: a fresh client joins, the calm room still has its two.
    const fresh = new RawClient(server.url);
    assert.equal((await fresh.join('after-fuzz')).type, 'welcome');
    fresh.close();
    assert.equal(server.signaling.rooms().get('calm'), 2);
    const refused = [...server.signaling.metrics.refused.values()].reduce((x, y) => x + y, 0);
    assert.ok(refused >= TOTAL * 0.9, `the frames were refused, not ignored (${refused})`);

    for (let i = 0; i < 3; i++) {
      gc!();
      await new Promise((res) => setTimeout(res, 50));
    }
    const grown = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    assert.ok(grown < 10, `heap within 10 MB of where it started (grew ${grown.toFixed(2)} MB)`);

    // The call in the other room never noticed.
    for (const p of [a, b]) {
      await framesRise(p, 'after the fuzz', 10);
      const s = await p.state();
      assert.equal(s.status, 'joined');
      assert.equal(s.signalingConnected, true);
      assert.equal(s.error, null);
      assert.equal(s.participants.length, 1);
    }
    assert.ok((await a.framesDecoded()) > calmFrames);
    console.log(`fuzz: ${TOTAL} frames, heap ${grown >= 0 ? '+' : ''}${grown.toFixed(2)} MB, closes ${JSON.stringify(Object.fromEntries(closes))}`);
  } finally {
    await a.close();
    await b.close();
  }
});
