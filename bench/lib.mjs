// Shared pieces of the benchmarks: statistics, browser launch, a static file server, output.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, totalmem } from 'node:os';
import puppeteer from 'puppeteer-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../scripts/browser-flags.mjs';

export const median = (xs) => quantile(xs, 0.5);
export const p90 = (xs) => quantile(xs, 0.9);
export function quantile(xs, q) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
}

export function shuffle(xs) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export { CHROMIUM_ARGS };

/**
 * Chromium for the benchmarks. Two windows take turns in front: a window in the back must not be
 * throttled (its timers, its frames: requestVideoFrameCallback would not fire), or a trial hangs.
 */
export const launchChromium = () =>
  puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Above the longest single step (the 60 s long-task watch in bench:calls).
    protocolTimeout: 180_000,
    args: [
      ...CHROMIUM_ARGS,
      '--disable-backgrounding-occluded-windows',
      '--disable-renderer-backgrounding',
      '--disable-background-timer-throttling',
    ],
  });

/**
 * An HTTP server on 127.0.0.1 serving `routes` ({path: [contentType, body]}); returns {server, base}.
 * `isolated` makes its pages cross-origin isolated, so performance.now() resolves 5 µs instead
 * of 100 µs (for costs of a fraction of a millisecond); every resource must then be same-origin.
 */
export async function serve(routes, { isolated = false } = {}) {
  const headers = isolated
    ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
    : {};
  const server = createServer((req, res) => {
    const route = routes[new URL(req.url, 'http://x').pathname];
    if (!route) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': route[0], 'cache-control': 'no-store', ...headers }).end(route[1]);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}

export const machine = () => ({
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
});

/** Merges `section` into bench/results/latest.json. */
export function record(name, section) {
  const file = new URL('./results/latest.json', import.meta.url);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const all = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  all.machine = machine();
  all.date = new Date().toISOString();
  all[name] = section;
  writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
}

/** Prints rows (arrays) as an aligned text table. */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(all[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of all.slice(1)) console.log(line(r));
}
