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

let turn: ChildProcess | undefined;
let turnPort = 0;
let dir = '';
let server: ServerProcess | undefined;
let browser: Browser | undefined;
let page: Awaited<ReturnType<typeof servePage>> | undefined;

before(async () => {
  if (skip) return;
  turnPort = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'rtc-turn-'));
  turn = spawn(
    TURN,
    [
      '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${turnPort}`,
      '--min-port=49152', '--max-port=49352', '--realm=rtc.test', '--use-auth-secret', `--static-auth-secret=${SECRET}`,
      '--fingerprint', '--no-tls', '--no-dtls', '--no-cli', '--allow-loopback-peers', '--no-multicast-peers',
      `--userdb=${join(dir, 'turndb')}`, `--pidfile=${join(dir, 'turnserver.pid')}`, '--log-file=stdout', '--simple-log',
    ],
    { stdio: 'ignore' },
  );
});

after(async () => {
  await server?.stop();
  await browser?.close();
  await page?.close();
  turn?.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('a relay-only call connects with the TURN credentials from the welcome', { skip, timeout: 60_000 }, async () => {
  server = await startServerProcess(['--port', '0'], {
    TURN_SECRET: SECRET,
    TURN_URLS: `turn:127.0.0.1:${turnPort}?transport=udp`,
    TURN_TTL: '600',
  });
  [browser, page] = await Promise.all([launch(), servePage()]);
  const open = async (name: string, first: boolean) => {
    const p = await Participant.open(browser!, page!.url, server!.url, 'relayed', name, first);
    await p.page.evaluate(() => ((window as any).__call.iceTransportPolicy = 'relay'));
    return p;
  };
  const a = await open('Ada', true);
  const b = await open('Bob', false);
  try {
    for (const p of [a, b]) await framesRise(p, 'relay-only call', 10, 30_000);
    for (const p of [a, b]) {
      const { localId } = await p.state();
      const seen = await p.page.evaluate(async () => {
        const pc = [...(window as any).__call.session.peerConnections().values()][0] as RTCPeerConnection;
        const stats = await pc.getStats();
        let pair: any;
        stats.forEach((s: any) => {
          if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
        });
        const local = pair && stats.get(pair.localCandidateId);
        return { config: pc.getConfiguration(), localType: local?.candidateType };
      });
      assert.equal(seen.localType, 'relay', 'the selected pair goes through the relay');
      const ice = seen.config.iceServers!.find((s) => String(s.urls).includes(`:${turnPort}`));
      assert.ok(ice, 'the issued TURN server is in the peer connection configuration');
      assert.match(String(ice!.username), new RegExp(`^\\d+:${localId}$`), 'username is <expiry>:<participant id>');
      assert.equal(seen.config.iceTransportPolicy, 'relay');
    }
    await eventually(async () => (await a.state()).error === null, 'no error');
  } finally {
    await a.close();
    await b.close();
  }
});
