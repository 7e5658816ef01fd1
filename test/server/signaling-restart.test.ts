/**
 * Reconnection with a real browser: two headless Chromium windows in a call; the signaling
 * server process is killed mid-call and started again on the same port. Remote video keeps
 * arriving while it is down (the UI says "Reconnecting…"); both come back as the same
 * participants, and a renegotiation (ICE restart) through the restarted server completes.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { Participant, eventually, framesRise, launch, servePage } from './browser.js';
import { freePort, startServerProcess, type ServerProcess } from './support.js';

let browser: Browser;
let page: Awaited<ReturnType<typeof servePage>>;
let server: ServerProcess | undefined;
const env = { RTC_RESUME_SECRET: 'restart-test-resume-secret' };

before(async () => {
  [browser, page] = await Promise.all([launch(), servePage()]);
});
after(async () => {
  await server?.stop();
  await browser?.close();
  await page?.close();
});

it('survives a signaling server restart mid-call: media keeps flowing, then renegotiation works', { timeout: 60_000 }, async () => {
  const port = await freePort();
  server = await startServerProcess(['--port', String(port)], env);
  const a = await Participant.open(browser, page.url, server.url, 'restart', 'Ada', true);
  const b = await Participant.open(browser, page.url, server.url, 'restart', 'Bob');
  try {
    for (const p of [a, b]) await framesRise(p, 'call up', 10, 20_000);
    const idA = (await a.state()).localId;
    const idB = (await b.state()).localId;

    await server.stop('SIGKILL');
    for (const p of [a, b]) {
      await eventually(async () => (await p.statusText()) === 'Reconnecting…', 'the UI says Reconnecting…');
    }
    // The server is gone: the call is not.
    for (const p of [a, b]) await framesRise(p, 'while the server is down', 15);
    assert.equal((await a.state()).reconnecting, true);

    server = await startServerProcess(['--port', String(port)], env);
    for (const p of [a, b]) {
      await eventually(async () => (await p.state()).signalingConnected, 'back on the restarted server', 20_000);
    }
    assert.equal((await a.state()).localId, idA, 'same participant after the restart');
    assert.equal((await b.state()).localId, idB);
    assert.match(await a.statusText(), /with 1 other/);

    const ufragAtB = await b.remoteUfrag();
    const ufragAtA = await a.remoteUfrag();
    await a.renegotiate();
    await eventually(async () => {
      const [atB, atA] = [await b.remoteUfrag(), await a.remoteUfrag()];
      return atB !== ufragAtB && atA !== ufragAtA && atB !== null && atA !== null;
    }, 'the ICE restart offer and answer went through the restarted server');
    for (const p of [a, b]) await framesRise(p, 'after the renegotiation', 10);
    for (const p of [a, b]) assert.equal((await p.state()).error, null);
  } finally {
    await a.close();
    await b.close();
  }
});

it('after a restart, someone who left while the server was down goes as a leave, not a "reconnecting" tile for good', { timeout: 120_000 }, async () => {
  const port = await freePort();
  server = await startServerProcess(['--port', String(port)], env);
  const a = await Participant.open(browser, page.url, server.url, 'restart-left', 'Ada', true);
  const b = await Participant.open(browser, page.url, server.url, 'restart-left', 'Bob');
  const c = await Participant.open(browser, page.url, server.url, 'restart-left', 'Cy');
  try {
    for (const p of [a, b, c]) await eventually(async () => (await p.state()).participants.length === 2, 'three in the call', 20_000);
    for (const p of [a, b]) await framesRise(p, 'call up', 10, 20_000);
    const [idA, idB] = [(await a.state()).localId, (await b.state()).localId];
    await server.stop('SIGKILL');
    // Cy leaves while there is no server to tell: nobody will ever be told.
    await c.close();
    server = await startServerProcess(['--port', String(port)], env);
    for (const p of [a, b]) await eventually(async () => (await p.state()).signalingConnected, 'back on the restarted server', 20_000);
    // Ada and Bob came back as themselves and keep each other; Cy's link goes once their grace is over.
    for (const [p, other] of [[a, idB], [b, idA]] as const) {
      await eventually(async () => {
        const { participants } = await p.state();
        return participants.length === 1 && participants[0].id === other;
      }, 'only the one who came back is left', 45_000);
      assert.match(await p.statusText(), /with 1 other/);
    }
    for (const p of [a, b]) await framesRise(p, 'after the restart', 10);
  } finally {
    await a.close();
    await b.close();
  }
});
