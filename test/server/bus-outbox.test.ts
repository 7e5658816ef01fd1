/**
 * The outbox of signals for other processes, as logic: a stand-in for PUBLISH that answers how
 * many subscribers heard each message. (That Redis really answers so, and that signals survive a
 * break and a failover, is proven with a real Redis in redis-scale-out and redis-failover.)
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { BusOutbox } from '../../src/server/bus-outbox.js';
import { until } from './support.js';

const sig = (n: number, to = 'b', pad = 0) => ({ room: 'r', to, text: JSON.stringify({ n, pad: 'x'.repeat(pad) }) });

/** An outbox whose publish answers `heard(proc)` (0 = nobody subscribed), recording every call. */
function outbox(
  heard: (proc: string) => number | Error,
  where: Record<string, string | undefined> = {},
  { holdMs = 1000, maxBytes = 1 << 20, batchBytes = 1 << 20 } = {},
) {
  const published: { proc: string; items: number[]; heard: boolean }[] = [];
  const lost: number[] = [];
  const box = new BusOutbox({
    publish: async (proc, texts) => {
      await new Promise((r) => setTimeout(r, 5)); // a round trip
      const h = heard(proc);
      published.push({ proc, items: texts.map((t) => JSON.parse(t).n), heard: typeof h === 'number' && h > 0 });
      if (h instanceof Error) throw h;
      return h;
    },
    locate: (_room, to) => (to in where ? where[to] : 'p2'),
    holdMs,
    retryMs: 20,
    maxBytes,
    batchBytes,
    onLost: (n) => lost.push(n),
  });
  const delivered = (proc?: string) => published.filter((p) => p.heard && (!proc || p.proc === proc)).flatMap((p) => p.items);
  return { box, published, lost, delivered };
}

it('sends at once, one publish in flight per process, the rest batched behind it in order', async () => {
  const t = outbox(() => 1);
  for (let n = 1; n <= 4; n++) t.box.send('p2', sig(n));
  await until(() => t.box.held === 0, 'all heard');
  assert.deepEqual(t.published.map((p) => p.items), [[1], [2, 3, 4]]);
  t.box.close();
});

it('holds what nobody heard and sends it again, in order, with what came meanwhile', async () => {
  let up = false;
  const t = outbox(() => (up ? 1 : 0));
  t.box.send('p2', sig(1));
  t.box.send('p2', sig(2));
  await until(() => t.published.length >= 3, 'a few tries unheard');
  t.box.send('p2', sig(3));
  up = true;
  await until(() => t.box.held === 0, 'heard once the process is back');
  assert.deepEqual(t.delivered(), [1, 2, 3]);
  assert.deepEqual(t.lost, []);
  t.box.close();
});

it('a failed publish (Redis away) is tried again like an unheard one', async () => {
  let fail = true;
  const t = outbox(() => (fail ? new Error('Connection is closed.') : 1));
  t.box.send('p2', sig(1));
  await until(() => t.published.length >= 2, 'tries that fail');
  fail = false;
  await until(() => t.box.held === 0, 'sent once Redis is back');
  assert.deepEqual(t.delivered(), [1]);
  t.box.close();
});

it('gives up what is older than the hold, and what is for a participant gone', async () => {
  const where: Record<string, string | undefined> = { gone: 'p2' };
  const t = outbox(() => 0, where, { holdMs: 150 });
  t.box.send('p2', sig(1));
  t.box.send('p2', sig(2, 'gone'));
  await new Promise((r) => setTimeout(r, 50));
  where.gone = undefined; // left the room
  await until(() => t.box.held === 0, 'nothing held');
  assert.equal(t.lost.reduce((a, b) => a + b, 0), 2);
  assert.deepEqual(t.delivered(), []);
  t.box.close();
});

it('follows a recipient that moved to another process, in order with what is sent after the move', async () => {
  const where: Record<string, string | undefined> = { b: 'p2' };
  const t = outbox((proc) => (proc === 'p3' ? 1 : 0), where);
  t.box.send('p2', sig(1));
  t.box.send('p2', sig(2));
  await until(() => t.published.length >= 2, 'unheard on p2');
  where.b = 'p3'; // it resumed through p3: the sender's relay now names p3 for what follows
  t.box.send('p3', sig(3));
  t.box.send('p2', sig(4, 'other')); // someone else on p2 still waits there
  await until(() => t.delivered().length === 3, 'delivered to p3');
  assert.deepEqual(t.delivered('p3'), [1, 2, 3]);
  assert.equal(t.box.held, 1);
  t.box.close();
  assert.deepEqual(t.lost, [1], 'closing gives up what is held');
});

it('holds at most `maxBytes` per process, giving up the oldest; a batch stops at `batchBytes`', async () => {
  let up = false;
  const t = outbox(() => (up ? 1 : 0), {}, { maxBytes: 5 * 120, batchBytes: 2 * 120 });
  for (let n = 1; n <= 8; n++) t.box.send('p2', sig(n, 'b', 100)); // ~110 bytes each
  assert.equal(t.box.held, 5, 'the one in flight stays, and the newest that fit');
  up = true;
  await until(() => t.box.held === 0, 'sent');
  assert.deepEqual(t.delivered(), [1, 5, 6, 7, 8]);
  assert.ok(t.published.filter((p) => p.heard).every((p) => p.items.length <= 2), JSON.stringify(t.published));
  t.box.close();
});

it('gives up on the next try what has waited longer than the hold', async () => {
  let up = false;
  const t = outbox(() => (up ? 1 : 0), {}, { holdMs: 100 });
  t.box.send('p2', sig(1));
  await new Promise((r) => setTimeout(r, 150));
  t.box.send('p2', sig(2));
  up = true;
  await until(() => t.box.held === 0, 'sent');
  assert.deepEqual(t.delivered(), [2]);
  assert.deepEqual(t.lost, [1]);
  t.box.close();
});
