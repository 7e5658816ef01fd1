/**
 * Turns two successive `getStats()` reports of one peer connection into rates.
 * Pure functions over report entries, so they are tested without a browser call.
 */

/** Bitrates of one media kind, in bits per second. */
export interface KindStats {
  sendBitrate: number;
  receiveBitrate: number;
}

/** One remote participant's figures over the last interval. */
export interface PeerStats {
  /** Participant id. */
  id: string;
  /** Total outgoing RTP payload bitrate to this participant, bits/s. */
  sendBitrate: number;
  /** Total incoming RTP payload bitrate from this participant, bits/s. */
  receiveBitrate: number;
  audio: KindStats;
  video: KindStats;
}

/**
 * One stats sample: what the call sent and received over the last interval.
 * `sendBitrate`/`receiveBitrate` are sums over every participant, in bits per second.
 */
export interface StatsSample {
  /** When the sample was taken (`performance.now()` clock of the reports, ms). */
  timestamp: number;
  sendBitrate: number;
  receiveBitrate: number;
  peers: PeerStats[];
}

/** The counters a rate is computed from, per RTP stream id. */
export type Counters = Map<string, { kind: string; dir: 'send' | 'receive'; bytes: number; ts: number }>;

type Entry = { id: string; type: string; kind?: string; timestamp: number; bytesSent?: number; bytesReceived?: number };

/** Extracts the byte counters of every RTP stream in a report. */
export function countersOf(report: Iterable<Entry> | RTCStatsReport): Counters {
  const out: Counters = new Map();
  const entries = (report as RTCStatsReport).values
    ? (report as RTCStatsReport).values()
    : (report as Iterable<Entry>);
  for (const s of entries as Iterable<Entry>) {
    if (s.type === 'outbound-rtp' && typeof s.bytesSent === 'number') {
      out.set(s.id, { kind: s.kind ?? '', dir: 'send', bytes: s.bytesSent, ts: s.timestamp });
    } else if (s.type === 'inbound-rtp' && typeof s.bytesReceived === 'number') {
      out.set(s.id, { kind: s.kind ?? '', dir: 'receive', bytes: s.bytesReceived, ts: s.timestamp });
    }
  }
  return out;
}

/** Rates of one participant between two counter snapshots; streams new in `cur` count from zero. */
export function peerRates(id: string, prev: Counters | undefined, cur: Counters): PeerStats {
  const p: PeerStats = {
    id,
    sendBitrate: 0,
    receiveBitrate: 0,
    audio: { sendBitrate: 0, receiveBitrate: 0 },
    video: { sendBitrate: 0, receiveBitrate: 0 },
  };
  if (!prev) return p;
  for (const [sid, c] of cur) {
    const before = prev.get(sid);
    if (!before || c.ts <= before.ts) continue;
    // A counter that went backwards belongs to a restarted stream: no rate this interval.
    const bits = Math.max(0, c.bytes - before.bytes) * 8;
    const rate = (bits * 1000) / (c.ts - before.ts);
    const kind = c.kind === 'audio' || c.kind === 'video' ? p[c.kind] : undefined;
    if (c.dir === 'send') {
      p.sendBitrate += rate;
      if (kind) kind.sendBitrate += rate;
    } else {
      p.receiveBitrate += rate;
      if (kind) kind.receiveBitrate += rate;
    }
  }
  return p;
}
