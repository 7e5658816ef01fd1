/**
 * Named data channels to every participant of a call. Each label is one negotiated
 * `RTCDataChannel` per peer connection (the same stream id on both sides, derived from the
 * label), so both sides open it without a round trip and without glare. Messages are framed so
 * large ones are split into chunks and reassembled, and sending waits on `bufferedAmount`
 * (back-pressure) instead of overrunning the SCTP buffer.
 */

import { within } from './within.js';

/** Delivery options of a channel; every side must open a label with the same options. */
export interface ChannelOptions {
  /** In-order delivery (default true). */
  ordered?: boolean;
  /** Give up on a message after this many retransmissions (unreliable). */
  maxRetransmits?: number;
  /** Give up on a message after this many milliseconds (unreliable). */
  maxPacketLifeTime?: number;
  /**
   * Largest message taken from a peer, in bytes (default 64 MiB): a larger one is dropped whole
   * rather than held in memory as it arrives. This side's own limit: the sides need not agree.
   */
  maxMessageBytes?: number;
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

/** How long a send waits for the other side to have the channel before it fails. */
export const PEER_CHANNEL_WAIT_MS = 10_000;
/** Messages kept per participant for a label this side has not opened yet; older ones go. */
export const HELD_MESSAGES = 256;

/** Default largest message taken from a peer (`maxMessageBytes`). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Bytes kept per participant for a label this side has not opened yet; older messages go. */
export const HELD_BYTES = 16 * 1024 * 1024;

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

/** A message as it goes out: its kind and bytes (a Blob's once read). */
type Message = [kind: number, bytes: Uint8Array] | Promise<[kind: number, bytes: Uint8Array]>;

/**
 * The bytes of `data` as they are at the call, as `RTCDataChannel.send` takes them: a buffer
 * the caller reuses after `send()` must not change what goes out. A Blob is read later, in
 * its place in the queue.
 */
function toBytes(data: ChannelData): Message {
  if (typeof data === 'string') return [KIND_TEXT, new TextEncoder().encode(data)];
  if (data instanceof Blob) return data.arrayBuffer().then((b) => [KIND_BINARY, new Uint8Array(b)]);
  if (data instanceof ArrayBuffer) return [KIND_BINARY, new Uint8Array(data.slice(0))];
  return [KIND_BINARY, new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))];
}

type Deliver = (data: string | ArrayBuffer) => void;

/**
 * One participant's end of a channel: framing, reassembly and back-pressure over one
 * RTCDataChannel. Sending first waits for `peerReady`: the other side has this channel too
 * (a negotiated channel's messages to a side without it would be dropped by its SCTP stack).
 */
export class ChannelEnd {
  #queue: Promise<void> = Promise.resolve();
  #parts: Uint8Array[] = [];
  #kind = 0;
  /** Bytes of the message being reassembled; -1 while dropping one over the limit. */
  #size = 0;
  /** Largest message reassembled (`maxMessageBytes`). */
  maxBytes = MAX_MESSAGE_BYTES;

  constructor(
    readonly dc: RTCDataChannel,
    /** Where whole messages go; replaced when a held end is adopted by a channel. */
    public deliver: Deliver,
    readonly peerReady: Promise<void> = Promise.resolve(),
  ) {
    peerReady.catch(() => undefined); // a link that closes first: the send that waits says so
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = LOW_WATER;
    dc.onmessage = ({ data }) => this.#receive(data);
  }

  send(message: Message, chunked: boolean): Promise<void> {
    // One queue per end keeps messages whole and in order while a big one waits on the buffer
    // (or a Blob is read).
    const run = this.#queue.then(() => this.#send(message, chunked));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #send(message: Message, chunked: boolean): Promise<void> {
    const [kind, bytes] = await message;
    const dc = this.dc;
    if (dc.readyState === 'connecting') await once(dc, 'open');
    await within(
      this.peerReady,
      PEER_CHANNEL_WAIT_MS,
      `the other side did not open data channel "${dc.label}" within ${PEER_CHANNEL_WAIT_MS / 1000} s`,
    );
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
    if ((this.#parts.length || this.#size < 0) && kind !== this.#kind) this.#dropPart(0); // a torn message: drop it
    this.#kind = kind;
    const more = (frame[0] & MORE) !== 0;
    // A peer could send frames with MORE set for ever: past the limit the message is dropped
    // whole (its later frames skipped until its last), not held in memory.
    if (this.#size >= 0 && this.#size + frame.byteLength - 1 > this.maxBytes) {
      console.warn(`[rtc-elements] data channel "${this.dc.label}": dropped a message over ${this.maxBytes} bytes`);
      this.#dropPart(-1);
    }
    if (this.#size < 0) {
      if (!more) this.#dropPart(0);
      return;
    }
    this.#parts.push(frame.subarray(1));
    this.#size += frame.byteLength - 1;
    if (more) return;
    const parts = this.#parts;
    this.#dropPart(0);
    const whole = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      whole.set(p, at);
      at += p.byteLength;
    }
    this.deliver(kind === KIND_TEXT ? new TextDecoder().decode(whole) : whole.buffer);
  }

  /** Forgets the message being reassembled; `size` -1 skips the rest of it. */
  #dropPart(size: number): void {
    this.#parts = [];
    this.#size = size;
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

/** The events of a {@link CallChannel}, for typed listeners. */
export interface CallChannelEventMap {
  message: ChannelMessageEvent;
}
// Typed addEventListener/removeEventListener for `message` (EventTarget alone types every event as Event).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface CallChannel {
  addEventListener<K extends keyof CallChannelEventMap>(type: K, listener: (this: CallChannel, ev: CallChannelEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof CallChannelEventMap>(type: K, listener: (this: CallChannel, ev: CallChannelEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}
/**
 * One named channel to every participant. Fires `message` ({@link ChannelMessageEvent}) for
 * each message received, with the sender's id. Get one with `CallSession.channel()`.
 */
export class CallChannel extends EventTarget {
  /** The stream id both sides use. */
  readonly id: number;
  #ends = new Map<string, ChannelEnd>();
  /**
   * Sends to participants whose connection is being made and whose end of this channel is not
   * there yet (a newcomer greeted on `participant-joined`): they go out, in order, once it is.
   */
  #coming = new Map<string, Waiting[]>();
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
    return [...this.#ends.keys(), ...this.#coming.keys()];
  }

  /**
   * Sends `data` to participant `to`, or to everyone when omitted. Resolves once every byte
   * is handed to the connection (after waiting for buffer space); rejects if a channel closes.
   * On a reliable ordered channel any size goes; otherwise one message must fit in one frame.
   */
  async send(data: ChannelData, to?: string): Promise<void> {
    if (this.#closed) throw new Error(`channel "${this.label}" is closed`);
    const peers = to === undefined ? this.peers : [to];
    if (to !== undefined && !this.#ends.has(to) && !this.#coming.has(to)) {
      throw new Error(`no participant "${to}" on channel "${this.label}"`);
    }
    const message = toBytes(data);
    const chunked = reliable(this.options);
    await Promise.all(peers.map((peer) => this.#ends.get(peer)?.send(message, chunked) ?? this.#later(peer, message, chunked)));
  }

  /** Queues a send to a participant whose end is on its way; it fails if none comes in time. */
  #later(peer: string, message: Message, chunked: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiting: Waiting = { message, chunked, resolve, reject };
      this.#coming.get(peer)!.push(waiting);
      waiting.timer = setTimeout(() => {
        const queue = this.#coming.get(peer);
        if (queue?.includes(waiting)) queue.splice(queue.indexOf(waiting), 1);
        reject(new Error(`no connection to "${peer}" on channel "${this.label}" within ${PEER_CHANNEL_WAIT_MS / 1000} s`));
      }, PEER_CHANNEL_WAIT_MS);
    });
  }

  /** @internal A connection to `peer` is being made: sends to it wait for its end of this channel. */
  expect(peer: string): void {
    if (!this.#closed && !this.#ends.has(peer) && !this.#coming.has(peer)) this.#coming.set(peer, []);
  }

  /** Hands what waited for `peer` to its end, in order; with no end, they fail with `error`. */
  #arrived(peer: string, end: ChannelEnd | null, error?: Error): void {
    const queue = this.#coming.get(peer);
    if (!queue) return;
    this.#coming.delete(peer);
    for (const w of queue) {
      clearTimeout(w.timer);
      if (end) end.send(w.message, w.chunked).then(w.resolve, w.reject);
      else w.reject(error);
    }
  }

  /** Stops using this label: closes it on every connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of this.peers) this.detach(id, true);
    this.onClose(this);
  }

  /** @internal A connection opened this channel to `peer`; `peerReady` settles once that side has it too. */
  attach(peer: string, dc: RTCDataChannel, peerReady?: Promise<void>): void {
    this.#close(peer);
    const end = new ChannelEnd(dc, this.#dispatcher(peer), peerReady);
    end.maxBytes = this.options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.#ends.set(peer, end);
    this.#arrived(peer, end);
  }

  /**
   * @internal Takes over an end opened before this side asked for the label (the other side
   * opened it first) with the messages it held. They are delivered in a task of their own, so
   * that whoever called `channel()` has added its listeners; later ones queue behind them.
   */
  adopt(peer: string, held: HeldEnd): void {
    this.#close(peer);
    const { end, messages } = held;
    end.maxBytes = this.options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.#ends.set(peer, end);
    this.#arrived(peer, end);
    end.deliver = (data) => messages.push(data);
    setTimeout(() => {
      if (this.#ends.get(peer) !== end) return;
      const dispatch = this.#dispatcher(peer);
      for (const data of messages.splice(0)) dispatch(data);
      end.deliver = dispatch;
    }, 0);
  }

  #dispatcher(peer: string): Deliver {
    return (data) => this.dispatchEvent(new ChannelMessageEvent(peer, data));
  }

  /** @internal The connection to `peer` went away (what waited for it fails). */
  detach(peer: string, closeChannel = false): void {
    this.#arrived(peer, null, new Error(`the connection to "${peer}" closed before channel "${this.label}" opened`));
    this.#close(peer, closeChannel);
  }

  #close(peer: string, closeChannel = false): void {
    const end = this.#ends.get(peer);
    if (!end) return;
    end.close();
    if (closeChannel) end.dc.close();
    this.#ends.delete(peer);
  }
}

/** A send waiting for a participant's end of a channel. */
interface Waiting {
  message: Message;
  chunked: boolean;
  resolve(): void;
  reject(err: unknown): void;
  timer?: ReturnType<typeof setTimeout>;
}

/** An end opened for a label this side has not asked for yet, and the messages it received. */
export interface HeldEnd {
  end: ChannelEnd;
  messages: (string | ArrayBuffer)[];
}

/**
 * Channels the other side opened first, by label and participant, until this side asks for the
 * label: their messages wait here instead of being lost. Keeps the last `HELD_MESSAGES` per end.
 */
export class HeldChannels {
  #byLabel = new Map<string, Map<string, HeldEnd>>();

  /** Holds `dc` of `peer` until `take(label)`. */
  hold(label: string, peer: string, dc: RTCDataChannel, peerReady?: Promise<void>): void {
    const messages: (string | ArrayBuffer)[] = [];
    const size = (m: string | ArrayBuffer) => (typeof m === 'string' ? m.length * 2 : m.byteLength);
    let bytes = 0;
    let warned = false;
    const end = new ChannelEnd(
      dc,
      (data) => {
        messages.push(data);
        bytes += size(data);
        if (messages.length <= HELD_MESSAGES && bytes <= HELD_BYTES) return;
        while (messages.length > 1 && (messages.length > HELD_MESSAGES || bytes > HELD_BYTES)) bytes -= size(messages.shift()!);
        if (!warned) console.warn(`[rtc-elements] data channel "${label}" is not open here: keeping its last ${HELD_MESSAGES} messages`);
        warned = true;
      },
      peerReady,
    );
    let ends = this.#byLabel.get(label);
    if (!ends) this.#byLabel.set(label, (ends = new Map()));
    ends.get(peer)?.end.close();
    ends.set(peer, { end, messages });
  }

  /** The held ends of `label`, by participant, no longer held here. */
  take(label: string): Map<string, HeldEnd> {
    const ends = this.#byLabel.get(label) ?? new Map<string, HeldEnd>();
    this.#byLabel.delete(label);
    return ends;
  }

  /** Forgets `peer`'s ends (its connection went away). */
  drop(peer: string): void {
    for (const [label, ends] of this.#byLabel) {
      ends.get(peer)?.end.close();
      ends.delete(peer);
      if (ends.size === 0) this.#byLabel.delete(label);
    }
  }
}
