#!/usr/bin/env node
/**
 * README screenshots: the demo page (two tabs in one room, through the demo server) and key
 * stories of the built Storybook, in headless Chromium with fake cameras. Waits until every
 * video on the page plays before shooting. Writes docs/screenshots/*.png.
 *
 *   npm run build-storybook && sh scripts/lo-only.sh node scripts/screenshots.mjs
 */
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import puppeteer from 'puppeteer-core';
import { startDemoServer } from './demo-process.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from './browser-flags.mjs';

const out = new URL('../docs/screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

const { base: demoBase, process: demo } = await startDemoServer();

const dir = new URL('../storybook-static/', import.meta.url).pathname;
const static_ = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
  if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) return res.writeHead(404).end();
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise((r) => static_.listen(0, '127.0.0.1', r));
const sbBase = `http://127.0.0.1:${static_.address().port}`;

const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: CHROMIUM_ARGS,
});

/** Resolves once every video (through shadow roots) plays and has shown a few frames. */
const videosPlay = (page, count) =>
  page.waitForFunction(
    (count) => {
      const videos = [];
      const walk = (root) =>
        root.querySelectorAll('*').forEach((el) => {
          if (el.tagName === 'VIDEO' && !el.hidden) videos.push(el);
          if (el.shadowRoot) walk(el.shadowRoot);
        });
      walk(document);
      return videos.length >= count && videos.every((v) => v.videoWidth > 0);
    },
    { timeout: 30000 },
    count,
  );

async function shoot(url, file, { count = 1, width = 1100, height = 700, before, after, element } = {}) {
  const page = await browser.newPage({ type: 'window' });
  await page.setViewport({ width, height });
  await page.goto(url, { waitUntil: 'load' });
  await before?.(page);
  await videosPlay(page, count).catch(async (err) => {
    await page.screenshot({ path: join(out, `failed-${file}`) });
    throw err;
  });
  await after?.(page);
  await new Promise((r) => setTimeout(r, 1500)); // a few frames more
  // `element`: only that element (e.g. one call of a big room), else the whole page.
  // (A clip of the viewport: capturing beyond it repaints videos black.)
  const box = element && (await (await page.$(element)).boundingBox());
  await page.screenshot({ path: join(out, file), ...(box ? { clip: box, captureBeyondViewport: false } : { fullPage: true }) });
  console.log(`docs/screenshots/${file}`);
  return page;
}

try {
  const room = `shot-${Date.now().toString(36)}`;
  const other = await browser.newPage({ type: 'window' });
  await other.goto(`${demoBase}/?room=${room}`, { waitUntil: 'load' });
  const page = await shoot(`${demoBase}/?room=${room}`, 'demo.png', { count: 2, width: 1000, height: 760 });
  await page.close();
  await other.close();
  const story = (id) => `${sbBase}/iframe.html?id=elements-rtc-call--${id}&viewMode=story`;
  for (const [id, count] of [['live', 3], ['room-of-three', 9], ['themes', 9], ['translated', 3]]) {
    await (await shoot(story(id), `${id}.png`, { count, height: id === 'room-of-three' || id === 'themes' ? 820 : 620 })).close();
  }
  // A room of six seen from Ada's seat: five tiles three across (36 videos play in the page).
  await (await shoot(story('room-of-six'), 'room-of-six.png', { count: 36, width: 1000, height: 1040, element: 'rtc-call' })).close();
  // Ada shares her screen (a real click: getDisplayMedia needs one); Bob's tile shows it with its badge.
  const shared = (page) =>
    page.waitForFunction(
      () => document.querySelector('rtc-call[name="Bob"]')?.shadowRoot?.querySelector('[data-screen] video')?.videoWidth > 400,
      { timeout: 30000 },
    );
  const share = async (page) => {
    await page.click('rtc-camera >>> button[part~="screen-share"]');
    await shared(page);
  };
  await (await shoot(story('screen-share-in-call'), 'screen-share-in-call.png', { count: 3, height: 720, after: share })).close();
} finally {
  await browser.close();
  static_.close();
  demo.kill();
}
