#!/usr/bin/env node
/**
 * Visits every story of the built Storybook (storybook-static/) in headless Chromium with fake
 * devices and fails on a console error, a page error, a failed request, an accessibility
 * violation (axe-core), or — for stories tagged `live` — a video that does not play.
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
const axeSource = readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: CHROMIUM_ARGS,
});
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
      // Every <video> anywhere (through shadow roots) plays: videoWidth > 0.
      await page
        .waitForFunction(
          () => {
            const videos = [];
            const walk = (root) => {
              root.querySelectorAll('*').forEach((el) => {
                if (el.tagName === 'VIDEO') videos.push(el);
                if (el.shadowRoot) walk(el.shadowRoot);
              });
            };
            walk(document);
            return videos.length > 0 && videos.every((v) => v.videoWidth > 0);
          },
          { timeout: 15000 },
        )
        .catch(() => problems.push('live story: not every video plays (videoWidth > 0) within 15 s'));
    } else {
      await new Promise((r) => setTimeout(r, 300));
    }
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run('#storybook-root', { resultTypes: ['violations'] });
      return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
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
