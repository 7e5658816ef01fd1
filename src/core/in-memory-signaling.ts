/**
 * A signaling server inside the page: the same room semantics as the kit's Node server
 * (server-assigned ids, `from` stamped by the hub, relaying only inside a room, a capped room,
 * `peer-left` on leave or close), for calls between elements of one page — stories, demos and
 * tests that need live video without a server.
 *
 * @example
 * const hub = new InMemorySignalingHub();
 * call.signalingTransport = () => hub.transport();
 */
import {
  PROTOCOL_VERSION,
  parseClientMessage,
  type ClientMessage,
  type ErrorCode,
  type PeerInfo,
  type ServerMessage,
  type SignalMessage,
} from '../protocol/messages.js';
import { Inbox } from '../protocol/sequencing.js';
import type { SignalingTransport, TransportClose } from './signaling-transport.js';

/** The hub never restarts, so its numbering of messages is one epoch for its whole life. */
const EPOCH = 'in-memory';

interface Member {
  info: PeerInfo;
  room?: string;
  transport: InMemoryTransport;
  /** The client's numbered signals, applied once and in order, as the server does. */
  inbox: Inbox<SignalMessage>;
  /** Secret of `join.resume`, handed out in the welcome. */
  secret: string;
  /** Dropped by `disconnectAll()`: the slot waits for the client to resume it. */
  away?: boolean;
}

/** Rooms shared by the transports it hands out. */
export class InMemorySignalingHub {
  #rooms = new Map<string, Map<string, Member>>();

  constructor(
    /** Most participants per room (the Node server's default too). */
    readonly maxPeersPerRoom = 6,
  ) {}

  /** A new connection to this hub. */
  transport(): SignalingTransport {
    return new InMemoryTransport(this);
  }

  /** Participants per room, for inspection. */
  rooms(): Map<string, number> {
    return new Map([...this.#rooms].map(([name, r]) => [name, r.size]));
  }

  /**
   * Drops every connection as a network blip would (each transport's `onclose` fires). Like the
   * Node server's grace period, the slots stay: clients that resume come back as themselves.
   */
  disconnectAll(): void {
    for (const room of [...this.#rooms.values()]) {
      for (const m of [...room.values()]) {
        m.away = true;
        m.transport.drop();
      }
    }
  }

  /** @internal */
  receive(m: Member, message: ClientMessage): void {
    // Through the same validator as the server: a story must not accept what production refuses.
    const parsed = parseClientMessage(JSON.stringify(message));
    if (!parsed.ok) return this.#error(m, parsed.code, parsed.error);
    const msg = parsed.message;
    switch (msg.type) {
      case 'join': {
        if (m.room !== undefined) return this.#error(m, 'already-joined', 'leave before joining another room');
        const slot = msg.resume && this.#rooms.get(msg.room)?.get(msg.resume.id);
        if (slot && slot.away && msg.resume && slot.secret === msg.resume.secret) {
          // Resume: the same participant on a new connection; the others never saw it leave.
          slot.away = false;
          slot.transport = m.transport;
          m.transport.adopt(slot);
          slot.transport.deliver({
            v: PROTOCOL_VERSION,
            type: 'welcome',
            id: slot.info.id,
            room: msg.room,
            peers: [...this.#rooms.get(msg.room)!.values()].filter((p) => p !== slot).map((p) => ({ ...p.info })),
            resume: slot.secret,
            resumed: true,
            epoch: EPOCH,
            ack: slot.inbox.last,
            name: slot.info.name,
          });
          return;
        }
        const room = this.#rooms.get(msg.room) ?? new Map<string, Member>();
        if (room.size >= this.maxPeersPerRoom) {
          return this.#error(m, 'room-full', `room is full (${this.maxPeersPerRoom} participants)`);
        }
        this.#rooms.set(msg.room, room);
        m.info.name = msg.name ?? '';
        const peers = [...room.values()].map((p) => ({ ...p.info }));
        room.set(m.info.id, m);
        m.room = msg.room;
        m.transport.deliver({
          v: PROTOCOL_VERSION,
          type: 'welcome',
          id: m.info.id,
          room: msg.room,
          peers,
          resume: m.secret,
          epoch: EPOCH,
          ack: 0,
          name: m.info.name,
        });
        for (const other of room.values()) {
          if (other !== m) other.transport.deliver({ v: PROTOCOL_VERSION, type: 'peer-joined', peer: { ...m.info } });
        }
        return;
      }
      case 'signal': {
        const room = m.room === undefined ? undefined : this.#rooms.get(m.room);
        if (!room) return this.#error(m, 'not-joined', 'join a room first');
        // Numbered signals are acknowledged (else the client sends them again) and applied
        // exactly once, like the Node server; this hub never loses one, so no replay is needed.
        const ready = msg.seq === undefined ? [msg] : m.inbox.receive(msg.seq, msg).ready;
        if (msg.seq !== undefined) m.transport.deliver({ v: PROTOCOL_VERSION, type: 'ack', seq: m.inbox.last });
        for (const signal of ready) {
          const target = room.get(signal.to);
          if (!target || target === m) {
            this.#error(m, 'unknown-peer', 'no such participant here');
            continue;
          }
          target.transport.deliver({ v: PROTOCOL_VERSION, type: 'signal', from: m.info.id, data: signal.data });
        }
        return;
      }
      case 'ack':
        return; // the hub's own messages are not numbered
      case 'rename': {
        const room = m.room === undefined ? undefined : this.#rooms.get(m.room);
        if (!room) return this.#error(m, 'not-joined', 'join a room first');
        m.info.name = msg.name;
        for (const p of room.values()) p.transport.deliver({ v: PROTOCOL_VERSION, type: 'peer-renamed', peer: { ...m.info } });
        return;
      }
      case 'leave':
        // As the server: the connection stays open, joined to nothing, and a later join on it is
        // a new participant (a new id, numbering from 1 again).
        if (m.room === undefined) return;
        this.leave(m);
        m.info = { id: crypto.randomUUID(), name: '' };
        m.inbox = new Inbox<SignalMessage>();
        m.secret = crypto.randomUUID();
        return;
    }
  }

  /** @internal */
  leave(m: Member): void {
    if (m.away) return; // dropped, not gone: the slot waits for its resume
    const name = m.room;
    const room = name === undefined ? undefined : this.#rooms.get(name);
    m.room = undefined;
    if (!room || name === undefined) return;
    room.delete(m.info.id);
    if (room.size === 0) this.#rooms.delete(name);
    for (const other of room.values()) other.transport.deliver({ v: PROTOCOL_VERSION, type: 'peer-left', id: m.info.id });
  }

  #error(m: Member, code: ErrorCode, message: string): void {
    m.transport.deliver({ v: PROTOCOL_VERSION, type: 'error', code, message });
  }
}

/** One participant's connection to an {@link InMemorySignalingHub}. */
class InMemoryTransport implements SignalingTransport {
  onmessage?: (message: ServerMessage) => void;
  onclose?: (info: TransportClose) => void;
  onerror?: (error: Error) => void;
  #member: Member;
  #open = false;

  constructor(private readonly hub: InMemorySignalingHub) {
    this.#member = {
      info: { id: crypto.randomUUID(), name: '' },
      transport: this,
      inbox: new Inbox<SignalMessage>(),
      secret: crypto.randomUUID(),
    };
  }

  async connect(): Promise<void> {
    this.#open = true;
  }

  send(message: ClientMessage): void {
    if (!this.#open) return;
    // Asynchronous and copied, like a network: no shared objects, no re-entrancy.
    const copy = JSON.parse(JSON.stringify(message)) as ClientMessage;
    setTimeout(() => this.#open && this.hub.receive(this.#member, copy), 0);
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.hub.leave(this.#member);
  }

  /** @internal */
  deliver(message: ServerMessage): void {
    const copy = JSON.parse(JSON.stringify(message)) as ServerMessage;
    setTimeout(() => this.#open && this.onmessage?.(copy), 0);
  }

  /** @internal A resumed slot now speaks through this transport. */
  adopt(member: Member): void {
    this.#member = member;
  }

  /** @internal */
  drop(): void {
    if (!this.#open) return;
    this.#open = false;
    this.hub.leave(this.#member);
    setTimeout(() => this.onclose?.({ code: 1006, reason: 'hub dropped the connection' }), 0);
  }
}
