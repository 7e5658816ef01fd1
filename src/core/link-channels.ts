/**
 * The data channels of one peer connection: the call's own, and the ones the other side opened
 * first. Each side tells the other which labels it has open (a `channels` message on the kit's
 * control channel), so a side that lacks one opens it too (its session holds the messages until
 * the app asks for the label) and a send waits until the other side has the channel: a message
 * on a negotiated channel the other side has not opened would be dropped by its SCTP stack.
 */
import { CONTROL_LABEL, channelId, type ChannelOptions } from './data-channel.js';

/** A data channel the link opens on its connection. */
export interface ChannelSpec {
  label: string;
  id: number;
  options: ChannelOptions;
}

/** Called for every channel opened on the connection; `peerReady` settles once the other side has it too. */
export type OnChannel = (label: string, dc: RTCDataChannel, peerReady: Promise<void>) => void;

/** The most channels a peer may have us open for it. */
const MAX_PEER_CHANNELS = 32;

/** A channel the other side announced, checked: its label must map to its id, as ours do. */
function peerChannelSpec(c: unknown): ChannelSpec | null {
  if (typeof c !== 'object' || c === null) return null;
  const { label, id, ordered, maxRetransmits, maxPacketLifeTime } = c as Record<string, unknown>;
  if (typeof label !== 'string' || label.length === 0 || label.length > 256 || label === CONTROL_LABEL) return null;
  if (id !== channelId(label)) return null;
  const count = (n: unknown) => (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined);
  const options: ChannelOptions = { ordered: ordered !== false };
  if (count(maxRetransmits) !== undefined) options.maxRetransmits = count(maxRetransmits);
  else if (count(maxPacketLifeTime) !== undefined) options.maxPacketLifeTime = count(maxPacketLifeTime);
  return { label, id, options };
}

/** One connection's data channels and what the other side has open. */
export class LinkChannels {
  #channels = new Map<string, RTCDataChannel>();
  /** Stream ids of the channels the other side has open, from its last `channels` message. */
  #remote = new Set<number>();
  #waiters = new Map<number, { resolve: () => void; reject: (e: Error) => void }[]>();
  #openedForPeer = 0;
  #closed = false;

  constructor(
    private readonly pc: RTCPeerConnection,
    /** Sends a control message; false while the control channel is not open. */
    private readonly sendControl: (text: string) => boolean,
    private readonly onChannel: OnChannel | undefined,
    private readonly fail: (err: Error) => void,
  ) {}

  /** Opens `spec` as a negotiated channel (the same stream id on both sides), unless it is open. */
  open(spec: ChannelSpec): void {
    if (this.#closed) return;
    const existing = this.#channels.get(spec.label);
    if (existing?.readyState === 'closing') {
      // The label closed a moment ago and is asked for again: Firefox refuses its stream id until
      // the old stream's reset is done ("Id is in use"), so open once it is.
      existing.addEventListener('close', () => this.open(spec), { once: true });
      return;
    }
    if (existing && existing.readyState !== 'closed') return;
    let dc: RTCDataChannel;
    try {
      dc = this.pc.createDataChannel(spec.label, { ...spec.options, negotiated: true, id: spec.id });
    } catch (err) {
      this.fail(new Error(`cannot open data channel "${spec.label}" (id ${spec.id}): ${(err as Error).message}`));
      return;
    }
    this.#channels.set(spec.label, dc);
    // Closing a negotiated channel resets its stream on both sides: the other side no longer has it.
    dc.addEventListener('close', () => {
      if (this.#channels.get(spec.label) === dc) this.#channels.delete(spec.label);
      this.#remote.delete(spec.id);
    });
    this.onChannel?.(spec.label, dc, this.#whenPeerHas(spec.id));
    this.announce();
  }

  /** Tells the other side which channels we have open (when the control channel opens, and on each new one). */
  announce(): void {
    const open = [...this.#channels.values()]
      .filter((dc) => dc.id !== null && (dc.readyState === 'connecting' || dc.readyState === 'open'))
      .map((dc) => ({
        label: dc.label,
        id: dc.id,
        ordered: dc.ordered,
        ...(dc.maxRetransmits !== null ? { maxRetransmits: dc.maxRetransmits } : {}),
        ...(dc.maxPacketLifeTime !== null ? { maxPacketLifeTime: dc.maxPacketLifeTime } : {}),
      }));
    this.sendControl(JSON.stringify({ t: 'channels', open }));
  }

  /** The other side's `channels` message: open the ones we lack, and release sends that waited. */
  peerChannels(open: unknown): void {
    if (!Array.isArray(open)) return;
    const ids = new Set<number>();
    for (const c of open.slice(0, MAX_PEER_CHANNELS)) {
      const spec = peerChannelSpec(c);
      if (!spec) continue;
      ids.add(spec.id);
      // One still closing (the other side closed the label and opened it again before our end
      // heard of the close) counts as gone: open() opens it again once closed.
      const state = this.#channels.get(spec.label)?.readyState;
      const mine = state === 'connecting' || state === 'open';
      const taken = [...this.#channels.values()].some((dc) => dc.id === spec.id && dc.label !== spec.label);
      if (!mine && !taken && this.#openedForPeer < MAX_PEER_CHANNELS) {
        this.#openedForPeer++;
        this.open(spec);
      }
    }
    this.#remote = ids;
    for (const id of ids) {
      for (const w of this.#waiters.get(id) ?? []) w.resolve();
      this.#waiters.delete(id);
    }
  }

  /** The connection closed: stop delivering, and fail the sends still waiting. */
  close(): void {
    this.#closed = true;
    for (const dc of this.#channels.values()) dc.onopen = dc.onmessage = null;
    for (const waiters of this.#waiters.values()) {
      for (const w of waiters) w.reject(new Error('the connection closed'));
    }
    this.#waiters.clear();
  }

  #whenPeerHas(id: number): Promise<void> {
    if (this.#remote.has(id)) return Promise.resolve();
    if (this.#closed) return Promise.reject(new Error('the connection closed'));
    return new Promise((resolve, reject) => {
      const list = this.#waiters.get(id) ?? [];
      list.push({ resolve, reject });
      this.#waiters.set(id, list);
    });
  }
}
