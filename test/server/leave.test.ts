/**
 * `leave` ends a participant, not its connection: the socket stays open, joined to nothing, and
 * may join again (another room, or the same one as a new participant), as the `already-joined`
 * error ("leave before joining another room") promises. Real sockets on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunningServer } from '../../src/server/http-server.js';
import { MEDIA_STATE, perFile } from './support.js';

const { server, client } = perFile();

async function metrics(s: RunningServer): Promise<string> {
  return (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
}

const signal = (to: string, seq: number, data: unknown = MEDIA_STATE) => ({ v: 1, type: 'signal', to, seq, data });

describe('leave', () => {
  it('keeps the socket open: it joins another room and relays there, and its first room hears nothing more from it', async () => {
    // A short retransmission interval: what the first room sent and the mover never acknowledged
    // would come again within the test if the old slot's delivery state were not forgotten.
    const s = await server({ retransmitMs: 150 });
    const [mover, inA, inB] = [client(s.url), client(s.url), client(s.url)];
    const wa = await inA.join('room-a');
    const wm = await mover.join('room-a');
    assert.equal(wm.type, 'welcome');
    await inA.next((f) => f.type === 'peer-joined' && f.peer.id === wm.id, 'A sees the mover arrive');
    // A signal to the mover that it never acknowledges (kept for retransmission), one from it.
    inA.send(signal(wm.id, 1));
    await mover.next((f) => f.type === 'signal' && f.from === wa.id, 'the mover gets A’s signal');
    mover.send(signal(wa.id, 1));
    await inA.next((f) => f.type === 'signal' && f.from === wm.id, 'A gets the mover’s signal');

    mover.send({ v: 1, type: 'leave' });
    await inA.next((f) => f.type === 'peer-left' && f.id === wm.id, 'A is told the mover left');
    const afterLeave = mover.frames.length;
    const aAfterLeave = inA.frames.length;

    const wb = await inB.join('room-b');
    const wm2 = await mover.join('room-b');
    assert.equal(wm2.type, 'welcome', `joined again on the same socket: ${JSON.stringify(wm2)}`);
    assert.equal(mover.closed, undefined, 'the socket stayed open');
    assert.equal(wm2.room, 'room-b');
    assert.notEqual(wm2.id, wm.id, 'a new participant');
    assert.deepEqual(wm2.peers, [{ id: wb.id, name: '' }]);
    assert.equal(wm2.ack, 0, 'numbering starts afresh');
    await inB.next((f) => f.type === 'peer-joined' && f.peer.id === wm2.id, 'B sees the mover arrive');

    // Signals both ways in room B, numbered from 1 again.
    mover.send(signal(wb.id, 1, { candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } }));
    const got = await inB.next((f) => f.type === 'signal', 'B gets the mover’s signal');
    assert.equal(got.from, wm2.id);
    assert.equal(got.data.candidate.sdpMid, '0');
    inB.send(signal(wm2.id, 1));
    const back = await mover.next((f) => f.type === 'signal' && f.from === wb.id, 'the mover gets B’s signal');
    assert.equal(back.seq, 1, 'numbered afresh for the new participant');

    // Room A: its participant cannot reach the old id, and the mover gets nothing of room A.
    inA.send(signal(wm.id, 2));
    await inA.next((f) => f.type === 'error' && f.code === 'unknown-peer', 'the old id is unknown in room A');
    inA.send(signal(wm2.id, 3));
    await inA.next((f) => f.type === 'error' && f.code === 'unknown-peer', 'the new id is unknown in room A');
    await new Promise((r) => setTimeout(r, 600)); // four retransmission intervals
    const fromA = mover.frames.slice(afterLeave).filter((f) => f.from === wa.id || f.peer?.id === wa.id || f.id === wa.id);
    assert.deepEqual(fromA, [], 'nothing of room A reaches the socket after its leave');
    assert.deepEqual(
      // (A acknowledges nothing either: what it got before, seq 1 to 3, may come again.)
      inA.frames.slice(aAfterLeave).filter((f) => f.seq > 3 || JSON.stringify(f).includes(wm2.id)),
      [],
      'room A hears nothing of the mover after its leave',
    );

    const text = await metrics(s);
    assert.match(text, /^rtc_signal_connections 3$/m);
    assert.match(text, /^rtc_signal_participants 3$/m);
    assert.match(text, /^rtc_signal_rooms 2$/m);
    assert.match(text, /^rtc_signal_joins_total 4$/m);
    assert.deepEqual([...s.signaling.rooms()].sort(), [['room-a', 1], ['room-b', 2]]);
  });

  it('may join the same room again, as a new participant', async () => {
    const s = await server();
    const [c, other] = [client(s.url), client(s.url)];
    await other.join('again');
    const w1 = await c.join('again');
    await other.next((f) => f.type === 'peer-joined' && f.peer.id === w1.id, 'first arrival');
    c.send({ v: 1, type: 'leave' });
    await other.next((f) => f.type === 'peer-left' && f.id === w1.id, 'left');
    const w2 = await c.join('again');
    assert.equal(w2.type, 'welcome');
    assert.notEqual(w2.id, w1.id);
    await other.next((f) => f.type === 'peer-joined' && f.peer.id === w2.id, 'second arrival');
    assert.match(await metrics(s), /^rtc_signal_participants 2$/m);
  });

  it('a socket idle after its leave is closed by the join timeout, as a new one would be; one that joins again is not', async () => {
    const s = await server({ joinTimeoutMs: 300 });
    const [idle, back] = [client(s.url), client(s.url)];
    await idle.join('timeout');
    await back.join('timeout');
    // Well past the first timeout: a joined socket is never closed by it.
    await new Promise((r) => setTimeout(r, 400));
    idle.send({ v: 1, type: 'leave' });
    back.send({ v: 1, type: 'leave' });
    assert.equal((await back.join('timeout-2')).type, 'welcome');
    const closed = await idle.closing(3000);
    assert.deepEqual(closed, { code: 4408, reason: 'no join in time' });
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(back.closed, undefined, 'joined again in time: stays');
    const text = await metrics(s);
    assert.match(text, /^rtc_signal_messages_refused_total\{reason="join-timeout"\} 1$/m);
    assert.match(text, /^rtc_signal_connections 1$/m);
    assert.match(text, /^rtc_signal_participants 1$/m);
  });

  it('a leave from a socket that never joined does not put off its join timeout', async () => {
    const s = await server({ joinTimeoutMs: 400 });
    const c = client(s.url);
    await c.opened;
    const leaves = setInterval(() => c.send({ v: 1, type: 'leave' }), 100);
    try {
      assert.equal((await c.closing(3000)).code, 4408);
    } finally {
      clearInterval(leaves);
    }
  });
});
