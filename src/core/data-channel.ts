/**
 * Named data channels to every participant of a call. Each label is one negotiated
 * `RTCDataChannel` per peer connection (the same stream id on both sides, derived from the
 * label), so both sides open it without a round trip and without glare. Messages are framed so
 * large ones are split into chunks and reassembled, and sending waits on `bufferedAmount`
 * (back-pressure) instead of overrunning the SCTP buffer.
 */

/** Delivery options of a channel; every side must open a label with the same options. */
export interface ChannelOptions {
  /** In-order delivery (default true). */
  ordered?: boolean;
  /** Give up on a message after this many retransmissions (unreliable). */
  maxRetransmits?: number;
  /** Give up on a message after this many milliseconds (unreliable). */
  maxPacketLifeTime?: number;
}

/** What can be sent. */
export type ChannelData = string | ArrayBuffer | ArrayBufferView | Blob;

/** A message from one participant on one channel. */
export class ChannelMessageEvent extends Event {
  constructor(
    /** The sender's participant id. */
    readonly from: string,
    /** Text for text messages, an `ArrayBuffer` for binary ones. */
    readonly data: string | ArrayBuffer,
  ) {
    super('message');
  }
}

/** The label of the kit's own per-link control channel. */
export const CONTROL_LABEL = 'rtc-control';
/** Stream id of the control channel. */
export const CONTROL_ID = 0;

/** Bytes per frame: below every browser's SCTP message limit (Firefox ↔ Chromium included). */
export const CHUNK_BYTES = 16 * 1024;
/** Sending pauses above this many buffered bytes… */
const HIGH_WATER = 1024 * 1024;
/** …and resumes when the buffer drains to this. */
const LOW_WATER = 256 * 1024;

const KIND_TEXT = 1;
const KIND_BINARY = 2;
const MORE = 0x80;

/**
 * The stream id of a user channel: FNV-1a of the label, in 1…1023 (Chromium negotiates 1024
 * SCTP streams). Two labels of one app could collide; opening the second then fails clearly.
 */
export function channelId(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return 1 + (h % 1023);
}

const reliable = (o: ChannelOptions) =>
  o.ordered !== false && o.maxRetransmits === undefined && o.maxPacketLifeTime === undefined;

async function toBytes(data: ChannelData): Promise<[number, Uint8Array]> {
  if (typeof data === 'string') return [KIND_TEXT, new TextEncoder().encode(data)];
  if (data instanceof Blob) return [KIND_BINARY, new Uint8Array(await data.arrayBuffer())];
  if (data instanceof ArrayBuffer) return [KIND_BINARY, new Uint8Array(data)];
  return [KIND_BINARY, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
}

/** One participant's end of a channel: framing, reassembly and back-pressure over one RTCDataChannel. */
class ChannelEnd {
  #queue: Promise<void> = Promise.resolve();
  #parts: Uint8Array[] = [];
  #kind = 0;

  constructor(
    readonly dc: RTCDataChannel,
    readonly deliver: (data: string | ArrayBuffer) => void,
  ) {
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = LOW_WATER;
    dc.onmessage = ({ data }) => this.#receive(data);
  }

  send(kind: number, bytes: Uint8Array, chunked: boolean): Promise<void> {
    // One queue per end keeps messages whole and in order while a big one waits on the buffer.
    const run = this.#queue.then(() => this.#send(kind, bytes, chunked));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #send(kind: number, bytes: Uint8Array, chunked: boolean): Promise<void> {
    const dc = this.dc;
    if (dc.readyState === 'connecting') await once(dc, 'open');
    const step = CHUNK_BYTES - 1;
    if (!chunked && bytes.byteLength > step) {
      throw new RangeError(`a message on an unordered or unreliable channel is limited to ${step} bytes`);
    }
    let offset = 0;
    do {
      if (dc.readyState !== 'open') throw new Error(`data channel "${dc.label}" is ${dc.readyState}`);
      if (dc.bufferedAmount > HIGH_WATER) await once(dc, 'bufferedamountlow');
      const end = Math.min(offset + step, bytes.byteLength);
      const frame = new Uint8Array(1 + end - offset);
      frame[0] = kind | (end < bytes.byteLength ? MORE : 0);
      frame.set(bytes.subarray(offset, end), 1);
      dc.send(frame);
      offset = end;
    } while (offset < bytes.byteLength);
  }

  #receive(data: unknown): void {
    if (!(data instanceof ArrayBuffer) || data.byteLength === 0) return; // not ours
    const frame = new Uint8Array(data);
    const kind = frame[0] & ~MORE;
    if (kind !== KIND_TEXT && kind !== KIND_BINARY) return;
    if (this.#parts.length && kind !== this.#kind) this.#parts = []; // a torn message: drop it
    this.#kind = kind;
    this.#parts.push(frame.subarray(1));
    if (frame[0] & MORE) return;
    const parts = this.#parts;
    this.#parts = [];
    const whole = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      whole.set(p, at);
      at += p.byteLength;
    }
    this.deliver(kind === KIND_TEXT ? new TextDecoder().decode(whole) : whole.buffer);
  }

  close(): void {
    this.dc.onmessage = null;
  }
}

function once(dc: RTCDataChannel, type: 'open' | 'bufferedamountlow'): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      dc.removeEventListener(type, ok);
      dc.removeEventListener('close', closed);
    };
    const ok = () => (done(), resolve());
    const closed = () => (done(), reject(new Error(`data channel "${dc.label}" closed`)));
    dc.addEventListener(type, ok);
    dc.addEventListener('close', closed);
  });
}

/**
 * One named channel to every participant. Fires `message` ({@link ChannelMessageEvent}) for
 * each message received, with the sender's id. Get one with `CallSession.channel()`.
 */
export class CallChannel extends EventTarget {
  /** The stream id both sides use. */
  readonly id: number;
  #ends = new Map<string, ChannelEnd>();
  #closed = false;

  constructor(
    /** The channel's name; the same on every side. */
    readonly label: string,
    /** Delivery options; the same on every side. */
    readonly options: ChannelOptions,
    private readonly onClose: (c: CallChannel) => void,
  ) {
    super();
    this.id = channelId(label);
  }

  /** Participants this channel currently reaches (open or opening). */
  get peers(): string[] {
    return [...this.#ends.keys()];
  }

  /**
   * Sends `data` to participant `to`, or to everyone when omitted. Resolves once every byte
   * is handed to the connection (after waiting for buffer space); rejects if a channel closes.
   * On a reliable ordered channel any size goes; otherwise one message must fit in one frame.
   */
  async send(data: ChannelData, to?: string): Promise<void> {
    if (this.#closed) throw new Error(`channel "${this.label}" is closed`);
    const targets = to === undefined ? [...this.#ends.values()] : [this.#ends.get(to)];
    if (targets.some((t) => !t)) throw new Error(`no participant "${to}" on channel "${this.label}"`);
    const [kind, bytes] = await toBytes(data);
    await Promise.all(targets.map((t) => t!.send(kind, bytes, reliable(this.options))));
  }

  /** Stops using this label: closes it on every connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.#ends.keys()]) this.detach(id, true);
    this.onClose(this);
  }

  /** @internal A connection opened this channel to `peer`. */
  attach(peer: string, dc: RTCDataChannel): void {
    this.detach(peer);
    this.#ends.set(peer, new ChannelEnd(dc, (data) => this.dispatchEvent(new ChannelMessageEvent(peer, data))));
  }

  /** @internal The connection to `peer` went away. */
  detach(peer: string, closeChannel = false): void {
    const end = this.#ends.get(peer);
    if (!end) return;
    end.close();
    if (closeChannel) end.dc.close();
    this.#ends.delete(peer);
  }
}
