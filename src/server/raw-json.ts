/**
 * Finds a signal's `data` as the sender wrote it, so the relay can forward the validated
 * payload without serializing it again.
 *
 * Only for text that `JSON.parse` accepted and whose parsed value passed validation, and only in
 * the exact shape the kit's client sends: `{"v":1,"type":"signal","to":"<to>","data":<object>`
 * then `,"seq":N`, `,"ack":N` (each optional) and `}`, nothing else. The object is matched
 * brace for brace (strings skipped), so the text between the prefix and the tail is one JSON
 * object and the frame holds each key once: the text found is exactly the validated value, and
 * spliced into another frame it cannot add a key beside itself (that is what keeps a sender from
 * forging `from` or `type`). Anything else (other key orders, whitespace, deeper nesting) gets
 * `undefined`, and the caller serializes the parsed value instead.
 */

const PREFIX = '{"v":1,"type":"signal","to":"';
const AFTER_TO = '","data":';
// One object, nested at most three deep, strings skipped whole. The alternatives start with
// different characters, so matching never backtracks (no catastrophic cases on hostile input).
const STRING = '"(?:[^"\\\\]|\\\\.)*"';
const level = (inner: string) => `\\{(?:[^{}"]|${STRING}${inner ? `|${inner}` : ''})*\\}`;
const OBJECT = new RegExp(level(level(level(''))), 'y');
const TAIL = /(?:,"seq":\d+)?(?:,"ack":\d+)?\}$/y;

/** Where `data` starts in a frame to participant `to` in the kit's shape (see `signalDataEnd`). */
export const signalDataStart = (to: string) => PREFIX.length + to.length + AFTER_TO.length;

/**
 * Where the text of `data` ends in `text`, a validated signal to participant `to` (it starts at
 * `signalDataStart(to)`); -1 when the frame is not in the kit's shape. Indices, not a substring:
 * the relay copies those characters' bytes (ASCII frames) without making a string of them.
 */
export function signalDataEnd(text: string, to: string): number {
  if (!text.startsWith(PREFIX) || !text.startsWith(to, PREFIX.length)) return -1;
  if (!text.startsWith(AFTER_TO, PREFIX.length + to.length)) return -1;
  OBJECT.lastIndex = signalDataStart(to);
  if (!OBJECT.test(text)) return -1;
  const end = OBJECT.lastIndex;
  TAIL.lastIndex = end;
  if (!TAIL.test(text)) return -1;
  return end;
}

/** The text of `data` in `text`, a validated signal to participant `to`; undefined when not in the kit's shape. */
export function signalDataText(text: string, to: string): string | undefined {
  const end = signalDataEnd(text, to);
  return end < 0 ? undefined : text.slice(signalDataStart(to), end);
}
