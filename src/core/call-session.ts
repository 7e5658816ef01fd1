/**
 * The connection controller of one call: signaling, one peer link per remote participant
 * (full mesh), the local media it publishes, ICE configuration and stats sampling.
 * Framework-free: `<rtc-call>` provides one to its subtree, but it works on its own.
 */
import { LocalMedia } from './local-media.js';
import { PeerLink } from './peer-link.js';
import {
  ClosedEvent,
  PeerJoinedEvent,
  PeerLeftEvent,
  ReconnectedEvent,
  SignalEvent,
  SignalingClient,
  SignalingError,
} from './signaling-client.js';
import type { SignalingTransport } from './signaling-transport.js';
import { StatsSampler } from './stats-sampler.js';
import { WebSocketTransport } from './websocket-transport.js';
import type { PeerInfo, WelcomeMessage } from '../protocol/messages.js';

/** What a call connects to. */
export interface CallConfig {
  /**
   * Signaling server URL (`ws://…/signal`); several URLs (a list, or one string separated by
   * spaces or commas) are tried in order on every (re)connection; or a factory for an app's own transport.
   */
  signaling?: string | string[] | (() => SignalingTransport);
  /** Room token for servers that require one. */
  token?: string;
  /** Asked for a fresh room token before every (re)connection; wins over `token`. */
  getToken?: () => string | Promise<string>;
  /** Gives up reconnecting signaling after this long, ms (default 60,000). */
  reconnectTimeoutMs?: number;
  /** Room to join. */
  room?: string;
  /** Display name shown to the others. */
  name?: string;
  /** STUN/TURN servers. */
  iceServers?: RTCIceServer[];
  /** `relay` forces traffic through TURN. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** How long the first offer waits for local capture before going out receive-only, ms. */
  mediaWaitMs?: number;
}

/** Where the call stands. */
export type CallStatus = 'idle' | 'connecting' | 'joined' | 'left' | 'error';

/** A remote participant as the UI shows it. */
export interface Participant {
  id: string;
  name: string;
  connectionState: RTCPeerConnectionState;
  /** Remote audio and video; null until the first track arrives. */
  stream: MediaStream | null;
  /** The participant muted their microphone (from their `media` signal). */
  audioMuted: boolean;
  /** The participant turned their camera off (from their `media` signal). */
  videoOff: boolean;
  /** The participant's video is a screen share. */
  screenSharing: boolean;
}

/** A call failure with a stable code. */
export interface CallError {
  code: string;
  message: string;
}

/** A snapshot of the call, replaced on every change. */
export interface CallState {
  status: CallStatus;
  /** Our server-assigned id while joined. */
  localId: string | null;
  room: string | null;
  participants: readonly Participant[];
  error: CallError | null;
  /** False when the signaling channel dropped while joined (media may still flow). */
  signalingConnected: boolean;
  /** True while the signaling channel is being re-established (media keeps flowing). */
  reconnecting: boolean;
}

const IDLE: CallState = {
  status: 'idle',
  localId: null,
  room: null,
  participants: [],
  error: null,
  signalingConnected: false,
  reconnecting: false,
};

/** The URLs in a `signaling` setting: a list, or one string separated by spaces or commas. */
export function signalingUrls(signaling: string | string[]): string[] {
  const all = Array.isArray(signaling) ? signaling : [signaling];
  return all.flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
}

/** One call. Fires `change` whenever `state` is replaced. */
export class CallSession extends EventTarget {
  /** What the next `join()` connects to. */
  config: CallConfig = {};
  /** The local camera and microphone this call publishes. */
  readonly media = new LocalMedia();
  /** Shared stats sampling over this call's peer connections. */
  readonly stats: StatsSampler;
  #state: CallState = IDLE;
  #client: SignalingClient | null = null;
  #links = new Map<string, PeerLink>();
  #joining: Promise<void> | null = null;
  /** STUN/TURN servers (with credentials) from the signaling server's welcome. */
  #welcomeIce: RTCIceServer[] = [];
  #maxBitrate: Record<'audio' | 'video', number | null> = { audio: null, video: null };

  constructor(config: CallConfig = {}) {
    super();
    this.config = config;
    this.stats = new StatsSampler(
      () => this.peerConnections(),
      1000,
      (id) => this.#links.get(id)?.name,
    );
    this.media.addEventListener('change', () => {
      const { status, stream } = this.media.state;
      if (status === 'live' || status === 'error' || status === 'stopped') {
        for (const link of this.#links.values()) void link.setLocalStream(stream);
      }
    });
  }

  /** The current snapshot. */
  get state(): CallState {
    return this.#state;
  }

  /** The peer connection of each remote participant, by id. */
  peerConnections(): Map<string, RTCPeerConnection> {
    return new Map([...this.#links].map(([id, link]) => [id, link.pc]));
  }

  /** The outgoing bitrate caps in force, bits/s per kind (null: uncapped). */
  get maxBitrate(): Readonly<Record<'audio' | 'video', number | null>> {
    return this.#maxBitrate;
  }

  /**
   * Caps what this call sends of one kind to each participant, bits/s (null lifts the cap).
   * Applied live to every connection (and to later ones) without renegotiation.
   */
  setMaxBitrate(kind: 'audio' | 'video', bps: number | null): Promise<void> {
    if (this.#maxBitrate[kind] === bps) return Promise.resolve();
    this.#maxBitrate = { ...this.#maxBitrate, [kind]: bps };
    return Promise.all([...this.#links.values()].map((l) => l.setMaxBitrate(kind, bps))).then(() => undefined);
  }

  /** Joins `config.room` through `config.signaling`; resolves once in the room. */
  join(): Promise<void> {
    if (this.#joining) return this.#joining;
    if (this.#client && this.#state.status === 'joined') return Promise.resolve();
    const run = this.#join().finally(() => {
      if (this.#joining === run) this.#joining = null;
    });
    this.#joining = run;
    return run;
  }

  async #join(): Promise<void> {
    const { signaling, room, name } = this.config;
    if (!signaling || !room) {
      return this.#fail({ code: 'not-configured', message: 'A signaling URL and a room are needed to join.' });
    }
    this.#set({ ...IDLE, status: 'connecting', room });
    if (this.media.state.status === 'stopped') void this.media.restart();
    const factories =
      typeof signaling === 'function'
        ? [signaling]
        : signalingUrls(signaling).map((url) => () => new WebSocketTransport(url));
    const { token, getToken, reconnectTimeoutMs } = this.config;
    const client = (this.#client = new SignalingClient(factories, {
      token: getToken ?? (token ? () => token : undefined),
      reconnectTimeoutMs,
    }));
    client.addEventListener('peer-joined', (e) => this.#addPeer((e as PeerJoinedEvent).peer, false));
    client.addEventListener('peer-left', (e) => this.#removePeer((e as PeerLeftEvent).id));
    client.addEventListener('signal', (e) => {
      const { from, data } = e as SignalEvent;
      if ('media' in data) return; // media state: applied by the media-state work (issue 3)
      void this.#links.get(from)?.handle(data);
    });
    client.addEventListener('reconnecting', () => {
      if (this.#client !== client) return;
      // Peer connections do not need the server once up: media keeps flowing meanwhile.
      this.#set({ ...this.#state, signalingConnected: false, reconnecting: true });
    });
    client.addEventListener('reconnected', (e) => {
      if (this.#client === client) this.#onReconnected((e as ReconnectedEvent).welcome);
    });
    client.addEventListener('closed', (e) => {
      if (this.#client !== client) return;
      // Keep the media (it may still flow peer to peer); report why signaling ended.
      const { error } = e as ClosedEvent;
      this.#set({
        ...this.#state,
        signalingConnected: false,
        reconnecting: false,
        error: { code: error.code, message: error.message },
      });
    });
    try {
      const welcome = await client.join(room, name);
      if (this.#client !== client) return;
      this.#welcomeIce = (welcome.iceServers ?? []) as RTCIceServer[];
      this.#set({ ...this.#state, status: 'joined', localId: welcome.id, signalingConnected: true });
      for (const peer of welcome.peers) this.#addPeer(peer, true);
    } catch (err) {
      if (this.#client !== client) return; // left meanwhile
      const e = err instanceof SignalingError ? err : new SignalingError('signaling-failed', String(err));
      this.#teardown();
      this.#fail({ code: e.code, message: e.message });
    }
  }

  /** Back in the room after signaling dropped. */
  #onReconnected(welcome: WelcomeMessage): void {
    this.#welcomeIce = (welcome.iceServers ?? []) as RTCIceServer[];
    if (welcome.id !== this.#state.localId) {
      // The server could not resume us: we are a new participant, and so are our links.
      for (const link of this.#links.values()) link.close();
      this.#links.clear();
      this.stats.reset();
    }
    this.#set({ ...this.#state, localId: welcome.id, signalingConnected: true, reconnecting: false, error: null });
    // Unknown peers joined while we were away; known ones keep their links (media never stopped).
    for (const peer of welcome.peers) this.#addPeer(peer, true);
    this.#syncParticipants();
  }

  /** Leaves and joins again with the current config, keeping the local media running. */
  rejoin(): Promise<void> {
    this.#teardown();
    this.#joining = null;
    return this.join();
  }

  /** Leaves the call and releases everything: tracks stopped, connections and socket closed. */
  leave(): void {
    const wasActive = this.#client !== null || this.#state.status !== 'idle';
    this.#teardown();
    this.media.stop();
    if (wasActive) this.#set({ ...IDLE, status: 'left' });
  }

  #teardown(): void {
    const client = this.#client;
    this.#client = null;
    client?.close();
    for (const link of this.#links.values()) link.close();
    this.#links.clear();
    this.stats.reset();
  }

  #addPeer(peer: PeerInfo, initiator: boolean): void {
    const client = this.#client;
    const localId = this.#state.localId;
    if (!client || !localId || this.#links.has(peer.id)) return;
    const link = new PeerLink({
      id: peer.id,
      name: peer.name,
      // Ids come from the server, so both sides derive the same answer without talking.
      polite: localId < peer.id,
      initiator,
      config: {
        // The page's servers first, then the ones (with credentials) the signaling server issued.
        iceServers: [...(this.config.iceServers ?? []), ...this.#welcomeIce],
        iceTransportPolicy: this.config.iceTransportPolicy ?? 'all',
      },
      send: (data) => client.signal(peer.id, data),
      localStream: () => this.#localStreamForOffer(),
    });
    link.addEventListener('change', () => this.#syncParticipants());
    for (const kind of ['audio', 'video'] as const) {
      if (this.#maxBitrate[kind] !== null) void link.setMaxBitrate(kind, this.#maxBitrate[kind]);
    }
    this.#links.set(peer.id, link);
    this.#syncParticipants();
  }

  #removePeer(id: string): void {
    const link = this.#links.get(id);
    if (!link) return;
    link.close();
    this.#links.delete(id);
    this.#syncParticipants();
  }

  /**
   * Waits for a capture in progress, but not forever: a permission prompt left open must not
   * keep the other side from seeing us connect; media is added by renegotiation when it comes.
   */
  #localStreamForOffer(): Promise<MediaStream | null> {
    const wait = this.config.mediaWaitMs ?? 3000;
    let timer: ReturnType<typeof setTimeout>;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), wait)));
    return Promise.race([this.media.ready(), timeout]).finally(() => clearTimeout(timer));
  }

  #syncParticipants(): void {
    const participants = [...this.#links.values()].map((link) => ({
      id: link.id,
      name: link.name,
      ...link.state,
      // Filled from the participant's `media` signal (see WireMediaState).
      audioMuted: false,
      videoOff: false,
      screenSharing: false,
    }));
    this.#set({ ...this.#state, participants });
  }

  #fail(error: CallError): void {
    this.#set({ ...IDLE, status: 'error', room: this.config.room ?? null, error });
  }

  #set(state: CallState): void {
    this.#state = state;
    this.dispatchEvent(new Event('change'));
  }
}
