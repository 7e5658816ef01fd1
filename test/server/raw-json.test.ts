/**
 * The relay forwards a signal's `data` as the sender wrote it (no second JSON.stringify). These
 * prove the spliced text is exactly the validated value: it parses to what JSON.parse gave the
 * validator, and spliced into a frame it can never add or override a key such as `from` or `type`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidSignal } from '../../src/protocol/messages.js';
import { signalDataText } from '../../src/server/raw-json.js';

/** What the relay would splice for `text`: only frames that parse and validate get that far. */
function splice(text: string): string | undefined {
  const value = JSON.parse(text);
  if (!isValidSignal(value)) return undefined;
  return signalDataText(text, value.to);
}

/** The property that matters: whatever is spliced is the value that was validated, and nothing else. */
function assertFaithful(text: string): boolean {
  const raw = splice(text);
  if (raw === undefined) return false;
  const out = JSON.parse(`{"v":1,"type":"signal","from":"server-stamped","data":${raw},"seq":7}`);
  assert.deepEqual(Object.keys(out), ['v', 'type', 'from', 'data', 'seq'], text);
  assert.equal(out.from, 'server-stamped', text);
  assert.equal(out.type, 'signal', text);
  assert.deepEqual(out.data, JSON.parse(text).data, text);
  return true;
}

const media = '{"media":{"audio":true,"video":false,"screen":false}}';
const kit = (data: string, tail = ',"seq":3,"ack":2}') => `{"v":1,"type":"signal","to":"abc","data":${data}${tail}`;

describe('raw data splice', () => {
  it('finds data in what the kit client sends', () => {
    const data = { candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } };
    const text = JSON.stringify({ v: 1, type: 'signal', to: 'abc', data, seq: 3, ack: 2 });
    assert.equal(assertFaithful(text), true);
    assert.equal(splice(text), JSON.stringify(data));
    assert.equal(assertFaithful(kit(media, ',"seq":1}')), true);
    assert.equal(assertFaithful(kit(media, '}')), true);
  });

  it('cannot be tricked into splicing a forged key', () => {
    const attacks = [
      // Text inside strings that looks like structure.
      kit('{"candidate":{"candidate":"\\"},\\"from\\":\\"evil\\",\\"data\\":{"}}'),
      kit('{"description":{"type":"offer","sdp":"}}],\\"from\\":\\"evil"}}'),
      kit('{"description":{"type":"offer","sdp":"\\\\"}}'),
      kit('{"candidate":{"candidate":"a\\u0022b[{\\\\","sdpMid":"é☃𝄞","x":[1,{"y":"}"}]}}'),
      // Keys smuggled after the data object: repeated keys, a forged from or type.
      kit(`{"a":1},"from":"evil","data":${media}`),
      kit(`{"a":1},"type":"welcome","data":${media}`),
      kit(`${media},"type":"peer-left","to":"abc"`, ',"seq":3}'),
      kit(media, ',"seq":3,"from":"evil"}'),
      kit(media, ',"from":"evil","seq":3}'),
      kit(media, ',"seq":3,"ack":2,"type":"welcome"}'),
      kit(media, ',"ack":2,"seq":3}'),
      // Whitespace, other key orders, or data first: not the kit's shape, so serialized instead.
      ` {"v":1,"type":"signal","to":"abc","data":${media},"seq":1}`,
      `{"v":1,"type":"signal","to":"abc","data": ${media},"seq":1}`,
      `{"v":1,"type":"signal","data":${media},"to":"abc","seq":1}`,
      `{"type":"signal","v":1,"to":"abc","data":${media}}`,
      // Nesting deeper than the matcher follows.
      kit('{"description":{"type":"offer","sdp":"v=0","x":{"y":{"z":1}}}}'),
    ];
    for (const text of attacks) assertFaithful(text);
    // The ones with smuggled keys must not be spliced at all.
    for (const text of attacks.slice(4, 11)) assert.equal(splice(text), undefined, text);
  });

  it('splices exactly the validated value on many generated frames', () => {
    // A small deterministic generator of awkward strings: quotes, backslashes, braces, keys.
    let seed = 42;
    const rnd = (n: number) => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const pieces = ['"', '\\', '{', '}', '[', ']', ',', ':', 'data', 'from', '"from":"x"', ' ', 'é', '\n', 'x'];
    const str = () => Array.from({ length: rnd(8) }, () => pieces[rnd(pieces.length)]).join('');
    const extra = (depth: number): unknown =>
      depth > 2 || rnd(3) === 0 ? str() : rnd(2) ? [str(), extra(depth + 1)] : { [str()]: extra(depth + 1) };
    let spliced = 0;
    for (let n = 0; n < 3000; n++) {
      const candidate: Record<string, unknown> = { candidate: str(), sdpMid: str(), sdpMLineIndex: rnd(4) };
      if (rnd(2)) candidate[str()] = extra(0);
      let text = JSON.stringify({ v: 1, type: 'signal', to: 'abc', data: { candidate }, seq: 1 + rnd(9), ack: rnd(9) });
      // Sometimes smuggle keys after the data object, or break the shape some other way.
      if (rnd(4) === 0) text = text.replace(',"seq":', `,${JSON.stringify(str())}:1,"data":{"candidate":{"candidate":"x"}},"seq":`);
      if (rnd(8) === 0) text = text.replace(',"seq":', ',"from":"evil","seq":');
      if (assertFaithful(text)) spliced++;
    }
    // The rest were not in the kit's shape (smuggled keys, nesting too deep): serialized instead.
    assert.ok(spliced > 1000 && spliced < 2800, `spliced ${spliced} of 3000`);
  });
});
