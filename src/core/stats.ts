/**
 * Turns two successive `getStats()` reports of one peer connection into what a person wants to
 * know: rates, loss, delay, jitter, video size and rate, the network path, and a quality verdict.
 * Pure functions over report entries, so they are tested without a browser call.
 */
import { estimateMos, scoreQuality, worstQuality, type Quality } from './quality.js';

/** Figures of what we send of one kind to one participant, over the last interval. */
export interface SendStats {
  /** Outgoing RTP payload bitrate, bits/s. */
  bitrate: number;
  /** Packets lost on the way, %, as the remote receiver reports (RTCP); null before its first report. */
  packetsLost: number | null;
  /** Jitter the remote receiver measures on our packets, ms; null before its first report. */
  jitter: number | null;
  /** Round-trip time measured with RTCP, ms; null before the first measurement. */
  roundTripTime: number | null;
  /** Codec, e.g. `VP8` or `opus`; null before negotiation picked one. */
  codec: string | null;
  /** Width of the largest encoded video layer, px; null for audio or before the first frame. */
  frameWidth: number | null;
  /** Height of the largest encoded video layer, px. */
  frameHeight: number | null;
  /** Encoded video frames per second. */
  framesPerSecond: number | null;
  /**
   * Why the browser sends less video than it could: `bandwidth`, `cpu`, `other`, or `none`;
   * null for audio or where the browser does not say.
   */
  qualityLimitationReason: 'none' | 'cpu' | 'bandwidth' | 'other' | null;
  /** The encoder's target bitrate, bits/s, where the browser reports it. */
  targetBitrate: number | null;
}

/** Figures of what we receive of one kind from one participant, over the last interval. */
export interface ReceiveStats {
  /** Incoming RTP payload bitrate, bits/s. */
  bitrate: number;
  /** Packets lost on the way to us, % of those expected over the interval. */
  packetsLost: number | null;
  /** Interarrival jitter, ms. */
  jitter: number | null;
  /** Codec, e.g. `VP8` or `opus`. */
  codec: string | null;
  /** Width of the decoded video, px; null for audio or before the first frame. */
  frameWidth: number | null;
  /** Height of the decoded video, px. */
  frameHeight: number | null;
  /** Decoded video frames per second. */
  framesPerSecond: number | null;
}

/** One media kind (audio or video) between us and one participant. */
export interface KindStats {
  /** Outgoing bitrate of this kind, bits/s (0 when not sending). */
  sendBitrate: number;
  /** Incoming bitrate of this kind, bits/s (0 when not receiving). */
  receiveBitrate: number;
  /** What we send; null when we send nothing of this kind. */
  send: SendStats | null;
  /** What we receive; null when nothing of this kind comes in. */
  receive: ReceiveStats | null;
  /** Estimated mean opinion score (1–4.5) of the audio we hear; null for video or without data. */
  mos: number | null;
}

/** A candidate type as `RTCIceCandidate.type` names it. */
export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** The network path of one peer connection: its selected ICE candidate pair. */
export interface ConnectionStats {
  /** `RTCPeerConnection.connectionState` when sampled. */
  state: RTCPeerConnectionState;
  /** Our side's candidate type; `relay` means through our TURN server. Null before a pair is selected. */
  localCandidateType: CandidateType | null;
  /** The other side's candidate type; `relay` means through their TURN server. */
  remoteCandidateType: CandidateType | null;
  /** Transport protocol of the pair, `udp` or `tcp`. */
  protocol: string | null;
  /** How we reach our TURN server (`udp`, `tcp`, `tls`) when our candidate is `relay`. */
  relayProtocol: string | null;
  /** `relay` when either side's candidate is a TURN relay (media goes via TURN), else `direct`; null before a pair is selected. */
  path: 'direct' | 'relay' | null;
  /** Round-trip time of ICE consent checks on the pair, ms. */
  roundTripTime: number | null;
  /** The sender-side bandwidth estimate, bits/s (`availableOutgoingBitrate`). */
  availableOutgoingBitrate: number | null;
  /** The receiver-side bandwidth estimate, bits/s, where reported. */
  availableIncomingBitrate: number | null;
}

/** One remote participant's figures over the last interval. */
export interface PeerStats {
  /** Participant id. */
  id: string;
  /** Display name, where the source knows it. */
  name?: string;
  /** Total outgoing RTP payload bitrate to this participant, bits/s. */
  sendBitrate: number;
  /** Total incoming RTP payload bitrate from this participant, bits/s. */
  receiveBitrate: number;
  /** Audio figures. */
  audio: KindStats;
  /** Video figures. */
  video: KindStats;
  /** The network path. */
  connection: ConnectionStats;
  /** Quality verdict from loss (worse direction; incoming over all streams together), round-trip time and jitter. */
  quality: Quality;
}

/**
 * One stats sample of a call: what it sent and received over the last interval, per remote
 * participant and per kind. Fired as `rtc-stats` by `<rtc-call>` and kept as `session.stats.latest`.
 */
export interface StatsSample {
  /** When the sample was taken: the newest report timestamp, ms (`performance.timeOrigin` based). */
  timestamp: number;
  /** Length of the interval the rates cover, ms. */
  interval: number;
  /** Outgoing bitrate summed over every participant, bits/s. */
  sendBitrate: number;
  /** Incoming bitrate summed over every participant, bits/s. */
  receiveBitrate: number;
  /** The worst participant's quality; null without participants. */
  quality: Quality | null;
  /** One entry per remote participant with an open connection. */
  peers: PeerStats[];
}

/** A `getStats()` report kept for the next interval: its entries by id. */
export type Snapshot = Map<string, Entry>;

/** The fields of report entries this module reads (every stats dictionary, loosely typed). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Entry = { id: string; type: string; timestamp: number; [key: string]: any };

/** Keeps a report's entries by id (a live `RTCStatsReport` or any iterable of entries). */
export function snapshotOf(report: RTCStatsReport | Pick<Map<string, Entry>, 'values'> | Iterable<Entry>): Snapshot {
  const out: Snapshot = new Map();
  const values = 'values' in report && typeof report.values === 'function' ? report.values() : report;
  for (const s of values as Iterable<Entry>) out.set(s.id, s);
  return out;
}

/** What a report gives: a live `RTCStatsReport`, or a map of entries in tests. */
type Report = Pick<ReadonlyMap<string, Entry>, 'get' | 'values' | 'size'>;

/** The entry types the figures read; the rest (certificates, other candidates, media sources…) never. */
const RTP = new Set(['inbound-rtp', 'outbound-rtp', 'remote-inbound-rtp']);
/** One read in this many is a full one, whatever the report's shape. */
const FULL_EVERY = 5;

/**
 * Reads a connection's reports entry by entry, only the entries the figures use. Chromium builds
 * each entry's JavaScript object when it is read, and a call's report is mostly entries no figure
 * uses (every candidate, every pair, certificates, media sources), more of them the more addresses
 * each side has. A full read learns which ids matter; later reports are read by those ids while
 * the report keeps its shape (its size, the selected pair, every id found), and every fifth read is
 * a full one again. Where no transport names the selected pair (Firefox, whose report is a plain
 * map anyway), every read is a full one.
 */
export class ReportReader {
  #ids: string[] = [];
  #size = -1;
  #pair?: string;
  #transport?: string;
  /** Reads by id since the last full one. */
  #byId = 0;

  /** The entries of `report` the figures use. */
  read(report: RTCStatsReport | Report): Snapshot {
    const r = report as Report;
    // The size misses an entry that comes as another goes (a stream starts as a pair is pruned):
    // a full read every few bounds how long that goes unseen.
    if (r.size === this.#size && ++this.#byId < FULL_EVERY) {
      const out: Snapshot = new Map();
      for (const id of this.#ids) {
        const e = r.get(id);
        if (!e) return this.#full(r); // an entry gone: the shape changed
        out.set(id, e);
      }
      // A new selected pair (ICE restart, a network switch) or a new codec keeps the size.
      if (out.get(this.#transport!)!.selectedCandidatePairId === this.#pair && [...out.values()].every((e) => !e.codecId || out.has(e.codecId))) {
        return out;
      }
    }
    return this.#full(r);
  }

  #full(r: Report): Snapshot {
    this.#byId = 0;
    const all = snapshotOf(r);
    const transport = [...all.values()].find((s) => s.type === 'transport' && all.has(s.selectedCandidatePairId));
    this.#size = -1;
    if (!transport) return all;
    const pair = all.get(transport.selectedCandidatePairId)!;
    const ids = new Set<string>([transport.id, pair.id, pair.localCandidateId, pair.remoteCandidateId]);
    for (const s of all.values()) if (RTP.has(s.type)) ids.add(s.id).add(s.codecId);
    this.#ids = [...ids].filter((id) => all.has(id));
    this.#size = r.size;
    this.#transport = transport.id;
    this.#pair = pair.id;
    return new Map(this.#ids.map((id) => [id, all.get(id)!]));
  }
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const ms = (seconds: unknown): number | null => {
  const s = num(seconds);
  return s === null ? null : s * 1000;
};
const codecName = (snap: Snapshot, codecId: unknown): string | null => {
  const mime = typeof codecId === 'string' ? snap.get(codecId)?.mimeType : undefined;
  return typeof mime === 'string' ? mime.replace(/^(audio|video)\//, '') : null;
};
/** Rate of a counter between two entries, per second; null without both or when it went backwards. */
const perSecond = (before: Entry | undefined, after: Entry, field: string): number | null => {
  const a = num(before?.[field]);
  const b = num(after[field]);
  if (a === null || b === null || !before || after.timestamp <= before.timestamp || b < a) return null;
  return ((b - a) * 1000) / (after.timestamp - before.timestamp);
};
const maxOf = (...xs: (number | null)[]): number | null =>
  xs.reduce<number | null>((m, x) => (x === null ? m : m === null ? x : Math.max(m, x)), null);

/** Packets lost and received between two cumulative counters (without `before`: since the start). */
function lossCounts(before: Entry | undefined, after: Entry): { lost: number; received: number } | null {
  const lost = num(after.packetsLost);
  const received = num(after.packetsReceived);
  if (lost === null || received === null) return null;
  return {
    lost: Math.max(0, lost - (num(before?.packetsLost) ?? 0)),
    received: Math.max(0, received - (num(before?.packetsReceived) ?? 0)),
  };
}

/**
 * True when streams that were there before received no packet at all over the interval. Loss
 * cannot be counted then (it shows only in packets that do arrive), and some browsers (Firefox)
 * keep a dead path `connected` for a long while: nothing arriving is what a user sees as lost.
 */
function silentSince(prev: Snapshot | undefined, cur: Snapshot, inbound: Entry[]): boolean {
  const known = inbound.filter((i) => prev?.get(i.id));
  if (!(known.length > 0 && known.every((i) => lossCounts(prev!.get(i.id), i)?.received === 0))) return false;
  // Media can stop on purpose (a camera turned off by someone with no microphone, a video we
  // asked them to pause): the path is alive while anything else arrives on it (RTCP, the
  // keepalive channel's heartbeat every second).
  // The transport's counter spans a switch of the selected pair (whose new pair a snapshot read
  // by id did not have before); the pair's where no transport names it.
  const pair = selectedPair(cur);
  const path = [...cur.values()].find((s) => s.type === 'transport' && s.selectedCandidatePairId === pair?.id && num(s.bytesReceived) !== null) ?? pair;
  const before = path && prev?.get(path.id);
  const bytes = num(path?.bytesReceived);
  return !(before && bytes !== null && bytes > (num(before.bytesReceived) ?? bytes));
}

/** Loss in % between two cumulative lost/received counters. */
function lossPercent(before: Entry | undefined, after: Entry): number | null {
  const c = lossCounts(before, after);
  const expected = c ? c.lost + c.received : 0;
  return c && expected > 0 ? (c.lost * 100) / expected : null;
}

function sendStats(prev: Snapshot | undefined, cur: Snapshot, streams: Entry[]): SendStats {
  const s: SendStats = {
    bitrate: 0,
    packetsLost: null,
    jitter: null,
    roundTripTime: null,
    codec: null,
    frameWidth: null,
    frameHeight: null,
    framesPerSecond: null,
    qualityLimitationReason: null,
    targetBitrate: null,
  };
  let area = -1;
  for (const o of streams) {
    const before = prev?.get(o.id);
    s.bitrate += (perSecond(before, o, 'bytesSent') ?? 0) * 8;
    s.codec ??= codecName(cur, o.codecId);
    const target = num(o.targetBitrate);
    if (target !== null) s.targetBitrate = (s.targetBitrate ?? 0) + target;
    const w = num(o.frameWidth);
    const h = num(o.frameHeight);
    // Simulcast: report the largest layer being sent.
    if (w !== null && h !== null && w * h > area) {
      area = w * h;
      s.frameWidth = w;
      s.frameHeight = h;
      s.framesPerSecond = num(o.framesPerSecond) ?? perSecond(before, o, 'framesEncoded');
    }
    if (typeof o.qualityLimitationReason === 'string') s.qualityLimitationReason ??= o.qualityLimitationReason as SendStats['qualityLimitationReason'];
    // The remote receiver's view of this stream (RTCP receiver reports).
    const remote = [...cur.values()].find((r) => r.type === 'remote-inbound-rtp' && r.localId === o.id);
    if (remote) {
      const remoteBefore = prev?.get(remote.id);
      let loss: number | null = null;
      if (num(remote.fractionLost) !== null) loss = remote.fractionLost * 100;
      else if (num(remote.packetsLost) !== null) {
        const dLost = Math.max(0, remote.packetsLost - (num(remoteBefore?.packetsLost) ?? 0));
        const dSent = Math.max(0, (num(o.packetsSent) ?? 0) - (num(before?.packetsSent) ?? 0));
        loss = dSent > 0 ? Math.min(100, (dLost * 100) / dSent) : null;
      }
      s.packetsLost = maxOf(s.packetsLost, loss);
      s.jitter = maxOf(s.jitter, ms(remote.jitter));
      s.roundTripTime = maxOf(s.roundTripTime, ms(remote.roundTripTime));
    }
  }
  return s;
}

function receiveStats(prev: Snapshot | undefined, cur: Snapshot, streams: Entry[]): ReceiveStats {
  const s: ReceiveStats = {
    bitrate: 0,
    packetsLost: null,
    jitter: null,
    codec: null,
    frameWidth: null,
    frameHeight: null,
    framesPerSecond: null,
  };
  for (const i of streams) {
    const before = prev?.get(i.id);
    s.bitrate += (perSecond(before, i, 'bytesReceived') ?? 0) * 8;
    s.packetsLost = maxOf(s.packetsLost, lossPercent(before, i));
    s.jitter = maxOf(s.jitter, ms(i.jitter));
    s.codec ??= codecName(cur, i.codecId);
    s.frameWidth ??= num(i.frameWidth);
    s.frameHeight ??= num(i.frameHeight);
    s.framesPerSecond ??= num(i.framesPerSecond) ?? perSecond(before, i, 'framesDecoded');
  }
  return s;
}

/** The selected candidate pair: from the transport (Chromium), else `selected` (Firefox), else nominated and succeeded. */
function selectedPair(cur: Snapshot): Entry | undefined {
  for (const s of cur.values()) {
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
      const pair = cur.get(s.selectedCandidatePairId);
      if (pair) return pair;
    }
  }
  const pairs = [...cur.values()].filter((s) => s.type === 'candidate-pair');
  return pairs.find((p) => p.selected === true) ?? pairs.find((p) => p.nominated && p.state === 'succeeded');
}

function connectionStats(cur: Snapshot, state: RTCPeerConnectionState): ConnectionStats {
  const pair = selectedPair(cur);
  const local = pair ? cur.get(pair.localCandidateId) : undefined;
  const remote = pair ? cur.get(pair.remoteCandidateId) : undefined;
  const localType = (local?.candidateType as CandidateType | undefined) ?? null;
  const remoteType = (remote?.candidateType as CandidateType | undefined) ?? null;
  return {
    state,
    localCandidateType: localType,
    remoteCandidateType: remoteType,
    protocol: typeof local?.protocol === 'string' ? local.protocol : null,
    relayProtocol: localType === 'relay' && typeof local?.relayProtocol === 'string' ? local.relayProtocol : null,
    path: !localType && !remoteType ? null : localType === 'relay' || remoteType === 'relay' ? 'relay' : 'direct',
    roundTripTime: ms(pair?.currentRoundTripTime),
    availableOutgoingBitrate: num(pair?.availableOutgoingBitrate),
    availableIncomingBitrate: num(pair?.availableIncomingBitrate),
  };
}

/**
 * One participant's figures between two snapshots of its connection (`prev` undefined on the
 * first sample: rates are then 0, loss is counted since the start).
 */
export function peerStats(
  id: string,
  prev: Snapshot | undefined,
  cur: Snapshot,
  state: RTCPeerConnectionState = 'connected',
  name?: string,
): PeerStats {
  const kinds = (['audio', 'video'] as const).map((kind) => {
    const out = [...cur.values()].filter((s) => s.type === 'outbound-rtp' && s.kind === kind);
    const inb = [...cur.values()].filter((s) => s.type === 'inbound-rtp' && s.kind === kind);
    const send = out.length ? sendStats(prev, cur, out) : null;
    const receive = inb.length ? receiveStats(prev, cur, inb) : null;
    const k: KindStats = {
      sendBitrate: send?.bitrate ?? 0,
      receiveBitrate: receive?.bitrate ?? 0,
      send,
      receive,
      mos: null,
    };
    return k;
  });
  const [audio, video] = kinds;
  const connection = connectionStats(cur, state);
  const roundTripTime = connection.roundTripTime ?? maxOf(audio.send?.roundTripTime ?? null, video.send?.roundTripTime ?? null);
  if (audio.receive && audio.receive.jitter !== null) {
    audio.mos = estimateMos(roundTripTime ?? 0, audio.receive.jitter, audio.receive.packetsLost ?? 0);
  }
  // Incoming loss over every stream together, so a few audio packets in a quiet second (DTX)
  // do not outweigh a hundred video ones; outgoing loss as the remote receivers report it.
  const inbound = [...cur.values()].filter((x) => x.type === 'inbound-rtp');
  const counted = inbound.map((i) => lossCounts(prev?.get(i.id), i)).filter((c) => c !== null);
  const expected = counted.reduce((a, c) => a + c.lost + c.received, 0);
  const receiveLoss = expected > 0 ? (counted.reduce((a, c) => a + c.lost, 0) * 100) / expected : null;
  const loss = maxOf(receiveLoss, audio.send?.packetsLost ?? null, video.send?.packetsLost ?? null);
  // Audio jitter says what a listener hears; video jitter is inflated by the pacer spreading
  // each frame's packets, so it counts only where there is no audio.
  const jitter = audio.receive?.jitter ?? audio.send?.jitter ?? video.receive?.jitter ?? null;
  return {
    id,
    ...(name !== undefined ? { name } : {}),
    sendBitrate: audio.sendBitrate + video.sendBitrate,
    receiveBitrate: audio.receiveBitrate + video.receiveBitrate,
    audio,
    video,
    connection,
    quality: scoreQuality({ connectionState: state, loss, roundTripTime, jitter, silent: silentSince(prev, cur, inbound) }),
  };
}

/** Assembles a call-wide sample from its participants' figures. */
export function sampleOf(peers: PeerStats[], timestamp: number, interval: number): StatsSample {
  return {
    timestamp,
    interval,
    sendBitrate: peers.reduce((a, p) => a + p.sendBitrate, 0),
    receiveBitrate: peers.reduce((a, p) => a + p.receiveBitrate, 0),
    quality: worstQuality(peers.map((p) => p.quality)),
    peers,
  };
}
