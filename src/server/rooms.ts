/**
 * Room routing: who is in which room, joining (fresh or resuming a slot), leaving, and relaying
 * signals only inside the sender's room with `from` stamped by the server. Rooms may span
 * several processes: membership lives in the `Directory`, and events from other processes
 * arrive through `onBusEvent`.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  CloseCode,
  MAX_NAME_LENGTH,
  PROTOCOL_VERSION,
  type ErrorCode,
  type JoinMessage,
  type PeerInfo,
  type PeerJoinedMessage,
  type PeerLeftMessage,
  type PeerRenamedMessage,
  type SignalMessage,
  type WelcomeMessage,
} from '../protocol/messages.js';
import { TokenError, verifyRoomToken, type RoomGrant } from './auth.js';
import { sendError, transmit, type Delivery } from './delivery.js';
import type { BusEvent, Directory, MemberRecord, SignalEvent } from './directory.js';
import type { Metrics, RefusalReason } from './metrics.js';
import { TokenBucket } from './rate-limit.js';
import { parsedSignal, type SignalFrame } from './signal-frame.js';
import { newSlot, signalPrefix, type Conn, type Slot } from './slot.js';
import { TURN_TTL_SECONDS, turnCredentials, type TurnOptions } from './turn.js';

/** What rooms need from the rest of the server. */
export interface RoomsContext {
  maxPeers: number;
  graceMs: number;
  tokenSecret?: string;
  turn?: TurnOptions;
  metrics: Metrics;
  delivery: Delivery;
  /** The directory (it may be replaced once Redis is ready). */
  directory: () => Directory;
  /** Resolves once the directory is ready. */
  ready: Promise<void>;
  /** Signs resume secrets (known once ready). */
  resumeKey: () => string;
  /** Counts a refused frame (too many close the connection). */
  violation: (conn: Conn, code: ErrorCode, message: string) => void;
  /** Refuses a connection with a close code. */
  refuse: (conn: Conn, code: number, reason: string, why: RefusalReason) => void;
  /** True while draining or closing: slots then stay in the directory for another process. */
  stopping: () => boolean;
  log: (line: string) => void;
}

const clean = (s: string) =>
  // eslint-disable-next-line no-control-regex
  s.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_NAME_LENGTH)
    // A lone surrogate: Redis's cjson cannot read the record back (REMOVE and RENAME then fail for ever).
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/** Renames per participant: a few at once, then one a second, the latest name winning. */
const RENAME_RATE = { perSecond: 1, burst: 5 };

/** How long this process passes on signals for a participant of its that resumed elsewhere (past a sender's hold). */
const MOVED_MS = 10_000;

/** How long a signal from a sender this process has not heard of waits for it to appear. */
const SENDER_WAIT_MS = 3000;

/** Room events for our participants (each gets its own: delivery numbers and keeps it). */
const joined = (peer: PeerInfo): PeerJoinedMessage => ({ v: PROTOCOL_VERSION, type: 'peer-joined', peer });
const left = (id: string): PeerLeftMessage => ({ v: PROTOCOL_VERSION, type: 'peer-left', id });
const renamed = (peer: PeerInfo): PeerRenamedMessage => ({ v: PROTOCOL_VERSION, type: 'peer-renamed', peer });

const peerInfo = (r: MemberRecord): PeerInfo =>
  r.user ? { id: r.id, name: r.name, user: r.user } : { id: r.id, name: r.name };

/** The rooms of this process and the participants in them. */
export class Rooms {
  readonly #cx: RoomsContext;
  /** This process's participants by id. */
  readonly slots = new Map<string, Slot>();
  /** Every member of each room this process has a participant in (across processes). */
  readonly #views = new Map<string, Map<string, MemberRecord>>();
  /** This process's participants per room. */
  readonly #local = new Map<string, Set<Slot>>();
  /**
   * Joins under way per room (between watching it and being admitted): the room stays watched
   * while one is, though the last participant of ours in it leaves meanwhile, or another join to
   * it fails; else the joiner would be admitted to a room whose events no longer reach us.
   */
  readonly #joining = new Map<string, number>();
  /** Participants of ours that resumed on another process (`room\nid`), for `MOVED_MS`, oldest first. */
  readonly #moved = new Map<string, { proc: string; until: number }>();
  /** Signals from senders not yet in the room's view (`room\nfrom`), waiting for them to appear. */
  readonly #unknownSenders = new Map<string, { events: SignalEvent[]; timer: ReturnType<typeof setTimeout> }>();

  /** Renews TURN credentials before they expire (only with `turn`). */
  readonly #turnTimer?: ReturnType<typeof setInterval>;

  constructor(cx: RoomsContext) {
    this.#cx = cx;
    if (cx.turn) {
      const ttlMs = (cx.turn.ttlSeconds ?? TURN_TTL_SECONDS) * 1000;
      this.#turnTimer = setInterval(() => this.#renewTurn(), Math.min(60_000, Math.max(250, ttlMs / 10)));
      this.#turnTimer.unref();
    }
  }

  /** TURN credentials for `slot`, and when to send it fresh ones: halfway through their life. */
  #turnFor(slot: Slot, turn: TurnOptions) {
    slot.turnRenewAt = Date.now() + ((turn.ttlSeconds ?? TURN_TTL_SECONDS) * 1000) / 2;
    return turnCredentials(turn, slot.info.id);
  }

  /**
   * Sends fresh credentials to every connected participant whose current ones are half spent. A
   * relay already allocated keeps working on its own (the TURN server knows the session), but a
   * new allocation (an ICE restart, a network change, a restarted TURN server) needs good ones.
   */
  #renewTurn(): void {
    const { turn } = this.#cx;
    if (!turn) return;
    const now = Date.now();
    for (const slot of this.slots.values()) {
      if (!slot.conn || slot.turnRenewAt === 0 || now < slot.turnRenewAt) continue;
      transmit(slot.conn, { v: PROTOCOL_VERSION, type: 'ice-servers', iceServers: [this.#turnFor(slot, turn)] });
    }
  }

  /** The process holding member `id` of `room` as far as this process knows, or undefined. */
  locate(room: string, id: string): string | undefined {
    return this.#views.get(room)?.get(id)?.proc;
  }

  /** Rooms with a participant on this process, and how many members each has in all. */
  sizes(): Map<string, number> {
    return new Map([...this.#local.keys()].map((room) => [room, this.#views.get(room)?.size ?? 0]));
  }

  #secretFor(room: string, id: string): string {
    return createHmac('sha256', this.#cx.resumeKey()).update(`${room}\n${id}`).digest('base64url');
  }

  #secretMatches(room: string, id: string, secret: string): boolean {
    const want = Buffer.from(this.#secretFor(room, id));
    const got = Buffer.from(secret);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  #toLocal(room: string, make: () => PeerJoinedMessage | PeerLeftMessage | PeerRenamedMessage, except?: string): void {
    for (const s of this.#local.get(room) ?? []) if (s.info.id !== except) this.#cx.delivery.event(s, make());
  }

  /** An event from another process (or a sweep of a vanished one) in a room we watch. */
  onBusEvent(room: string, event: BusEvent): void {
    if (event.kind === 'signal') return this.#onSignal(room, event);
    const view = this.#views.get(room);
    if (!view) return;
    switch (event.kind) {
      case 'joined': {
        const known = view.has(event.peer.id);
        view.set(event.peer.id, event.peer);
        const mine = this.slots.get(event.peer.id);
        if (mine && mine.room === room) this.#movedAway(mine, event.peer.proc); // it resumed elsewhere
        if (!known) this.#toLocal(room, () => joined(peerInfo(event.peer)));
        this.#senderKnown(room, event.peer.id);
        return;
      }
      case 'renamed': {
        // Not known yet: its join, still on its way, comes first on the same channel.
        const rec = view.get(event.peer.id);
        if (!rec || rec.name === event.peer.name) return;
        // The name only: where it is held comes from joins and takeovers (this may be from a process it has left).
        const next = { ...rec, name: event.peer.name };
        view.set(rec.id, next);
        this.#toLocal(room, () => renamed(peerInfo(next)));
        return;
      }
      case 'takeover': {
        const rec = view.get(event.id);
        if (rec) view.set(event.id, { ...rec, proc: event.proc });
        const mine = this.slots.get(event.id);
        if (mine && mine.room === room) this.#movedAway(mine, event.proc);
        return;
      }
      case 'left': {
        // One of ours, announced gone by a sweep: this process was taken for dead (stalled, or
        // cut off while the bus still reached it). The others dropped it: it joins again.
        const mine = this.slots.get(event.id);
        if (mine && mine.room === room) this.#rejoin(mine);
        if (!view.delete(event.id)) return;
        this.#toLocal(room, () => left(event.id));
        return;
      }
    }
  }

  /**
   * A signal from another process: through this process's own channel (`Directory.send`); on
   * the room's bus only from a process of an earlier version, during a rolling upgrade.
   */
  #onSignal(room: string, event: SignalEvent): void {
    const target = this.slots.get(event.to);
    const view = this.#views.get(room);
    if (!target || target.room !== room || !view) {
      // Its recipient has moved to another process (a takeover we heard before the sender did,
      // and it may have been our last in the room): pass it on, once.
      const holder = view?.get(event.to)?.proc ?? this.#movedTo(room, event.to);
      if (holder && holder !== this.#cx.directory().proc && !event.hops) {
        this.#cx.directory().send(holder, room, { ...event, hops: 1 });
      } else this.#cx.metrics.signalsLost++;
      return;
    }
    // From someone we have not heard of yet: they joined while this process was cut off, and
    // the catch-up that will tell us is slower than the signal, sent again until heard.
    if (!view.has(event.from)) return this.#awaitSender(room, event);
    this.#deliver(target, event);
  }

  /** Our participant resumed on process `proc`: dropped here, and remembered for a while to pass its signals on. */
  #movedAway(slot: Slot, proc: string): void {
    const now = Date.now();
    for (const [key, { until }] of this.#moved) {
      if (until > now) break;
      this.#moved.delete(key);
    }
    const key = `${slot.room}\n${slot.info.id}`;
    this.#moved.delete(key);
    this.#moved.set(key, { proc, until: now + MOVED_MS });
    this.drop(slot, false);
  }

  #movedTo(room: string, id: string): string | undefined {
    const moved = this.#moved.get(`${room}\n${id}`);
    return moved && moved.until > Date.now() ? moved.proc : undefined;
  }

  #deliver(target: Slot, event: SignalEvent): void {
    this.#cx.delivery.signal(target, Buffer.from(signalPrefix(event.from)), Buffer.from(JSON.stringify(event.data)));
  }

  /** Holds a signal from a sender not in the view yet, for up to `SENDER_WAIT_MS`, in order. */
  #awaitSender(room: string, event: SignalEvent): void {
    const key = `${room}\n${event.from}`;
    let waiting = this.#unknownSenders.get(key);
    if (!waiting) {
      const timer = setTimeout(() => {
        this.#unknownSenders.delete(key);
        this.#cx.metrics.signalsLost += waiting!.events.length;
      }, SENDER_WAIT_MS);
      timer.unref();
      this.#unknownSenders.set(key, (waiting = { events: [], timer }));
    }
    if (waiting.events.length < 100) waiting.events.push(event);
    else this.#cx.metrics.signalsLost++;
  }

  /** `id` is in `room`'s view now: what it sent meanwhile goes to its recipients. */
  #senderKnown(room: string, id: string): void {
    const key = `${room}\n${id}`;
    const waiting = this.#unknownSenders.get(key);
    if (!waiting) return;
    this.#unknownSenders.delete(key);
    clearTimeout(waiting.timer);
    for (const event of waiting.events) {
      const target = this.slots.get(event.to);
      if (target && target.room === room) this.#deliver(target, event);
      else this.#cx.metrics.signalsLost++;
    }
  }

  /**
   * The link between processes is back after a break (`Directory.onResync`): events sent
   * meanwhile were lost. Catches up with who came and went, and hands back participants the
   * others were told had left (this process was taken for dead and swept): they reconnect and,
   * as the room dropped them, come back as new participants.
   */
  async resync(): Promise<void> {
    const { directory, log, metrics } = this.#cx;
    metrics.resyncs++;
    const proc = directory().proc;
    for (const slot of this.slots.values()) this.#applyName(slot); // renames Redis refused during the break
    for (const room of [...this.#local.keys()]) {
      // What we knew before asking: whatever changes while the answer is on its way was done
      // by an event newer than the answer, and the answer must not undo it.
      const slotsBefore = [...(this.#local.get(room) ?? [])];
      const knownBefore = new Set(this.#views.get(room)?.keys());
      const namesBefore = new Map([...(this.#views.get(room)?.values() ?? [])].map((r) => [r.id, r.name]));
      let members: MemberRecord[];
      try {
        members = await directory().members(room);
      } catch (err) {
        log(`resync ${JSON.stringify(room)}: ${(err as Error).message}`);
        continue;
      }
      const byId = new Map<string, MemberRecord>();
      const ghosts = new Set<string>();
      for (const m of members) {
        if (m.proc === proc && this.slots.get(m.id)?.room !== room) {
          // Ours but gone from here: it left while Redis was out of reach (its removal failed),
          // so nobody was told. Tell them now.
          ghosts.add(m.id);
          this.#announceLeft(room, m.id);
        } else {
          byId.set(m.id, m);
        }
      }
      for (const slot of slotsBefore) {
        if (this.slots.get(slot.info.id) !== slot) continue; // gone meanwhile
        const rec = byId.get(slot.info.id);
        if (rec?.proc === proc) continue;
        if (rec) this.#movedAway(slot, rec.proc); // another process holds it (it resumed there): as on a takeover
        else this.#rejoin(slot);
      }
      const view = this.#views.get(room);
      if (!view) continue; // none of ours left in it
      for (let m of byId.values()) {
        const before = view.get(m.id);
        if (before) {
          // Renamed by an event newer than the answer: keep that name.
          if (before.name !== namesBefore.get(m.id)) m = { ...m, name: before.name };
          view.set(m.id, m);
          if (before.name !== m.name) this.#toLocal(room, () => renamed(peerInfo(m))); // renamed during the break
        } else if (!knownBefore.has(m.id)) {
          view.set(m.id, m);
          this.#toLocal(room, () => joined(peerInfo(m)), m.id);
          this.#senderKnown(room, m.id);
        } // else: it left while the answer was on its way
      }
      for (const id of [...view.keys()]) {
        // Gone from the directory; one that joined while the answer was on its way is newer than it.
        if (byId.has(id) || ghosts.has(id) || !knownBefore.has(id) || this.slots.get(id)?.room === room) continue;
        view.delete(id);
        this.#toLocal(room, () => left(id));
      }
    }
  }

  /**
   * A participant of ours that the others were told had left (swept): forgets it here and asks
   * its client to reconnect (4012), so it comes back, as a new participant, through the usual way.
   */
  #rejoin(slot: Slot): void {
    const conn = slot.conn;
    if (conn) {
      conn.slot = undefined;
      slot.conn = null;
    }
    this.drop(slot, false);
    this.#cx.metrics.rejoins++;
    conn?.socket.close(CloseCode.Reconnect, 'the room lost track of you: join again');
    this.#cx.log(`${slot.info.id} was swept from ${JSON.stringify(slot.room)}; asked to join again`);
  }

  /** Forgets a local participant; with `announce`, removes it from the room for everyone. */
  drop(slot: Slot, announce: boolean): void {
    const { metrics, delivery, log } = this.#cx;
    if (this.slots.get(slot.info.id) !== slot) return;
    this.slots.delete(slot.info.id);
    clearTimeout(slot.graceTimer);
    clearTimeout(slot.renameTimer);
    delivery.forget(slot);
    metrics.participants = this.slots.size;
    if (slot.conn) {
      slot.conn.slot = undefined;
      slot.conn.socket.close(CloseCode.Normal, 'resumed elsewhere');
      slot.conn = null;
    }
    const mine = this.#local.get(slot.room);
    mine?.delete(slot);
    const { room } = slot;
    const id = slot.info.id;
    const directory = this.#cx.directory();
    if (mine?.size === 0) {
      this.#local.delete(room);
      this.#views.delete(room);
      this.#unwatchIfIdle(room);
      metrics.rooms = this.#local.size;
    }
    if (!announce) return;
    this.#views.get(room)?.delete(id);
    this.#announceLeft(room, id);
    log(`leave ${id} room=${JSON.stringify(room)}`);
  }

  /** A join to `room` is no longer under way (admitted, refused or failed). */
  #joined(room: string): void {
    const n = this.#joining.get(room)! - 1;
    if (n === 0) this.#joining.delete(room);
    else this.#joining.set(room, n);
  }

  /** Stops watching `room` once nobody of ours is in it or joining it. */
  #unwatchIfIdle(room: string): void {
    if (!this.#local.has(room) && !this.#joining.has(room)) this.#cx.directory().unwatch(room);
  }

  /**
   * Removes our participant `id` from the room for everyone: the directory, the other processes,
   * ours. If Redis is out of reach, the record stays (under this process, alive, so nobody
   * sweeps it) until `resync` finds it and calls this again.
   */
  #announceLeft(room: string, id: string): void {
    const directory = this.#cx.directory();
    void directory.remove(room, id, directory.proc).then(
      (removed) => {
        if (!removed) return;
        directory.publish(room, { kind: 'left', id });
        this.#toLocal(room, () => left(id));
      },
      (err) => this.#cx.log(`remove ${id}: ${(err as Error).message}`),
    );
  }

  #attach(slot: Slot, conn: Conn): void {
    if (slot.conn && slot.conn !== conn) {
      const old = slot.conn;
      old.slot = undefined;
      old.socket.close(CloseCode.Normal, 'replaced by a newer connection');
    }
    clearTimeout(slot.graceTimer);
    slot.graceTimer = undefined;
    slot.conn = conn;
    conn.slot = slot;
  }

  #welcome(slot: Slot, resumed: boolean): WelcomeMessage {
    const view = this.#views.get(slot.room)!;
    const peers = [...view.values()].filter((r) => r.id !== slot.info.id).map(peerInfo);
    const { turn } = this.#cx;
    return {
      v: PROTOCOL_VERSION,
      type: 'welcome',
      id: slot.info.id,
      room: slot.room,
      peers,
      resume: slot.secret,
      resumed,
      epoch: slot.epoch,
      ack: slot.inbox.last,
      name: slot.info.name,
      grace: this.#cx.graceMs,
      ...(turn ? { iceServers: [this.#turnFor(slot, turn)] } : {}),
    };
  }

  /** Admits `conn` to a room: checks its token, then resumes its slot or makes a new one. */
  async join(conn: Conn, msg: JoinMessage): Promise<void> {
    const cx = this.#cx;
    if (conn.slot) return cx.violation(conn, 'already-joined', 'leave before joining another room');
    let grant: RoomGrant | undefined;
    if (cx.tokenSecret) {
      if (!msg.token) return cx.refuse(conn, CloseCode.InvalidToken, 'room token required', 'invalid-token');
      try {
        grant = await verifyRoomToken(cx.tokenSecret, msg.token, msg.room);
      } catch (err) {
        const reason = err instanceof TokenError ? err.reason : 'token invalid';
        return cx.refuse(conn, CloseCode.InvalidToken, reason, 'invalid-token');
      }
    }
    await cx.ready;
    if (conn.closed) return;
    const room = grant?.room ?? msg.room;
    const name = clean(grant?.name ?? msg.name ?? '');

    // Coming back: the same process still holds the slot (a dropped socket within the grace period).
    let claim = msg.resume && this.#secretMatches(room, msg.resume.id, msg.resume.secret) ? msg.resume : undefined;
    const held = claim ? this.slots.get(claim.id) : undefined;
    if (held && held.room === room) {
      this.#attach(held, conn);
      const ack = msg.ack ?? 0;
      if (!cx.delivery.canResume(held, ack)) {
        held.epoch = randomUUID().slice(0, 8);
        held.outbox.reset();
        held.inbox.reset();
      }
      cx.metrics.resumes++;
      cx.delivery.resume(held, ack, this.#welcome(held, true));
      cx.log(`resume ${held.info.id} room=${JSON.stringify(room)}`);
      return;
    }

    // A fresh slot: a new participant, or one coming back to a process that does not hold it
    // (a restarted server, another process after this one's died): same id, numbering restarts.
    // Unless the room was told it left (its grace ran out, or its process was swept): the others
    // have dropped it, so it comes back as a new participant, and its client starts afresh.
    const directory = cx.directory();
    if (claim && (await directory.departed(room, claim.id))) claim = undefined;
    if (conn.closed) return;
    const id = claim?.id ?? randomUUID();
    const rec: MemberRecord = { id, name, proc: directory.proc, ...(grant?.user ? { user: grant.user } : {}) };
    let members: MemberRecord[] | null;
    this.#joining.set(room, (this.#joining.get(room) ?? 0) + 1);
    try {
      await directory.watch(room);
      members = await directory.admit(room, rec, cx.maxPeers);
    } catch (err) {
      this.#joined(room);
      this.#unwatchIfIdle(room);
      throw err;
    }
    // From here to being in `#local`, no await: the join is counted until then.
    if (!members) {
      this.#joined(room);
      this.#unwatchIfIdle(room);
      cx.metrics.refuse('room-full');
      sendError(conn, 'room-full', `room is full (${cx.maxPeers} participants)`);
      conn.socket.close(CloseCode.RoomFull, `room is full (${cx.maxPeers} participants)`);
      return;
    }
    const known =
      (this.#views.get(room)?.has(id) ?? false) || (claim !== undefined && members.some((m) => m.id === id && m.proc !== rec.proc));
    // A slot of the same id here (a second connection with the same claim) goes first: if it was
    // our last in the room, that takes the room's view with it (the join still holds the watch).
    const nameBefore = this.#views.get(room)?.get(id)?.name;
    const stale = this.slots.get(id);
    if (stale) this.drop(stale, false);
    const view = this.#views.get(room) ?? new Map<string, MemberRecord>();
    for (const m of members) {
      // Someone who joined through another process, whose announcement on the bus has not
      // reached us yet (replies and the bus come over different connections): our participants
      // hear of them now, as the view is what they have been told (the announcement then finds
      // them known and says nothing more).
      const fresh = !view.has(m.id) && m.id !== id;
      view.set(m.id, m);
      if (fresh) {
        this.#toLocal(room, () => joined(peerInfo(m)));
        this.#senderKnown(room, m.id);
      }
    }
    view.set(id, rec);
    this.#views.set(room, view);
    const slot = newSlot(peerInfo(rec), room, this.#secretFor(room, id), randomUUID().slice(0, 8));
    if (grant?.name !== undefined) slot.nameFixed = true;
    this.slots.set(id, slot);
    const set = this.#local.get(room) ?? new Set<Slot>();
    set.add(slot);
    this.#local.set(room, set);
    this.#joined(room);
    cx.metrics.participants = this.slots.size;
    cx.metrics.rooms = this.#local.size;
    this.#attach(slot, conn);
    if (claim) cx.metrics.resumes++;
    else cx.metrics.joins++;
    transmit(conn, this.#welcome(slot, claim !== undefined));
    if (known) {
      directory.publish(room, { kind: 'takeover', id, proc: rec.proc });
      // It may come back under a name it took while away (the others drop a 'renamed' that changes nothing).
      directory.publish(room, { kind: 'renamed', peer: rec });
      if (nameBefore !== undefined && nameBefore !== rec.name) this.#toLocal(room, () => renamed(slot.info), id);
    } else {
      directory.publish(room, { kind: 'joined', peer: rec });
      this.#toLocal(room, () => joined(slot.info), id);
    }
    cx.log(`${claim ? 'resume (new slot)' : 'join'} ${id} room=${JSON.stringify(room)} size=${view.size}`);
    // Closed while Redis admitted it: a goodbye (a tab closed at once) or a drop, as it said.
    if (conn.closed) this.connectionGone(conn, conn.closedWith);
  }

  /**
   * A valid signal: parsed and validated (`SignalMessage`), or checked over the bytes it came in
   * (`SignalFrame`, the hot path), whose `data` is then relayed as those bytes.
   */
  signal(conn: Conn, msg: SignalMessage | SignalFrame): void {
    const slot = conn.slot;
    if (!slot) return this.#cx.violation(conn, 'not-joined', 'join a room first');
    if (msg.seq === undefined) return this.#relay(conn, slot, msg);
    // One ahead of a lost one waits for it (the ack asks for it again), as a parsed message: what
    // waits holds no frame it came in (rare: a gap means a frame was lost on the way).
    if ('frame' in msg && msg.seq > slot.inbox.last + 1) msg = parsedSignal(msg);
    // A duplicate is dropped.
    const arrival = slot.inbox.accept(msg.seq!, msg);
    if (arrival !== 'apply') return this.#cx.delivery.ackSoon(slot);
    this.#cx.delivery.ackLater(slot);
    this.#relay(conn, slot, msg);
    for (let next = slot.inbox.next(); next !== undefined; next = slot.inbox.next()) this.#relay(conn, slot, next);
  }

  #relay(conn: Conn, slot: Slot, msg: SignalMessage | SignalFrame): void {
    const cx = this.#cx;
    if (msg.ack !== undefined) cx.delivery.acked(slot, msg.ack);
    // The common case first, in one lookup: a participant of this process in the same room (a
    // slot's room never changes, so this never crosses rooms; a local participant whom another
    // process has just announced as gone still gets it until its slot here is dropped).
    const dest = this.slots.get(msg.to);
    if (dest !== undefined && dest.room === slot.room && dest !== slot) {
      cx.metrics.relayed++;
      if ('frame' in msg) cx.delivery.signal(dest, slot.prefix, msg.frame, msg.start, msg.end);
      else cx.delivery.signal(dest, slot.prefix, Buffer.from(JSON.stringify(msg.data)));
      return;
    }
    // A peer in another room is as unknown as one that never existed.
    const target = this.#views.get(slot.room)?.get(msg.to);
    if (!target || msg.to === slot.info.id) return cx.violation(conn, 'unknown-peer', 'no such participant here');
    cx.metrics.relayed++;
    // A member on another process (or one that moved there): through the directory's bus.
    const data = 'frame' in msg ? parsedSignal(msg).data : msg.data;
    cx.directory().send(target.proc, slot.room, { kind: 'signal', from: slot.info.id, to: msg.to, data });
  }

  /**
   * `conn`'s participant takes the display name `name`: in the directory first, then everyone in
   * the room hears it (`peer-renamed`), the participant too, as its confirmation. No
   * reconnection: its peer connections go on. Refused when its room token set the name.
   */
  rename(conn: Conn, name: string): void {
    const slot = conn.slot;
    if (!slot) return this.#cx.violation(conn, 'not-joined', 'join a room first');
    name = clean(name);
    if (slot.nameFixed) {
      if (name === slot.info.name) return;
      // A valid request the room refuses, not a malformed frame: answered, not counted toward closing.
      this.#cx.metrics.refuse('forbidden');
      return sendError(conn, 'forbidden', 'your room token sets your name');
    }
    slot.wantName = name;
    this.#applyName(slot);
  }

  /** Gives `slot` the name it last asked for, one directory call at a time and at most `RENAME_RATE`. */
  #applyName(slot: Slot): void {
    if (slot.renaming || slot.renameTimer || slot.wantName === undefined || this.slots.get(slot.info.id) !== slot) return;
    if (slot.wantName === slot.info.name) return void (slot.wantName = undefined); // nothing to tell the room
    slot.renames ??= new TokenBucket(RENAME_RATE.perSecond, RENAME_RATE.burst);
    if (!slot.renames.take()) {
      slot.renameTimer = setTimeout(() => {
        slot.renameTimer = undefined;
        this.#applyName(slot);
      }, 1000 / RENAME_RATE.perSecond);
      slot.renameTimer.unref?.();
      return;
    }
    const name = slot.wantName;
    slot.wantName = undefined;
    slot.renaming = true;
    const directory = this.#cx.directory();
    directory.rename(slot.room, slot.info.id, directory.proc, name).then(
      (rec) => {
        slot.renaming = false;
        if (!rec || this.slots.get(rec.id) !== slot) return; // left or moved meanwhile
        slot.info = peerInfo(rec);
        this.#cx.metrics.renames++;
        this.#views.get(slot.room)?.set(rec.id, rec);
        directory.publish(slot.room, { kind: 'renamed', peer: rec });
        this.#toLocal(slot.room, () => renamed(slot.info));
        this.#applyName(slot);
      },
      (err) => {
        slot.renaming = false;
        slot.wantName ??= name; // asked again once Redis is back (resync)
        this.#cx.metrics.refuse('unavailable');
        const now = Date.now();
        if (now - this.#renameLoggedAt > 10_000) {
          this.#renameLoggedAt = now;
          this.#cx.log(`rename ${slot.info.id}: ${(err as Error).message} (renames wait for Redis)`);
        }
      },
    );
  }
  #renameLoggedAt = -Infinity;

  /** A standalone acknowledgement from `conn`'s participant. */
  ack(conn: Conn, seq: number): void {
    const slot = conn.slot;
    if (!slot) return this.#cx.violation(conn, 'not-joined', 'join a room first');
    if (!this.#cx.delivery.acked(slot, seq)) this.#cx.delivery.nudged(slot);
  }

  /**
   * The participant said goodbye: it leaves its room for everyone, and its connection stays
   * open, joined to nothing, so it may join again (another room or the same one, as a new
   * participant). True if it was in a room.
   */
  leave(conn: Conn): boolean {
    const slot = conn.slot;
    if (!slot) return false;
    // Detached first, so dropping the slot does not close the connection (as it does when the
    // participant resumed elsewhere), and nothing of the old slot (a retransmission, an
    // acknowledgement owed) goes out on it any more.
    slot.conn = null;
    conn.slot = undefined;
    conn.waitingBefore = undefined;
    this.drop(slot, true);
    return true;
  }

  /** `conn` closed with `code`: a goodbye, or a drop its participant may come back from. */
  connectionGone(conn: Conn, code = 1006): void {
    const slot = conn.slot;
    if (!slot || slot.conn !== conn) return;
    slot.conn = null;
    conn.slot = undefined;
    if (this.#cx.stopping()) return; // the slot lives on in the directory for another process to take over
    // A clean close from the client (tab closed, page left) is a goodbye, and so is a refusal by
    // this server (the client does not come back from those); anything else may come back.
    if (code === 1000 || code === 1001 || code === 1005 || code === CloseCode.PolicyViolation || code === CloseCode.TooBig) {
      return this.drop(slot, true);
    }
    // Keep the slot (and its undelivered messages) for the participant to come back.
    slot.graceTimer = setTimeout(() => this.drop(slot, true), this.#cx.graceMs);
    slot.graceTimer.unref?.();
  }

  /** Stops every grace timer (the server is closing). */
  close(): void {
    clearInterval(this.#turnTimer);
    for (const { timer } of this.#unknownSenders.values()) clearTimeout(timer);
    this.#unknownSenders.clear();
    for (const slot of this.slots.values()) {
      clearTimeout(slot.graceTimer);
      clearTimeout(slot.renameTimer);
    }
  }
}
