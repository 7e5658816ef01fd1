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
} from '../protocol/messages.js';
import type { SignalingTransport, TransportClose } from './signaling-transport.js';

interface Member {
  info: PeerInfo;
  room?: string;
  transport: InMemoryTransport;
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

  /** Drops every connection as a crashed server would (each transport's `onclose` fires). */
  disconnectAll(): void {
    for (const room of [...this.#rooms.values()]) for (const m of [...room.values()]) m.transport.drop();
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
        const room = this.#rooms.get(msg.room) ?? new Map<string, Member>();
        if (room.size >= this.maxPeersPerRoom) {
          return this.#error(m, 'room-full', `room is full (${this.maxPeersPerRoom} participants)`);
        }
        this.#rooms.set(msg.room, room);
        m.info.name = msg.name ?? '';
        const peers = [...room.values()].map((p) => ({ ...p.info }));
        room.set(m.info.id, m);
        m.room = msg.room;
        m.transport.deliver({ v: PROTOCOL_VERSION, type: 'welcome', id: m.info.id, room: msg.room, peers });
        for (const other of room.values()) {
          if (other !== m) other.transport.deliver({ v: PROTOCOL_VERSION, type: 'peer-joined', peer: { ...m.info } });
        }
        return;
      }
      case 'signal': {
        const room = m.room === undefined ? undefined : this.#rooms.get(m.room);
        if (!room) return this.#error(m, 'not-joined', 'join a room first');
        const target = room.get(msg.to);
        if (!target || target === m) return this.#error(m, 'unknown-peer', 'no such participant here');
        target.transport.deliver({ v: PROTOCOL_VERSION, type: 'signal', from: m.info.id, data: msg.data });
        return;
      }
      case 'leave':
        this.leave(m);
        return;
    }
  }

  /** @internal */
  leave(m: Member): void {
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
    this.#member = { info: { id: crypto.randomUUID(), name: '' }, transport: this };
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

  /** @internal */
  drop(): void {
    if (!this.#open) return;
    this.#open = false;
    this.hub.leave(this.#member);
    setTimeout(() => this.onclose?.({ code: 1006, reason: 'hub dropped the connection' }), 0);
  }
}
