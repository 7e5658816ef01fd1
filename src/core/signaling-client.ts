/**
 * Joins a room over a transport, keeps the participant in it across dropped connections, and
 * turns its messages into events: `peer-joined`, `peer-left`, `peer-renamed`, `signal`, `reconnecting`,
 * `reconnected` and `closed`. One client per join; it is not reused after `close()`.
 *
 * When the connection drops, the client reconnects with backoff (about 0, 0.3, 1.2, 2.7, 4.8 s,
 * then every 7 s), trying each transport factory in order, and resumes its slot with the secret
 * from its welcome. Signals are numbered: the server applies each once and in order, and so does
 * the client; what was sent while down is flushed in order once back. A refusal (bad token,
 * forbidden origin, full room) is never retried; after `reconnectTimeoutMs` the client gives up.
 */
import {
  CloseCode,
  MAX_NAME_LENGTH,
  PROTOCOL_VERSION,
  REFUSAL_CODES,
  type ErrorMessage,
  type JoinMessage,
  type PeerInfo,
  type ServerMessage,
  type SignalData,
  type SignalMessage,
  type WelcomeMessage,
  type WireIceServer,
} from '../protocol/messages.js';
import { Inbox, Outbox } from '../protocol/sequencing.js';
import { backoffDelay } from './backoff.js';
import type { SignalingTransport, TransportClose } from './signaling-transport.js';
import { within } from './within.js';

/** A refusal or failure from the signaling layer, with a stable code. */
export class SignalingError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SignalingError';
  }
}

/** Fired for a participant entering the room. */
export class PeerJoinedEvent extends Event {
  constructor(readonly peer: PeerInfo) {
    super('peer-joined');
  }
}
/** Fired for a participant leaving the room. */
export class PeerLeftEvent extends Event {
  constructor(readonly id: string) {
    super('peer-left');
  }
}
/** Fired when a participant (this one too: the server's confirmation) has a new display name. */
export class PeerRenamedEvent extends Event {
  constructor(readonly peer: PeerInfo) {
    super('peer-renamed');
  }
}
/** Fired for a signal relayed from another participant. */
export class SignalEvent extends Event {
  constructor(
    readonly from: string,
    readonly data: SignalData,
  ) {
    super('signal');
  }
}
/** Fired when the connection dropped and the client starts reconnecting. */
export class ReconnectingEvent extends Event {
  constructor(readonly info: TransportClose) {
    super('reconnecting');
  }
}
/**
 * Fired when the client is back in its room. With `welcome.resumed` it is the same participant
 * (same id); otherwise the server could not resume it and it joined afresh with a new id.
 */
export class ReconnectedEvent extends Event {
  constructor(readonly welcome: WelcomeMessage) {
    super('reconnected');
  }
}
/** Fired when signaling ended for good without `close()`: a refusal, or reconnection gave up. */
export class ClosedEvent extends Event {
  constructor(
    readonly info: TransportClose,
    readonly error: SignalingError,
  ) {
    super('closed');
  }
}
/** Fired with fresh STUN/TURN servers from the server, before the welcome's credentials expire. */
export class IceServersEvent extends Event {
  constructor(readonly iceServers: WireIceServer[]) {
    super('ice-servers');
  }
}
/** Fired when the server refused a frame of ours after the join. */
export class ServerErrorEvent extends Event {
  constructor(readonly error: ErrorMessage) {
    super('server-error');
  }
}

/** Where the client connects and how hard it tries. */
export interface SignalingClientOptions {
  /** Room token, asked for before every (re)connection: tokens expire, calls outlive them. */
  token?: () => string | undefined | Promise<string | undefined>;
  /** Gives up reconnecting after this long without a connection, ms (default 60,000). */
  reconnectTimeoutMs?: number;
  /** Delay before reconnection attempt `n`, ms (default: `backoffDelay`). */
  backoff?: (attempt: number) => number;
  /** Unacknowledged signals go out again after this long, ms (default 1500). */
  retransmitMs?: number;
}

const REFUSALS: Record<number, [string, string]> = {
  [CloseCode.InvalidToken]: ['invalid-token', 'The signaling server refused the room token'],
  [CloseCode.ForbiddenOrigin]: ['forbidden-origin', 'The signaling server does not accept this page’s origin'],
  [CloseCode.RoomFull]: ['room-full', 'The room is full'],
  [CloseCode.PolicyViolation]: ['policy-violation', 'The signaling server closed the connection (policy violation)'],
  [CloseCode.TooBig]: ['too-big', 'The signaling server closed the connection (message too big)'],
};

/** A refusal's error, or null for a close worth retrying. */
function refusal(info: TransportClose): SignalingError | null {
  if (!REFUSAL_CODES.has(info.code)) return null;
  const [code, text] = REFUSALS[info.code] ?? ['refused', 'The signaling server refused the connection'];
  return new SignalingError(code, info.reason ? `${text}: ${info.reason}.` : `${text}.`);
}

/** How long a first join keeps trying a server that answered "come back" (`COME_BACK`), ms. */
const FIRST_JOIN_RETRY_MS = 15_000;

/** Closes by which a live server asks to be tried again: draining, full, Redis away, no join in time (and an `unavailable` error frame). */
const COME_BACK: ReadonlySet<number> = new Set([CloseCode.Reconnect, CloseCode.ServerFull, CloseCode.TryAgainLater, CloseCode.JoinTimeout]);

/** How long an acknowledgement may wait for a signal of ours to ride on, ms. */
const ACK_DELAY_MS = 1000;

/** The longest one connect-and-join attempt (token, connection, welcome) may take, ms. */
const ATTEMPT_MS = 10_000;

/**
 * A display name as the server accepts it: control characters (a pasted newline, a tab) made
 * spaces, at most 64 UTF-16 units, and no half of an emoji cut at the end.
 */
const cleanName = (name: string | undefined) =>
  // eslint-disable-next-line no-control-regex
  name?.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, MAX_NAME_LENGTH).replace(/[\uD800-\uDBFF]$/, '') || undefined;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** The outcome of one connect-and-join attempt. */
type Attempt = { ok: true; welcome: WelcomeMessage } | { ok: false; info: TransportClose; error: SignalingError };

/** Joins one room through one or more transports (tried in order), and stays in it. */
export class SignalingClient extends EventTarget {
  readonly #factories: (() => SignalingTransport)[];
  readonly #opts: SignalingClientOptions;
  #transport: SignalingTransport | null = null;
  #connected = false;
  #closed = false;
  #abort = new AbortController();
  #room = '';
  #name?: string;
  /** `rename()` was called: a welcome with another name (a rename lost in a drop) gets it again. */
  #renamed = false;
  #id?: string;
  #secret?: string;
  #epoch?: string;
  #outbox = new Outbox<SignalMessage>(1024);
  #inbox = new Inbox<ServerMessage>();
  /** The highest of our seq numbers that ever went onto a connection. */
  #transmitted = 0;
  #ackTimer?: ReturnType<typeof setTimeout>;
  /** When an acknowledgement became owed to the server (-1: none owed). */
  #ackOwedSince = -1;
  #retransmitTimer?: ReturnType<typeof setInterval>;
  #lastNudge = 0;
  #reconnecting = false;
  /** When the server last sent us anything. */
  #heardAt = 0;

  /**
   * @param transports a transport, or factories of transports (one per server URL), tried in
   *   order on every (re)connection. A single transport instance cannot reconnect.
   */
  constructor(transports: SignalingTransport | (() => SignalingTransport) | (() => SignalingTransport)[], opts: SignalingClientOptions = {}) {
    super();
    this.#opts = opts;
    if (Array.isArray(transports)) this.#factories = transports;
    else if (typeof transports === 'function') this.#factories = [transports];
    else {
      let used = false;
      this.#factories = [
        () => {
          if (used) throw new SignalingError('signaling-lost', 'this transport cannot reconnect');
          used = true;
          return transports;
        },
      ];
    }
    if (this.#factories.length === 0) throw new SignalingError('not-configured', 'no signaling transport');
  }

  /** Our server-assigned id, once joined. */
  get id(): string | undefined {
    return this.#id;
  }

  /** Whether a connection is up and joined right now. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Connects (trying each transport in order) and joins `room`; resolves with the server's welcome. */
  async join(room: string, name?: string): Promise<WelcomeMessage> {
    this.#room = room;
    this.#name = cleanName(name);
    let last: Attempt | undefined;
    const deadline = Date.now() + FIRST_JOIN_RETRY_MS;
    const delay = this.#opts.backoff ?? ((n: number) => backoffDelay(n));
    for (let round = 0; !this.#closed; round++) {
      for (let i = 0; i < this.#factories.length && !this.#closed; i++) {
        last = await this.#attempt(i);
        if (last.ok && this.#closed) break; // left as the welcome came: close() said goodbye on it
        if (last.ok) {
          this.#adopt(last.welcome);
          this.#retransmitTimer = setInterval(() => this.#retransmitIfOverdue(), 500);
          return last.welcome;
        }
        if (REFUSAL_CODES.has(last.info.code) || last.error.code === 'room-full') throw last.error;
      }
      // A server that answered "come back" (draining for a restart, at its connection cap, Redis
      // away) is tried again for a while; one that cannot be reached fails now, as the page
      // should say so rather than spin.
      const comeBack = last && !last.ok && (COME_BACK.has(last.info.code) || last.error.code === 'unavailable');
      if (!comeBack || Date.now() >= deadline) break;
      await sleep(Math.min(delay(round + 1), Math.max(0, deadline - Date.now())), this.#abort.signal);
    }
    if (this.#closed) throw new SignalingError('aborted', 'left before the join completed');
    throw last && !last.ok ? last.error : new SignalingError('signaling-unreachable', 'no signaling server');
  }

  /** Relays `data` to participant `to`; queued while reconnecting and sent in order once back. */
  signal(to: string, data: SignalData): void {
    if (this.#closed) return;
    const message = this.#outbox.push((seq) => ({ v: PROTOCOL_VERSION, type: 'signal', to, data, seq }));
    if (this.#connected) this.#send(message);
  }

  /**
   * Asks for a new display name in the room, kept for reconnections; everyone hears
   * `peer-renamed`, this client too once the server has it.
   */
  rename(name: string): void {
    if (this.#closed) return;
    name = cleanName(name) ?? '';
    this.#name = name;
    this.#renamed = true;
    if (this.#connected) this.#transport?.send({ v: PROTOCOL_VERSION, type: 'rename', name });
  }

  /** Says goodbye and closes the transport. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    clearTimeout(this.#ackTimer);
    clearInterval(this.#retransmitTimer);
    const t = this.#transport;
    this.#transport = null;
    this.#connected = false;
    if (t) {
      t.send({ v: PROTOCOL_VERSION, type: 'leave' });
      t.close();
    }
  }

  // ---- one connection ----------------------------------------------------------------------

  /** Opens transport `index`, sends the join (or resume) and waits for the welcome or a refusal. */
  async #attempt(index: number, deadline = Date.now() + ATTEMPT_MS): Promise<Attempt> {
    let transport: SignalingTransport;
    try {
      transport = this.#factories[index]();
    } catch (err) {
      const error = err instanceof SignalingError ? err : new SignalingError('signaling-unreachable', String(err));
      return { ok: false, info: { code: 1006, reason: '' }, error };
    }
    // Token, connection and welcome together get a bounded time: a getToken() or a server that
    // never answers must not hold the (re)connection loop past its deadline.
    const limit = Math.max(0, Math.min(ATTEMPT_MS, deadline - Date.now()));
    let token: string | undefined;
    try {
      token = this.#opts.token ? await within(Promise.resolve(this.#opts.token()), limit, 'getToken() did not answer in time') : undefined;
    } catch (err) {
      return { ok: false, info: { code: 1006, reason: '' }, error: new SignalingError('token-failed', `Could not get a room token: ${(err as Error)?.message ?? err}`) };
    }
    // Left while the token was being fetched: the abort has fired already, so do not connect
    // (a join sent now would put a participant nobody owns in the room).
    if (this.#abort.signal.aborted) {
      return { ok: false, info: { code: 1000, reason: '' }, error: new SignalingError('aborted', 'left before the join completed') };
    }
    return new Promise<Attempt>((resolve) => {
      let settled = false;
      const settle = (a: Attempt) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#abort.signal.removeEventListener('abort', onAbort);
        if (!a.ok) {
          transport.onmessage = transport.onclose = undefined;
          // A goodbye when leaving, or when the place it may have made is one we could not claim
          // (a first join: no id yet). A resume that ran out of time keeps its place: a goodbye
          // would cost this participant the place the server was giving back.
          if (a.error.code === 'aborted' || !this.#secret) transport.close();
          else transport.close(CloseCode.Dropped, 'giving up on this attempt');
        }
        resolve(a);
      };
      const onAbort = () =>
        settle({ ok: false, info: { code: 1000, reason: '' }, error: new SignalingError('aborted', 'left before the join completed') });
      this.#abort.signal.addEventListener('abort', onAbort, { once: true });
      transport.onerror = (err) => console.warn('[rtc-elements]', err.message);
      transport.onclose = (info) =>
        settle({
          ok: false,
          info,
          error: refusal(info) ?? new SignalingError('signaling-closed', 'signaling closed before the join completed'),
        });
      transport.onmessage = (m) => {
        if (m.type === 'welcome') {
          this.#transport = transport;
          transport.onmessage = (msg) => this.#onMessage(msg);
          transport.onclose = (info) => this.#onLost(transport, info);
          settle({ ok: true, welcome: m });
        } else if (m.type === 'error') {
          settle({ ok: false, info: { code: 4000, reason: m.message }, error: new SignalingError(m.code, m.message) });
        }
      };
      const timer = setTimeout(
        () => settle({ ok: false, info: { code: 1006, reason: '' }, error: new SignalingError('signaling-timeout', 'The signaling server did not answer in time.') }),
        Math.max(limit, 1000),
      );
      transport.connect().then(
        () => {
          if (settled) return;
          const join: JoinMessage = { v: PROTOCOL_VERSION, type: 'join', room: this.#room };
          if (this.#name) join.name = this.#name;
          if (token) join.token = token;
          if (this.#id && this.#secret) {
            join.resume = { id: this.#id, secret: this.#secret };
            join.ack = this.#inbox.last;
          }
          transport.send(join);
        },
        (err: Error) =>
          settle({ ok: false, info: { code: 1006, reason: '' }, error: new SignalingError('signaling-unreachable', err.message) }),
      );
    });
  }

  /** Takes a welcome: the first one, or one after reconnecting. */
  #adopt(welcome: WelcomeMessage): void {
    const sameSlot = welcome.resumed === true && welcome.id === this.#id && welcome.epoch === this.#epoch;
    if (sameSlot) {
      // The server kept our slot: resend what it has not applied, in order; it replays to us.
      this.#outbox.ack(welcome.ack ?? 0);
    } else {
      // A new numbering (fresh join, restarted server, or another process took us over). What
      // never went out is renumbered and sent; what went out unacknowledged may have been
      // applied already, and applying it twice is worse than losing it, so it is dropped.
      const unsent = this.#outbox.after(this.#transmitted);
      this.#outbox.reset();
      this.#inbox.reset();
      this.#transmitted = 0;
      const fresh = welcome.id !== this.#id;
      if (!fresh) for (const m of unsent) this.#outbox.push((seq) => ({ ...m, seq }));
    }
    this.#id = welcome.id;
    this.#secret = welcome.resume;
    this.#epoch = welcome.epoch;
    this.#connected = true;
    this.#heardAt = performance.now();
    // A rename the server never got (asked while joining, or lost when the socket dropped).
    if (this.#renamed && this.#name !== undefined && welcome.name !== this.#name) {
      this.#transport?.send({ v: PROTOCOL_VERSION, type: 'rename', name: this.#name });
    }
    for (const m of this.#outbox.after(this.#outbox.acked)) this.#send(m);
  }

  #send(message: SignalMessage): void {
    // Piggyback our acknowledgement: no separate ack frame is owed then.
    if (this.#inbox.last > 0) {
      message = { ...message, ack: this.#inbox.last };
      this.#inbox.ackDue = false;
      this.#ackOwedSince = -1;
    }
    this.#transport?.send(message);
    if (message.seq !== undefined && message.seq > this.#transmitted) this.#transmitted = message.seq;
  }

  #onMessage(m: ServerMessage): void {
    this.#heardAt = performance.now();
    if (m.type === 'ice-servers') {
      this.dispatchEvent(new IceServersEvent(m.iceServers));
      return;
    }
    if (m.type !== 'ack' && m.type !== 'welcome' && m.type !== 'error' && m.ack !== undefined) this.#outbox.ack(m.ack);
    if (m.type === 'ack') {
      const advanced = this.#outbox.ack(m.seq);
      // An ack that does not advance while we wait on some: the server saw a gap; resend now.
      if (!advanced && this.#outbox.size > 0 && performance.now() - this.#lastNudge > 500) {
        this.#lastNudge = performance.now();
        for (const s of this.#outbox.after(this.#outbox.acked)) this.#send(s);
      }
      return;
    }
    if (m.type === 'error' || m.type === 'welcome') {
      if (m.type === 'error') this.dispatchEvent(new ServerErrorEvent(m));
      return;
    }
    if (m.seq === undefined) return this.#apply(m);
    const { arrival, ready } = this.#inbox.receive(m.seq, m);
    if (this.#ackOwedSince < 0) this.#ackOwedSince = performance.now();
    // In order: acknowledge lazily (usually piggybacked on our next signal); on a gap, at once.
    this.#scheduleAck(arrival === 'apply' ? ACK_DELAY_MS : 0);
    for (const r of ready) this.#apply(r);
  }

  #apply(m: ServerMessage): void {
    switch (m.type) {
      case 'peer-joined':
        this.dispatchEvent(new PeerJoinedEvent(m.peer));
        return;
      case 'peer-left':
        this.dispatchEvent(new PeerLeftEvent(m.id));
        return;
      case 'peer-renamed':
        this.dispatchEvent(new PeerRenamedEvent(m.peer));
        return;
      case 'signal':
        this.dispatchEvent(new SignalEvent(m.from, m.data));
        return;
    }
  }

  #scheduleAck(delay: number): void {
    if (this.#ackTimer !== undefined && delay > 0) return;
    clearTimeout(this.#ackTimer);
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = undefined;
      if (!this.#connected || !this.#inbox.ackDue) return;
      // Owed since more recently than the delay (an ack rode on a signal meanwhile): wait until
      // it is that old, for another signal to ride on.
      const waited = performance.now() - this.#ackOwedSince;
      if (delay > 0 && this.#ackOwedSince >= 0 && waited < delay) return this.#scheduleAck(delay - waited);
      this.#inbox.ackDue = false;
      this.#ackOwedSince = -1;
      this.#transport?.send({ v: PROTOCOL_VERSION, type: 'ack', seq: this.#inbox.last });
    }, delay);
  }

  #retransmitIfOverdue(): void {
    if (!this.#connected) return;
    const every = this.#opts.retransmitMs ?? 1500;
    // Signals of ours waiting and not a frame from the server for several rounds: the socket is
    // dead though not closed (half-open after a network switch). Drop it and reconnect.
    const t = this.#transport;
    if (t && this.#outbox.size > 0 && performance.now() - this.#heardAt > 4 * every) {
      t.onmessage = t.onclose = undefined;
      // Not a goodbye: a server that was only slow keeps our place, and we come back as ourselves.
      t.close(CloseCode.Dropped, 'stopped answering');
      return this.#onLost(t, { code: 1006, reason: 'the signaling server stopped answering' });
    }
    if (!this.#outbox.overdue(Date.now(), every)) return;
    for (const m of this.#outbox.after(this.#outbox.acked)) this.#send(m);
  }

  // ---- reconnection ------------------------------------------------------------------------

  #onLost(transport: SignalingTransport, info: TransportClose): void {
    if (this.#transport !== transport || this.#closed) return;
    this.#transport = null;
    this.#connected = false;
    const refused = refusal(info);
    if (refused) return this.#giveUp(info, refused);
    if (!this.#reconnecting) void this.#reconnect(info);
  }

  async #reconnect(info: TransportClose): Promise<void> {
    this.#reconnecting = true;
    this.dispatchEvent(new ReconnectingEvent(info));
    const deadline = Date.now() + (this.#opts.reconnectTimeoutMs ?? 60_000);
    const delay = this.#opts.backoff ?? ((n: number) => backoffDelay(n));
    // Told to go away (server restarting): try the other servers first.
    let first = info.code === CloseCode.Reconnect && this.#factories.length > 1 ? 1 : 0;
    let last: Attempt = { ok: false, info, error: new SignalingError('signaling-lost', 'Lost the connection to the signaling server.') };
    for (let attempt = 0; !this.#closed; attempt++) {
      await sleep(Math.min(delay(attempt), Math.max(0, deadline - Date.now())), this.#abort.signal);
      if (this.#closed) return;
      for (let k = 0; k < this.#factories.length && !this.#closed; k++) {
        last = await this.#attempt((first + k) % this.#factories.length, deadline);
        if (this.#closed) return;
        if (last.ok) {
          this.#reconnecting = false;
          this.#adopt(last.welcome);
          this.dispatchEvent(new ReconnectedEvent(last.welcome));
          return;
        }
        const refused = refusal(last.info) ?? (last.error.code === 'room-full' ? last.error : null);
        if (refused) return this.#giveUp(last.info, refused);
      }
      first = 0;
      if (Date.now() >= deadline) break;
    }
    if (this.#closed) return;
    this.#giveUp(
      last.ok ? info : last.info,
      new SignalingError('signaling-lost', 'Lost the connection to the signaling server and could not get it back.'),
    );
  }

  #giveUp(info: TransportClose, error: SignalingError): void {
    this.#reconnecting = false;
    this.#closed = true;
    clearTimeout(this.#ackTimer);
    clearInterval(this.#retransmitTimer);
    this.dispatchEvent(new ClosedEvent(info, error));
  }
}
