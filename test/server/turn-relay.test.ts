/**
 * TURN credentials issued by the signaling server, used for real: coturn (`turnserver`) runs
 * on 127.0.0.1 with `use-auth-secret`; the signaling server has the same secret and the TURN
 * URL in its environment; two headless Chromium windows join with `ice-transport-policy=relay`
 * and no ICE servers of their own. The call connects through the relay with the credentials
 * from the welcome (username `<expiry>:<id>`), merged into each peer connection's configuration.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { Participant, eventually, framesRise, launch, servePage } from './browser.js';
import { freePort, startServerProcess, type ServerProcess } from './support.js';

const TURN = '/usr/bin/turnserver';
const skip = !existsSync(TURN) && process.env.CI !== 'true' ? 'coturn is not installed (apt-get install coturn)' : false;
const SECRET = 'turn-rest-secret-for-the-test';

const turns: ChildProcess[] = [];
let turnPort = 0;
let dir = '';
let server: ServerProcess | undefined;
let browser: Browser | undefined;
let page: Awaited<ReturnType<typeof servePage>> | undefined;

/** Starts coturn on a free port with the test's secret (and `extra` flags); resolves with its port. */
async function startCoturn(extra: string[] = []): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(
    TURN,
    [
      '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
      '--min-port=49152', '--max-port=49352', '--realm=rtc.test', '--use-auth-secret', `--static-auth-secret=${SECRET}`,
      '--fingerprint', '--no-tls', '--no-dtls', '--no-cli', '--allow-loopback-peers', '--no-multicast-peers',
      `--userdb=${join(dir, `turndb-${port}`)}`, `--pidfile=${join(dir, `turnserver-${port}.pid`)}`, '--log-file=stdout', '--simple-log',
      ...extra,
    ],
    { stdio: 'ignore' },
  );
  turns.push(proc);
  return { port, proc };
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'rtc-turn-'));
  turnPort = (await startCoturn()).port;
});

after(async () => {
  await server?.stop();
  await browser?.close();
  await page?.close();
  for (const t of turns) t.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A participant whose call may only use relayed paths. */
async function openRelayOnly(b: Browser, pageUrl: string, signaling: string, room: string, name: string, first: boolean) {
  const p = await Participant.open(b, pageUrl, signaling, room, name, first);
  await p.page.evaluate(() => ((window as any).__call.iceTransportPolicy = 'relay'));
  return p;
}

/** The selected pair's local candidate (type, address) and the configuration's TURN server and ICE policy. */
function relayPath(p: Participant) {
  return p.page.evaluate(async (port) => {
    const pc = [...(window as any).__call.session.peerConnections().values()][0] as RTCPeerConnection;
    const stats = await pc.getStats();
    let pair: any;
    stats.forEach((s: any) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
    });
    const local = pair && stats.get(pair.localCandidateId);
    const config = pc.getConfiguration();
    const ice = config.iceServers!.find((s) => String(s.urls).includes(`:${port}`));
    return {
      type: local?.candidateType as string | undefined,
      at: `${local?.address}:${local?.port}`,
      turn: ice ? { urls: String(ice.urls), username: String(ice.username) } : null,
      policy: config.iceTransportPolicy,
    };
  }, turnPort);
}

it('a relay-only call connects with the TURN credentials from the welcome', { skip, timeout: 60_000 }, async () => {
  server = await startServerProcess(['--port', '0'], {
    TURN_SECRET: SECRET,
    TURN_URLS: `turn:127.0.0.1:${turnPort}?transport=udp`,
    TURN_TTL: '600',
  });
  [browser, page] = await Promise.all([launch(), servePage()]);
  const open = (name: string, first: boolean) => openRelayOnly(browser!, page!.url, server!.url, 'relayed', name, first);
  const a = await open('Ada', true);
  const b = await open('Bob', false);
  try {
    for (const p of [a, b]) await framesRise(p, 'relay-only call', 10, 30_000);
    for (const p of [a, b]) {
      const { localId } = await p.state();
      const seen = await relayPath(p);
      assert.equal(seen.type, 'relay', 'the selected pair goes through the relay');
      assert.ok(seen.turn, 'the issued TURN server is in the peer connection configuration');
      assert.match(seen.turn.username, new RegExp(`^\\d+:${localId}$`), 'username is <expiry>:<participant id>');
      assert.equal(seen.policy, 'relay');
    }
    await eventually(async () => (await a.state()).error === null, 'no error');
  } finally {
    await a.close();
    await b.close();
  }
});

it('a relay-only call outlives its TURN credentials: after they expire, an ICE restart allocates with fresh ones', { skip, timeout: 120_000 }, async () => {
  const ttl = 8;
  const signaling = await startServerProcess(['--port', '0'], {
    TURN_SECRET: SECRET,
    TURN_URLS: `turn:127.0.0.1:${turnPort}?transport=udp`,
    TURN_TTL: String(ttl),
  });
  const [b, served] = await Promise.all([launch(), servePage()]);
  const open = (name: string, first: boolean) => openRelayOnly(b, served.url, signaling.url, 'long-call', name, first);
  const a = await open('Ada', true);
  const c = await open('Cy', false);
  const path = async (p: Participant) => {
    const { type, at, turn } = await relayPath(p);
    return { type, at, username: turn?.username ?? '' };
  };
  try {
    for (const p of [a, c]) await framesRise(p, 'relay-only call', 10, 30_000);
    const before = await path(a);
    assert.equal(before.type, 'relay');
    // Past the first credentials' expiry, a new allocation (here an ICE restart; in life a
    // network change or a TURN server restart an hour in) needs credentials that are still good.
    await new Promise((r) => setTimeout(r, (ttl + 2) * 1000));
    await a.renegotiate();
    const after = await eventually(async () => {
      const now = await path(a);
      return now.type === 'relay' && now.at !== before.at ? now : null;
    }, 'Ada relays through a new allocation', 20_000);
    assert.ok(Number(after!.username.split(':')[0]) > Number(before.username.split(':')[0]), 'with renewed credentials');
    for (const p of [a, c]) await framesRise(p, 'after the restart', 10, 10_000);
    for (const p of [a, c]) assert.equal((await p.state()).error, null, 'no TURN error shown');
  } finally {
    await a.close();
    await c.close();
    await b.close();
    await served.close();
    await signaling.stop();
  }
});
