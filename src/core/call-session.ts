/**
 * The connection controller of one call: signaling, one peer link per remote participant
 * (full mesh), the local media it publishes, ICE configuration and stats sampling.
 * Framework-free: `<rtc-call>` provides one to its subtree, but it works on its own.
 */
import { CallChannel, CONTROL_LABEL, HeldChannels, type ChannelOptions } from './data-channel.js';
import { LocalMedia } from './local-media.js';
import { defaultMeshPolicy, type MeshPolicy } from './mesh-policy.js';
import { IceServerErrorEvent, LinkReplacedEvent, PeerLink, type RecoveryOptions } from './peer-link.js';
import { ParticipantEvent } from './session-events.js';
import {
  ClosedEvent,
  IceServersEvent,
  PeerJoinedEvent,
  PeerLeftEvent,
  PeerRenamedEvent,
  ReconnectedEvent,
  ServerErrorEvent,
  SignalEvent,
  SignalingClient,
  SignalingError,
} from './signaling-client.js';
import type { SignalingTransport } from './signaling-transport.js';
import { StatsSampler } from './stats-sampler.js';
import { WebSocketTransport } from './websocket-transport.js';
import type { PeerInfo, WelcomeMessage, WireMediaState } from '../protocol/messages.js';

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
  /** Video limits per sender as the room grows (default {@link defaultMeshPolicy}). */
  meshPolicy?: MeshPolicy;
  /** ICE restart timing (see {@link RecoveryOptions}). */
  recovery?: Partial<RecoveryOptions>;
  /** Audio level (0…1) above which a participant counts as speaking (default 0.03). */
  speakingThreshold?: number;
  /**
   * How long someone the server no longer knows when we come back (it restarted) has to come back
   * too before their link goes as a leave, ms (default: the server's grace from its welcome, else
   * 20,000). Not while their media still flows peer to peer.
   */
  absentPeerMs?: number;
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
  /** Their audio is above the speaking threshold (held briefly between words). */
  speaking: boolean;
  /** The connection to them broke and is being restored (ICE restart or a new connection). */
  reconnecting: boolean;
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


const SPEAKING_POLL_MS = 200;
/** Errors of one connection, over once a connection is up again. */
const LINK_ERRORS = new Set(['ice-no-candidates', 'ice-server-error', 'turn-unauthorized', 'negotiation-failed']);
const SPEAKING_HOLD_MS = 600;
const ABSENT_PEER_MS = 20_000;
/**
 * How long a link found `disconnected` at its absence deadline gets to be `connected` again:
 * ICE says `disconnected` after a few seconds without an answer to its checks, and a path with
 * media flowing can pass through it and back (a Wi-Fi hiccup, a busy peer).
 */
const DISCONNECTED_SETTLE_MS = 5000;

/**
 * One call. Fires `change` whenever `state` is replaced, and `participant-joined` /
 * `participant-left` ({@link ParticipantEvent}) as people come and go.
 */
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
  /** Each remote participant's last `media` signal (kept even before their link exists). */
  #remoteMedia = new Map<string, WireMediaState>();
  #sentMedia: WireMediaState | null = null;
  #channels = new Map<string, CallChannel>();
  /** Channels participants opened before we asked for their label: their messages wait. */
  #held = new HeldChannels();
  #videoWanted = new Map<string, boolean>();
  #speakingUntil = new Map<string, number>();
  #speakingTimer?: ReturnType<typeof setInterval>;
  /** Participants we have links to that the server did not list when we came back: their deadlines. */
  #absent = new Map<string, ReturnType<typeof setTimeout>>();
  /**
   * Those whose links went when they did not come back in time. One who comes back later with the
   * same id resumed, and keeps its old connection to us: we offer, and the new fingerprint makes it
   * follow (it would not offer to us, as a newcomer would).
   */
  #timedOut = new Set<string>();
  /** The server's grace period from its last welcome, ms. */
  #grace?: number;
  #roomSize = 0;
  readonly #onPageHide = () => {
    // A closing tab says goodbye, so the others drop its tile now rather than at a heartbeat timeout.
    if (this.#client) this.leave();
  };

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
        // replaceTrack on every sender: a device switch or camera toggle needs no renegotiation.
        for (const link of this.#links.values()) void link.setLocalStream(stream);
      }
      this.#announceMedia();
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

  /**
   * A named data channel to every participant (`label` and `options` must match on every side).
   * The same object is returned for a label until it is closed (asking with other options throws);
   * it survives leaving and rejoining.
   */
  channel(label = 'data', options?: ChannelOptions): CallChannel {
    if (label === CONTROL_LABEL) throw new Error(`"${CONTROL_LABEL}" is reserved`);
    const existing = this.#channels.get(label);
    // Asked for again with other delivery options: say so, rather than hand back a channel that ignores them.
    const keys = ['ordered', 'maxRetransmits', 'maxPacketLifeTime', 'maxMessageBytes'] as const;
    if (existing && options && keys.some((k) => options[k] !== existing.options[k])) {
      throw new Error(`channel "${label}" is open with other options; close it first`);
    }
    if (existing) return existing;
    const channel = new CallChannel(label, options ?? {}, (c) => this.#channels.delete(c.label));
    for (const other of this.#channels.values()) {
      if (other.id === channel.id) throw new Error(`channel labels "${label}" and "${other.label}" collide; rename one`);
    }
    this.#channels.set(label, channel);
    for (const [peer, held] of this.#held.take(label)) channel.adopt(peer, held);
    for (const link of this.#links.values()) {
      channel.expect(link.id); // what is sent before the link opens it waits for it
      link.openChannel(channel);
    }
    return channel;
  }

  /** Asks participant `id` to stop (false) or resume (true) sending us video, e.g. while their tile is hidden. */
  setVideoWanted(id: string, wanted: boolean): void {
    if (!this.#links.has(id)) return; // e.g. the last report about a tile that just went
    this.#videoWanted.set(id, wanted);
    this.#links.get(id)?.setVideoWanted(wanted);
  }

  /** Restarts ICE with one participant, or with everyone. */
  restartIce(id?: string): void {
    for (const link of this.#links.values()) if (id === undefined || link.id === id) link.restartIce();
  }

  /** Joins `config.room` through `config.signaling`; resolves once in the room. */
  join(): Promise<void> {
    if (this.#joining) return this.#joining;
    if (this.#client && this.#state.status === 'joined') {
      if (this.#state.signalingConnected || this.#state.reconnecting) return Promise.resolve();
      this.#teardown(); // signaling gave up: join afresh
    }
    const run = this.#join().finally(() => {
      if (this.#joining === run) this.#joining = null;
    });
    this.#joining = run;
    return run;
  }

  async #join(): Promise<void> {
    const { signaling, room, name } = this.config;
    // A blank list (`signaling=" , "`) is as unset as none.
    if (!signaling || !room || (typeof signaling !== 'function' && signalingUrls(signaling).length === 0)) {
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
    client.addEventListener('peer-joined', (e) => {
      const { peer } = e as PeerJoinedEvent;
      this.#addPeer(peer, this.#timedOut.delete(peer.id));
    });
    client.addEventListener('peer-left', (e) => this.#removePeer((e as PeerLeftEvent).id));
    client.addEventListener('peer-renamed', (e) => {
      const { peer } = e as PeerRenamedEvent;
      const link = this.#links.get(peer.id);
      if (link) link.name = peer.name;
      else if (peer.id === this.#state.localId && this.#state.error?.code === 'forbidden') this.#set({ ...this.#state, error: null });
      this.#syncParticipants();
    });
    client.addEventListener('server-error', (e) => {
      // The one refusal after the join that the page must hear of: a rename the room token forbids.
      const { error } = e as ServerErrorEvent;
      if (this.#client === client && error.code === 'forbidden') this.#set({ ...this.#state, error: { code: error.code, message: error.message } });
    });
    client.addEventListener('signal', (e) => {
      const { from, data } = e as SignalEvent;
      if ('media' in data) {
        this.#remoteMedia.set(from, data.media);
        this.#syncParticipants();
        return;
      }
      void this.#links.get(from)?.handle(data);
    });
    client.addEventListener('ice-servers', (e) => {
      if (this.#client !== client) return;
      this.#welcomeIce = (e as IceServersEvent).iceServers as RTCIceServer[];
      this.#applyIceServers();
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
      globalThis.addEventListener?.('pagehide', this.#onPageHide);
      this.#speakingTimer = setInterval(() => this.#pollSpeaking(), SPEAKING_POLL_MS);
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
    this.#grace = welcome.grace;
    const fresh = welcome.id !== this.#state.localId;
    const listed = new Set(welcome.peers.map((p) => p.id));
    if (fresh) {
      // The server could not resume us: we are a new participant, and so are our links. Each
      // goes as a leave (its data channels let go, held messages dropped, the page told), and
      // whoever is still here comes back below as someone new, as the others see us.
      // They keep their ids, and the page its tiles: one it hides still wants no video.
      const wanted = [...this.#videoWanted];
      for (const id of [...this.#links.keys()]) this.#removePeer(id);
      for (const [id, w] of wanted) if (listed.has(id)) this.#videoWanted.set(id, w);
      this.stats.reset();
    }
    this.#set({ ...this.#state, localId: welcome.id, signalingConnected: true, reconnecting: false, error: null });
    // Links we keep take the welcome's fresh credentials: the server counts their life from it.
    this.#applyIceServers();
    for (const link of this.#links.values()) link.signalingBack();
    // Unknown peers joined while we were away; known ones keep their links (media never stopped).
    // As a newcomer we offer to everyone; resumed, those who joined meanwhile found us in their
    // welcome and offer to us (both offering would cost a glare and duplicate transceivers).
    for (const peer of welcome.peers) this.#addPeer(peer, fresh);
    // Links to someone the server does not list: a server that restarted knows only those back
    // already, and nobody will say that the others left meanwhile. Whoever does not come back in
    // time (a peer-joined) goes as a leave, rather than staying a "reconnecting" tile for good.
    for (const id of this.#links.keys()) if (!listed.has(id)) this.#awaitReturn(id);
    this.#syncParticipants();
  }

  /**
   * Changes the display name the others see. In a call it changes in place: no reconnection, the
   * others' tiles follow (`forbidden` in `state.error` if the room token sets the name).
   */
  rename(name: string): void {
    this.config = { ...this.config, name };
    this.#client?.rename(name);
  }

  /** Leaves and joins again with the current config, keeping the local media running. */
  rejoin(): Promise<void> {
    this.#teardown();
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
    // A join under way is over: the next join() starts afresh rather than getting its promise.
    this.#joining = null;
    client?.close();
    for (const link of this.#links.values()) this.#closeLink(link);
    this.#links.clear();
    this.#remoteMedia.clear();
    this.#sentMedia = null;
    this.#videoWanted.clear();
    this.#speakingUntil.clear();
    clearInterval(this.#speakingTimer);
    this.#speakingTimer = undefined;
    for (const timer of this.#absent.values()) clearTimeout(timer);
    this.#absent.clear();
    this.#timedOut.clear();
    this.#roomSize = 0;
    globalThis.removeEventListener?.('pagehide', this.#onPageHide);
    this.stats.reset();
  }

  /** The page's STUN/TURN servers first, then the ones (with credentials) the signaling server issued. */
  #iceServers(): RTCIceServer[] {
    return [...(this.config.iceServers ?? []), ...this.#welcomeIce];
  }

  /** Every link uses the current servers from now on (fresh TURN credentials). */
  #applyIceServers(): void {
    for (const link of this.#links.values()) link.setIceServers(this.#iceServers());
  }

  #addPeer(peer: PeerInfo, initiator: boolean): void {
    this.#returned(peer.id);
    if (!this.#client || !this.#state.localId || this.#links.has(peer.id)) return;
    let link: PeerLink;
    try {
      link = this.#createLink(peer, initiator);
    } catch (err) {
      // The browser refused the RTCConfiguration (e.g. a TURN server without credentials).
      const message = `The ICE server settings were refused: ${(err as Error).message}`;
      this.#set({ ...this.#state, error: { code: 'ice-config-invalid', message } });
      return;
    }
    this.#links.set(peer.id, link);
    this.#client.signal(peer.id, { media: this.#localMediaState() });
    this.#syncParticipants();
    this.dispatchEvent(new ParticipantEvent('participant-joined', peer));
  }

  #createLink(peer: PeerInfo, initiator: boolean, replacing = false): PeerLink {
    const client = this.#client!;
    const localId = this.#state.localId!;
    const link = new PeerLink({
      id: peer.id,
      name: peer.name,
      // Ids come from the server, so both sides derive the same answer without talking.
      polite: localId < peer.id,
      initiator,
      config: {
        iceServers: this.#iceServers(),
        iceTransportPolicy: this.config.iceTransportPolicy ?? 'all',
      },
      send: (data) => client.signal(peer.id, data),
      localStream: () => this.#localStreamForOffer(),
      channels: () => [...this.#channels.values()],
      onChannel: (label, dc, peerReady) => {
        const channel = this.#channels.get(label);
        if (channel) channel.attach(peer.id, dc, peerReady);
        else this.#held.hold(label, peer.id, dc, peerReady);
      },
      recovery: this.config.recovery,
      replacing,
      signalingUp: () => this.#state.signalingConnected,
    });
    // A message to a newcomer (sent on participant-joined) waits for its channels to open.
    for (const channel of this.#channels.values()) channel.expect(peer.id);
    for (const kind of ['audio', 'video'] as const) {
      if (this.#maxBitrate[kind] !== null) void link.setMaxBitrate(kind, this.#maxBitrate[kind]);
    }
    link.addEventListener('change', () => {
      if (link.pc.connectionState === 'connected' && LINK_ERRORS.has(this.#state.error?.code ?? '')) {
        this.#state = { ...this.#state, error: null }; // a path works again: the error is over
      }
      this.#syncParticipants();
    });
    // Repeated ICE restarts failed: start over with a new connection (the other side follows
    // when it sees our new DTLS fingerprint).
    link.addEventListener('rebuild', () => this.#replaceLink(link, true));
    link.addEventListener('replaced', (e) => {
      const { description, replacing } = e as LinkReplacedEvent;
      const next = this.#replaceLink(link, false, replacing);
      void next?.handle({ description });
    });
    link.addEventListener('ice-server-error', (e) => this.#onIceServerError(e as IceServerErrorEvent));
    // A description the browser refused (an interop problem, a broken peer): said, not only logged.
    link.addEventListener('error', (e) => {
      if (this.#state.error || this.#links.get(link.id) !== link) return;
      const message = `Could not negotiate the connection with ${link.name || 'a participant'}: ${(e as ErrorEvent).message}`;
      this.#set({ ...this.#state, error: { code: 'negotiation-failed', message } });
    });
    if (this.#videoWanted.get(peer.id) === false) link.setVideoWanted(false);
    if (this.#roomSize) link.setSendPolicy((this.config.meshPolicy ?? defaultMeshPolicy)(this.#roomSize));
    return link;
  }

  #replaceLink(old: PeerLink, initiator: boolean, replacing = true): PeerLink | null {
    if (this.#links.get(old.id) !== old || !this.#client) return null;
    this.#closeLink(old);
    const link = this.#createLink({ id: old.id, name: old.name }, initiator, replacing);
    this.#links.set(old.id, link);
    this.#syncParticipants();
    return link;
  }

  #closeLink(link: PeerLink): void {
    link.close();
    for (const channel of this.#channels.values()) channel.detach(link.id);
    this.#held.drop(link.id);
  }

  #onIceServerError(e: IceServerErrorEvent): void {
    const relay = this.config.iceTransportPolicy === 'relay';
    const error =
      e.errorCode === 0
        ? {
            code: 'ice-no-candidates',
            message: relay
              ? 'Relay-only, but no TURN server gave us a relay address: check ice-servers and the TURN server.'
              : 'Found no network path to offer the other side.',
          }
        : e.errorCode === 401
        ? {
            code: 'turn-unauthorized',
            message: 'The TURN server refused our credentials (401 Unauthorized): they may have expired.',
          }
        : { code: 'ice-server-error', message: `A STUN/TURN server failed: ${e.errorCode} ${e.errorText}`.trim() };
    if (this.#state.error?.code === 'turn-unauthorized' && error.code === 'ice-no-candidates') return; // the cause was said
    if (this.#state.error?.code !== error.code) this.#set({ ...this.#state, error });
  }

  /** Gives `id` (absent when we came back) until the deadline to come back; then, unless its media flows, it has left. */
  #awaitReturn(id: string, settling = false): void {
    if (this.#absent.has(id)) return; // the first deadline stands
    const check = () => {
      this.#absent.delete(id);
      const link = this.#links.get(id);
      const state = link?.pc.connectionState;
      if (state === 'connected') this.#awaitReturn(id);
      // Perhaps only a moment without an answer: a second look soon, not a leave yet.
      else if (state === 'disconnected' && !settling) this.#awaitReturn(id, true);
      else if (link) {
        this.#removePeer(id);
        this.#timedOut.add(id);
      }
    };
    const ms = settling ? DISCONNECTED_SETTLE_MS : (this.config.absentPeerMs ?? this.#grace ?? ABSENT_PEER_MS);
    if (!(ms < 2 ** 31)) return; // Infinity (past what a timer can wait): they keep their link
    this.#absent.set(id, setTimeout(check, ms));
  }

  #returned(id: string): void {
    clearTimeout(this.#absent.get(id));
    this.#absent.delete(id);
  }

  #removePeer(id: string): void {
    this.#returned(id);
    this.#remoteMedia.delete(id);
    const link = this.#links.get(id);
    if (!link) return;
    this.#closeLink(link);
    this.#links.delete(id);
    this.#videoWanted.delete(id);
    this.#speakingUntil.delete(id);
    this.#syncParticipants();
    this.dispatchEvent(new ParticipantEvent('participant-left', { id, name: link.name }));
  }

  #pollSpeaking(): void {
    const threshold = this.config.speakingThreshold ?? 0.03;
    const now = performance.now();
    let changed = false;
    for (const link of this.#links.values()) {
      if (link.audioLevel() > threshold) this.#speakingUntil.set(link.id, now + SPEAKING_HOLD_MS);
      const speaking = (this.#speakingUntil.get(link.id) ?? 0) > now;
      if (speaking !== (this.#state.participants.find((p) => p.id === link.id)?.speaking ?? false)) changed = true;
    }
    if (changed) this.#syncParticipants();
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
    const size = this.#links.size + 1;
    if (size !== this.#roomSize) {
      this.#roomSize = size;
      const policy = (this.config.meshPolicy ?? defaultMeshPolicy)(size);
      for (const link of this.#links.values()) link.setSendPolicy(policy);
    }
    const now = performance.now();
    const participants = [...this.#links.values()].map((link) => {
      // Until their `media` signal arrives, assume they send what they negotiated.
      const media = this.#remoteMedia.get(link.id);
      return {
        id: link.id,
        name: link.name,
        ...link.state,
        audioMuted: media ? !media.audio : false,
        videoOff: media ? !media.video : false,
        screenSharing: media ? media.screen : false,
        speaking: (this.#speakingUntil.get(link.id) ?? 0) > now,
      };
    });
    this.#set({ ...this.#state, participants });
  }

  /** What we publish now, as the others should show it. */
  #localMediaState(): WireMediaState {
    const { audioMuted, screenSharing } = this.media.state;
    const audio = this.media.audioTrack;
    const video = this.media.videoTrack;
    return {
      audio: !!audio && audio.readyState === 'live' && !audioMuted,
      video: !!video && video.readyState === 'live',
      screen: !!video && screenSharing,
    };
  }

  /** Tells every peer when our media state changed (muted, camera off, sharing). */
  #announceMedia(): void {
    const client = this.#client;
    if (!client || this.#state.status !== 'joined') return;
    const media = this.#localMediaState();
    const last = this.#sentMedia;
    if (last && last.audio === media.audio && last.video === media.video && last.screen === media.screen) return;
    this.#sentMedia = media;
    for (const id of this.#links.keys()) client.signal(id, { media });
  }

  #fail(error: CallError): void {
    this.#set({ ...IDLE, status: 'error', room: this.config.room ?? null, error });
  }

  #set(state: CallState): void {
    this.#state = state;
    this.dispatchEvent(new Event('change'));
  }
}
