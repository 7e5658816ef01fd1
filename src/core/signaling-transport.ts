/**
 * The seam between a call and its signaling channel. The kit ships a WebSocket transport
 * for its own server; an app that already has a channel (its own socket, a chat backend)
 * implements this interface and speaks the protocol in `src/protocol/messages.ts`.
 */
import type { ClientMessage, ServerMessage } from '../protocol/messages.js';

/** Why a transport closed. */
export interface TransportClose {
  code: number;
  reason: string;
}

/** A bidirectional channel of protocol messages. */
export interface SignalingTransport {
  /** Opens the channel; resolves once `send` may be called, rejects if it cannot open. */
  connect(): Promise<void>;
  /** Sends one message; messages sent after `close()` are dropped. */
  send(message: ClientMessage): void;
  /**
   * Closes the channel; `onclose` is not called for a close asked for here. A goodbye unless
   * `code` says otherwise (`CloseCode.Dropped`: only this connection is given up).
   */
  close(code?: number, reason?: string): void;
  /** Set by the client: every valid message received. */
  onmessage?: (message: ServerMessage) => void;
  /** Set by the client: the channel closed without `close()` being called. */
  onclose?: (info: TransportClose) => void;
  /** Set by the client: a frame that could not be understood (it is dropped). */
  onerror?: (error: Error) => void;
}
