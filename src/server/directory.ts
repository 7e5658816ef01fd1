/**
 * Room membership shared by every server process. Alone, the server keeps it in memory
 * (`MemoryDirectory`); with `REDIS_URL` set, `RedisDirectory` shares it between processes and
 * carries room events (joins, leaves, signals) between them over pub/sub.
 */
import type { PeerInfo, SignalData } from '../protocol/messages.js';

/** A participant as the directory stores it: who, and which server process holds the socket. */
export interface MemberRecord extends PeerInfo {
  proc: string;
}

/** A room event one process tells the others. */
export type BusEvent =
  | { kind: 'joined'; peer: MemberRecord }
  | { kind: 'left'; id: string }
  | { kind: 'signal'; from: string; to: string; data: SignalData }
  | { kind: 'takeover'; id: string; proc: string };

/** Shared room membership and the room bus. */
export interface Directory {
  /** This process's id. */
  readonly proc: string;
  /**
   * Puts `rec` in `room` unless the room already holds `max` others (a record with the same id
   * is replaced). Returns every member after that, or null when the room is full.
   */
  admit(room: string, rec: MemberRecord, max: number): Promise<MemberRecord[] | null>;
  /** Removes a member; true if this call removed it (so exactly one process announces it). */
  remove(room: string, id: string): Promise<boolean>;
  /** Tells the other processes about an event in `room`. */
  publish(room: string, event: BusEvent): void;
  /** Starts receiving the other processes' events for `room` (and sweeps of vanished processes). */
  watch(room: string): Promise<void>;
  /** Stops receiving events for `room`. */
  unwatch(room: string): void;
  /** Called with every event from another process (or a sweep) for a watched room. */
  onEvent?: (room: string, event: BusEvent) => void;
  /** A key every process shares, for resume secrets. */
  sharedKey(): Promise<string>;
  close(): Promise<void>;
}

/** Membership in this process's memory: the server runs alone. */
export class MemoryDirectory implements Directory {
  readonly proc = 'local';
  onEvent?: (room: string, event: BusEvent) => void;
  #rooms = new Map<string, Map<string, MemberRecord>>();

  constructor(readonly key: string) {}

  async admit(room: string, rec: MemberRecord, max: number): Promise<MemberRecord[] | null> {
    const members = this.#rooms.get(room) ?? new Map<string, MemberRecord>();
    if (!members.has(rec.id) && members.size >= max) return null;
    members.set(rec.id, rec);
    this.#rooms.set(room, members);
    return [...members.values()];
  }

  async remove(room: string, id: string): Promise<boolean> {
    const members = this.#rooms.get(room);
    const removed = members?.delete(id) ?? false;
    if (members?.size === 0) this.#rooms.delete(room);
    return removed;
  }

  publish(): void {}
  async watch(): Promise<void> {}
  unwatch(): void {}
  async sharedKey(): Promise<string> {
    return this.key;
  }
  async close(): Promise<void> {}
}
