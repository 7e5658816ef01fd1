import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { StatsFeed } from '../src/core/stats-sampler.js';
import { peerStats, sampleOf, snapshotOf, type Snapshot, type StatsSample } from '../src/core/stats.js';

/**
 * A network the stories play back: synthetic `getStats()` reports, advanced once a second and
 * turned into samples by the same code as a live call (`snapshotOf` → `peerStats`).
 */
interface Network {
  /** Outgoing and incoming video, bits/s. */
  video: number;
  /** Loss on the way in and out, %. */
  loss: number;
  /** Round trip, ms. */
  rtt: number;
  /** Jitter, ms. */
  jitter: number;
  width: number;
  height: number;
  fps: number;
  limitation: 'none' | 'bandwidth' | 'cpu';
  local: 'host' | 'srflx' | 'relay';
  remote: 'host' | 'srflx' | 'relay';
  state?: RTCPeerConnectionState;
}

const NETWORKS = {
  good: { video: 480_000, loss: 0, rtt: 24, jitter: 3, width: 640, height: 480, fps: 30, limitation: 'none', local: 'host', remote: 'srflx' },
  poor: { video: 160_000, loss: 9, rtt: 380, jitter: 38, width: 320, height: 180, fps: 12, limitation: 'bandwidth', local: 'srflx', remote: 'srflx' },
  relayed: { video: 420_000, loss: 0.4, rtt: 95, jitter: 8, width: 640, height: 480, fps: 30, limitation: 'none', local: 'relay', remote: 'srflx' },
  lost: { video: 0, loss: 0, rtt: 0, jitter: 0, width: 640, height: 480, fps: 0, limitation: 'none', local: 'host', remote: 'host', state: 'disconnected' },
} satisfies Record<string, Network>;

/** A peer connection that never was: cumulative counters advanced with some noise. */
class SyntheticPeer {
  #t = 0;
  #c = { vOut: 0, vIn: 0, aOut: 0, aIn: 0, pIn: 0, lostIn: 0, aPIn: 0, aLostIn: 0, pOut: 0, lostOut: 0 };
  #prev?: Snapshot;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly net: Network,
  ) {}

  next(now: number, dt = 1000): ReturnType<typeof peerStats> {
    const n = this.net;
    const wobble = (x: number, by = 0.12) => Math.max(0, x * (1 + (Math.random() * 2 - 1) * by));
    const sec = dt / 1000;
    const c = this.#c;
    const vIn = wobble(n.video) * sec;
    const vOut = wobble(n.video) * sec;
    const audio = n.state === 'disconnected' ? 0 : 32_000 * sec;
    c.vOut += vOut / 8;
    c.vIn += vIn / 8;
    c.aOut += audio / 8;
    c.aIn += audio / 8;
    const packets = Math.round(vIn / 8 / 1100) + 1;
    const lost = Math.round((packets * wobble(n.loss, 0.5)) / 100);
    c.pIn += packets - lost;
    c.lostIn += lost;
    const aPackets = n.state === 'disconnected' ? 0 : Math.round(50 * sec);
    const aLost = Math.round((aPackets * wobble(n.loss, 0.5)) / 100);
    c.aPIn += aPackets - aLost;
    c.aLostIn += aLost;
    c.pOut += packets;
    c.lostOut += lost;
    this.#t = now;
    const ts = this.#t;
    const rtt = wobble(n.rtt, 0.15) / 1000;
    const entries = [
      { id: 'ov', type: 'outbound-rtp', kind: 'video', timestamp: ts, bytesSent: c.vOut, packetsSent: c.pOut, codecId: 'vp8', frameWidth: n.width, frameHeight: n.height, framesPerSecond: n.fps, qualityLimitationReason: n.limitation },
      { id: 'oa', type: 'outbound-rtp', kind: 'audio', timestamp: ts, bytesSent: c.aOut, codecId: 'opus' },
      { id: 'riv', type: 'remote-inbound-rtp', kind: 'video', localId: 'ov', timestamp: ts, fractionLost: wobble(n.loss, 0.5) / 100, jitter: wobble(n.jitter) / 1000, roundTripTime: rtt },
      { id: 'ria', type: 'remote-inbound-rtp', kind: 'audio', localId: 'oa', timestamp: ts, fractionLost: wobble(n.loss, 0.5) / 100, jitter: wobble(n.jitter) / 1000, roundTripTime: rtt },
      { id: 'iv', type: 'inbound-rtp', kind: 'video', timestamp: ts, bytesReceived: c.vIn, packetsReceived: c.pIn, packetsLost: c.lostIn, jitter: wobble(n.jitter * 2) / 1000, codecId: 'vp8', frameWidth: n.width, frameHeight: n.height, framesPerSecond: Math.round(wobble(n.fps, 0.05)) },
      { id: 'ia', type: 'inbound-rtp', kind: 'audio', timestamp: ts, bytesReceived: c.aIn, packetsReceived: c.aPIn, packetsLost: c.aLostIn, jitter: wobble(n.jitter) / 1000, codecId: 'opus' },
      { id: 'vp8', type: 'codec', mimeType: 'video/VP8', timestamp: ts },
      { id: 'opus', type: 'codec', mimeType: 'audio/opus', timestamp: ts },
      { id: 'tr', type: 'transport', selectedCandidatePairId: 'cp', timestamp: ts },
      { id: 'cp', type: 'candidate-pair', localCandidateId: 'lc', remoteCandidateId: 'rc', currentRoundTripTime: rtt, availableOutgoingBitrate: n.video * 1.6 + 40_000, timestamp: ts },
      { id: 'lc', type: 'local-candidate', candidateType: n.local, protocol: 'udp', relayProtocol: n.local === 'relay' ? 'udp' : undefined, timestamp: ts },
      { id: 'rc', type: 'remote-candidate', candidateType: n.remote, protocol: 'udp', timestamp: ts },
    ];
    const cur = snapshotOf(entries);
    const stats = peerStats(this.id, this.#prev, cur, n.state ?? 'connected', this.name);
    this.#prev = cur;
    return stats;
  }
}

/** A feed that plays `networks` (one per participant), with a minute of history at once. */
function feedOf(...networks: [name: string, net: Network][]): StatsFeed {
  return new StatsFeed((push, interval) => {
    const peers = networks.map(([name, net], i) => new SyntheticPeer(`p${i}`, name, net));
    const tick = (now: number): StatsSample => sampleOf(peers.map((p) => p.next(now, interval)), now, interval);
    const start = Date.now() - 60_000;
    for (let t = start; t <= Date.now(); t += interval) push(tick(t));
    const timer = setInterval(() => push(tick(Date.now())), interval);
    return () => clearInterval(timer);
  });
}

const meta: Meta = {
  title: 'Elements/rtc-stats',
  component: 'rtc-stats',
  parameters: {
    docs: {
      description: {
        component:
          'Live connection statistics. In a page it reads the enclosing `<rtc-call>`; these stories feed it synthetic `getStats()` reports through a `StatsFeed` set as `source`.',
      },
    },
  },
};
export default meta;

/** Outside a call: nothing to measure yet. */
export const NoCall: StoryObj = {
  render: () => html`<rtc-stats></rtc-stats>`,
};

/** A good direct connection: excellent, with the figures of a 640×480 call. */
export const GoodConnection: StoryObj = {
  render: () => html`<rtc-stats .source=${feedOf(['Ada', NETWORKS.good])}></rtc-stats>`,
};

/** A poor connection: 9 % loss and ~380 ms round trip; the verdict says why, video is limited by bandwidth. */
export const PoorConnection: StoryObj = {
  render: () => html`<rtc-stats .source=${feedOf(['Bob', NETWORKS.poor])}></rtc-stats>`,
};

/** A call relayed through TURN: the path says “Via TURN”, our candidate is `relay`. */
export const RelayedCall: StoryObj = {
  render: () => html`<rtc-stats .source=${feedOf(['Cleo', NETWORKS.relayed])}></rtc-stats>`,
};

/** Three participants, one of them on a poor link and one whose connection dropped. */
export const SeveralParticipants: StoryObj = {
  render: () =>
    html`<rtc-stats .source=${feedOf(['Ada', NETWORKS.good], ['Bob', NETWORKS.poor], ['Dan', NETWORKS.lost])}></rtc-stats>`,
};

/** The compact badge: quality and bitrate on one line, for a tile or a toolbar. */
export const Compact: StoryObj = {
  render: () => html`<div style="display:grid;gap:8px;justify-items:start">
    <rtc-stats variant="compact" .source=${feedOf(['Ada', NETWORKS.good])}></rtc-stats>
    <rtc-stats variant="compact" .source=${feedOf(['Bob', NETWORKS.poor])}></rtc-stats>
    <rtc-stats variant="compact" .source=${feedOf(['Cleo', NETWORKS.relayed])}></rtc-stats>
    <rtc-stats variant="compact" .source=${feedOf(['Dan', NETWORKS.lost])}></rtc-stats>
  </div>`,
};

/** The detailed panel in German: labels from `strings`, numbers from `Intl.NumberFormat`. */
export const Localized: StoryObj = {
  render: () => html`<div lang="de">
    <rtc-stats
      .source=${feedOf(['Bob', NETWORKS.poor])}
      .strings=${{
        title: 'Verbindungsstatistik',
        sending: 'Senden',
        receiving: 'Empfangen',
        excellent: 'Sehr gut',
        good: 'Gut',
        poor: 'Schlecht',
        lost: 'Getrennt',
        reasonLoss: 'Paketverlust {value}',
        reasonDelay: 'hohe Verzögerung {value}',
        reasonJitter: 'Jitter {value}',
        path: 'Weg',
        direct: 'Direkt',
        relay: 'Über TURN',
        roundTrip: 'Umlaufzeit',
        availableOutgoing: 'Verfügbarer Upload',
        candidates: 'Kandidaten (wir → sie)',
        protocol: 'Protokoll',
        lostSent: 'Verlust ausgehend',
        lostReceived: 'Verlust eingehend',
        codec: 'Codec',
        sentVideo: 'Gesendetes Video',
        receivedVideo: 'Empfangenes Video',
        limitation: 'Video begrenzt durch',
        limitationNone: 'nichts',
        limitationCpu: 'CPU',
        limitationBandwidth: 'Bandbreite',
        limitationOther: 'Sonstiges',
        mos: 'Audio-Bewertung (MOS, 1–4,5)',
        reasonConnection: 'Verbindung verloren',
        noData: 'Noch keine Verbindung zu messen',
        guest: 'Gast',
        audio: 'Audio',
        video: 'Video',
        history: 'Bitrate der letzten {seconds} s: Senden jetzt {send}, höchstens {sendMax}; Empfangen jetzt {receive}, höchstens {receiveMax}.',
        historyEmpty: 'Noch kein Verlauf.',
        units: { kbps: 'kbit/s', Mbps: 'Mbit/s', ms: 'ms', fps: 'B/s' },
      }}
    ></rtc-stats>
  </div>`,
};
