#!/usr/bin/env node
/**
 * Visits every story of the built Storybook (storybook-static/) in headless Chromium with fake
 * devices and fails on a console error, a page error, a failed request, an accessibility
 * violation (axe-core), or — for stories tagged `live` — a video that does not play or a call
 * that does not show a tile for every other call of its room. Stories tagged `share-screen` get a
 * real click on the first "Share screen" button (getDisplayMedia needs a user gesture; Chromium's
 * fake UI then picks the screen) and must show the share on the other side (a tile marked as a
 * screen share, with its badge, playing a screen-shaped, non-black picture), pass axe while
 * sharing, and show the camera again after a second click ("Stop sharing").
 *
 *   node scripts/storybook-smoke.mjs [--only <story-id-substring>]
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import puppeteer from 'puppeteer-core';
import { CHROMIUM, CHROMIUM_ARGS } from './browser-flags.mjs';

const dir = new URL('../storybook-static/', import.meta.url).pathname;
if (!existsSync(join(dir, 'index.json'))) {
  console.error('storybook-static/index.json missing: run `npm run build-storybook` first');
  process.exit(1);
}
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : '';
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.woff2': 'font/woff2', '.png': 'image/png' };
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
  if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
const stories = Object.values(index.entries).filter((e) => e.type === 'story' && e.id.includes(only));
if (stories.length === 0) {
  console.error(`no story matches${only ? ` "${only}"` : ''} in storybook-static/index.json: nothing was checked`);
  process.exit(1);
}
const axeSource = readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: CHROMIUM_ARGS,
});
/**
 * Every <video> anywhere (through shadow roots) plays (videoWidth > 0), and every <rtc-call> shows
 * a tile for each other <rtc-call> of its room in the page (runs in the page).
 */
function allVideosPlay() {
  const walk = (root, out) => {
    root.querySelectorAll('*').forEach((el) => {
      if (el.tagName === 'VIDEO') out.push(el);
      if (el.shadowRoot) walk(el.shadowRoot, out);
    });
    return out;
  };
  const videos = walk(document, []);
  const calls = [...document.querySelectorAll('rtc-call')];
  const everyoneSeen = calls.every(
    (c) => c.shadowRoot?.querySelectorAll('[part~="tile"]').length === calls.filter((o) => o !== c && o.getAttribute('room') === c.getAttribute('room')).length,
  );
  return everyoneSeen && videos.length > 0 && videos.every((v) => v.videoWidth > 0);
}
/**
 * A call shows someone's screen: the sharer's camera says it shares a screen, and in another
 * call that participant's tile is marked as a screen share, shows the badge, and its video plays
 * (runs in the page; returns what the user sees, or false).
 */
function screenShareShown() {
  const sharer = document.querySelector('rtc-camera[screen-sharing]');
  const surface = sharer?.media?.videoTrack?.getSettings().displaySurface;
  if (!sharer || !surface) return false;
  for (const call of document.querySelectorAll('rtc-call')) {
    if (call.contains(sharer)) continue;
    const tile = call.shadowRoot?.querySelector('[part~="tile"][data-screen]');
    const badge = tile?.querySelector('[part~="tile-screen"]')?.textContent?.trim();
    const video = tile?.querySelector('video');
    if (!badge || !video || video.hidden || !video.videoWidth) continue;
    // The picture is the screen, not the camera: the screen's shape (not the camera's 4:3), not black.
    const { width = 0, height = 1 } = sharer.media.videoTrack.getSettings();
    if (Math.abs(video.videoWidth / video.videoHeight - width / height) > 0.02) continue;
    const canvas = Object.assign(document.createElement('canvas'), { width: 32, height: 18 });
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, 32, 18);
    const px = ctx.getImageData(0, 0, 32, 18).data;
    let sum = 0;
    for (let i = 0; i < px.length; i += 4) sum += px[i] + px[i + 1] + px[i + 2];
    const brightness = Math.round(sum / (px.length / 4) / 3);
    if (brightness > 8) return { badge, width: video.videoWidth, height: video.videoHeight, surface, brightness };
  }
  return false;
}
/** The sharer stopped: no call shows a screen share any more, and every video plays the camera again (runs in the page). */
function cameraBack() {
  if (document.querySelector('rtc-camera[screen-sharing]')) return false;
  const calls = [...document.querySelectorAll('rtc-call')];
  const tiles = calls.flatMap((c) => [...(c.shadowRoot?.querySelectorAll('[part~="tile"]') ?? [])]);
  return (
    tiles.length > 0 &&
    tiles.every((t) => {
      const v = t.querySelector('video');
      return !t.hasAttribute('data-screen') && !t.querySelector('[part~="tile-screen"]') && v.videoWidth > 0 && v.videoWidth / v.videoHeight < 1.5;
    })
  );
}
/** axe-core's violations in the story (runs in the page, after axe is loaded). */
async function axeViolations() {
  const r = await window.axe.run('#storybook-root', { resultTypes: ['violations'] });
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
const failures = [];
const started = Date.now();
for (const story of stories) {
  const problems = [];
  const page = await browser.newPage({ type: 'window' });
  // The browser's own /favicon.ico probe is not the story's doing.
  const ours = (url) => !url?.endsWith('/favicon.ico');
  page.on('console', (m) => {
    if (m.type() === 'error' && ours(m.location()?.url)) problems.push(`console error: ${m.text().slice(0, 300)}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message.slice(0, 300)}`));
  page.on('requestfailed', (r) => ours(r.url()) && problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => r.status() >= 400 && ours(r.url()) && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  try {
    await page.goto(`${base}/iframe.html?id=${story.id}&viewMode=story`, { waitUntil: 'load', timeout: 30000 });
    await page.waitForFunction(
      () => ['finished', 'completed', 'rendered'].includes(window.__STORYBOOK_PREVIEW__?.currentRender?.phase),
      { timeout: 20000 },
    );
    if (story.tags?.includes('live')) {
      // A bigger room takes longer to connect on a small machine: the bound grows with the calls.
      const calls = await page.evaluate(() => document.querySelectorAll('rtc-call').length);
      const bound = 15000 + 5000 * Math.max(0, calls - 3);
      await page
        .waitForFunction(allVideosPlay, { timeout: bound, polling: 200 })
        .catch(() => problems.push(`live story: not every video plays (videoWidth > 0) within ${bound / 1000} s`));
    } else {
      await new Promise((r) => setTimeout(r, 300));
    }
    if (story.tags?.includes('share-screen')) {
      // A real click (trusted input, so user activation), as a user shares their screen.
      await page.click('rtc-camera >>> button[part~="screen-share"]');
      const seen = await page
        .waitForFunction(screenShareShown, { timeout: 15000, polling: 200 })
        .then((h) => h.jsonValue())
        .catch(() => null);
      if (!seen) problems.push('share-screen story: no tile shows a playing screen share within 15 s');
      else console.log(`    remote tile shows the screen at ${seen.width}×${seen.height} ("${seen.badge}"); mean brightness ${seen.brightness}; shared: ${seen.surface}`);
      await page.waitForFunction(allVideosPlay, { timeout: 15000, polling: 200 }).catch(() => problems.push('share-screen story: not every video plays after sharing'));
      await page.evaluate(axeSource);
      problems.push(...(await page.evaluate(axeViolations)).map((v) => `a11y while sharing: ${v}`));
      // "Stop sharing": the camera comes back on the other side (no badge, the camera's picture).
      await page.click('rtc-camera >>> button[part~="screen-share"]');
      await page
        .waitForFunction(cameraBack, { timeout: 15000, polling: 200 })
        .catch(() => problems.push('share-screen story: after "Stop sharing" the other side does not show the camera again within 15 s'));
    }
    await page.evaluate(axeSource);
    const violations = await page.evaluate(axeViolations);
    problems.push(...violations.map((v) => `a11y: ${v}`));
  } catch (err) {
    problems.push(`did not render: ${err.message.split('\n')[0]}`);
  }
  await page.close();
  const mark = problems.length ? '✗' : '✓';
  console.log(`${mark} ${story.id}`);
  for (const p of problems) console.log(`    ${p}`);
  if (problems.length) failures.push(story.id);
}
await browser.close();
server.close();
console.log(`\n${stories.length - failures.length} passed, ${failures.length} failed`);
console.log(`(${stories.length} stories in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(failures.length ? 1 : 0);
