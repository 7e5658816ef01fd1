/**
 * The relay checks signals in the kit client's shape over their bytes (signal-frame.ts) and
 * forwards their `data` as it came. These prove that whatever it accepts is a frame JSON.parse
 * and the validator accept, with the same recipient, numbers and data, and that the data bytes,
 * spliced into the frame the server sends, can never add or override a key such as `from`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidSignal, type SignalMessage } from '../../src/protocol/messages.js';
import { parsedSignal, readSignalFrame } from '../../src/server/signal-frame.js';

const read = (text: string) => readSignalFrame(Buffer.from(text));

/** Whether `text` is taken by the byte check; if it is, asserts it is exactly what parsing would give. */
function assertFaithful(text: string): boolean {
  const got = read(text);
  if (!got) return false;
  let parsed: SignalMessage;
  try {
    parsed = JSON.parse(text);
  } catch {
    assert.fail(`accepted a frame JSON.parse refuses: ${text}`);
  }
  assert.ok(isValidSignal(parsed), `accepted a frame the validator refuses: ${text}`);
  assert.equal(got.to, parsed.to, text);
  assert.equal(got.seq, parsed.seq, text);
  assert.equal(got.ack, parsed.ack, text);
  const data = got.frame.toString('latin1', got.start, got.end);
  const out = JSON.parse(`{"v":1,"type":"signal","from":"server-stamped","data":${data},"seq":7}`);
  assert.deepEqual(Object.keys(out), ['v', 'type', 'from', 'data', 'seq'], text);
  assert.equal(out.from, 'server-stamped', text);
  assert.deepEqual(out.data, parsed.data, text);
  assert.deepEqual(parsedSignal(got), parsed, text);
  return true;
}

const candidate = {
  candidate: 'candidate:842163049 1 udp 1677729535 192.0.2.1 50000 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag sK1 network-cost 999',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'sK1',
};
const sdp = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=fingerprint:sha-256 AB:CD\r\n';
const media = { audio: true, video: false, screen: false };
const kit = (data: string, tail = ',"seq":3,"ack":2}') => `{"v":1,"type":"signal","to":"abc","data":${data}${tail}`;

describe('signal frames checked over their bytes', () => {
  it('takes what the kit client sends', () => {
    const datas = [
      { candidate },
      { candidate: { ...candidate, sdpMid: null, sdpMLineIndex: null, usernameFragment: null } },
      { candidate: { candidate: '' } }, // end of candidates
      { description: { type: 'offer', sdp } },
      { description: { sdp, type: 'answer' } },
      { description: { type: 'rollback' } },
      { media },
      { media: { screen: true, audio: false, video: true } },
    ];
    for (const data of datas) {
      for (const numbers of [{}, { seq: 1 }, { seq: 12, ack: 0 }, { seq: 999_999_999_999_999, ack: 41 }, { ack: 5 }]) {
        const text = JSON.stringify({ v: 1, type: 'signal', to: 'a1b2c3d4-e5f6_7890', data, ...numbers });
        assert.equal(assertFaithful(text), true, text);
      }
    }
    const got = read(JSON.stringify({ v: 1, type: 'signal', to: 'peer-1', data: { media }, seq: 3, ack: 2 }))!;
    assert.equal(got.frame.toString('latin1', got.start, got.end), JSON.stringify({ media }));
  });

  it('leaves everything else to the parser, including what the validator refuses', () => {
    const long = (n: number) => 'x'.repeat(n);
    const refused = [
      // What the validator refuses: too long, wrong types, unknown kinds, numbering from 0.
      kit(JSON.stringify({ candidate: { ...candidate, candidate: long(2049) } })),
      kit(JSON.stringify({ candidate: { ...candidate, sdpMid: long(65) } })),
      kit(JSON.stringify({ candidate: { ...candidate, usernameFragment: long(257) } })),
      kit(JSON.stringify({ candidate: { ...candidate, sdpMLineIndex: -1 } })),
      kit(JSON.stringify({ candidate: { ...candidate, sdpMid: 0 } })),
      kit(JSON.stringify({ candidate: { sdpMid: '0' } })),
      kit(JSON.stringify({ description: { type: 'bogus', sdp } })),
      kit(JSON.stringify({ description: { sdp } })),
      kit(JSON.stringify({ media: { audio: true, video: false } })),
      kit(JSON.stringify({ media: { audio: 1, video: false, screen: false } })),
      kit(JSON.stringify({ media, candidate })),
      kit(JSON.stringify({ candidate: { ...candidate, extra: 1 } })),
      kit(JSON.stringify({ description: { type: 'offer', sdp, extra: 'x' } })),
      kit('{}'),
      kit('{"media":{}}'),
      kit(JSON.stringify({ media }), ',"seq":0}'),
      `{"v":1,"type":"signal","to":"${long(65)}","data":${JSON.stringify({ media })}}`,
      `{"v":1,"type":"signal","to":"","data":${JSON.stringify({ media })}}`,
      `{"v":1,"type":"signal","to":"a b","data":${JSON.stringify({ media })}}`,
      // Not JSON at all.
      kit('{"media":{"audio":true,"video":false,"screen":false}'),
      kit('{"candidate":{"candidate":"a\\x"}}'),
      kit('{"candidate":{"candidate":"a\\u12g4"}}'),
      kit('{"candidate":{"candidate":"tab\there"}}'),
      kit(JSON.stringify({ media }), ',"seq":01}'),
      kit(JSON.stringify({ media }), ',"seq":3,}'),
      kit(JSON.stringify({ media }), '},'),
      kit(JSON.stringify({ media }), ''),
      // Valid, but not the kit's exact shape: the parser takes these.
      kit(JSON.stringify({ candidate: { ...candidate, sdpMLineIndex: 1.5 } })),
      kit(JSON.stringify({ candidate: { ...candidate, candidate: 'é' } })),
      kit(JSON.stringify({ description: { type: 'offer', sdp: 'é☃𝄞' } })),
      kit('{"description":{"type":"off\\u0065r"}}'),
      kit(JSON.stringify({ media }), ',"seq":1234567890123456}'),
      kit(JSON.stringify({ media }), ',"ack":2,"seq":3}'),
      kit(JSON.stringify({ media }), ' }'),
      ` {"v":1,"type":"signal","to":"abc","data":${JSON.stringify({ media })}}`,
      `{"type":"signal","v":1,"to":"abc","data":${JSON.stringify({ media })}}`,
      // Smuggled keys: repeated, or a forged from or type.
      kit('{"media":{"audio":true,"audio":false,"video":false,"screen":false}}'),
      kit(`{"candidate":{"candidate":"x","candidate":"y"}}`),
      kit(`${JSON.stringify({ media })},"from":"evil","data":${JSON.stringify({ media })}`),
      kit(`${JSON.stringify({ media })},"type":"peer-left","to":"abc"`, ',"seq":3}'),
      kit(JSON.stringify({ media }), ',"seq":3,"from":"evil"}'),
      kit(JSON.stringify({ media }), ',"seq":3,"ack":2,"type":"welcome"}'),
      kit(JSON.stringify({ media }), ',"seq":3,"seq":4}'),
    ];
    for (const text of refused) assert.equal(read(text), undefined, text);
  });

  it('never takes what parsing would read otherwise, over many damaged frames', () => {
    // A deterministic generator (mulberry32) of kit frames with awkward strings, then damaged
    // byte by byte with JSON's structural characters.
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const pieces = ['"', '\\', '{', '}', ',', ':', 'data', 'from', '"from":"x"', ' ', 'é', '\n', 'x', '\u0000', '\u007f'];
    const str = () => Array.from({ length: rnd(8) }, () => pieces[rnd(pieces.length)]).join('');
    const damage = ['"', '\\', '{', '}', ',', ':', '0', '1', 'n', 't', 'u', ' ', '-', 'é'];
    const data = () => {
      switch (rnd(3)) {
        case 0: {
          const c: Record<string, unknown> = { candidate: str() };
          if (rnd(2)) c.sdpMid = rnd(3) ? str() : null;
          if (rnd(2)) c.sdpMLineIndex = rnd(3) ? rnd(20) : null;
          if (rnd(2)) c.usernameFragment = rnd(3) ? str() : null;
          return { candidate: c };
        }
        case 1:
          return { description: rnd(4) ? { type: ['offer', 'answer', 'pranswer', 'rollback'][rnd(4)], sdp: str() } : { type: 'offer' } };
        default:
          return { media: { audio: rnd(2) === 1, video: rnd(2) === 1, screen: rnd(2) === 1 } };
      }
    };
    let taken = 0;
    let damagedTaken = 0;
    for (let n = 0; n < 6000; n++) {
      const numbers = rnd(3) ? { seq: 1 + rnd(99), ack: rnd(99) } : rnd(2) ? { seq: 1 + rnd(9) } : {};
      let text = JSON.stringify({ v: 1, type: 'signal', to: ['abc', 'a-b_c9', 'P'][rnd(3)], data: data(), ...numbers });
      const damaged = rnd(2) === 0;
      if (damaged) {
        const chars = [...text];
        for (let k = 1 + rnd(2); k > 0; k--) {
          const at = rnd(chars.length);
          const what = rnd(3);
          if (what === 0) chars.splice(at, 1);
          else if (what === 1) chars.splice(at, 0, damage[rnd(damage.length)]);
          else chars[at] = damage[rnd(damage.length)];
        }
        text = chars.join('');
      }
      if (assertFaithful(text)) {
        taken++;
        if (damaged) damagedTaken++;
      } else if (!damaged && !/[^\x20-\x7e]/.test(text)) {
        // Undamaged and ASCII: the kit's shape exactly, which the byte check must take.
        assert.fail(`refused a frame in the kit's shape: ${text}`);
      }
    }
    // Both sides were exercised: most undamaged frames taken, some damaged ones still valid.
    assert.ok(taken > 1500, `taken ${taken} of 6000`);
    assert.ok(damagedTaken > 20, `damaged frames taken: ${damagedTaken}`);
  });

  it('the validator takes no key the byte check does not know inside a description or a candidate, and takes what browsers send', () => {
    const signal = (data: unknown) => ({ v: 1, type: 'signal', to: 'abc', data, seq: 1 });
    // What toJSON() gives (Chromium 156, Firefox 153): Firefox orders a candidate's keys
    // otherwise and gives nulls; a rollback comes with an empty sdp.
    const browsers = [
      { candidate: { candidate: 'candidate:1 1 udp 2113937151 x.local 35545 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'CT8M' } },
      { candidate: { candidate: 'candidate:0 1 UDP 2122187007 127.0.0.1 42212 typ host', sdpMLineIndex: 1, sdpMid: '1', usernameFragment: '51182185' } },
      { candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMLineIndex: null, sdpMid: '0', usernameFragment: null } },
      { description: { type: 'offer', sdp } },
      { description: { type: 'rollback', sdp: '' } },
    ];
    for (const data of browsers) {
      assert.ok(isValidSignal(signal(data)), JSON.stringify(data));
      assert.equal(assertFaithful(JSON.stringify(signal(data))), true, JSON.stringify(data));
    }
    const extra = [
      { candidate: { ...candidate, extra: 1 } },
      { candidate: { ...candidate, foundation: '842163049' } },
      { candidate: { candidate: '', from: 'evil' } },
      { description: { type: 'offer', sdp, extra: 'x' } },
      { description: { type: 'answer', sdp, sdpType: 'answer' } },
      JSON.parse('{"description":{"type":"offer","__proto__":{"x":1}}}'),
    ];
    for (const data of extra) {
      assert.equal(isValidSignal(signal(data)), false, JSON.stringify(data));
      assert.equal(read(JSON.stringify(signal(data))), undefined, JSON.stringify(data));
    }
  });
});
