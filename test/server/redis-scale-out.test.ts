/**
 * Scale-out on Redis, for real: a `redis-server` on a free port, two signaling server
 * processes sharing rooms through it, and two headless Chromium browsers each joined through a
 * different process. They complete a call; then the first browser's process is killed, its
 * client moves to the other process (its `signaling` lists both) as the same participant, and
 * the call recovers: a renegotiation goes through, frames keep rising.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { Redis } from 'ioredis';
import { Participant, eventually, framesRise, launch, servePage } from './browser.js';
import { freePort, startServerProcess, type ServerProcess } from './support.js';

const REDIS = '/usr/bin/redis-server';
const skip = !existsSync(REDIS) && process.env.CI !== 'true' ? 'redis-server is not installed (apt-get install redis-server)' : false;

let redis: ChildProcess | undefined;
let redisUrl = '';
let dir = '';
const servers: ServerProcess[] = [];
const browsers: Browser[] = [];
let page: Awaited<ReturnType<typeof servePage>> | undefined;

before(async () => {
  if (skip) return;
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'rtc-redis-'));
  redis = spawn(REDIS, ['--bind', '127.0.0.1', '--port', String(port), '--daemonize', 'no', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  redisUrl = `redis://127.0.0.1:${port}`;
  const probe = new Redis(redisUrl, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
  probe.on('error', () => {});
  const end = Date.now() + 10_000;
  for (;;) {
    try {
      await probe.connect().catch(() => {});
      if ((await probe.ping()) === 'PONG') break;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  probe.disconnect();
});

after(async () => {
  for (const s of servers) await s.stop();
  for (const b of browsers) await b.close();
  await page?.close();
  redis?.kill('SIGKILL');
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
