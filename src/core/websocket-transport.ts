/** The default signaling transport: one WebSocket to the kit's signaling server. */
import { parseServerMessage, type ClientMessage } from '../protocol/messages.js';
import type { SignalingTransport, TransportClose } from './signaling-transport.js';

/** The parts of the WebSocket constructor the transport uses (the browser's, or `ws` in Node). */
export type WebSocketConstructor = new (url: string) => WebSocket;

/** Options of a WebSocket transport. */
export interface WebSocketTransportOptions {
  /** Gives up opening after this long, ms (default 5000). */
  connectTimeoutMs?: number;
  /** The WebSocket implementation (default: the global one). */
  WebSocket?: WebSocketConstructor;
}

/** Speaks the signaling protocol over a WebSocket at `url`. */
export class WebSocketTransport implements SignalingTransport {
  onmessage?: SignalingTransport['onmessage'];
  onclose?: (info: TransportClose) => void;
  onerror?: (error: Error) => void;
  #socket?: WebSocket;
  #opts: WebSocketTransportOptions;

  constructor(
    readonly url: string,
    opts: WebSocketTransportOptions = {},
  ) {
    this.#opts = opts;
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      let socket: WebSocket;
      const Ctor = this.#opts.WebSocket ?? WebSocket;
      try {
        socket = new Ctor(this.url);
      } catch (err) {
        reject(new Error(`invalid signaling URL "${this.url}": ${(err as Error).message}`));
        return;
      }
      this.#socket = socket;
      let opened = false;
      const timer = setTimeout(() => {
        if (opened) return;
        if (this.#socket === socket) this.#socket = undefined;
        socket.close();
        reject(new Error(`the signaling server at ${this.url} did not answer in time`));
      }, this.#opts.connectTimeoutMs ?? 5000);
      socket.onopen = () => {
        opened = true;
        clearTimeout(timer);
        resolve();
      };
      // The close event that follows says what happened; an error alone carries nothing more.
      socket.onerror = () => {};
      socket.onmessage = (event) => {
        if (this.#socket !== socket) return;
        const parsed = parseServerMessage(event.data);
        if (parsed.ok) this.onmessage?.(parsed.message);
        else this.onerror?.(new Error(`signaling frame dropped: ${parsed.error}`));
      };
      socket.onclose = (event) => {
        clearTimeout(timer);
        // Closed before it opened, by us (close() while connecting) or not: connect() fails either way.
        if (!opened) {
          if (this.#socket === socket) this.#socket = undefined;
          reject(new Error(`could not reach the signaling server at ${this.url}`));
          return;
        }
        if (this.#socket !== socket) return; // closed on purpose
        this.#socket = undefined;
        this.onclose?.({ code: event.code, reason: event.reason });
      };
    });
  }

  send(message: ClientMessage): void {
    const socket = this.#socket;
    if (socket?.readyState === 1 /* OPEN */) socket.send(JSON.stringify(message));
  }

  close(code = 1000, reason = 'bye'): void {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(code, reason);
  }
}
