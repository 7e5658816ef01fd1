/** Helpers for browser tests that run real calls against the real signaling server. */
import { executeServerCommand } from '@web/test-runner-commands';

/** The URL of the signaling server the test run started (see scripts/signaling-plugin.mjs). */
export async function signalingUrl(): Promise<string> {
  const url = await executeServerCommand<string, undefined>('signaling-url');
  if (!url) throw new Error('the signaling plugin returned no URL');
  return url;
}

/** A room name no other test uses. */
export const uniqueRoom = (prefix = 'room') => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

/** Polls `check` every 50 ms until it returns a truthy value; fails after `timeout` ms, saying `message`. */
export async function until<T>(
  check: () => T | Promise<T>,
  message: string | (() => string),
  timeout = 15000,
): Promise<T> {
  const end = performance.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() > end) {
      throw new Error(`timed out after ${timeout} ms: ${typeof message === 'function' ? message() : message}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sums one numeric field over the reports of one type (and kind) in a stats report. */
export async function statSum(
  pc: RTCPeerConnection,
  type: 'inbound-rtp' | 'outbound-rtp',
  field: string,
  kind?: 'audio' | 'video',
): Promise<{ value: number; timestamp: number }> {
  const report = await pc.getStats();
  let value = 0;
  let timestamp = 0;
  report.forEach((s) => {
    if (s.type === type && (!kind || s.kind === kind) && typeof s[field] === 'number') {
      value += s[field];
      timestamp = Math.max(timestamp, s.timestamp);
    }
  });
  return { value, timestamp };
}

/** Parses a displayed bitrate such as `812 kbps` or `1.4 Mbps` into bits per second. */
export function parseBitrate(text: string): number {
  const m = /([\d.,]+)\s*(kbps|Mbps)/.exec(text);
  if (!m) throw new Error(`not a bitrate: "${text}"`);
  const n = Number(m[1].replace(/,/g, ''));
  return m[2] === 'Mbps' ? n * 1_000_000 : n * 1000;
}

/** The next `type` event on `target`, typed from the global event map. */
export function nextEvent<K extends keyof GlobalEventHandlersEventMap>(
  target: EventTarget,
  type: K,
): Promise<GlobalEventHandlersEventMap[K]> {
  return new Promise((resolve) =>
    target.addEventListener(type, (e) => resolve(e as GlobalEventHandlersEventMap[K]), { once: true }),
  );
}
