/** The default signaling transport: one WebSocket to the kit's signaling server. */
import { parseServerMessage, type ClientMessage } from '../protocol/messages.js';
import type { SignalingTransport, TransportClose } from './signaling-transport.js';

/** Speaks the signaling protocol over a WebSocket at `url`. */
export class WebSocketTransport implements SignalingTransport {
  onmessage?: SignalingTransport['onmessage'];
  onclose?: (info: TransportClose) => void;
  onerror?: (error: Error) => void;
  #socket?: WebSocket;

  constructor(readonly url: string) {}

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      let socket: WebSocket;
      try {
        socket = new WebSocket(this.url);
      } catch (err) {
        reject(new Error(`invalid signaling URL "${this.url}": ${(err as Error).message}`));
        return;
      }
      this.#socket = socket;
      let opened = false;
      socket.onopen = () => {
        opened = true;
        resolve();
      };
      socket.onmessage = (event) => {
        const parsed = parseServerMessage(event.data);
        if (parsed.ok) this.onmessage?.(parsed.message);
        else this.onerror?.(new Error(`signaling frame dropped: ${parsed.error}`));
      };
      socket.onclose = (event) => {
        if (this.#socket !== socket) return; // closed on purpose
        this.#socket = undefined;
        if (!opened) reject(new Error(`could not reach the signaling server at ${this.url}`));
        else this.onclose?.({ code: event.code, reason: event.reason });
      };
    });
  }

  send(message: ClientMessage): void {
    const socket = this.#socket;
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  close(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(1000, 'bye');
  }
}
