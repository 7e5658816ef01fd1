/**
 * One peer connection to one remote participant, negotiated with the "perfect negotiation"
 * pattern of the WebRTC specification (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example)
 * and trickle ICE. Either side may renegotiate at any time; on glare the polite side yields.
 */
import type { SignalData, WireCandidate, WireDescription } from '../protocol/messages.js';

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
}

/** A snapshot of one remote participant's link. */
export interface PeerLinkState {
  connectionState: RTCPeerConnectionState;
  /** Remote audio and video, once the first track arrived. */
  stream: MediaStream | null;
}

const KINDS = ['audio', 'video'] as const;

/** A negotiated connection to one participant. Fires `change` whenever `state` changes. */
export class PeerLink extends EventTarget {
  readonly pc: RTCPeerConnection;
  readonly id: string;
  readonly name: string;
  #opts: PeerLinkOptions;
  #stream: MediaStream | null = null;
  #makingOffer = false;
  #ignoreOffer = false;
  #settingRemoteAnswer = false;
  #published = false;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  /** Bitrate caps per kind, bits/s, set with `setMaxBitrate` (absent: never set, left alone). */
  #maxBitrate: Partial<Record<'audio' | 'video', number | null>> = {};

  constructor(opts: PeerLinkOptions) {
    super();
    this.#opts = opts;
    this.id = opts.id;
    this.name = opts.name;
    const pc = (this.pc = new RTCPeerConnection(opts.config));

    pc.onicecandidate = ({ candidate }) => {
      // The end-of-candidates marker carries nothing the remote side needs from us.
      if (candidate?.candidate) opts.send({ candidate: candidate.toJSON() as WireCandidate });
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
    pc.onconnectionstatechange = () => this.#changed();
    // A sender may have no encodings before negotiation: apply the caps again once stable.
    pc.addEventListener('signalingstatechange', () => {
      if (pc.signalingState === 'stable' && Object.keys(this.#maxBitrate).length) this.#enqueue(() => this.#applyMaxBitrate());
    });

    if (opts.initiator) this.#enqueue(() => this.#publish());
  }

  /** The current snapshot. */
  get state(): PeerLinkState {
    return { connectionState: this.pc.connectionState, stream: this.#stream };
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
   * Kept for senders attached later.
   */
  setMaxBitrate(kind: 'audio' | 'video', bps: number | null): Promise<void> {
    this.#maxBitrate[kind] = bps;
    return this.#enqueue(() => this.#applyMaxBitrate());
  }

  async #applyMaxBitrate(): Promise<void> {
    for (const [kind, bps] of Object.entries(this.#maxBitrate)) {
      const sender = this.pc
        .getTransceivers()
        .find((t) => t.currentDirection !== 'stopped' && t.receiver.track.kind === kind)?.sender;
      if (!sender) continue;
      const params = sender.getParameters();
      if (!params.encodings?.length) continue; // not negotiated yet: applied when stable
      let changed = false;
      for (const enc of params.encodings) {
        if (bps === null && enc.maxBitrate !== undefined) {
          delete enc.maxBitrate;
          changed = true;
        } else if (bps !== null && enc.maxBitrate !== bps) {
          enc.maxBitrate = bps;
          changed = true;
        }
      }
      if (changed) await sender.setParameters(params);
    }
  }

  /** Closes the connection; remote tracks end. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.pc.onicecandidate = this.pc.onnegotiationneeded = this.pc.ontrack = null;
    this.pc.close();
    this.#changed();
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(() => (this.#closed ? undefined : task()));
    this.#queue = run.catch((err) => this.#fail(err));
    return this.#queue;
  }

  async #publish(): Promise<void> {
    const stream = await this.#opts.localStream();
    if (!this.#closed) await this.#attach(stream);
  }

  async #attach(stream: MediaStream | null): Promise<void> {
    this.#published = true;
    for (const kind of KINDS) {
      const track = stream?.getTracks().find((t) => t.kind === kind) ?? null;
      const direction: RTCRtpTransceiverDirection = track ? 'sendrecv' : 'recvonly';
      // One transceiver per kind: the one the remote offer created, or ours.
      const transceiver = this.pc
        .getTransceivers()
        .find((t) => t.currentDirection !== 'stopped' && t.receiver.track.kind === kind);
      if (!transceiver) {
        this.pc.addTransceiver(track ?? kind, {
          direction,
          streams: stream && track ? [stream] : [],
        });
        continue;
      }
      if (transceiver.sender.track !== track) await transceiver.sender.replaceTrack(track);
      if (stream && track) transceiver.sender.setStreams?.(stream);
      if (transceiver.direction !== direction) transceiver.direction = direction;
    }
    if (Object.keys(this.#maxBitrate).length) await this.#applyMaxBitrate();
  }

  async #offer(): Promise<void> {
    if (this.#closed) return;
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      const description = this.pc.localDescription;
      if (description) this.#opts.send({ description: description.toJSON() as WireDescription });
    } catch (err) {
      this.#fail(err);
    } finally {
      this.#makingOffer = false;
    }
  }

  async #onDescription(description: WireDescription): Promise<void> {
    const pc = this.pc;
    const readyForOffer =
      !this.#makingOffer && (pc.signalingState === 'stable' || this.#settingRemoteAnswer);
    const collision = description.type === 'offer' && !readyForOffer;
    this.#ignoreOffer = !this.#opts.polite && collision;
    if (this.#ignoreOffer) return;
    this.#settingRemoteAnswer = description.type === 'answer';
    await pc.setRemoteDescription(description as RTCSessionDescriptionInit);
    this.#settingRemoteAnswer = false;
    if (description.type !== 'offer') return;
    // First offer from the other side: put our media on the transceivers it created, so the
    // answer already carries it and no second round is needed.
    if (!this.#published) await this.#attach(await this.#opts.localStream());
    if (this.#closed) return;
    await pc.setLocalDescription();
    const answer = pc.localDescription;
    if (answer) this.#opts.send({ description: answer.toJSON() as WireDescription });
  }

  async #onCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (err) {
      // Candidates of an offer we ignored on glare are expected to fail.
      if (!this.#ignoreOffer) throw err;
    }
  }

  #fail(err: unknown): void {
    if (this.#closed) return;
    console.warn(`[rtc-elements] negotiation with ${this.id} failed:`, err);
    this.dispatchEvent(new ErrorEvent('error', { error: err, message: String((err as Error)?.message ?? err) }));
  }

  #changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}
