#!/usr/bin/env node
/**
 * Stats cost and mesh setup, in headless Chromium with fake devices through the kit's server on
 * 127.0.0.1.
 *
 *   node --import tsx bench/calls/run.mjs [--quick]
 *
 * Stats: median cost of a bare getStats(), of a getStats() whose report is read, and of one kit interval (sampling + rates + <rtc-stats>
 * render), measured alternately in the same call; getStats() calls per connection per interval
 * with three <rtc-stats> shown; long tasks during a call with stats shown (60 s, 15 s with --quick).
 * Mesh: time until every participant of a 4-person room sees every other, vs 1:1, alternated, each next
 * to its floor: raw RTCPeerConnections wired in the page.
 */
import { launchChromium, median, p90, record, table } from '../lib.mjs';
import { readRoot, startKitServer } from '../kit-server.mjs';

const quick = process.argv.includes('--quick');
const { base, signalingUrl, close } = await startKitServer({
  '/page.js': ['text/javascript', readRoot('bench/calls/page.js')],
}, '', { isolated: true });
const browser = await launchChromium();
const page = await browser.newPage({ type: 'window' });
await page.goto(base);
await page.waitForFunction(() => window.bench && customElements.get('rtc-call'));
const run = (fn, arg) => page.evaluate((fn, arg) => window.bench[fn](arg), fn, arg);

// Stats cost.
// One <rtc-stats> (the detailed panel) for the cost; three for the sharing count.
await run('startCalls', { url: signalingUrl, room: `stats-${Date.now()}`, n: 2, stats: 1 });
await new Promise((r) => setTimeout(r, 2000));
const bare = [];
const read = [];
const kit = [];
for (let i = 0; i < 6; i++) {
  bare.push(...(await run('getStatsCost', { iterations: 10, gap: 120 })));
  read.push(...(await run('getStatsCost', { iterations: 10, gap: 120, read: true })));
  kit.push(...(await run('kitInterval', { iterations: 10, gap: 120 })));
}
await run('addStats', { n: 2 });
const counted = await run('countGetStats', { ms: 5000 });
const longTasks = await run('longTasks', { ms: quick ? 15000 : 60000 });
await run('stopCalls');

// Mesh vs 1:1.
// The raw floors (RTCPeerConnections wired in the page, no server) show what the pairs and
// encoders cost by themselves on this machine.
const mesh = { '1:1': [], '4-person mesh': [], 'raw 1:1 (floor)': [], 'raw 4-person mesh (floor)': [] };
for (let round = 0; round < (quick ? 2 : 5); round++) {
  for (const [name, n] of [['1:1', 2], ['4-person mesh', 4]]) {
    mesh[name].push(await run('startCalls', { url: signalingUrl, room: `mesh-${round}-${n}-${Date.now()}`, n }));
    await run('stopCalls');
    mesh[`raw ${name} (floor)`].push(await run('rawMesh', { n }));
  }
}

const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
console.log('\nStats cost, ms per interval (same call, alternated)');
table(
  ['measure', 'n', 'p50', 'p90', 'ratio'],
  [
    ['bare getStats()', bare.length, f(median(bare)), f(p90(bare)), '1.00×'],
    ['getStats() + read every entry', read.length, f(median(read)), f(p90(read)), f(median(read) / median(bare)) + '×'],
    ['kit sample + one <rtc-stats> render', kit.length, f(median(kit)), f(p90(kit)), f(median(kit) / median(bare)) + '×'],
  ],
);
const perInterval = counted.count / (5000 / counted.intervalMs) / counted.connections;
console.log(`getStats() per connection per interval with 3 <rtc-stats>: ${f(perInterval)} (${counted.count} calls in 5 s)`);
console.log(`long tasks during ${quick ? 15 : 60} s of a call with stats shown: ${longTasks.length}${longTasks.length ? ` (max ${f(Math.max(...longTasks), 0)} ms)` : ''}`);
console.log('\nMesh setup, ms from join() until every participant renders every other one');
const oneToOne = median(mesh['1:1']);
table(
  ['room', 'n', 'p50', 'p90', 'vs 1:1', 'vs raw floor'],
  Object.entries(mesh).map(([k, xs]) => {
    const floor = k.startsWith('raw') ? null : median(mesh[`raw ${k} (floor)`]);
    return [k, xs.length, f(median(xs), 0), f(p90(xs), 0), f(median(xs) / oneToOne) + '×', floor ? f(median(xs) / floor) + '×' : ''];
  }),
);
record('stats', {
  bareGetStatsP50: median(bare),
  kitIntervalP50: median(kit),
  ratio: median(kit) / median(bare),
  readGetStatsP50: median(read),
  ratioToRead: median(kit) / median(read),
  getStatsPerConnectionPerInterval: perInterval,
  longTasks: longTasks.length,
  longTaskWindowSeconds: quick ? 15 : 60,
});
const rawFour = median(mesh['raw 4-person mesh (floor)']);
record('mesh', {
  oneToOneP50: oneToOne,
  fourMeshP50: median(mesh['4-person mesh']),
  ratio: median(mesh['4-person mesh']) / oneToOne,
  rawOneToOneP50: median(mesh['raw 1:1 (floor)']),
  rawFourMeshP50: rawFour,
  ratioToRawFourMesh: median(mesh['4-person mesh']) / rawFour,
});
await browser.close();
await close();
process.exit(0);
