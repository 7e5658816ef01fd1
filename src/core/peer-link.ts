/**
 * One peer connection to one remote participant, negotiated with the "perfect negotiation"
 * pattern of the WebRTC specification (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example)
 * and trickle ICE. Either side may renegotiate at any time; on glare the polite side yields.
 *
 * It also keeps the connection alive (ICE restart on `failed`, or on `disconnected` without
 * bytes for a while; after repeated failed restarts it asks its session for a new connection),
 * opens the call's negotiated data channels, and applies the mesh's send limits per sender.
 */
import type { SignalData, WireCandidate, WireDescription } from '../protocol/messages.js';
import { CONTROL_ID, CONTROL_LABEL } from './data-channel.js';
import { LinkChannels, type ChannelSpec, type OnChannel } from './link-channels.js';
import { DEFAULT_RECOVERY, HEARTBEAT_MS, IceRecovery, type RecoveryOptions } from './ice-recovery.js';
import type { SendPolicy } from './mesh-policy.js';

export type { RecoveryOptions } from './ice-recovery.js';
export type { ChannelSpec } from './link-channels.js';

/** What a link needs from its session. */
export interface PeerLinkOptions {
  id: string;
  name: string;
  /** Polite peers roll back their own offer on glare; exactly one side of a pair is polite. */
  polite: boolean;
  /** The side that offers first: the participant who joined later. */
  initiator: boolean;
  config: RTCConfiguration;
  /** Sends signaling data to this participant. */
  send(data: SignalData): void;
  /** The local stream to publish, once capture has settled (null: receive only). */
  localStream(): Promise<MediaStream | null>;
  /** The call's data channels, opened on this connection. */
  channels?(): ChannelSpec[];
  /**
   * A data channel opened on this connection: one of the call's, or one the other side opened
   * first. `peerReady` settles once the other side has it too (rejects if the link closes first).
   */
  onChannel?: OnChannel;
  recovery?: Partial<RecoveryOptions>;
  /** This connection replaces a broken one: it counts as reconnecting until connected. */
  replacing?: boolean;
  /** Whether signaling is connected now (default: always), for the first-connection timeout. */
  signalingUp?: () => boolean;
}

/** A snapshot of one remote participant's link. */
export interface PeerLinkState {
  connectionState: RTCPeerConnectionState;
  /** Remote audio and video, once the first track arrived. */
  stream: MediaStream | null;
  /** The path broke and an ICE restart (or a new connection) is under way. */
  reconnecting: boolean;
}

/**
 * Fired when this link should give way to a new one that answers `description`: the remote side
 * replaced its connection, or both sides made this connection's first offer at once.
 */
export class LinkReplacedEvent extends Event {
  constructor(
    readonly description: WireDescription,
    /** The new link counts as reconnecting until connected (false: a first connection). */
    readonly replacing = true,
  ) {
    super('replaced');
  }
}

/** Fired when a TURN or STUN server refused us (e.g. 401: expired credentials). */
export class IceServerErrorEvent extends Event {
  constructor(
    readonly errorCode: number,
    readonly errorText: string,
    readonly url: string,
  ) {
    super('ice-server-error');
  }
}

const KINDS = ['audio', 'video'] as const;

/** The DTLS fingerprint of a description: a new one means a new peer connection on the other side. */
const fingerprint = (sdp: string | undefined) => /^a=fingerprint:(.+)$/m.exec(sdp ?? '')?.[1]?.trim() ?? null;

/**
 * A negotiated connection to one participant. Fires `change` whenever `state` changes,
 * `rebuild` when it gave up restarting ICE, `replaced` (LinkReplacedEvent), `ice-server-error`
 * (IceServerErrorEvent) and `error` (ErrorEvent) on a negotiation failure.
 */
export class PeerLink extends EventTarget {
  readonly pc: RTCPeerConnection;
  readonly id: string;
  /** The participant's display name (it may change during the call). */
  name: string;
  #opts: PeerLinkOptions;
  #recovery: IceRecovery;
  #stream: MediaStream | null = null;
  #makingOffer = false;
  #ignoreOffer = false;
  #settingRemoteAnswer = false;
  #published = false;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  /** Bitrate caps per kind, bits/s, set with `setMaxBitrate` (absent: never set, left alone). */
  #maxBitrate: Partial<Record<'audio' | 'video', number | null>> = {};
  // Data channels: created by the initiator with its first offer, by the other side when that
  // offer arrives (both negotiated, so no in-band announcement is needed).
  #channelsReady = false;
  #channels: LinkChannels;
  #control: RTCDataChannel | null = null;
  // Send limits: the mesh policy, and whether the other side wants our video at all.
  #policy: SendPolicy | null = null;
  #peerWantsVideo = true;
  #wantVideo = true;
  #paramsQueue: Promise<void> = Promise.resolve();
  // Keepalive over the control channel: some browsers (Firefox) keep a dead path `connected`
  // for a long time, so silence on the channel counts as a disconnection too.
  #heartbeat?: ReturnType<typeof setInterval>;
  #answerTimer?: ReturnType<typeof setTimeout>;
  /** Offers made so far: which one an answer timeout is about. */
  #offers = 0;
  #candidates = 0;

  constructor(opts: PeerLinkOptions) {
    super();
    this.#opts = opts;
    this.id = opts.id;
    this.name = opts.name;
    const pc = (this.pc = new RTCPeerConnection(opts.config));
    this.#channels = new LinkChannels(
      pc,
      (text) => {
        if (this.#control?.readyState !== 'open') return false;
        this.#control.send(text);
        return true;
      },
      opts.onChannel,
      (err) => this.#fail(err),
    );
    this.#recovery = new IceRecovery(
      pc,
      opts.recovery,
      {
        changed: () => this.#changed(),
        rebuild: () => this.dispatchEvent(new Event('rebuild')),
        keepaliveOpen: () => (this.#control ? this.#control.readyState === 'open' : null),
        signalingUp: () => opts.signalingUp?.() ?? true,
      },
      opts.replacing,
      opts.initiator,
      opts.polite,
    );

    pc.onicecandidate = ({ candidate }) => {
      // The end-of-candidates marker carries nothing the remote side needs from us.
      if (candidate?.candidate) {
        this.#candidates++;
        opts.send({ candidate: candidate.toJSON() as WireCandidate });
      } else if (!candidate && this.#candidates === 0 && !this.#closed) {
        // Gathering ended with nothing to offer: this connection cannot come up (relay-only
        // without a reachable TURN server, or no usable network). Say so rather than spin.
        this.dispatchEvent(new IceServerErrorEvent(0, 'no candidates', ''));
      }
    };
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === 'gathering') this.#candidates = 0;
    };
    pc.onicecandidateerror = (e) => {
      const { errorCode, errorText, url } = e as RTCPeerConnectionIceErrorEvent;
      // 701 is "could not reach this server from this interface": normal on multi-homed hosts.
      if (errorCode !== 701) this.dispatchEvent(new IceServerErrorEvent(errorCode, errorText, url));
    };
    pc.onnegotiationneeded = () => void this.#offer();
    pc.ontrack = ({ track }) => {
      const tracks = this.#stream?.getTracks() ?? [];
      if (tracks.includes(track)) return;
      // A new stream object makes the <video> binding re-evaluate; adding to a playing one
      // is not picked up by every browser.
      this.#stream = new MediaStream([...tracks, track]);
      this.#changed();
    };
    pc.onconnectionstatechange = () => {
      this.#recovery.connectionChanged();
      this.#changed();
    };
    pc.onsignalingstatechange = () => {
      if (pc.signalingState === 'stable') this.#applySendParameters();
    };

    if (opts.initiator) this.#enqueue(() => this.#publish());
  }

  /** The current snapshot. */
  get state(): PeerLinkState {
    return { connectionState: this.pc.connectionState, stream: this.#stream, reconnecting: this.#recovery.reconnecting };
  }

  /** Applies a description or candidate from the remote side, in arrival order. */
  handle(data: SignalData): Promise<void> {
    return this.#enqueue(async () => {
      if ('description' in data) await this.#onDescription(data.description);
      else if ('candidate' in data) await this.#onCandidate(data.candidate);
    });
  }

  /** Publishes `stream` (or nothing) on the existing transceivers; renegotiates only if directions change. */
  setLocalStream(stream: MediaStream | null): Promise<void> {
    // Before the first exchange the offer (ours or theirs) picks up the current stream itself.
    return this.#enqueue(async () => {
      if (this.#published) await this.#attach(stream);
    });
  }

  /**
   * Caps what we send of one kind to this participant, bits/s (null lifts the cap), with
   * `RTCRtpSender.setParameters` (`encodings[].maxBitrate`): applied live, no renegotiation.
   * Kept for senders attached later; the lower of this cap and the mesh policy's wins.
   */
  setMaxBitrate(kind: 'audio' | 'video', bps: number | null): Promise<void> {
    this.#maxBitrate[kind] = bps;
    this.#applySendParameters();
    return this.#paramsQueue;
  }

  /** Restarts ICE now (through perfect negotiation; safe while another negotiation runs). */
  restartIce(): void {
    if (!this.#closed) this.pc.restartIce();
  }

  /** Opens a data channel of the call on this connection (once negotiation allows it). */
  openChannel(spec: ChannelSpec): void {
    if (this.#channelsReady && !this.#closed) this.#channels.open(spec);
  }

  /** Limits what our video sender sends to this participant. */
  setSendPolicy(policy: SendPolicy): void {
    this.#policy = policy;
    this.#applySendParameters();
  }

  /** Asks the other side to stop (false) or resume (true) sending us video, e.g. for a hidden tile. */
  setVideoWanted(wanted: boolean): void {
    if (this.#wantVideo === wanted) return;
    this.#wantVideo = wanted;
    this.#sendControl();
  }

  /**
   * Uses `iceServers` from now on (fresh TURN credentials): the next gathering (an ICE restart)
   * allocates with them. What is already allocated carries on.
   */
  setIceServers(iceServers: RTCIceServer[]): void {
    if (this.pc.signalingState === 'closed') return; // closed (given way, or by the browser): nothing to update
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
    } catch (err) {
      // A browser that cannot change them: the link takes them when it is rebuilt.
      console.warn(`[rtc-elements] could not update the ICE servers of the link with ${this.id}:`, err);
    }
  }

  /** Signaling is back after a break: what it held for this link went out only now. */
  signalingBack(): void {
    this.#recovery.signalingBack();
  }

  /** The loudest recent level (0…1) of the participant's audio, from the RTP header extension. */
  audioLevel(): number {
    const receiver = this.pc.getReceivers().find((r) => r.track.kind === 'audio');
    if (!receiver?.getSynchronizationSources) return 0;
    const now = performance.timeOrigin + performance.now();
    let level = 0;
    for (const s of receiver.getSynchronizationSources()) {
      // NOTE: the timestamp is on the performance clock in Chromium and the wall clock in Firefox;
      // both are close to Date.now()-based time, so a generous window covers both.
      if (Math.abs(now - s.timestamp) < 1000 && (s.audioLevel ?? 0) > level) level = s.audioLevel ?? 0;
    }
    return level;
  }

  /** Closes the connection; remote tracks end. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#recovery.close();
    clearInterval(this.#heartbeat);
    clearTimeout(this.#answerTimer);
    this.#channels.close();
    if (this.#control) this.#control.onopen = this.#control.onmessage = this.#control.onclose = null;
    const pc = this.pc;
    pc.onicecandidate = pc.onnegotiationneeded = pc.ontrack = null;
    pc.onconnectionstatechange = pc.onsignalingstatechange = pc.onicecandidateerror = pc.onicegatheringstatechange = null;
    pc.close(); // no change event: the owner closed it and says what follows
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(() => (this.#closed ? undefined : task()));
    this.#queue = run.catch((err) => this.#fail(err));
    return this.#queue;
  }

  async #publish(): Promise<void> {
    const stream = await this.#opts.localStream();
    if (this.#closed) return;
    // In the same task as the transceivers, so the first offer carries media and data at once.
    this.#openChannels();
    await this.#attach(stream);
  }

  #openChannels(): void {
    if (this.#channelsReady) return;
    this.#channelsReady = true;
    const control = (this.#control = this.pc.createDataChannel(CONTROL_LABEL, { negotiated: true, id: CONTROL_ID }));
    control.onopen = () => {
      this.#recovery.heard();
      this.#sendControl();
      this.#channels.announce();
      this.#heartbeat ??= setInterval(() => this.#keepalive(), HEARTBEAT_MS);
    };
    control.onmessage = ({ data }) => this.#onControl(data);
    control.onclose = () => this.#recovery.keepaliveClosed();
    for (const spec of this.#opts.channels?.() ?? []) this.#channels.open(spec);
  }

  #sendControl(): void {
    if (this.#control?.readyState === 'open') this.#control.send(JSON.stringify({ t: 'video', on: this.#wantVideo }));
  }

  #keepalive(): void {
    const control = this.#control;
    if (this.#closed || control?.readyState !== 'open') return;
    control.send('{"t":"ping"}');
    this.#recovery.tick();
  }

  #onControl(data: unknown): void {
    this.#recovery.heard();
    if (typeof data !== 'string') return;
    let m: unknown;
    try {
      m = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof m === 'object' && m && (m as { t?: unknown }).t === 'channels') {
      this.#channels.peerChannels((m as { open?: unknown }).open);
      return;
    }
    if (typeof m === 'object' && m && (m as { t?: unknown }).t === 'video') {
      this.#peerWantsVideo = (m as { on?: unknown }).on !== false;
      this.#applySendParameters();
    }
  }

  /** Serialized: two overlapping getParameters/setParameters pairs would fail on the transaction id. */
  #applySendParameters(): void {
    this.#paramsQueue = this.#paramsQueue.then(async () => {
      if (this.#closed) return;
      for (const kind of ['audio', 'video'] as const) {
        const sender = this.pc
          .getTransceivers()
          .find((t) => t.receiver.track.kind === kind && t.currentDirection !== 'stopped')?.sender;
        if (!sender) continue;
        const params = sender.getParameters();
        if (!params.encodings?.length) continue; // before negotiation: applied again once stable
        // The lower of the user's cap (max-bitrate) and the mesh policy's share of the uplink.
        const caps = [this.#maxBitrate[kind], kind === 'video' ? this.#policy?.maxBitrate : undefined];
        const defined = caps.filter((x): x is number => typeof x === 'number');
        const maxBitrate = defined.length ? Math.min(...defined) : undefined;
        let dirty = false;
        for (const e of params.encodings) {
          if (maxBitrate === undefined) {
            if (e.maxBitrate !== undefined) (delete e.maxBitrate, (dirty = true));
          } else if (e.maxBitrate !== maxBitrate) (e.maxBitrate = maxBitrate), (dirty = true);
          if (kind !== 'video') continue;
          if (e.active !== this.#peerWantsVideo) (e.active = this.#peerWantsVideo), (dirty = true);
          // A shared screen keeps its resolution, so its text stays readable; under the bitrate
          // cap its encoder gives up frame rate instead (contentHint 'detail', set at capture).
          const screen = sender.track?.contentHint === 'detail' || sender.track?.getSettings().displaySurface !== undefined;
          const scale = screen ? 1 : (this.#policy?.scaleResolutionDownBy ?? 1);
          if ((e.scaleResolutionDownBy ?? 1) !== scale) (e.scaleResolutionDownBy = scale), (dirty = true);
        }
        if (dirty) await sender.setParameters(params).catch((err) => console.warn('[rtc-elements] setParameters:', err));
      }
    });
  }


  async #attach(stream: MediaStream | null): Promise<void> {
    this.#published = true;
    for (const kind of KINDS) {
      const track = stream?.getTracks().find((t) => t.kind === kind) ?? null;
      // One transceiver per kind: the one the remote offer created, or ours.
      const transceiver = this.pc
        .getTransceivers()
        .find((t) => t.currentDirection !== 'stopped' && t.receiver.track.kind === kind);
      if (!transceiver) {
        const direction: RTCRtpTransceiverDirection = track ? 'sendrecv' : 'recvonly';
        this.pc.addTransceiver(track ?? kind, {
          direction,
          streams: stream && track ? [stream] : [],
        });
        continue;
      }
      if (track && stream && !transceiver.sender.track && transceiver.currentDirection === null) {
        // Answering the first offer: addTrack reuses the transceiver that offer created (JSEP
        // "never used to send"), synchronously, where replaceTrack takes a trip to the media
        // thread before the answer can be made.
        const sender = this.pc.addTrack(track, stream);
        if (sender === transceiver.sender) continue;
        this.#fail(new Error(`addTrack did not reuse the ${kind} transceiver`));
      }
      // Once sending, a transceiver keeps sending even with no track (camera off, device lost):
      // replaceTrack(null) sends nothing and needs no renegotiation; the media signal says why.
      const direction: RTCRtpTransceiverDirection =
        track || transceiver.direction === 'sendrecv' ? 'sendrecv' : 'recvonly';
      if (transceiver.sender.track !== track) await transceiver.sender.replaceTrack(track);
      if (transceiver.direction !== direction) {
        // Only when negotiating anyway: a new stream id (msid) alone would trigger negotiation.
        if (stream && track) transceiver.sender.setStreams?.(stream);
        transceiver.direction = direction;
      }
    }
    this.#applySendParameters(); // a new sender gets the caps in force
  }

  async #offer(): Promise<void> {
    if (this.#closed) return;
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      // Given way to a new link meanwhile: this offer must not go out (its new fingerprint would
      // make the other side replace the connection it is building with us).
      if (this.#closed) return;
      const description = this.pc.localDescription;
      if (description) this.#opts.send({ description: description.toJSON() as WireDescription });
      if (description?.type === 'offer') {
        this.#recovery.offered();
        this.#awaitAnswer(++this.#offers);
      }
    } catch (err) {
      this.#fail(err);
    } finally {
      this.#makingOffer = false;
    }
  }

  /**
   * An offer or its answer can be lost after the server took it (a process that crashed holding
   * it, a Redis bus that dropped it), and nothing would send it again: the renegotiation (a
   * screen share, an ICE restart) would wait for ever. Unanswered for a while, it is rolled back,
   * and the browser asks for it again (negotiationneeded). Held while signaling is down, not lost.
   */
  #awaitAnswer(offer: number): void {
    clearTimeout(this.#answerTimer);
    // Still waiting on that very offer (not answered since, not replaced by a newer one).
    const waiting = () => !this.#closed && this.#offers === offer && this.pc.signalingState === 'have-local-offer';
    this.#answerTimer = setTimeout(() => {
      if (!waiting()) return;
      if (!(this.#opts.signalingUp?.() ?? true)) return this.#awaitAnswer(offer);
      void this.#enqueue(async () => {
        if (waiting()) await this.pc.setLocalDescription({ type: 'rollback' });
      });
    }, this.#opts.recovery?.answerTimeoutMs ?? DEFAULT_RECOVERY.answerTimeoutMs);
  }

  async #onDescription(description: WireDescription): Promise<void> {
    const pc = this.pc;
    const closedUnderUs = pc.signalingState === 'closed'; // closed by someone else's code, not close()
    // NOTE: Firefox throws on reading remoteDescription of a closed connection.
    const current = closedUnderUs ? undefined : pc.remoteDescription?.sdp;
    if (closedUnderUs && description.type !== 'offer') return;
    if (description.type === 'offer' && (closedUnderUs || (current && fingerprint(description.sdp) !== fingerprint(current)))) {
      // The other side gave up on this connection and built a new one: follow it.
      this.dispatchEvent(new LinkReplacedEvent(description));
      return;
    }
    // An answer with no offer of ours out answers one already answered or rolled back (an offer
    // made again after the answer timeout, then both answers arrived): nothing to apply.
    if (description.type === 'answer' && pc.signalingState !== 'have-local-offer') return;
    const readyForOffer =
      !this.#makingOffer && (pc.signalingState === 'stable' || this.#settingRemoteAnswer);
    const collision = description.type === 'offer' && !readyForOffer;
    this.#ignoreOffer = !this.#opts.polite && collision;
    if (this.#ignoreOffer) return;
    if (collision && !pc.currentRemoteDescription) {
      // Both sides made this connection's first offer at once (both rebuilt it, or each took the
      // other for the newcomer) and ours yields. Rolled back here, our transceivers (made with
      // addTransceiver, which a remote offer never reuses) would come back in the next offer as
      // a second audio and video section. A fresh connection answers instead, as when the other
      // side rebuilds; the other side ignored our offer, so nothing of this one is in use.
      this.dispatchEvent(new LinkReplacedEvent(description, this.#opts.replacing ?? false));
      return;
    }
    this.#settingRemoteAnswer = description.type === 'answer';
    await pc.setRemoteDescription(description as RTCSessionDescriptionInit);
    this.#settingRemoteAnswer = false;
    if (description.type !== 'offer') return;
    // First offer from the other side: open the data channels it negotiated and put our media
    // on the transceivers it created, so the answer already carries it and no second round is needed.
    if (!this.#published) {
      this.#openChannels();
      await this.#attach(await this.#opts.localStream());
    }
    if (this.#closed) return;
    await pc.setLocalDescription();
    const answer = pc.localDescription;
    if (answer) this.#opts.send({ description: answer.toJSON() as WireDescription });
  }

  async #onCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    if (this.pc.signalingState === 'closed') return; // a new connection will follow
    // Signals arrive in order, so a candidate before any description means its offer was lost on
    // the way: the side that offered will start over (the first-connection timeout).
    const remote = this.pc.remoteDescription;
    if (!remote) return;
    // A candidate of an ICE generation whose description we never applied (an offer lost on the
    // way, or one a restart replaced): it cannot be used, and is not an error.
    const ufrag = candidate.usernameFragment;
    if (ufrag && !remote.sdp.includes(`a=ice-ufrag:${ufrag}\r\n`) && !remote.sdp.includes(`a=ice-ufrag:${ufrag}\n`)) return;
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (err) {
      // Candidates of an offer we ignored on glare are expected to fail, and so are late ones
      // of an ICE generation a restart replaced.
      if (!this.#ignoreOffer && !this.#recovery.reconnecting) throw err;
    }
  }

  #fail(err: unknown): void {
    if (this.#closed) return;
    console.warn(`[rtc-elements] negotiation with ${this.id} failed (${this.pc.signalingState}/${this.pc.connectionState}):`, err);
    this.dispatchEvent(new ErrorEvent('error', { error: err, message: String((err as Error)?.message ?? err) }));
  }

  #changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}
