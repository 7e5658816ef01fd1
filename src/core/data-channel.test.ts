import { expect } from '@open-wc/testing';
import { CallSession } from './call-session.js';
import type { ParticipantEvent } from './session-events.js';
import { ChannelMessageEvent, channelId, CHUNK_BYTES } from './data-channel.js';
import { until } from '../test-support/call-helpers.js';
import { joinedSessions, sha256 } from '../test-support/sessions.js';

/** Collects the messages a channel receives, with their senders. */
function inbox(session: CallSession, label: string, options = {}) {
  const got: { from: string; data: string | ArrayBuffer }[] = [];
  // Typed without a cast, as the README's snippet uses it (tsc checks this file in the build).
  session.channel(label, options).addEventListener('message', (e) => got.push({ from: e.from, data: e.data }));
  return got;
}

describe('CallSession data channels (real peer connections through the real server)', () => {
  let sessions: CallSession[] = [];
  afterEach(() => sessions.splice(0).forEach((s) => s.leave()));

  it('sends text to one participant or to everyone, with the sender named, in a room of three', async () => {
    sessions = await joinedSessions(3);
    const [a, b, c] = sessions;
    const boxes = sessions.map((s) => inbox(s, 'chat'));
    const idOf = (s: CallSession) => s.state.localId!;
    await a.channel('chat').send('hello all');
    await b.channel('chat').send('just for c', idOf(c));
    await until(() => boxes[1].length === 1 && boxes[2].length === 2, 'messages arrive');
    expect(boxes[0]).to.deep.equal([]);
    expect(boxes[1]).to.deep.equal([{ from: idOf(a), data: 'hello all' }]);
    expect(boxes[2]).to.deep.include({ from: idOf(a), data: 'hello all' });
    expect(boxes[2]).to.deep.include({ from: idOf(b), data: 'just for c' });
    // Unicode survives the framing.
    await c.channel('chat').send('héllo 👋', idOf(a));
    await until(() => boxes[0].length === 1, 'unicode arrives');
    expect(boxes[0][0].data).to.equal('héllo 👋');
  });

  it('forms a full mesh of six (15 connections) in which a broadcast from each reaches all five others', async function () {
    this.timeout(60000);
    sessions = await joinedSessions(6);
    const boxes = sessions.map((s) => inbox(s, 'all'));
    await Promise.all(sessions.map((s, i) => s.channel('all').send(`from ${i}`)));
    await until(() => boxes.every((b) => b.length === 5), 'every broadcast arrives everywhere', 20000);
    boxes.forEach((box, i) => {
      const expected = sessions.map((_, j) => `from ${j}`).filter((_, j) => j !== i);
      expect(box.map((m) => m.data).sort()).to.deep.equal(expected);
      expect(new Set(box.map((m) => m.from)).size, 'five different senders').to.equal(5);
    });
  });

  it('delivers a multi-megabyte binary payload intact, in order after smaller ones, under back-pressure', async () => {
    sessions = await joinedSessions(2);
    const [a, b] = sessions;
    const got = inbox(b, 'files');
    const big = new Uint8Array(6 * 1024 * 1024 + 123);
    for (let i = 0; i < big.length; i += 65536) crypto.getRandomValues(big.subarray(i, Math.min(i + 65536, big.length)));
    const channel = a.channel('files');
    const t0 = performance.now();
    const sends = [channel.send('before'), channel.send(big), channel.send(new Uint8Array([1, 2, 3]).buffer), channel.send('after')];
    await Promise.all(sends);
    await until(() => got.length === 4, 'all four messages arrive', 25000);
    const seconds = (performance.now() - t0) / 1000;
    console.log(`6 MB over the data channel in ${seconds.toFixed(2)} s (${((big.byteLength * 8) / seconds / 1e6).toFixed(0)} Mbps)`);
    expect(got[0].data).to.equal('before');
    const received = got[1].data as ArrayBuffer;
    expect(received).to.be.instanceOf(ArrayBuffer);
    expect(received.byteLength).to.equal(big.byteLength);
    expect(await sha256(received)).to.equal(await sha256(big));
    expect([...new Uint8Array(got[2].data as ArrayBuffer)]).to.deep.equal([1, 2, 3]);
    expect(got[3].data).to.equal('after');
    expect(big.byteLength / CHUNK_BYTES, 'the payload really was chunked').to.be.greaterThan(100);
  });

  it('drops a message over the receiver\'s maxMessageBytes whole, and goes on with the next ones', async () => {
    sessions = await joinedSessions(2);
    const [a, b] = sessions;
    const got = inbox(b, 'capped', { maxMessageBytes: 1024 * 1024 });
    const channel = a.channel('capped');
    const fits = new Uint8Array(1024 * 1024).fill(7);
    await Promise.all([channel.send('before'), channel.send(new Uint8Array(3 * 1024 * 1024)), channel.send(fits), channel.send('after')]);
    await until(() => got.length === 3, 'the three messages within the limit arrive', 15000);
    await new Promise((r) => setTimeout(r, 200));
    expect(got.map((m) => (typeof m.data === 'string' ? m.data : m.data.byteLength))).to.deep.equal(['before', 1024 * 1024, 'after']);
    expect(new Uint8Array(got[1].data as ArrayBuffer).every((v) => v === 7)).to.be.true;
  });

  it('opens unordered and partially reliable channels with the options asked for, and refuses oversized messages on them', async () => {
    sessions = await joinedSessions(2);
    const [a, b] = sessions;
    const got = inbox(b, 'game', { ordered: false, maxRetransmits: 0 });
    const lossy = a.channel('game', { ordered: false, maxRetransmits: 0 });
    const timed = a.channel('telemetry', { maxPacketLifeTime: 500 });
    b.channel('telemetry', { maxPacketLifeTime: 500 });
    await until(() => lossy.peers.length === 1 && timed.peers.length === 1, 'channels attached');
    const pc = [...a.peerConnections().values()][0];
    // The channels are real RTCDataChannels on the connection, with the negotiated options.
    const stats = await pc.getStats();
    let open = 0;
    stats.forEach((s) => {
      if (s.type === 'data-channel' && (s.label === 'game' || s.label === 'telemetry')) open++;
    });
    expect(open).to.equal(2);
    await lossy.send('position 1');
    await until(() => got.length === 1, 'lossy message arrives on loopback');
    expect(got[0].data).to.equal('position 1');
    let error: unknown;
    await lossy.send(new Uint8Array(CHUNK_BYTES * 2)).catch((e) => (error = e));
    expect(error).to.be.instanceOf(RangeError);
  });

  it('keeps messages sent before the other side asked for the label, and delivers them, in order, once it does', async () => {
    sessions = await joinedSessions(2);
    const [a, b] = sessions;
    const late = a.channel('late');
    // Resolves once b's connection holds the channel (b's app has not asked for it).
    await late.send('first');
    await late.send(new Uint8Array([7, 8, 9]));
    await late.send('third');
    await new Promise((r) => setTimeout(r, 300));
    const got = inbox(b, 'late'); // only now
    await until(() => got.length === 3, () => `the held messages arrive (got ${got.length})`);
    expect(got[0]).to.deep.equal({ from: a.state.localId, data: 'first' });
    expect([...new Uint8Array(got[1].data as ArrayBuffer)]).to.deep.equal([7, 8, 9]);
    expect(got[2].data).to.equal('third');
    // From then on it is an ordinary channel both ways.
    const back = inbox(a, 'late');
    await b.channel('late').send('reply');
    await late.send('fourth');
    await until(() => back.length === 1 && got.length === 4, 'later messages arrive both ways');
    expect(back[0].data).to.equal('reply');
    expect(got[3].data).to.equal('fourth');
  });

  it('derives the same stream id for a label on every side, and refuses a reserved or colliding label', () => {
    expect(channelId('chat')).to.equal(channelId('chat'));
    expect(channelId('chat')).to.be.within(1, 1023);
    expect(channelId('chat')).not.to.equal(channelId('files'));
  });

  it('hands back the open channel for its label, and refuses the label with other options', async () => {
    const [a] = (sessions = await joinedSessions(1));
    const game = a.channel('game', { ordered: false, maxRetransmits: 0 });
    expect(a.channel('game') === game, 'asked without options').to.equal(true);
    expect(a.channel('game', { ordered: false, maxRetransmits: 0 }) === game, 'asked with the same options').to.equal(true);
    expect(() => a.channel('game', { ordered: true })).to.throw('channel "game" is open with other options');
  });

  it('keeps the order of sends on an ordered channel when a Blob (read asynchronously) comes first', async () => {
    sessions = await joinedSessions(2);
    const [a, b] = sessions;
    const got: string[] = [];
    b.channel('ord').addEventListener('message', (e) => {
      const { data } = e as ChannelMessageEvent;
      got.push(typeof data === 'string' ? `text:${data}` : `binary:${data.byteLength}`);
    });
    const ch = a.channel('ord');
    await ch.send('warm-up');
    await Promise.all([ch.send(new Blob([new Uint8Array(200_000)])), ch.send('after-blob')]);
    await until(() => got.length === 3, 'three messages');
    expect(got).to.deep.equal(['text:warm-up', 'binary:200000', 'text:after-blob']);
  });

  it('sends a buffer as it was when send() was called, as RTCDataChannel.send does (the caller may reuse it)', async () => {
    sessions = await joinedSessions(2);
    const [a, b] = sessions;
    const got: number[] = [];
    b.channel('bin').addEventListener('message', (e) => {
      const { data } = e as ChannelMessageEvent;
      if (typeof data !== 'string') got.push(...new Uint8Array(data).slice(0, 2));
    });
    const ch = a.channel('bin');
    await ch.send('warm-up');
    const buf = new Uint8Array(8);
    buf[0] = 1;
    const sent = [ch.send(buf), ch.send(buf.subarray(0, 2))];
    buf[0] = 2;
    sent.push(ch.send(buf.buffer));
    buf[0] = 3;
    await Promise.all(sent);
    await until(() => got.length === 6, 'three binary messages');
    expect(got).to.deep.equal([1, 0, 1, 0, 2, 0]);
  });

  it('delivers what is sent to a newcomer on participant-joined, before its connection is up', async function () {
    this.timeout(30000);
    const [a] = (sessions = await joinedSessions(1));
    const ch = a.channel('welcome');
    const results: string[] = [];
    a.addEventListener('participant-joined', (e) => {
      const id = (e as ParticipantEvent).participant.id;
      results.push(ch.peers.includes(id) ? 'reached' : 'not reached');
      ch.send('hello newcomer', id).then(() => results.push('to:ok'), (err) => results.push(`to:${(err as Error).message}`));
      ch.send('hello all').then(() => results.push('all:ok'), (err) => results.push(`all:${(err as Error).message}`));
    });
    const b = new CallSession({ signaling: a.config.signaling, room: a.config.room, name: 'late' });
    sessions.push(b);
    const got: string[] = [];
    b.channel('welcome').addEventListener('message', (e) => got.push((e as ChannelMessageEvent).data as string));
    await b.join();
    await until(() => got.length === 2, () => `the newcomer got both (${JSON.stringify(got)}; sends: ${results.join(', ')})`);
    expect(got).to.deep.equal(['hello newcomer', 'hello all']);
    await until(() => results.length === 3, 'both sends settled');
    expect(results, 'the newcomer counts as reached at once, and both sends succeed').to.have.members(['reached', 'to:ok', 'all:ok']);
  });

  it('works again when a label closed a moment ago is asked for again', async () => {
    sessions = await joinedSessions(2);
    const [a, b] = sessions;
    const got: string[] = [];
    b.channel('again').addEventListener('message', (e) => got.push((e as ChannelMessageEvent).data as string));
    await a.channel('again').send('first');
    await until(() => got.length === 1, 'first');
    a.channel('again').close();
    const again = a.channel('again');
    expect(again.peers, 'reaches Bob still (his end is on its way)').to.deep.equal([b.state.localId]);
    await again.send('second', b.state.localId!);
    await until(() => got.length === 2, () => `Bob gets the second (${JSON.stringify(got)})`);
    expect(got).to.deep.equal(['first', 'second']);
  });
});
