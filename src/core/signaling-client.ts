/**
 * Joins a room over a transport and turns its messages into events: `peer-joined`,
 * `peer-left`, `signal` and `closed`. One client per join; it is not reused after `close()`.
 */
import {
  PROTOCOL_VERSION,
  type ErrorMessage,
  type PeerInfo,
  type ServerMessage,
  type SignalData,
  type WelcomeMessage,
} from '../protocol/messages.js';
import type { SignalingTransport, TransportClose } from './signaling-transport.js';

/** A refusal or failure from the signaling layer, with a stable code. */
export class SignalingError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SignalingError';
  }
}

/** Fired for a participant entering the room. */
export class PeerJoinedEvent extends Event {
  constructor(readonly peer: PeerInfo) {
    super('peer-joined');
  }
}
/** Fired for a participant leaving the room. */
export class PeerLeftEvent extends Event {
  constructor(readonly id: string) {
    super('peer-left');
  }
}
/** Fired for a signal relayed from another participant. */
export class SignalEvent extends Event {
  constructor(
    readonly from: string,
    readonly data: SignalData,
  ) {
    super('signal');
  }
}
/** Fired when the transport went away without `close()` being called. */
export class ClosedEvent extends Event {
  constructor(readonly info: TransportClose) {
    super('closed');
  }
}
/** Fired when the server refused a frame of ours after the join. */
export class ServerErrorEvent extends Event {
  constructor(readonly error: ErrorMessage) {
    super('server-error');
  }
}

/** Joins one room through one transport. */
export class SignalingClient extends EventTarget {
  #welcome?: (m: WelcomeMessage) => void;
  #refused?: (e: Error) => void;
  #closed = false;

  constructor(readonly transport: SignalingTransport) {
    super();
    transport.onmessage = (m) => this.#onMessage(m);
    transport.onclose = (info) => {
      this.#refused?.(new SignalingError('signaling-closed', 'signaling closed before the join completed'));
      this.dispatchEvent(new ClosedEvent(info));
    };
    transport.onerror = (err) => console.warn('[rtc-elements]', err.message);
  }

  /** Connects and joins `room`; resolves with the server's welcome. */
  async join(room: string, name?: string): Promise<WelcomeMessage> {
    try {
      await this.transport.connect();
    } catch (err) {
      throw new SignalingError('signaling-unreachable', (err as Error).message);
    }
    if (this.#closed) throw new SignalingError('aborted', 'left before the join completed');
    const welcome = new Promise<WelcomeMessage>((resolve, reject) => {
      this.#welcome = resolve;
      this.#refused = reject;
    });
    this.transport.send({ v: PROTOCOL_VERSION, type: 'join', room, ...(name ? { name } : {}) });
    return welcome;
  }

  /** Relays `data` to participant `to`. */
  signal(to: string, data: SignalData): void {
    if (!this.#closed) this.transport.send({ v: PROTOCOL_VERSION, type: 'signal', to, data });
  }

  /** Says goodbye and closes the transport. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#refused?.(new SignalingError('aborted', 'left before the join completed'));
    this.transport.send({ v: PROTOCOL_VERSION, type: 'leave' });
    this.transport.close();
  }

  #onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'welcome':
        this.#welcome?.(m);
        this.#welcome = this.#refused = undefined;
        return;
      case 'peer-joined':
        this.dispatchEvent(new PeerJoinedEvent(m.peer));
        return;
      case 'peer-left':
        this.dispatchEvent(new PeerLeftEvent(m.id));
        return;
      case 'signal':
        this.dispatchEvent(new SignalEvent(m.from, m.data));
        return;
      case 'error':
        if (this.#refused) {
          this.#refused(new SignalingError(m.code, m.message));
          this.#welcome = this.#refused = undefined;
        } else {
          this.dispatchEvent(new ServerErrorEvent(m));
        }
        return;
    }
  }
}
