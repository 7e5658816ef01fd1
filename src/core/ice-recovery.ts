/**
 * Keeps one peer connection's path alive: ICE restart on `failed`, or on `disconnected` with
 * no bytes arriving for a while, or on silence of the link's keepalive channel (Firefox keeps a
 * dead pair `connected`); retried on a timer; after repeated failed restarts, asks for a new
 * connection. Says `reconnecting` meanwhile.
 */

/** How a link recovers from a broken path. */
export interface RecoveryOptions {
  /** `disconnected` this long with no bytes arriving → ICE restart (ms). */
  disconnectedMs: number;
  /** A restart that has not reconnected after this long is tried again (ms). */
  restartTimeoutMs: number;
  /** After this many restarts without reconnecting, the connection is rebuilt. */
  maxRestarts: number;
  /** A first connection not connected after this long is rebuilt by the side that offered (ms). */
  connectTimeoutMs: number;
  /** An offer still unanswered after this long is rolled back and made again (ms). */
  answerTimeoutMs: number;
}

export const DEFAULT_RECOVERY: RecoveryOptions = {
  disconnectedMs: 2500,
  restartTimeoutMs: 4000,
  maxRestarts: 3,
  connectTimeoutMs: 15_000,
  answerTimeoutMs: 10_000,
};

/** Keepalive period on the control channel (ms). */
export const HEARTBEAT_MS = 1000;
/** A hang-up also closes the data channels: this long for the goodbye to arrive first (ms). */
const GOODBYE_GRACE_MS = 1000;

/** What recovery needs from its link. */
export interface RecoveryHooks {
  /** `reconnecting` changed. */
  changed(): void;
  /** Give up on this connection: build a new one. */
  rebuild(): void;
  /** Whether the keepalive channel is open (null: the link has none yet). */
  keepaliveOpen(): boolean | null;
  /** Whether signaling is connected (signals can cross now). */
  signalingUp(): boolean;
}

/** The recovery state machine of one peer connection; its link feeds it events and keepalive ticks. */
export class IceRecovery {
  #pc: RTCPeerConnection;
  #opts: RecoveryOptions;
  #hooks: RecoveryHooks;
  #reconnecting = false;
  #restarts = 0;
  #disconnectTimer?: ReturnType<typeof setTimeout>;
  #restartTimer?: ReturnType<typeof setTimeout>;
  #connectTimer?: ReturnType<typeof setTimeout>;
  #initiator: boolean;
  #everConnected = false;
  #lastHeard = 0;
  #restartedAt = 0;
  #closed = false;
  /** A restart or a new connection that is due but waits for signaling (`signalingBack`). */
  #waiting: 'restart' | 'rebuild' | null = null;
  #polite: boolean;

  constructor(
    pc: RTCPeerConnection,
    opts: Partial<RecoveryOptions> | undefined,
    hooks: RecoveryHooks,
    replacing = false,
    initiator = false,
    polite = false,
  ) {
    this.#polite = polite;
    this.#pc = pc;
    this.#opts = { ...DEFAULT_RECOVERY, ...opts };
    this.#hooks = hooks;
    this.#initiator = initiator && !replacing;
    if (replacing) {
      // A connection that replaces a broken one counts as reconnecting until it connects, and
      // if it fails too, the next step is another new connection.
      this.#reconnecting = true;
      this.#restarts = this.#opts.maxRestarts;
      this.#retryIn(this.#opts.restartTimeoutMs * 2);
    }
  }

  /**
   * Call when an offer has gone out. The first one starts the clock of the first connection: an
   * offer or answer lost on the way (a server process that crashed holding it, a Redis bus that
   * dropped it) would leave both sides waiting for ever, and ICE cannot fail before it starts,
   * so the side that offered starts over with a new connection, which the other side follows.
   */
  offered(): void {
    if (this.#initiator && !this.#everConnected && !this.#connectTimer && !this.#closed) this.#armConnect();
  }

  /** Call when signaling is back after a break: what it held went out only now, so the clock starts again. */
  signalingBack(): void {
    // A restart or a new connection that waited for signaling goes ahead now; on the polite side
    // a moment later, so that when both sides waited, one side's offer (a new connection
    // replaces this link) comes first instead of two crossing.
    const waiting = this.#waiting;
    if (waiting && this.#reconnecting && !this.#closed) {
      this.#waiting = null;
      clearTimeout(this.#restartTimer);
      const go = () => {
        if (this.#closed || !this.#reconnecting) return;
        if (waiting === 'rebuild') this.#rebuild();
        else this.#restart();
      };
      if (this.#polite) this.#restartTimer = setTimeout(go, this.#opts.restartTimeoutMs);
      else go();
    }
    if (!this.#connectTimer) return;
    clearTimeout(this.#connectTimer);
    this.#armConnect();
  }

  #armConnect(): void {
    this.#connectTimer = setTimeout(() => {
      this.#connectTimer = undefined;
      if (this.#closed || this.#everConnected) return;
      // With signaling down nothing could cross: not lost, held. Wait for it to come back.
      if (!this.#hooks.signalingUp()) return this.#armConnect();
      this.#hooks.rebuild();
    }, this.#opts.connectTimeoutMs);
  }

  /** The path broke and a restart (or a new connection) is under way. */
  get reconnecting(): boolean {
    return this.#reconnecting;
  }

  /** Call on every `connectionstatechange`. */
  connectionChanged(): void {
    if (this.#closed) return;
    const state = this.#pc.connectionState;
    if (state === 'connected') {
      this.#everConnected = true;
      clearTimeout(this.#connectTimer);
      this.#connectTimer = undefined;
      // NOTE: Firefox reports `connected` during an ICE restart that cannot complete (it keeps the
      // old, dead pair selected); with a keepalive channel, only hearing from it again counts.
      const open = this.#hooks.keepaliveOpen();
      const heard = open === null || (open && this.#lastHeard > this.#restartedAt);
      if (!this.#reconnecting || heard) this.#recovered();
    } else if (state === 'failed') {
      this.#restart();
    } else if (state === 'disconnected' && !this.#disconnectTimer && !this.#reconnecting) {
      // Often transient (a Wi-Fi hiccup): restart only if nothing arrives for a while.
      void this.#bytesReceived().then((before) => {
        if (this.#closed || this.#pc.connectionState !== 'disconnected') return;
        this.#disconnectTimer = setTimeout(async () => {
          this.#disconnectTimer = undefined;
          if (this.#closed || this.#pc.connectionState !== 'disconnected') return;
          if ((await this.#bytesReceived()) === before) this.#restart();
        }, this.#opts.disconnectedMs);
      });
    }
  }

  /** Call for anything heard on the keepalive channel (and when it opens). */
  heard(): void {
    this.#lastHeard = performance.now();
    if (this.#reconnecting && this.#pc.connectionState === 'connected') this.#recovered();
  }

  /** Call every {@link HEARTBEAT_MS} while the keepalive channel is open. */
  tick(): void {
    const silent = performance.now() - this.#lastHeard > this.#opts.disconnectedMs + HEARTBEAT_MS;
    if (silent && !this.#reconnecting && !this.#closed) this.#restart();
  }

  /**
   * The keepalive channel closed under a live connection (the other side's connection went
   * away): media might come back with an ICE restart, the data channels would not. Start over.
   */
  keepaliveClosed(): void {
    if (this.#closed) return;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      if (this.#closed) return;
      this.#setReconnecting(true);
      this.#rebuild();
    }, GOODBYE_GRACE_MS);
  }

  /** Stops every timer. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#disconnectTimer);
    clearTimeout(this.#restartTimer);
    clearTimeout(this.#connectTimer);
  }

  #recovered(): void {
    clearTimeout(this.#disconnectTimer);
    clearTimeout(this.#restartTimer);
    this.#disconnectTimer = this.#restartTimer = undefined;
    this.#restarts = 0;
    this.#lastHeard = performance.now();
    this.#setReconnecting(false);
  }

  #restart(): void {
    if (this.#closed) return;
    clearTimeout(this.#restartTimer);
    this.#setReconnecting(true);
    if (this.#restarts >= this.#opts.maxRestarts) return this.#rebuild();
    this.#restarts++;
    this.#restartedAt = performance.now();
    this.#pc.restartIce(); // through perfect negotiation: onnegotiationneeded makes the offer
    this.#retryIn(this.#opts.restartTimeoutMs);
  }

  #retryIn(ms: number): void {
    this.#restartTimer = setTimeout(() => {
      if (this.#closed || !this.#reconnecting) return;
      // Neither another restart nor a new connection can be negotiated without signaling: their
      // offers would only pile up, to be answered out of turn when it returns. Wait for it.
      if (!this.#hooks.signalingUp()) return void (this.#waiting ??= 'restart');
      this.#restart();
    }, ms);
  }

  /** A new connection, once signaling can carry its offer. */
  #rebuild(): void {
    if (this.#hooks.signalingUp()) this.#hooks.rebuild();
    else this.#waiting = 'rebuild';
  }

  #setReconnecting(value: boolean): void {
    if (this.#reconnecting === value) return;
    this.#reconnecting = value;
    this.#hooks.changed();
  }

  async #bytesReceived(): Promise<number> {
    let bytes = 0;
    try {
      (await this.#pc.getStats()).forEach((s) => {
        if (s.type === 'transport' || (s.type === 'candidate-pair' && s.nominated)) bytes = Math.max(bytes, s.bytesReceived ?? 0);
      });
    } catch {
      // closed meanwhile
    }
    return bytes;
  }
}
