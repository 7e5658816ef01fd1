/** The numbering that makes signaling exactly-once and in order (pure logic, shared by client and server). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Inbox, Outbox } from '../../src/protocol/sequencing.js';

describe('Inbox', () => {
  it('applies in order, holds what comes early until the gap fills, drops duplicates', () => {
    const inbox = new Inbox<string>();
    assert.deepEqual(inbox.receive(1, 'a'), { arrival: 'apply', ready: ['a'] });
    assert.deepEqual(inbox.receive(3, 'c'), { arrival: 'gap', ready: [] });
    assert.deepEqual(inbox.receive(4, 'd'), { arrival: 'gap', ready: [] });
    assert.deepEqual(inbox.receive(3, 'c'), { arrival: 'duplicate', ready: [] });
    assert.deepEqual(inbox.receive(1, 'a'), { arrival: 'duplicate', ready: [] });
    assert.deepEqual(inbox.receive(2, 'b'), { arrival: 'apply', ready: ['b', 'c', 'd'] });
    assert.equal(inbox.last, 4);
  });

  it('bounds what it holds ahead of a gap', () => {
    const inbox = new Inbox<number>(4);
    for (let s = 2; s <= 50; s++) inbox.receive(s, s);
    assert.deepEqual(inbox.receive(1, 1).ready, [1, 2, 3, 4], 'only seq within 4 of the last applied were held');
    assert.equal(inbox.last, 4);
  });
});

describe('Outbox', () => {
  it('keeps messages until acknowledged and replays what follows an ack', () => {
    const out = new Outbox<{ seq: number }>(8);
    for (let i = 0; i < 5; i++) out.push((seq) => ({ seq }), 0);
    assert.equal(out.size, 5);
    assert.equal(out.ack(2, 10), true);
    assert.equal(out.ack(1, 10), false, 'an older ack changes nothing');
    assert.deepEqual(out.after(out.acked, 20).map((m) => m.seq), [3, 4, 5]);
    assert.ok(out.canReplayAfter(2));
    assert.equal(out.ack(99, 30), true);
    assert.equal(out.acked, 5, 'an ack beyond what was sent is clamped');
    assert.equal(out.size, 0);
  });

  it('is overdue only after the timeout without progress', () => {
    const out = new Outbox<number>();
    out.push((s) => s, 1000);
    assert.equal(out.overdue(1500, 1000), false);
    assert.equal(out.overdue(2000, 1000), true);
    out.push((s) => s, 2000);
    out.ack(1, 2100);
    assert.equal(out.overdue(2600, 1000), false, 'progress restarts the clock');
  });

  it('drops the oldest when full and says it can no longer replay them', () => {
    const out = new Outbox<number>(3);
    for (let i = 0; i < 5; i++) out.push((s) => s, 0);
    assert.equal(out.overflowed, true);
    assert.equal(out.canReplayAfter(0), false);
    assert.equal(out.canReplayAfter(2), true);
    assert.deepEqual(out.after(0), [3, 4, 5]);
    for (let i = 0; i < 100; i++) {
      out.push((s) => s, 0);
      out.ack(out.seq, 0);
    }
    assert.equal(out.size, 0);
  });

  it('keeps order across wrap-around and growth while acks come in', () => {
    const out = new Outbox<number>(1000);
    let acked = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < (round % 7) + 1; i++) out.add(out.nextSeq, 0);
      assert.deepEqual(out.after(out.acked), Array.from({ length: out.seq - acked }, (_, k) => acked + k + 1));
      acked = Math.max(acked, out.seq - (round % 5));
      out.ack(acked, 0);
    }
    out.ack(out.seq, 0);
    assert.equal(out.size, 0);
  });
});
