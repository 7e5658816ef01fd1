/**
 * Finds the text of one top-level value in a JSON object's text, so the relay can forward a
 * validated `data` payload as the sender wrote it instead of serializing it again.
 *
 * Only for text that `JSON.parse` accepted: then every value found here is a complete JSON
 * value, and spliced into another object it cannot add keys beside itself (that is what keeps
 * a sender from forging `from`). Like `JSON.parse`, the last of repeated keys counts. A key
 * written with escapes (`"d\u0061ta"`) makes it give up, and the caller serializes instead.
 */

/** `valueSpan` packs start and end into one number: `start * SPAN + end`. */
export const SPAN = 0x20000; // above any index in a frame (at most 64 KiB)

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(text: string, i: number): number {
  while (isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** The index after the string that opens at `i` (a quote), or -1. */
function skipString(text: string, i: number): number {
  const n = text.length;
  for (let j = i + 1; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH) j++;
  }
  return -1;
}

/** The index after the value that starts at `i`, or -1. */
function skipValue(text: string, i: number): number {
  const n = text.length;
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipString(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < n; j++) {
      const d = text.charCodeAt(j);
      if (d === QUOTE) {
        j = skipString(text, j) - 1;
        if (j < 0) return -1;
      } else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  // A number, true, false or null: runs to the next separator.
  let j = i;
  while (j < n) {
    const d = text.charCodeAt(j);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)) break;
    j++;
  }
  return j > i ? j : -1;
}

/**
 * Where the value of top-level `key` is in `text` (a JSON object `JSON.parse` accepted), as
 * `start * SPAN + end`; -1 when the key is absent, a top-level key has escapes, or the text is
 * not an object.
 */
export function valueSpan(text: string, key: string): number {
  if (text.length >= SPAN) return -1;
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return -1;
  let found = -1;
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_BRACE) return -1;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return -1;
    const keyStart = i + 1;
    let j = keyStart;
    for (;;) {
      const c = text.charCodeAt(j);
      if (c === QUOTE) break;
      if (c === BACKSLASH || Number.isNaN(c)) return -1;
      j++;
    }
    const match = j - keyStart === key.length && text.startsWith(key, keyStart);
    i = skipSpace(text, j + 1);
    if (text.charCodeAt(i) !== COLON) return -1;
    const start = skipSpace(text, i + 1);
    const end = skipValue(text, start);
    if (end < 0) return -1;
    if (match) found = start * SPAN + end;
    i = skipSpace(text, end);
    const sep = text.charCodeAt(i);
    if (sep === CLOSE_BRACE) return found;
    if (sep !== COMMA) return -1;
    i = skipSpace(text, i + 1);
  }
}
