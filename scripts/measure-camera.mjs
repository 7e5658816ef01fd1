#!/usr/bin/env node
/**
 * Measures what a remote participant sees while <rtc-camera> changes capture during a call, on
 * loopback in headless Chromium (three fake cameras) through the demo server on a free port:
 *
 *   node scripts/measure-camera.mjs [runs=7]
 *
 * Two <rtc-call>s in one page (A sends 320×240 video, B receives). For each change on A it
 * reports the time until B decodes the new video and B's longest gap between rendered frames
 * (a freeze a user would notice; for camera on, the time to the first frame), plus the offer/answer rounds it caused (expected: none).
 */
import puppeteer from 'puppeteer-core';
import { startDemoServer } from './demo-process.mjs';
import { CHROMIUM, chromiumArgsWithDevices } from './browser-flags.mjs';

const runs = Number(process.argv[2] ?? 7);
const { base, process: server } = await startDemoServer();
const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: chromiumArgsWithDevices(3),
});

// Runs in the page: one measured session, returns ms figures.
const session = async (signaling, room) => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const until = async (check, what, ms = 10000) => {
    const end = performance.now() + ms;
    for (;;) {
      const v = await check();
      if (v) return v;
      if (performance.now() > end) throw new Error(`timed out: ${what}`);
      await sleep(5);
    }
  };
  document.querySelector('#call').replaceChildren();
  const make = (attrs) => {
    const div = document.createElement('div');
    div.innerHTML = `<rtc-call signaling="${signaling}" room="${room}"><rtc-camera ${attrs}></rtc-camera></rtc-call>`;
    document.querySelector('#call').append(div);
    return div.querySelector('rtc-call');
  };
  const a = make('width="320" height="240" frame-rate="30" no-audio');
  await until(() => a.session.state.status === 'joined', 'a joined');
  const b = make('no-video no-audio');
  const camera = a.querySelector('rtc-camera');
  const video = await until(() => b.shadowRoot.querySelector('[part~="video"]'), 'b tile');
  const pcA = await until(() => [...a.session.peerConnections().values()][0], 'a pc');
  const pcB = await until(() => [...b.session.peerConnections().values()][0], 'b pc');
  // Every frame B renders, with its size.
  const frames = [];
  const onFrame = (now, meta) => {
    frames.push({ t: now, w: meta.width });
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
  await until(() => frames.length > 30 && pcA.signalingState === 'stable' && pcB.signalingState === 'stable', 'b plays');
  let rounds = 0;
  for (const pc of [pcA, pcB]) pc.addEventListener('signalingstatechange', () => rounds++);
  const longestGap = (from) => {
    const ts = frames.filter((f) => f.t >= from - 200).map((f) => f.t);
    let gap = 0;
    for (let i = 1; i < ts.length; i++) gap = Math.max(gap, ts[i] - ts[i - 1]);
    return gap;
  };
  const measure = async (change, seen) => {
    await sleep(300);
    const start = performance.now();
    await change();
    await until(() => frames.some((f) => f.t > start && seen(f)), 'b sees the change');
    const shown = frames.find((f) => f.t > start && seen(f)).t - start;
    await sleep(500);
    return { shown, gap: longestGap(start) };
  };
  const cameras = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
  const result = {
    resize: await measure(() => { camera.width = 640; camera.height = 480; }, (f) => f.w === 640),
    // NOTE: fake_device_1 is a depth camera WebRTC does not encode; fake_device_2 is a colour one.
    switchDevice: await (async () => {
      const sender = pcA.getSenders().find((x) => x.track?.kind === 'video');
      let swapped = Infinity;
      return measure(async () => {
        camera.deviceId = cameras[2].deviceId;
        await until(() => sender.track?.getSettings().deviceId === cameras[2].deviceId, 'sender swapped');
        swapped = performance.now();
      }, (f) => f.t > swapped);
    })(),
    cameraOn: await (async () => {
      await camera.toggleCamera(); // off: B gets no frames while it is off
      await sleep(500);
      return measure(() => void camera.toggleCamera(), () => true);
    })(),
    rounds,
  };
  a.leave();
  b.leave();
  return result;
};

const page = await browser.newPage();
await page.goto(`${base}/`);
await page.waitForFunction(() => customElements.get('rtc-call'));
const signaling = base.replace('http', 'ws') + '/signal';
const results = [];
for (let i = 0; i < runs; i++) results.push(await page.evaluate(session, signaling, `camera-${Date.now()}-${i}`));

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(`${runs} runs on loopback, headless Chromium, ms as seen by the receiving side:`);
for (const k of ['resize', 'switchDevice', 'cameraOn']) {
  const shown = results.map((r) => r[k].shown);
  const gap = results.map((r) => r[k].gap);
  console.log(
    `  ${k.padEnd(13)} first new frame median ${median(shown).toFixed(0).padStart(4)}` +
      (k === 'cameraOn' ? '' : `   longest frame gap median ${median(gap).toFixed(0).padStart(4)} (max ${Math.max(...gap).toFixed(0)})`),
  );
}
console.log(`  offer/answer state changes during all changes: ${results.map((r) => r.rounds).join(' ')}`);
await browser.close();
server.kill('SIGTERM');
