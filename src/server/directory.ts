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

/** A signal for a participant on another process. */
export type SignalEvent = {
  kind: 'signal';
  from: string;
  to: string;
  data: SignalData;
  /** Set when a process passed it on to where its recipient moved (it is passed on once at most). */
  hops?: number;
};

/** A room event one process tells the others. */
export type BusEvent =
  | { kind: 'joined'; peer: MemberRecord }
  | { kind: 'left'; id: string }
  | { kind: 'renamed'; peer: MemberRecord }
  | SignalEvent
  | { kind: 'takeover'; id: string; proc: string };

const isStr = (v: unknown): v is string => typeof v === 'string';

/** True if `e` has the shape of a `BusEvent` (it came from Redis, where anyone with access could write). */
export function isBusEvent(e: unknown): e is BusEvent {
  if (!e || typeof e !== 'object') return false;
  const v = e as Record<string, unknown>;
  const peer = v.peer as Record<string, unknown> | undefined;
  switch (v.kind) {
    case 'joined':
    case 'renamed':
      return !!peer && typeof peer === 'object' && isStr(peer.id) && isStr(peer.name) && isStr(peer.proc);
    case 'left':
      return isStr(v.id);
    case 'signal':
      return isStr(v.from) && isStr(v.to) && !!v.data && typeof v.data === 'object';
    case 'takeover':
      return isStr(v.id) && isStr(v.proc);
    default:
      return false;
  }
}

/** Shared room membership and the room bus. */
export interface Directory {
  /** This process's id. */
  readonly proc: string;
  /**
   * Puts `rec` in `room` unless the room already holds `max` others (a record with the same id
   * is replaced). Returns every member after that, or null when the room is full.
   */
  admit(room: string, rec: MemberRecord, max: number): Promise<MemberRecord[] | null>;
  /**
   * Removes a member if process `proc` holds it (not one that has meanwhile resumed elsewhere);
   * true if this call removed it (so exactly one process announces it). The leave is then
   * remembered for `DEPARTED_MS`: see `departed`.
   */
  remove(room: string, id: string, proc: string): Promise<boolean>;
  /**
   * True if `id`'s leave from `room` was announced in the last `DEPARTED_MS`. The room has been
   * told it left, so its resume claim brings it back as a new participant (a new id), not as
   * the one the others already dropped.
   */
  departed(room: string, id: string): Promise<boolean>;
  /**
   * Gives member `id` of `room` the display name `name`, if process `proc` holds it; returns its
   * record after that, or null when it is not (or no longer) ours.
   */
  rename(room: string, id: string, proc: string, name: string): Promise<MemberRecord | null>;
  /** Tells the other processes about an event in `room`. */
  publish(room: string, event: BusEvent): void;
  /**
   * Sends a signal to process `proc`, which holds its recipient: in order, and held while that
   * process cannot hear it (reconnecting to Redis, or Redis away) for a few seconds; if the
   * recipient moves meanwhile, to where it is then (`onLocate`).
   */
  send(proc: string, room: string, event: SignalEvent): void;
  /** The process holding participant `id` of `room` now, or undefined if it is gone. */
  onLocate?: (room: string, id: string) => string | undefined;
  /** Called with how many signals for other processes were given up. */
  onSignalsLost?: (count: number) => void;
  /** Starts receiving the other processes' events for `room` (and sweeps of vanished processes). */
  watch(room: string): Promise<void>;
  /** Stops receiving events for `room`. */
  unwatch(room: string): void;
  /** Called with every event from another process (or a sweep) for a watched room. */
  onEvent?: (room: string, event: BusEvent) => void;
  /**
   * Called when the link between processes came back after a break (Redis reconnected): events
   * sent meanwhile were lost, and this process may have been taken for dead and swept. What
   * `members` says is then the truth to catch up with.
   */
  onResync?: () => void;
  /** Every member of `room`. */
  members(room: string): Promise<MemberRecord[]>;
  /** A key every process shares, for resume secrets. */
  sharedKey(): Promise<string>;
  close(): Promise<void>;
}

/**
 * How long an announced leave is remembered (`Directory.departed`): longer than a client keeps
 * trying to come back (a minute by default), so it does not return under the id the room dropped.
 */
export const DEPARTED_MS = 15 * 60_000;

/** Membership in this process's memory: the server runs alone. */
export class MemoryDirectory implements Directory {
  readonly proc = 'local';
  onEvent?: (room: string, event: BusEvent) => void;
  onResync?: () => void;
  #rooms = new Map<string, Map<string, MemberRecord>>();
  /** Announced leaves (`id\nroom`) and when they are forgotten, oldest first. */
  #departed = new Map<string, number>();

  constructor(readonly key: string) {}

  async admit(room: string, rec: MemberRecord, max: number): Promise<MemberRecord[] | null> {
    const members = this.#rooms.get(room) ?? new Map<string, MemberRecord>();
    if (!members.has(rec.id) && members.size >= max) return null;
    members.set(rec.id, rec);
    this.#rooms.set(room, members);
    return [...members.values()];
  }

  async remove(room: string, id: string, proc: string): Promise<boolean> {
    const members = this.#rooms.get(room);
    const removed = members?.get(id)?.proc === proc && members.delete(id);
    if (members?.size === 0) this.#rooms.delete(room);
    if (removed) this.#remember(`${id}\n${room}`);
    return removed;
  }

  async rename(room: string, id: string, proc: string, name: string): Promise<MemberRecord | null> {
    const members = this.#rooms.get(room);
    const rec = members?.get(id);
    if (!members || rec?.proc !== proc) return null;
    const renamed = { ...rec, name };
    members.set(id, renamed);
    return renamed;
  }

  async departed(room: string, id: string): Promise<boolean> {
    return (this.#departed.get(`${id}\n${room}`) ?? 0) > Date.now();
  }

  async members(room: string): Promise<MemberRecord[]> {
    return [...(this.#rooms.get(room)?.values() ?? [])];
  }

  #remember(key: string): void {
    const now = Date.now();
    this.#departed.delete(key);
    this.#departed.set(key, now + DEPARTED_MS);
    // Oldest first, all with the same lifetime: forget from the front. The cap bounds memory
    // under churn (a leave a second for 15 minutes is 900 entries; the cap is far above).
    for (const [k, until] of this.#departed) {
      if (until > now && this.#departed.size <= 100_000) break;
      this.#departed.delete(k);
    }
  }

  publish(): void {}
  send(): void {}
  async watch(): Promise<void> {}
  unwatch(_room: string): void {}
  async sharedKey(): Promise<string> {
    return this.key;
  }
  async close(): Promise<void> {}
}
