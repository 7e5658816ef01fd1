/**
 * Interop: a Chromium participant and a Firefox participant in one room, through the real
 * signaling server on 127.0.0.1, see and hear each other (video frames decoded and audio
 * energy measured on each side) and exchange data-channel messages (text and 1 MiB binary). Both browsers are driven with puppeteer-core (CDP for
 * Chromium, WebDriver BiDi for Firefox), with the same fake-device flags and prefs as the
 * browser tests (web-test-runner.config.mjs).
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { build } from 'vite';
import { attachSignaling } from '../../src/server/signaling-server.js';

import { CHROMIUM, CHROMIUM_ARGS, FIREFOX, FIREFOX_PREFS } from '../../scripts/browser-flags.mjs';

/** The library bundled with Lit, for a plain page. */
async function bundle(): Promise<string> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const out = await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: { write: false, minify: false, lib: { entry: `${root}src/index.ts`, formats: ['es'], fileName: 'bundle' } },
  });
  const outputs = Array.isArray(out) ? out : [out];
  for (const o of outputs) {
    if ('output' in o) {
      const chunk = o.output.find((c) => c.type === 'chunk' && c.isEntry);
      if (chunk && chunk.type === 'chunk') return chunk.code;
    }
  }
  throw new Error('no bundle produced');
}

const page = (signaling: string, name: string) => `<!doctype html><meta charset="utf-8"><title>${name}</title>
<rtc-call signaling="${signaling}" room="interop" name="${name}">
  <rtc-camera width="320" height="240" frame-rate="15"></rtc-camera>
</rtc-call>
<script type="module" src="/bundle.js"></script>
<script type="module">
  // A data channel both ways: text and a 1 MiB binary (framing and back-pressure across browsers).
  await customElements.whenDefined('rtc-call');
  const channel = document.querySelector('rtc-call').session.channel('interop');
  window.received = [];
  channel.addEventListener('message', async (e) => {
    const data = e.data;
    if (typeof data === 'string') return window.received.push(data);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
    window.received.push('binary ' + data.byteLength + ' ' + [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(''));
  });
</script>`;

/**
 * Runs in the page: what this participant receives from the other one. A string, because
 * tsx would wrap a function's inner helpers in `__name()`, which does not exist in the page.
 */
const MEASURE = `(async () => {
  const call = document.querySelector('rtc-call');
  const video = call.shadowRoot.querySelector('video');
  const pc = [...call.session.peerConnections().values()][0];
  if (!video || !pc || video.videoWidth === 0) return null;
  const frames = async () => {
    let n = 0;
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded ?? 0;
    });
    return n;
  };
  const f1 = await frames();
  // Audio energy of the remote stream: decoded samples through WebAudio where an AudioContext
  // runs (Chromium); headless Firefox has no audio device, so its AudioContext never starts and
  // the decoder's own energy counter (inbound-rtp totalAudioEnergy) is read instead.
  let peakRms = 0;
  let energy = 0;
  let method = 'webaudio';
  const ctx = new AudioContext();
  await Promise.race([ctx.resume(), new Promise((r) => setTimeout(r, 1000))]);
  if (ctx.state === 'running') {
    const source = ctx.createMediaStreamSource(video.srcObject);
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 2048;
    source.connect(analyser);
    const buf = new Float32Array(analyser.fftSize);
    for (let i = 0; i < 30 && peakRms < 0.01; i++) {
      await new Promise((r) => setTimeout(r, 100));
      analyser.getFloatTimeDomainData(buf);
      peakRms = Math.max(peakRms, Math.sqrt(buf.reduce((a, x) => a + x * x, 0) / buf.length));
    }
  } else {
    method = 'inbound-rtp totalAudioEnergy';
    const read = async () => {
      let e = 0, d = 0;
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') { e += s.totalAudioEnergy ?? 0; d += s.totalSamplesDuration ?? 0; }
      });
      return [e, d];
    };
    const [e1, d1] = await read();
    await new Promise((r) => setTimeout(r, 2000));
    const [e2, d2] = await read();
    energy = e2 - e1;
    // Mean power over the span → RMS, comparable with the WebAudio figure.
    peakRms = d2 > d1 ? Math.sqrt(energy / (d2 - d1)) : 0;
  }
  ctx.close();
  await new Promise((r) => setTimeout(r, 1500)); // frames counted over at least 1.5 s
  const f2 = await frames();
  // The tile as it is now: if its video restarted meanwhile (a new stream or a rebuilt
  // connection on a starved machine), give it a moment to show a frame, and say so.
  let now = call.shadowRoot.querySelector('video');
  const restarted = now !== video || now?.srcObject !== video.srcObject || [...call.session.peerConnections().values()][0] !== pc;
  for (let i = 0; i < 40 && !(now?.videoWidth > 0); i++) {
    await new Promise((r) => setTimeout(r, 50));
    now = call.shadowRoot.querySelector('video');
  }
  return {
    from: call.session.state.participants[0]?.name,
    width: now?.videoWidth ?? 0,
    height: now?.videoHeight ?? 0,
    restarted,
    framesDecoded: f2,
    framesDuring: f2 - f1,
    peakRms,
    method,
    userAgent: navigator.userAgent,
  };
})()`;

interface Measured {
  from: string;
  width: number;
  height: number;
  framesDecoded: number;
  framesDuring: number;
  /** The tile's video element, stream or connection changed during the measurement. */
  restarted: boolean;
  peakRms: number;
  method: string;
  userAgent: string;
}

const measure = (p: Page) => p.evaluate(MEASURE) as Promise<Measured | null>;

const haveFirefox = existsSync(FIREFOX);

test('a Chromium and a Firefox participant see and hear each other, and exchange data', { timeout: 120_000, skip: !existsSync(CHROMIUM) || (!haveFirefox && process.env.CI !== 'true') ? 'chromium or firefox-esr missing' : false }, async () => {
  const code = await bundle();
  const http = createServer();
  const signaling = attachSignaling(http);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const { port } = http.address() as AddressInfo;
  const wsUrl = `ws://127.0.0.1:${port}/signal`;
  http.on('request', (req, res) => {
    if (req.url === '/bundle.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
    const name = new URL(req.url ?? '/', 'http://x').searchParams.get('name') ?? 'Guest';
    res.writeHead(200, { 'content-type': 'text/html' }).end(page(wsUrl, name));
  });
  const browsers: Browser[] = [];
  try {
    const chromium = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    browsers.push(chromium);
    const firefox = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      extraPrefsFirefox: FIREFOX_PREFS,
    });
    browsers.push(firefox);
    const [cp, fp] = [await chromium.newPage(), await firefox.newPage()];
    const log = (m: string) => process.env.DEBUG_INTEROP && console.log(m);
    for (const p of [cp, fp]) p.on('console', (m) => log(`page: ${m.text()}`));
    await cp.goto(`http://127.0.0.1:${port}/?name=Chromium`);
    log('chromium loaded');
    await fp.goto(`http://127.0.0.1:${port}/?name=Firefox`);
    log('firefox loaded');
    const results = [];
    for (const p of [cp, fp]) {
      let r: Measured | null = null;
      for (let i = 0; i < 60 && !r; i++) {
        r = await measure(p);
        log(`measure ${i}: ${JSON.stringify(r)}`);
        if (!r) await new Promise((res) => setTimeout(res, 250));
      }
      assert.ok(r, 'remote video plays');
      results.push(r);
    }
    // Data channel: each side sends text and the same 1 MiB pseudo-random payload to the other.
    const SEND = `(async () => {
      const bytes = new Uint8Array(1024 * 1024);
      let x = 7;
      for (let i = 0; i < bytes.length; i++) { x = (x * 1103515245 + 12345) >>> 0; bytes[i] = x >>> 24; }
      const channel = document.querySelector('rtc-call').session.channel('interop');
      await channel.send('hello from ' + (navigator.userAgent.includes('Firefox') ? 'Firefox' : 'Chromium'));
      await channel.send(bytes);
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      return 'binary ' + bytes.length + ' ' + [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
    })()`;
    const expected = await cp.evaluate(SEND);
    await fp.evaluate(SEND);
    for (const [p, other] of [[cp, 'Firefox'], [fp, 'Chromium']] as const) {
      let got: string[] = [];
      for (let i = 0; i < 60 && got.length < 2; i++) {
        got = (await p.evaluate('window.received')) as string[];
        if (got.length < 2) await new Promise((res) => setTimeout(res, 250));
      }
      assert.deepEqual(got, [`hello from ${other}`, expected], 'text and 1 MiB binary arrive intact');
    }
    const [onChromium, onFirefox] = results;
    console.log(JSON.stringify({ onChromium, onFirefox }, null, 1));
    assert.match(onChromium!.userAgent, /Chrome/);
    assert.match(onFirefox!.userAgent, /Firefox/);
    assert.equal(onChromium!.from, 'Firefox');
    assert.equal(onFirefox!.from, 'Chromium');
    for (const r of results) {
      assert.equal(r!.width, 320);
      assert.equal(r!.height, 240);
      assert.ok(r!.framesDuring > 5, `video frames keep being decoded (${r!.framesDuring})`);
      assert.ok(r!.peakRms > 0.01, `audio energy arrives (peak RMS ${r!.peakRms})`);
    }
  } finally {
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
    await signaling.close();
    await new Promise<void>((r) => http.close(() => r()));
  }
});
