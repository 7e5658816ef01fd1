/**
 * The relay's hot path: checks a `signal` frame over its bytes, in the exact shape the kit's
 * client sends, without decoding it to a string or parsing it into objects, and says where its
 * `data` lies so the relay forwards those bytes as they came.
 *
 * The shape: `{"v":1,"type":"signal","to":"<id>","data":<data>` then `,"seq":N` and `,"ack":N`
 * (each optional, in that order) and `}`, with no whitespace, where `<data>` is one of
 *   - `{"candidate":{…}}` with `candidate` (a string), and optionally `sdpMid`, `sdpMLineIndex`
 *     and `usernameFragment` (each may be null), in any order;
 *   - `{"description":{…}}` with `type` (offer, answer, pranswer or rollback) and optionally
 *     `sdp`, in either order;
 *   - `{"media":{…}}` with the booleans `audio`, `video` and `screen`, in any order;
 * every key at most once, strings of ASCII without control characters (JSON's escapes allowed),
 * numbers as plain digits. That is a subset of what `JSON.parse` then `isValidSignal` accept: every frame this
 * accepts is one those accept, with the same `to`, `seq`, `ack` and `data` (test:
 * test/server/signal-frame.test.ts). Whatever it does not accept (other layouts, other keys,
 * non-ASCII text) is not refused here: the caller parses and validates it the general way.
 *
 * Spliced into another frame, the data bytes cannot add a key beside themselves (they are one
 * complete JSON object), and the frame holds each key once, so no second `data`, `to` or a
 * `from` of the sender's own rides along. Bytes, not characters: the frame is all ASCII, so the
 * lengths the validator caps (in UTF-16 units) are counted here as JSON.parse would.
 */
import { MAX_FRAME_BYTES, type SignalMessage } from '../protocol/messages.js';

/** A signal checked over its bytes: who it is for, its numbers, and where its `data` lies. */
export interface SignalFrame {
  to: string;
  seq: number | undefined;
  ack: number | undefined;
  /** The frame it came in; `data` is `frame[start, end)`, one JSON object in ASCII. */
  frame: Buffer;
  start: number;
  end: number;
}

const bytes = (s: string) => Buffer.from(s, 'latin1');
const HEAD = bytes('{"v":1,"type":"signal","to":"');
const DATA = bytes('","data":');
const SEQ = bytes(',"seq":');
const ACK = bytes(',"ack":');
const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN = 0x7b;
const CLOSE = 0x7d;

// What each byte is inside a JSON string: 0 a character as is, 1 the closing quote, 2 an escape,
// 3 refused here (control characters JSON forbids, and anything over 0x7f: not ASCII).
const IN_STRING = new Uint8Array(256).fill(3);
IN_STRING.fill(0, 0x20, 0x80);
IN_STRING[QUOTE] = 1;
IN_STRING[0x5c] = 2;
// The characters after a backslash that make one of JSON's short escapes.
const SHORT_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SHORT_ESCAPE[c.charCodeAt(0)] = 1;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
// Participant ids as `validId` takes them: [A-Za-z0-9_-].
const ID = new Uint8Array(256);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-') ID[c.charCodeAt(0)] = 1;

/** The bytes of `lit` at `at`: where they end, or -1. */
function literal(b: Buffer, at: number, lit: Buffer): number {
  if (at + lit.length > b.length) return -1;
  for (let k = 0; k < lit.length; k++) if (b[at + k] !== lit[k]) return -1;
  return at + lit.length;
}

/** A JSON string at `at` of at most `max` UTF-16 units (as JSON.parse would make it): where it ends, or -1. */
function string(b: Buffer, at: number, max: number): number {
  if (b[at] !== QUOTE) return -1;
  const length = b.length;
  let units = 0;
  let i = at + 1;
  for (;;) {
    // Plain characters in a tight loop: most strings (candidates, most of an SDP) are nothing else.
    const run = i;
    while (i < length && IN_STRING[b[i]] === 0) i++;
    units += i - run;
    if (i >= length) return -1;
    const kind = IN_STRING[b[i]];
    if (kind === 1) return units <= max ? i + 1 : -1;
    if (kind !== 2) return -1;
    const e = b[i + 1];
    if (e === 0x75) {
      // \uXXXX is one UTF-16 unit (a surrogate pair is two escapes, two units, as in JS).
      if (!(HEX[b[i + 2]] && HEX[b[i + 3]] && HEX[b[i + 4]] && HEX[b[i + 5]])) return -1;
      i += 6;
    } else if (SHORT_ESCAPE[e]) {
      i += 2;
    } else {
      return -1;
    }
    units++;
  }
}

/** The value of the last `number` read (plain digits); set only when it returns >= 0. */
let numberRead = 0;

/**
 * A non-negative integer at `at` as plain digits (no sign, fraction, exponent or leading zero),
 * of at most 15 digits so it is a safe integer: where it ends, or -1; its value in `numberRead`.
 */
function number(b: Buffer, at: number): number {
  let value = 0;
  let i = at;
  for (; i < b.length && i - at < 16; i++) {
    const d = b[i] - 0x30;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
  }
  const count = i - at;
  if (count === 0 || count > 15 || (count > 1 && b[at] === 0x30)) return -1;
  numberRead = value;
  return i;
}

/** `null` or a string of at most `max` units at `at`: where it ends, or -1. */
function nullOrString(b: Buffer, at: number, max: number): number {
  return b[at] === 0x6e ? literal(b, at, NULL) : string(b, at, max);
}

/** `true` or `false` at `at`: where it ends, or -1. */
function boolean(b: Buffer, at: number): number {
  return b[at] === 0x74 ? literal(b, at, TRUE) : literal(b, at, FALSE);
}

const NULL = bytes('null');
const TRUE = bytes('true');
const FALSE = bytes('false');

/** A value checker: reads the value of a key at `at` and returns where it ends, or -1. */
type Value = (b: Buffer, at: number) => number;

/** One object's keys (each as `"key":`), the checker of each one's value, and which are required. */
interface Shape {
  keys: Buffer[];
  values: Value[];
  /** Bit i set: keys[i] must be present. */
  required: number;
  /** At most one key (one of them; `required` is then 0). */
  single: boolean;
}

const shape = (fields: [key: string, value: Value, required?: boolean][], single = false): Shape => ({
  single,
  keys: fields.map(([key]) => bytes(`"${key}":`)),
  values: fields.map(([, value]) => value),
  required: fields.reduce((bits, [, , required], i) => (required ? bits | (1 << i) : bits), 0),
});

/** An object of `shape` at `at`, each key at most once: where it ends, or -1. */
function object(b: Buffer, at: number, s: Shape): number {
  if (b[at] !== OPEN) return -1;
  let seen = 0;
  let i = at + 1;
  for (;;) {
    let k = 0;
    let next = -1;
    for (; k < s.keys.length; k++) {
      next = literal(b, i, s.keys[k]);
      if (next >= 0) break;
    }
    if (next < 0 || seen & (1 << k)) return -1; // an unknown key, or one seen before
    seen |= 1 << k;
    i = s.values[k](b, next);
    if (i < 0) return -1;
    if (b[i] === COMMA && !s.single) {
      i++;
    } else if (b[i] === CLOSE) {
      return (seen & s.required) === s.required ? i + 1 : -1;
    } else {
      return -1;
    }
  }
}

const descriptionType = [bytes('"offer"'), bytes('"answer"'), bytes('"pranswer"'), bytes('"rollback"')];

// The limits are validSignalData's (messages.ts).
const CANDIDATE = shape([
  ['candidate', (b, at) => string(b, at, 2048), true],
  ['sdpMid', (b, at) => nullOrString(b, at, 64)],
  ['sdpMLineIndex', (b, at) => (b[at] === 0x6e ? literal(b, at, NULL) : number(b, at))],
  ['usernameFragment', (b, at) => nullOrString(b, at, 256)],
]);
const DESCRIPTION = shape([
  [
    'type',
    (b, at) => {
      for (const t of descriptionType) {
        const end = literal(b, at, t);
        if (end >= 0) return end;
      }
      return -1;
    },
    true,
  ],
  ['sdp', (b, at) => string(b, at, MAX_FRAME_BYTES)],
]);
const MEDIA = shape([
  ['audio', boolean, true],
  ['video', boolean, true],
  ['screen', boolean, true],
]);
// `data` holds exactly one of these (`object` takes no empty object).
const DATA_SHAPE = shape(
  [
    ['candidate', (b, at) => object(b, at, CANDIDATE)],
    ['description', (b, at) => object(b, at, DESCRIPTION)],
    ['media', (b, at) => object(b, at, MEDIA)],
  ],
  true,
);

/** `frame` as a signal in the kit's exact shape (see above), or undefined when it is not one. */
export function readSignalFrame(frame: Buffer): SignalFrame | undefined {
  let i = literal(frame, 0, HEAD);
  if (i < 0) return undefined;
  const toStart = i;
  while (ID[frame[i]] && i - toStart <= 64) i++;
  const toEnd = i;
  if (toEnd === toStart || toEnd - toStart > 64) return undefined;
  const start = literal(frame, toEnd, DATA);
  if (start < 0) return undefined;
  const end = object(frame, start, DATA_SHAPE);
  if (end < 0) return undefined;
  i = end;
  let seq: number | undefined;
  let ack: number | undefined;
  let next = literal(frame, i, SEQ);
  if (next >= 0) {
    i = number(frame, next);
    if (i < 0 || numberRead === 0) return undefined; // signals are numbered from 1
    seq = numberRead;
  }
  next = literal(frame, i, ACK);
  if (next >= 0) {
    i = number(frame, next);
    if (i < 0) return undefined;
    ack = numberRead;
  }
  if (i !== frame.length - 1 || frame[i] !== CLOSE) return undefined;
  return { to: frame.toString('latin1', toStart, toEnd), seq, ack, frame, start, end };
}

/** The message a checked frame holds, parsed (for what cannot go as bytes: a signal kept for later, one to another process). */
export function parsedSignal(s: SignalFrame): SignalMessage {
  return JSON.parse(s.frame.toString('latin1')) as SignalMessage;
}
