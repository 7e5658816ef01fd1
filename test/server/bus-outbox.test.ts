/**
 * The outbox of signals for other processes, as logic: a stand-in for PUBLISH that answers how
 * many subscribers heard each message. (That Redis really answers so, and that signals survive a
 * break and a failover, is proven with a real Redis in redis-scale-out and redis-failover.)
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { BusOutbox } from '../../src/server/bus-outbox.js';
import { until } from './support.js';

type Sig = { room: string; to: string; n: number };
const sig = (n: number, to = 'b'): Sig => ({ room: 'r', to, n });

/** An outbox whose publish answers `heard(proc)` (0 = nobody subscribed), recording every call. */
function outbox(heard: (proc: string) => number | Error, where: Record<string, string | undefined> = {}, holdMs = 1000) {
  const published: { proc: string; items: number[]; heard: boolean }[] = [];
  const lost: number[] = [];
  const box = new BusOutbox<Sig>({
    publish: async (proc, items) => {
      await new Promise((r) => setTimeout(r, 5)); // a round trip
      const h = heard(proc);
      published.push({ proc, items: items.map((i) => i.n), heard: typeof h === 'number' && h > 0 });
      if (h instanceof Error) throw h;
      return h;
    },
    locate: (_room, to) => (to in where ? where[to] : 'p2'),
    holdMs,
    retryMs: 20,
    max: 5,
    onLost: (n) => lost.push(n),
  });
  const delivered = () => published.filter((p) => p.heard).flatMap((p) => p.items);
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
  const t = outbox(() => 0, where, 150);
  t.box.send('p2', sig(1));
  t.box.send('p2', sig(2, 'gone'));
  await new Promise((r) => setTimeout(r, 50));
  where.gone = undefined; // left the room
  await until(() => t.box.held === 0, 'nothing held');
  assert.equal(t.lost.reduce((a, b) => a + b, 0), 2);
  assert.deepEqual(t.delivered(), []);
  t.box.close();
});

it('follows a recipient that moved to another process', async () => {
  const where: Record<string, string | undefined> = { b: 'p2' };
  const t = outbox((proc) => (proc === 'p3' ? 1 : 0), where);
  t.box.send('p2', sig(1));
  await until(() => t.published.length >= 2, 'unheard on p2');
  where.b = 'p3'; // it resumed through p3
  await until(() => t.box.held === 0, 'delivered');
  assert.deepEqual(t.published.filter((p) => p.heard), [{ proc: 'p3', items: [1], heard: true }]);
  t.box.close();
});

it('holds at most `max` per process, giving up the oldest', async () => {
  const t = outbox(() => 0);
  for (let n = 1; n <= 8; n++) t.box.send('p2', sig(n));
  assert.equal(t.box.held, 5);
  assert.deepEqual(t.lost, [1, 1, 1]);
  t.box.close();
  assert.equal(t.box.held, 0);
});
