#!/usr/bin/env node
/**
 * The README's React 19 and Vue 3 examples, compiled and run (after `npm run build`):
 * 1. the README shows `examples/react/App.tsx`, `examples/vue/App.vue` and
 *    `examples/vue/vite.config.ts` verbatim;
 * 2. the React example type-checks against the built declarations (`rtc-elements/react` JSX types),
 *    and the Vue example with vue-tsc (`rtc-elements/vue` template types);
 * 3. each example is built with vite against the built package (`dist/`), served on 127.0.0.1 and
 *    opened in headless Chromium next to the kit's signaling server, and must show what a user
 *    would see: the elements upgraded, objects set by the framework arriving as objects (ICE
 *    servers, translated strings on the buttons), the camera preview playing, and the
 *    `rtc-joined` event reaching the framework's handler, which updates the page's text; and, against
 *    a server that refuses the page's origin, `rtc-error` reaching the other handler.
 *
 *   node --import tsx scripts/examples-check.mjs [react|vue]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { build } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from './browser-flags.mjs';
import { startSignalingServer } from '../src/server/http-server.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const started = Date.now();
const problems = [];
const check = (ok, message) => (ok ? console.log(`✓ ${message}`) : (console.log(`✗ ${message}`), problems.push(message)));
const only = process.argv[2];

// 1. The README shows the files as they are.
const readme = readFileSync(join(root, 'README.md'), 'utf8');
for (const file of ['examples/react/App.tsx', 'examples/vue/App.vue', 'examples/vue/vite.config.ts']) {
  const text = readFileSync(join(root, file), 'utf8').trimEnd();
  check(readme.includes(`\n${text}\n\`\`\``), `README.md shows ${file} verbatim`);
}

const dist = join(root, 'dist/index.js');
if (!['dist/index.js', 'dist/types/react.d.ts', 'dist/types/vue.d.ts'].every((f) => existsSync(join(root, f)))) {
  console.error('dist/ missing: run `npm run build` first');
  process.exit(1);
}

// 2. The React example type-checks with the package's JSX types.
try {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'examples/react/tsconfig.json'], { cwd: root, encoding: 'utf8' });
  check(true, 'examples/react type-checks (tsc, JSX types from rtc-elements/react)');
} catch (err) {
  check(false, `examples/react type-checks:\n${err.stdout}`);
}

// The Vue example type-checks too (vue-tsc, with the template types of `rtc-elements/vue`).
try {
  execFileSync(process.execPath, [join(root, 'node_modules/vue-tsc/bin/vue-tsc.js'), '-p', 'examples/vue/tsconfig.json'], { cwd: root, encoding: 'utf8' });
  check(true, 'examples/vue type-checks (vue-tsc, template types from rtc-elements/vue)');
} catch (err) {
  check(false, `examples/vue type-checks:\n${err.stdout}`);
}

// 3. Built, served and used in a browser.
const signaling = await startSignalingServer({ port: 0, host: '127.0.0.1' });
// A server that refuses this page's origin (close 4403): the call fires `rtc-error` `forbidden-origin`.
const refusing = await startSignalingServer({ port: 0, host: '127.0.0.1', allowedOrigins: ['https://example.org'] });
const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
const out = mkdtempSync(join(tmpdir(), 'rtc-examples-'));
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/** What the page shows, read through the shadow roots as a user sees it. */
function seen() {
  const call = document.querySelector('rtc-call');
  const camera = document.querySelector('rtc-camera');
  const shadow = call?.shadowRoot;
  const buttons = [...(shadow?.querySelectorAll('[part~="controls"] button') ?? [])].map((b) => b.textContent.trim());
  return {
    upgraded: !!call && call instanceof customElements.get('rtc-call') && !!shadow,
    cameraUpgraded: !!camera && camera instanceof customElements.get('rtc-camera'),
    iceServers: call?.iceServers,
    iceServersAttribute: call?.getAttribute('iceservers') ?? call?.getAttribute('ice-servers') ?? null,
    callStatus: shadow?.querySelector('[part~="status"]')?.textContent.trim() ?? '',
    buttons,
    noMirror: camera?.noMirror ?? null,
    preview: camera?.shadowRoot?.querySelector('video')?.videoWidth ?? 0,
    pageStatus: document.querySelector('p[role="status"]')?.textContent.trim() ?? '',
  };
}

const examples = {
  react: {
    room: 'react-room',
    joined: 'In react-room',
    refused: 'Error: forbidden-origin',
    leave: 'Hang up',
    config: { root: join(root, 'examples/react'), configFile: false },
  },
  vue: {
    room: 'vue-room',
    joined: 'Dans vue-room',
    refused: 'Erreur : forbidden-origin',
    leave: 'Quitter',
    noMirror: true,
    config: { root: join(root, 'examples/vue'), configFile: join(root, 'examples/vue/vite.config.ts') },
  },
};

try {
  for (const [name, ex] of Object.entries(examples)) {
    if (only && only !== name) continue;
    const dir = join(out, name);
    // Built as an app that installed the package: `rtc-elements` is the built dist/.
    await build({
      ...ex.config,
      logLevel: 'warn',
      resolve: { alias: [{ find: /^rtc-elements$/, replacement: dist }] },
      build: { outDir: dir, emptyOutDir: true, minify: false },
    });
    const server = createServer((req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
      const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
      if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(res);
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && !m.location()?.url?.endsWith('/favicon.ico') && errors.push(`console error: ${m.text()}`));
    try {
      const q = new URLSearchParams({ signaling: signaling.url, room: ex.room });
      await page.goto(`http://127.0.0.1:${server.address().port}/?${q}`, { waitUntil: 'load', timeout: 30000 });
      // Bounded wait for what a user would see; then report every check from the last look.
      await page
        .waitForFunction((joined) => document.querySelector('p[role="status"]')?.textContent.trim() === joined, { timeout: 15000 }, ex.joined)
        .catch(() => {});
      await page
        .waitForFunction(() => document.querySelector('rtc-camera')?.shadowRoot?.querySelector('video')?.videoWidth > 0, { timeout: 15000 })
        .catch(() => {});
      const s = await page.evaluate(seen);
      check(s.upgraded && s.cameraUpgraded, `${name}: <rtc-call> and <rtc-camera> are upgraded (shadow root, element classes)`);
      check(
        Array.isArray(s.iceServers) && s.iceServers[0]?.urls === 'stun:stun.example.org:3478' && s.iceServersAttribute === null,
        `${name}: iceServers arrives as an object, not an attribute string (${JSON.stringify(s.iceServers)})`,
      );
      check(s.buttons.includes(ex.leave), `${name}: the strings object reaches the element: its button says "${ex.leave}" (${s.buttons.join(', ')})`);
      check(s.pageStatus === ex.joined, `${name}: the rtc-joined handler updates the page: "${s.pageStatus}" (call says "${s.callStatus}")`);
      check(s.preview === 320, `${name}: the camera preview plays at the width the framework set, 320px (${s.preview}px)`);
      if (ex.noMirror) check(s.noMirror === true, `${name}: the no-mirror attribute reaches the camera`);
      check(errors.length === 0, `${name}: no page or console errors${errors.length ? `: ${errors.join('; ')}` : ''}`);
      // The same page against a server that refuses it: the rtc-error handler shows the code.
      const r = new URLSearchParams({ signaling: refusing.url, room: ex.room });
      await page.goto(`http://127.0.0.1:${server.address().port}/?${r}`, { waitUntil: 'load', timeout: 30000 });
      const refused = await page
        .waitForFunction((text) => document.querySelector('p[role="status"]')?.textContent.trim() === text, { timeout: 15000 }, ex.refused)
        .then(() => true, () => false);
      const shown = await page.evaluate(() => document.querySelector('p[role="status"]')?.textContent.trim());
      check(refused, `${name}: the rtc-error handler updates the page when the server refuses: "${shown}"`);
    } finally {
      await page.close();
      server.close();
    }
  }
} finally {
  await browser.close();
  await signaling.close();
  await refusing.close();
  rmSync(out, { recursive: true, force: true });
}

console.log(`\nexamples: ${problems.length ? `${problems.length} failed` : 'ok'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(problems.length ? 1 : 0);
