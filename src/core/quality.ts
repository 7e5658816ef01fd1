/**
 * Connection quality from loss, delay and jitter: a level a person understands (excellent, good,
 * poor, lost) with the reasons it is not excellent, and an E-model MOS estimate for audio.
 * Pure functions, so they are tested without a call.
 */

/** How good a connection is, best first. */
export type QualityLevel = 'excellent' | 'good' | 'poor' | 'lost';

/** What pulls the quality down: packet loss, round-trip delay, jitter, or the connection itself. */
export type QualityMetric = 'loss' | 'delay' | 'jitter' | 'connection';

/** One reason the quality is below excellent. */
export interface QualityReason {
  /** The metric at fault. */
  metric: QualityMetric;
  /** The level this metric alone would give. */
  level: QualityLevel;
  /** Its value: loss in %, delay and jitter in ms; for `connection`, null. */
  value: number | null;
}

/** A quality verdict. */
export interface Quality {
  /** The worst level over every metric. */
  level: QualityLevel;
  /** The metrics below excellent, worst first; empty when excellent. */
  reasons: QualityReason[];
}

/** What a verdict is made from; null where a figure is not known (it then does not count). */
export interface QualityInput {
  /** Peer connection state; `disconnected`, `failed` and `closed` mean lost. */
  connectionState?: RTCPeerConnectionState | null;
  /** Packets lost, %, the worse direction. */
  loss: number | null;
  /** Round-trip time, ms. */
  roundTripTime: number | null;
  /** Interarrival jitter, ms. */
  jitter: number | null;
  /** Nothing arrived over the interval on streams that were flowing: lost, for the connection. */
  silent?: boolean;
}

/**
 * Upper bounds (exclusive) of excellent and good for each metric; at or above the second is poor.
 * Loss at or above `lostLoss` % means nothing usable gets through: lost.
 * Delay bounds follow ITU-T G.114 (150 ms one way is where conversation starts to suffer).
 */
export const QUALITY_THRESHOLDS = {
  loss: [1, 5] as const,
  delay: [150, 300] as const,
  jitter: [30, 60] as const,
  lostLoss: 50,
};

const RANK: Record<QualityLevel, number> = { excellent: 0, good: 1, poor: 2, lost: 3 };

/** The worse of two levels. */
export const worseLevel = (a: QualityLevel, b: QualityLevel): QualityLevel => (RANK[a] >= RANK[b] ? a : b);

const levelOf = (value: number, [excellent, good]: readonly [number, number]): QualityLevel =>
  value < excellent ? 'excellent' : value < good ? 'good' : 'poor';

/** Scores a connection from its loss, round-trip time and jitter. */
export function scoreQuality(input: QualityInput): Quality {
  const reasons: QualityReason[] = [];
  const state = input.connectionState;
  if (state === 'disconnected' || state === 'failed' || state === 'closed' || input.silent) {
    reasons.push({ metric: 'connection', level: 'lost', value: null });
  }
  const t = QUALITY_THRESHOLDS;
  if (input.loss !== null && Number.isFinite(input.loss)) {
    const level = input.loss >= t.lostLoss ? 'lost' : levelOf(input.loss, t.loss);
    if (level !== 'excellent') reasons.push({ metric: 'loss', level, value: input.loss });
  }
  if (input.roundTripTime !== null && Number.isFinite(input.roundTripTime)) {
    const level = levelOf(input.roundTripTime, t.delay);
    if (level !== 'excellent') reasons.push({ metric: 'delay', level, value: input.roundTripTime });
  }
  if (input.jitter !== null && Number.isFinite(input.jitter)) {
    const level = levelOf(input.jitter, t.jitter);
    if (level !== 'excellent') reasons.push({ metric: 'jitter', level, value: input.jitter });
  }
  reasons.sort((a, b) => RANK[b.level] - RANK[a.level]);
  return { level: reasons[0]?.level ?? 'excellent', reasons };
}

/** Combines verdicts (e.g. of several participants) into the worst one, reasons worst first. */
export function worstQuality(list: readonly Quality[]): Quality | null {
  if (list.length === 0) return null;
  let level: QualityLevel = 'excellent';
  const reasons: QualityReason[] = [];
  for (const q of list) {
    level = worseLevel(level, q.level);
    for (const r of q.reasons) {
      const same = reasons.find((x) => x.metric === r.metric);
      if (!same) reasons.push({ ...r });
      else if (RANK[r.level] > RANK[same.level] || (r.level === same.level && (r.value ?? 0) > (same.value ?? 0))) {
        Object.assign(same, r);
      }
    }
  }
  reasons.sort((a, b) => RANK[b.level] - RANK[a.level]);
  return { level, reasons };
}

/**
 * Estimated mean opinion score (1–4.5) of received audio, from the simplified E-model
 * (ITU-T G.107) that WebRTC monitoring tools commonly use: an effective latency from half the
 * round trip plus twice the jitter, and 2.5 R-points per % of loss.
 */
export function estimateMos(roundTripTime: number, jitter: number, lossPercent: number): number {
  const latency = roundTripTime / 2 + jitter * 2 + 10;
  let r = latency < 160 ? 93.2 - latency / 40 : 93.2 - (latency - 120) / 10;
  r -= lossPercent * 2.5;
  r = Math.min(100, Math.max(0, r));
  const mos = 1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r);
  return Math.round(Math.min(4.5, Math.max(1, mos)) * 100) / 100;
}
