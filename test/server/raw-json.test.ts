/**
 * The relay forwards a signal's `data` as the sender wrote it (no second JSON.stringify). These
 * prove the spliced text is exactly the validated value: it parses to what JSON.parse gave the
 * validator, and spliced into a frame it can never add or override a key such as `from`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SPAN, valueSpan } from '../../src/server/raw-json.js';

const slice = (text: string, key = 'data') => {
  const span = valueSpan(text, key);
  return span < 0 ? undefined : text.slice(Math.floor(span / SPAN), span % SPAN);
};

/** What a recipient parses when the server splices the sender's `data` text into its frame. */
const relayed = (text: string) => {
  const raw = slice(text);
  if (raw === undefined) return undefined;
  return JSON.parse(`{"v":1,"type":"signal","from":"server-stamped","data":${raw},"seq":7}`);
};

/** The property that matters: whatever the server splices is the value it validated, and nothing else. */
function assertFaithful(text: string) {
  const parsed = JSON.parse(text);
  const out = relayed(text);
  if (out === undefined) return false;
  assert.deepEqual(Object.keys(out), ['v', 'type', 'from', 'data', 'seq'], text);
  assert.equal(out.from, 'server-stamped', text);
  assert.deepEqual(out.data, parsed.data, text);
  return true;
}

describe('raw data splice', () => {
  it('finds data in what the kit client sends', () => {
    const text = JSON.stringify({ v: 1, type: 'signal', to: 'abc', data: { candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } }, seq: 3, ack: 2 });
    assert.equal(assertFaithful(text), true);
    assert.equal(slice(text), JSON.stringify({ candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } }));
  });

  it('cannot be tricked into splicing a forged from', () => {
    const attacks = [
      // Text inside strings that looks like structure.
      '{"v":1,"type":"signal","to":"x","data":{"candidate":{"candidate":"\\"},\\"from\\":\\"evil\\",\\"data\\":{"}}}',
      '{"v":1,"type":"signal","to":"x","data":{"description":{"type":"offer","sdp":"}}],\\"from\\":\\"evil"}}}',
      '{"v":1,"type":"signal","to":"x","data":{"description":{"type":"offer","sdp":"\\\\"}},"from":"evil"}',
      // Repeated keys: JSON.parse keeps the last one, and so must the splice.
      '{"v":1,"type":"signal","to":"x","data":{"a":1},"from":"evil","data":{"media":{"audio":true,"video":true,"screen":false}}}',
      '{"v":1,"type":"signal","data":{"media":{"audio":true,"video":true,"screen":false}},"to":"x","data":{"b":"},\\"from\\":\\"evil"}}',
      // A nested "data" key is not the top-level one.
      '{"v":1,"type":"signal","to":"x","meta":{"data":{"from":"evil"}},"data":{"media":{"audio":false,"video":true,"screen":false}}}',
      // Whitespace anywhere JSON allows it.
      ' { "v" : 1 ,\n"type":"signal" ,\t"to" : "x" , "data" :\r\n {"media":{"audio":true,"video":false,"screen":true}} \n, "seq" : 1 } ',
      // Arrays, escapes and non-ASCII in values.
      '{"v":1,"type":"signal","to":"x","data":{"candidate":{"candidate":"a\\u0022b[{\\\\","sdpMid":"é☃𝄞"}},"x":[1,[2,{"data":3}],"]"]}',
    ];
    for (const text of attacks) assert.equal(assertFaithful(text), true, text);
  });

  it('gives up (the server then serializes) on escaped keys or no data', () => {
    assert.equal(slice('{"v":1,"d\\u0061ta":{"from":"evil"}}'), undefined, 'an escaped key might be "data"');
    assert.equal(slice('{"v":1,"data":{"a":1},"d\\u0061ta":{"b":2}}'), undefined);
    assert.equal(slice('{"v":1,"type":"signal"}'), undefined);
    assert.equal(slice('{}'), undefined);
    assert.equal(slice('[{"data":1}]'), undefined);
  });

  it('matches JSON.parse on many generated frames', () => {
    // A small deterministic generator: nested values with quotes, backslashes, braces in strings.
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const pieces = ['"', '\\', '{', '}', '[', ']', ',', ':', 'data', 'from', ' ', 'é', '\n', 'x'];
    const str = () => Array.from({ length: rnd(6) }, () => pieces[rnd(pieces.length)]).join('');
    const value = (depth: number): unknown => {
      const k = rnd(depth > 2 ? 4 : 6);
      if (k === 0) return rnd(1000) - 500;
      if (k === 1) return str();
      if (k === 2) return [true, false, null][rnd(3)];
      if (k === 3) return rnd(2) ? 1.5e-3 : -0;
      if (k === 4) return Array.from({ length: rnd(3) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: rnd(4) }, () => [rnd(3) ? str() : 'data', value(depth + 1)]));
    };
    let spliced = 0;
    for (let n = 0; n < 3000; n++) {
      const keys = ['v', 'type', 'to', 'data', 'seq', 'from', str()].sort(() => rnd(3) - 1);
      const entries = keys.map((key) => `${JSON.stringify(key)}${rnd(2) ? ' : ' : ':'}${JSON.stringify(key === 'data' ? value(0) : value(1), null, rnd(3) ? undefined : 1)}`);
      if (rnd(4) === 0) entries.push(`"data":${JSON.stringify(value(0))}`); // a repeated key
      const text = `{${entries.join(rnd(2) ? ',' : ' ,\n')}}`;
      if (assertFaithful(text)) spliced++;
    }
    // The rest had a random top-level key with a backslash: those are serialized instead.
    assert.ok(spliced > 1500, `spliced ${spliced} of 3000`);
  });
});
