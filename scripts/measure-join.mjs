#!/usr/bin/env node
/**
 * Measures, on loopback, the time from the second participant's join() to the first remote
 * video frame on both sides, with two windows of headless Chromium (fake camera) joining
 * through the demo server (`npm start`'s server, started here on a free port).
 *
 *   node scripts/measure-join.mjs [runs=9]
 *
 * The clock starts once both cameras are live (capture time is the camera's, not the kit's).
 * Prints the median and every run, and a screenshot of the second window to /tmp.
 */
import puppeteer from 'puppeteer-core';
import { startDemoServer } from './demo-process.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from './browser-flags.mjs';

const runs = Number(process.argv[2] ?? 9);
const { base, process: server } = await startDemoServer();

const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: CHROMIUM_ARGS,
});

// Runs in a page: builds a call that does not join yet, waits for its camera, returns nothing.
const prepare = async (signaling, room) => {
  document.querySelector('#call')?.replaceChildren();
  const call = document.createElement('rtc-call');
  call.noAutoJoin = true;
  call.signaling = signaling;
  call.room = room;
  const camera = document.createElement('rtc-camera');
  camera.width = 320;
  camera.height = 240;
  call.append(camera);
  document.querySelector('#call').append(call);
  const end = performance.now() + 10000;
  while (camera.media.state.status !== 'live') {
    if (performance.now() > end) throw new Error('camera did not start');
    await new Promise((r) => setTimeout(r, 10));
  }
  window.__call = call;
};
// Runs in a page: joins, resolves with epoch-ms times of join start, welcome, connected, first frame.
const joinAndWatch = () =>
  new Promise((resolve, reject) => {
    const call = window.__call;
    const now = () => performance.timeOrigin + performance.now();
    const t = { start: now() };
    call.addEventListener('rtc-joined', () => (t.joined = now()), { once: true });
    const timer = setTimeout(() => reject(new Error('no remote frame in 10 s')), 10000);
    const poll = () => {
      const pc = [...call.session.peerConnections().values()][0];
      if (pc && !t.connected && pc.connectionState === 'connected') t.connected = now();
      const video = call.shadowRoot.querySelector('[part~="video"]');
      if (video && !t.watching) {
        t.watching = true;
        video.requestVideoFrameCallback(() => {
          t.frame = now();
          clearTimeout(timer);
          resolve(t);
        });
      }
      if (!t.frame) setTimeout(poll, 2);
    };
    poll();
    void call.join();
  });

const pageA = await browser.newPage();
const pageB = await browser.newPage({ type: 'window' });
for (const p of [pageA, pageB]) {
  await p.goto(`${base}/`);
  await p.waitForFunction(() => customElements.get('rtc-call'));
}
const signaling = base.replace('http', 'ws') + '/signal';
const results = [];
for (let i = 0; i < runs; i++) {
  const room = `measure-${Date.now()}-${i}`;
  await Promise.all([pageA.evaluate(prepare, signaling, room), pageB.evaluate(prepare, signaling, room)]);
  // A is in the room first and waiting; B's join() starts the clock.
  await pageA.evaluate(() => window.__call.join());
  const aFrame = pageA.evaluate(() => {
    return new Promise((resolve) => {
      const now = () => performance.timeOrigin + performance.now();
      const poll = () => {
        const video = window.__call.shadowRoot.querySelector('[part~="video"]');
        if (video) video.requestVideoFrameCallback(() => resolve(now()));
        else setTimeout(poll, 2);
      };
      poll();
    });
  });
  const b = await pageB.evaluate(joinAndWatch);
  const a = await aFrame;
  const firstFrameBoth = Math.max(a, b.frame) - b.start;
  results.push({
    welcome: b.joined - b.start,
    connected: b.connected - b.start,
    frameB: b.frame - b.start,
    frameA: a - b.start,
    bothFrames: firstFrameBoth,
  });
  await Promise.all([pageA.evaluate(() => window.__call.leave()), pageB.evaluate(() => window.__call.leave())]);
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};
const fields = ['welcome', 'connected', 'frameB', 'frameA', 'bothFrames'];
console.log(`${runs} runs, ms from the second participant's join() (cameras already live):`);
for (const f of fields) {
  console.log(`  ${f.padEnd(11)} median ${median(results.map((r) => r[f])).toFixed(0).padStart(4)}   runs: ${results.map((r) => r[f].toFixed(0)).join(' ')}`);
}
await browser.close();
server.kill('SIGTERM');
