#!/usr/bin/env node
/**
 * The demo as `npm start` serves it, in headless Chromium (fake camera and microphone): Ada
 * joins from the form with her name, Bob opens the same room by link, and each must see the
 * other by name with live video, the stats panel must show figures, a chat message must cross,
 * and no page may log an error or fail a request (the themed and two-call pages included).
 *
 *   node scripts/demo-check.mjs
 */
import puppeteer from 'puppeteer-core';
import { CHROMIUM, chromiumArgsWithDevices } from './browser-flags.mjs';
import { startDemoServer } from './demo-process.mjs';

const started = Date.now();
const problems = [];
const check = (ok, message) => (ok ? console.log(`✓ ${message}`) : (console.log(`✗ ${message}`), problems.push(message)));
const { base, process: server } = await startDemoServer();
const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgsWithDevices(1) });
const errors = [];

/** Opens `path` in a new page that records its errors. */
async function open(tag, path) {
  const page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && errors.push(`${tag}: console.error ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`${tag}: ${e.message}`));
  page.on('response', (r) => r.status() >= 400 && errors.push(`${tag}: HTTP ${r.status()} ${r.url()}`));
  await page.goto(`${base}${path}`, { waitUntil: 'load' });
  return page;
}

/** Polls `fn` in `page` until it returns something truthy (at most `ms`). */
async function until(page, fn, arg, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await page.evaluate(fn, arg).catch(() => null);
    if (value || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

// What a user of one page sees: the tile names, whether their video plays, the stats, the chat.
const view = () => {
  const call = document.querySelector('rtc-call');
  const tiles = [...(call?.shadowRoot?.querySelectorAll('[part~="tile"]') ?? [])];
  const stats = document.querySelector('rtc-stats')?.shadowRoot;
  const chat = document.querySelector('rtc-chat')?.shadowRoot;
  return {
    names: tiles.map((t) => t.querySelector('[part~="name"]')?.textContent),
    playing: tiles.every((t) => (t.querySelector('video')?.videoWidth ?? 0) > 0),
    receiving: stats?.querySelector('[part~="receive-bitrate"]')?.textContent?.trim() ?? '',
    chat: [...(chat?.querySelectorAll('[part~="message"]') ?? [])].map((m) => m.textContent.replace(/\s+/g, ' ').trim()),
  };
};

try {
  const ada = await open('ada', '/');
  await ada.type('#room', 'demo-check');
  await ada.type('#name', 'Ada');
  await Promise.all([ada.waitForNavigation(), ada.click('#join button')]);
  check(ada.url().includes('room=demo-check') && ada.url().includes('name=Ada'), `the form opens the room with the name (${ada.url().replace(base, '')})`);
  const bob = await open('bob', '/?room=demo-check&name=Bob');
  const sees = (page, name) =>
    until(page, ([src, n]) => { const v = (0, eval)(`(${src})`)(); return v.names.includes(n) && v.playing ? v : null; }, [String(view), name]);
  check(!!(await sees(ada, 'Bob')), 'Ada sees Bob by name, his video playing');
  check(!!(await sees(bob, 'Ada')), 'Bob sees Ada by name, her video playing');
  const figures = await until(bob, (v) => { const r = (0, eval)(`(${v})`)().receiving; return /\d/.test(r) && !/^0\b/.test(r) ? r : null; }, String(view));
  check(!!figures, `Bob's stats panel shows what he receives (${figures})`);
  await ada.evaluate(() => {
    const input = document.querySelector('rtc-chat').shadowRoot.querySelector('input');
    input.value = 'hello from the demo';
    input.form.requestSubmit();
  });
  const chat = await until(bob, (v) => (0, eval)(`(${v})`)().chat.find((m) => m.includes('hello from the demo')), String(view));
  check(chat === 'Ada: hello from the demo', `Bob's chat shows Ada's message (${chat})`);
  for (const page of ['themed.html', 'two-calls.html']) (await open(page, `/${page}?room=demo-check-2`)).close();
  await new Promise((r) => setTimeout(r, 2000));
  check(errors.length === 0, `no page logged an error or failed a request${errors.length ? `: ${errors.join(' | ')}` : ''}`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
console.log(`\ndemo: ${problems.length ? 'FAILED' : 'ok'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(problems.length ? 1 : 0);
