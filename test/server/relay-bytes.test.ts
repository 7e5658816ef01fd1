/**
 * The relay builds each frame it forwards as bytes: the sender's stamp, the signal's `data` as
 * the sender wrote it (when the frame is ASCII and in the kit client's shape) or serialized
 * again (otherwise), then the numbers. Whatever the sender wrote, the receiver gets one JSON
 * frame with `from` stamped by the server, the validated `data`, and its own numbering.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { joinedPair, MEDIA_STATE, serverPerFile } from './support.js';

const file = serverPerFile();

const media = MEDIA_STATE;

describe('relayed frames', () => {
  it('carry the validated data, the stamped sender and the receiver’s numbering, whatever the sender wrote', async () => {
    const { a, b, wa, wb, close } = await joinedPair(file.server.url, 'relay-bytes');
    const rawAtB: string[] = [];
    b.ws.on('message', (data) => rawAtB.push(data.toString()));
    try {
      const to = wb.id;
      const candidate = { candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 } };
      const unicode = { description: { type: 'offer', sdp: 'v=0\r\ns=é☃𝄞 "quoted" {braces} \\ back\r\n' } };
      const sent: [string, unknown][] = [
        // The kit client's shape, ASCII: its data bytes are forwarded as they came.
        [JSON.stringify({ v: 1, type: 'signal', to, data: candidate, seq: 1 }), candidate],
        // Non-ASCII: characters and bytes differ, so the data is serialized again.
        [JSON.stringify({ v: 1, type: 'signal', to, data: unicode, seq: 2 }), unicode],
        // Other layouts (whitespace, key order): serialized again.
        [`{ "type": "signal", "v": 1, "seq": 3, "data": ${JSON.stringify(media)}, "to": "${to}" }`, media],
        // A repeated `data` and a `from` of the sender's own: JSON.parse keeps the last data; the
        // server's stamp is the only `from` that arrives.
        [`{"v":1,"type":"signal","to":"${to}","data":{"media":{"audio":false,"video":false,"screen":false}},"from":"evil","data":${JSON.stringify(media)},"seq":4}`, media],
      ];
      for (const [text] of sent) a.send(text);
      for (let i = 0; i < sent.length; i++) {
        const got = await b.next((f) => f.type === 'signal' && f.seq === i + 1, `signal ${i + 1} at b`);
        assert.deepEqual(Object.keys(got), ['v', 'type', 'from', 'data', 'seq'], `frame ${i + 1} has exactly these keys`);
        assert.equal(got.from, wa.id, 'from is stamped by the server');
        assert.deepEqual(got.data, sent[i][1], `frame ${i + 1} carries the validated data`);
      }
      assert.equal(rawAtB.filter((t) => t.includes('evil')).length, 0, 'the forged from never reaches b');

      // b answers with an acknowledgement riding on its signal; a's frame from b carries a's own
      // acknowledgement (for its 4 signals) and a's numbering (the peer-joined was 1).
      b.send({ v: 1, type: 'signal', to: wa.id, data: media, seq: 1, ack: 4 });
      const back = await a.next((f) => f.type === 'signal', 'signal at a');
      assert.deepEqual(back, { v: 1, type: 'signal', from: wb.id, data: media, seq: 2, ack: 4 });
    } finally {
      close();
    }
  });

  it('holds a signal that comes ahead of a lost one, and relays both in order with their data', async () => {
    const { a, b, wa, wb, close } = await joinedPair(file.server.url, 'relay-gap');
    try {
      const first = { candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50001 typ host', sdpMid: '0', sdpMLineIndex: 0 } };
      const second = { candidate: { candidate: 'candidate:2 1 udp 2122260223 127.0.0.1 50002 typ host', sdpMid: '0', sdpMLineIndex: 0 } };
      // Number 2 first (number 1 "lost" on the way), then 1, then 2 again (a duplicate).
      a.send({ v: 1, type: 'signal', to: wb.id, data: second, seq: 2 });
      a.send({ v: 1, type: 'signal', to: wb.id, data: first, seq: 1 });
      a.send({ v: 1, type: 'signal', to: wb.id, data: second, seq: 2 });
      const one = await b.next((f) => f.type === 'signal', 'first signal at b');
      const two = await b.next((f) => f.type === 'signal' && f.seq > one.seq, 'second signal at b');
      assert.deepEqual([one.data, two.data], [first, second], 'in the order sent, the early one held until the gap filled');
      assert.equal(one.from, wa.id);
      assert.equal(two.from, wa.id);
      await assert.rejects(b.next((f) => f.type === 'signal' && f.seq > two.seq, 'a third signal', 500), 'the duplicate is dropped');
      // a is told what arrived: an acknowledgement of both, soon (a gap and a duplicate came in).
      const ack = await a.next((f) => f.type === 'ack' && f.seq === 2, 'ack of 2 at a');
      assert.equal(ack.seq, 2);
    } finally {
      close();
    }
  });

  it('refuses a description or candidate with a key of its own, and relays nothing of it', async () => {
    const { a, b, wb, close } = await joinedPair(file.server.url, 'relay-extra-keys');
    const rawAtB: string[] = [];
    b.ws.on('message', (data) => rawAtB.push(data.toString()));
    try {
      const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
      a.send({ v: 1, type: 'signal', to: wb.id, seq: 1, data: { candidate: { ...candidate, note: 'smuggled' } } });
      const e1 = await a.next((f) => f.type === 'error', 'error for the candidate');
      assert.equal(e1.code, 'bad-message');
      a.send({ v: 1, type: 'signal', to: wb.id, seq: 1, data: { description: { type: 'offer', sdp: 'v=0\r\n', note: 'smuggled' } } });
      const e2 = await a.next((f) => f.type === 'error', 'error for the description');
      assert.equal(e2.code, 'bad-message');
      // The same numbers, without the extra key: taken (the refused frames were not applied).
      a.send({ v: 1, type: 'signal', to: wb.id, seq: 1, data: { candidate } });
      const got = await b.next((f) => f.type === 'signal', 'the clean signal at b');
      assert.deepEqual(got.data, { candidate });
      assert.equal(rawAtB.filter((t) => t.includes('smuggled')).length, 0, 'nothing smuggled reaches b');
    } finally {
      close();
    }
  });
});
