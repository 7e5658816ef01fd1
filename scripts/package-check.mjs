#!/usr/bin/env node
/**
 * Checks the package as users install it (after `npm run build`): every `exports` target and the
 * manifest exist and are packed; the library build imports nothing but lit and @lit/context; the
 * self-contained bundle works from a plain <script type="module"> in headless Chromium; the server
 * library (`rtc-elements/server`) runs in plain Node; and CommonJS resolution finds the main entry.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import puppeteer from 'puppeteer-core';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const problems = [];
const check = (ok, message) => (ok ? console.log(`✓ ${message}`) : problems.push(message));

const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))[0].files.map((f) => f.path);
const targets = new Set([pkg.customElements, pkg.types]);
for (const value of Object.values(pkg.exports)) {
  for (const t of typeof value === 'string' ? [value] : Object.values(value)) targets.add(t);
}
for (const bin of Object.values(pkg.bin ?? {})) targets.add(bin);
for (const t of targets) {
  const path = t.replace(/^\.\//, '');
  check(existsSync(new URL(path, root)) && packed.includes(path), `${path} is built and packed`);
}

// Tests and their helpers stay in the repository: users install what runs and what maps to it.
const testFiles = packed.filter((p) => /\.test\.ts$|^src\/test-support\//.test(p));
check(testFiles.length === 0, `no tests packed${testFiles.length ? ` (${testFiles.slice(0, 3).join(', ')}…)` : ''}`);

const lib = readFileSync(new URL('dist/index.js', root), 'utf8');
const bare = [...lib.matchAll(/(?:^|[;\n])\s*import[^'"]*['"]([^'"./][^'"]*)['"]/g)].map((m) => m[1]);
const foreign = bare.filter((s) => !/^(lit|@lit\/)/.test(s));
check(foreign.length === 0, `dist/index.js imports only lit and @lit/context (${[...new Set(bare)].join(', ')})`);

const bundle = readFileSync(new URL('dist/rtc-elements.bundle.js', root));
const html = `<!doctype html><html lang="en"><body><script type="module" src="/rtc-elements.bundle.js"></script>
<rtc-camera no-audio width="320" height="240"></rtc-camera></body></html>`;
const server = createServer((req, res) => {
  if (req.url === '/rtc-elements.bundle.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
  else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  else res.writeHead(404).end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await puppeteer.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const width = await page
    .waitForFunction(() => document.querySelector('rtc-camera')?.shadowRoot?.querySelector('video')?.videoWidth, { timeout: 15000 })
    .then((h) => h.jsonValue(), () => 0);
  check(width === 320 && errors.length === 0, `the CDN bundle runs from a plain page: <rtc-camera> previews at ${width}px wide${errors.length ? `; errors: ${errors.join('; ')}` : ''}`);
} finally {
  await browser.close();
  server.close();
}
// The server library through the package's own exports map, as a user's app imports it.
const serverLib = await import('rtc-elements/server');
const running = await serverLib.startSignalingServer({ port: 0, path: 'signal' });
try {
  const health = await fetch(`http://127.0.0.1:${running.port}/healthz`);
  const token = await serverLib.createRoomToken('a-package-check-secret-0123456789abcdef', { room: 'r' });
  check(
    running.url.endsWith('/signal') && health.ok && (await serverLib.verifyRoomToken('a-package-check-secret-0123456789abcdef', token, 'r')).room === 'r',
    `rtc-elements/server imports in plain Node: a server at ${running.url} answers /healthz, and its tokens verify`,
  );
} finally {
  await running.close();
}
// CommonJS tooling (Jest, require.resolve) finds the main entry.
const resolved = createRequire(import.meta.url).resolve('rtc-elements');
check(resolved.endsWith('/dist/index.js'), `require.resolve('rtc-elements') finds dist/index.js (${resolved})`);

if (problems.length) {
  console.error(`\nPackage check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('package check: ok');
