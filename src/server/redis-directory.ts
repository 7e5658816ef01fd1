/**
 * Room membership in Redis, so several server processes share rooms. Each room is a hash
 * `rtc:room:{<room>}` (id → member record) and a pub/sub channel `rtc:bus:{<room>}` for its
 * events; signals go to the channel of the recipient's process, `rtc:to:{<id>}`. Each process keeps
 * `rtc:proc:<id>` alive with a short expiry. A process that vanished (killed, crashed)
 * leaves records behind: the others keep them for the resume grace period, so its clients can
 * come back through another process as the same participants, then remove them and announce it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { BusOutbox } from './bus-outbox.js';
import { Cluster, Redis } from 'ioredis';
import { connectRedis, type RedisLink, type RedisTarget } from './redis-connection.js';
export { describeRedis } from './redis-connection.js';
import { DEPARTED_MS, isBusEvent, type BusEvent, type Directory, type MemberRecord, type SignalEvent } from './directory.js';

// A room's keys and channel carry it as a hash tag (`{…}`), so in a Cluster they live on one
// node and one script may touch them all. Encoded: a brace in the room's name would end the tag
// early (or leave it empty, and then the whole key is hashed).
const TAG = (room: string) => `{${encodeURIComponent(room)}}`;
const ROOM = (room: string) => `rtc:room:${TAG(room)}`;
const BUS_PREFIX = 'rtc:bus:';
const BUS = (room: string) => `${BUS_PREFIX}${TAG(room)}`;
const roomOfBus = (channel: string) => decodeURIComponent(channel.slice(BUS_PREFIX.length + 1, -1));
const PROC = (proc: string) => `rtc:proc:${proc}`;
/** Each process's own channel: signals for its participants (PUBLISH then says whether it heard). */
const INBOX = (proc: string) => `rtc:to:{${proc}}`;
/** Who left `room` lately: a sorted set of ids, scored by when each is forgotten. */
const DEPARTED = (room: string) => `rtc:left:${TAG(room)}`;
/** Most leaves remembered per room (15 minutes of more than ten a second). */
const DEPARTED_CAP = 10_000;
const KEY = 'rtc:resume-key';
/** How long a received signal's number is remembered: past the sender's hold (5 s) and a reconnection. */
const DEDUPE_MS = 30_000;

// Admit atomically: the capacity check and the write must not interleave with another process's.
// A room nobody joined for a day expires, so records of a room that vanished with its last process go.
const ADMIT = `
local n = redis.call('HLEN', KEYS[1])
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and n >= tonumber(ARGV[3]) then return nil end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], 86400000)
return redis.call('HGETALL', KEYS[1])`;

// Remove (only the record of the process named: not one that has meanwhile resumed elsewhere)
// and remember the announced leave, in one step: whoever removed it is the one to announce it.
// Leaves are remembered in one sorted set per room, trimmed of the forgotten and capped, so that
// join-and-leave churn cannot grow Redis (one key per leave did, 15 minutes each).
const REMOVE = `
local rec = redis.call('HGET', KEYS[1], ARGV[1])
if not rec then return 0 end
local ok, parsed = pcall(cjson.decode, rec)
if not ok or type(parsed) ~= 'table' or parsed.proc ~= ARGV[3] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
local now = tonumber(ARGV[4])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[5]) + 1))
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1`;

// Rename only the record of the process named (not one that has meanwhile resumed elsewhere or
// left): the new record, or nil.
const RENAME = `
local rec = redis.call('HGET', KEYS[1], ARGV[1])
if not rec then return nil end
local ok, parsed = pcall(cjson.decode, rec)
if not ok or type(parsed) ~= 'table' or parsed.proc ~= ARGV[2] then return nil end
parsed.name = ARGV[3]
rec = cjson.encode(parsed)
redis.call('HSET', KEYS[1], ARGV[1], rec)
return rec`;

/** A stored member record (JSON), or undefined if it is not one of ours. */
function record(text: string): MemberRecord | undefined {
  try {
    const r = JSON.parse(text) as MemberRecord | null;
    return r && typeof r === 'object' && typeof r.id === 'string' && typeof r.proc === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Member records as stored, skipping any not written by us. */
const records = (texts: string[]): MemberRecord[] => texts.map(record).filter((r) => r !== undefined);

/** `promise`, or a rejection once `ms` have passed. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no reply in ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Options of the Redis directory. */
export interface RedisDirectoryOptions {
  /** How long a vanished process's participants are kept for resume, ms. */
  graceMs: number;
  /** How often liveness is refreshed and vanished processes are swept, ms. */
  sweepMs?: number;
  log?: (line: string) => void;
}

/** Shares rooms between processes through Redis. */
export class RedisDirectory implements Directory {
  readonly proc = randomUUID().slice(0, 8);
  onEvent?: (room: string, event: BusEvent) => void;
  onResync?: () => void;
  onLocate?: (room: string, id: string) => string | undefined;
  onSignalsLost?: (count: number) => void;
  #pub: RedisLink;
  /** Commands (the publishing link's client). */
  #cmd: RedisLink['client'];
  /** Signals for other processes until heard; held up to 5 s (the kit's client gives a lost offer 10). */
  #outbox = new BusOutbox({
    // Not while reconnecting: ioredis would queue it past the hold (and resend it after a reply lost).
    // A reply that has not come in a second counts as not heard (a half-open socket, a Cluster
    // node failing over): sent again, and the receiver drops it if the first did arrive.
    publish: (proc, texts) =>
      this.#cmd.status === 'ready'
        ? within(1000, this.#pub.publish(INBOX(proc), `{"origin":${JSON.stringify(this.proc)},"signals":[${texts.join(',')}]}`))
        : Promise.reject(new Error('not connected')),
    locate: (room, id) => this.onLocate?.(room, id),
    holdMs: 5000,
    retryMs: 100,
    maxBytes: 8 << 20,
    batchBytes: 256 << 10,
    onLost: (n) => this.onSignalsLost?.(n),
  });
  /** This process's signals, numbered, so a receiver drops one it already has (sent again after a lost reply). */
  #sent = 0;
  /** Signals received (`origin:n`) and when, oldest first, for `DEDUPE_MS`. */
  #seen = new Map<string, number>();
  #sub: RedisLink;
  #watched = new Map<string, Promise<void>>();
  #deadSince = new Map<string, number>();
  #timer: ReturnType<typeof setInterval>;
  #opts: RedisDirectoryOptions;
  #closed = false;

  constructor(target: RedisTarget, opts: RedisDirectoryOptions) {
    this.#opts = opts;
    const sweepMs = opts.sweepMs ?? 2000;
    // A connection silent for a sweep interval after a command is taken for dead and made again,
    // so a process whose connection was dropped without a word (a NAT, a load balancer) is back
    // before its liveness key (three intervals) runs out and it is swept.
    const deadAfterMs = sweepMs;
    // A write refused with READONLY: the address now leads to the new master. The subscriber,
    // which never writes, is on the old one too (a replica now, which still passes on what is
    // published, but whose subscribers the new master's PUBLISH does not count): move it as well.
    this.#pub = connectRedis(target, `rtc-signal:${this.proc}:pub`, {
      deadAfterMs,
      onReadOnly: () => {
        if (this.#sub.client instanceof Redis) this.#sub.client.disconnect(true);
      },
    });
    this.#sub = connectRedis(target, `rtc-signal:${this.proc}:sub`, { forSubscriptions: true, deadAfterMs });
    this.#cmd = this.#pub.client;
    // While Redis is away every connection fails an attempt a second: each error once per 10 s.
    const logged = new Map<string, number>();
    const logError = (err: Error) => {
      const line = `redis: ${err.message}`;
      const now = Date.now();
      if (now - (logged.get(line) ?? -Infinity) < 10_000) return;
      if (logged.size > 100) logged.clear();
      logged.set(line, now);
      opts.log?.(line);
    };
    for (const r of [this.#pub.client, this.#sub.client]) r.on('error', logError);
    this.#sub.onMessage((channel, text) => this.#onMessage(channel, text));
    // After the first connection, a 'ready' is a reconnection: what was published meanwhile is
    // lost to us, and a long enough break got us swept as a vanished process. Catch up.
    const again = (emitter: NodeJS.EventEmitter, event: string) => {
      let first = true;
      emitter.on(event, () => {
        if (first) first = false;
        else void this.#resync(sweepMs);
      });
    };
    for (const r of [this.#pub.client, this.#sub.client]) again(r, 'ready');
    // In a Cluster one node can fail over while the whole stays ready: its subscriptions come
    // back on the new master ('subscribersReady'), but what its channels carried meanwhile is lost.
    if (this.#sub.client instanceof Cluster) again(this.#sub.client, 'subscribersReady');
    void this.#alive(sweepMs);
    this.#timer = setInterval(() => {
      void this.#alive(sweepMs);
      // The subscriber sends nothing of its own: a PING lets a dead one show (deadAfterMs), and
      // keeps a quiet one from being dropped as idle (managed Redis, load balancers).
      if (this.#sub.client instanceof Redis && this.#sub.client.status === 'ready') void this.#sub.client.ping().catch(() => {});
      void this.#sub.repairSubscriptions?.().then(
        (repaired) => repaired && opts.log?.('redis: sharded subscriptions were lost after a failover; made again'),
        (err: Error) => opts.log?.(`redis: sharded subscriptions: ${err.message}`),
      );
      void this.#sweep().catch((err) => opts.log?.(`redis sweep: ${(err as Error).message}`));
    }, sweepMs);
    this.#timer.unref();
  }

  /**
   * Resolves once both connections are ready, however long Redis takes to come up (a server
   * started beside it must not give up after a couple of tries and leave its rooms broken).
   */
  async ready(): Promise<void> {
    await Promise.all(
      [this.#pub.client, this.#sub.client].map((r) =>
        r.status === 'ready' ? undefined : new Promise<void>((resolve) => r.once('ready', () => resolve())),
      ),
    );
    // Until it is heard on its own channel, signals for this process are held by their senders.
    for (;;) {
      try {
        await this.#sub.subscribe([INBOX(this.proc)]);
        return;
      } catch (err) {
        if (this.#closed) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  #alive(sweepMs: number) {
    return this.#cmd.set(PROC(this.proc), '1', 'PX', sweepMs * 3).catch(() => {});
  }

  async admit(room: string, rec: MemberRecord, max: number): Promise<MemberRecord[] | null> {
    const args = [rec.id, JSON.stringify(rec), String(max)];
    let flat = (await this.#cmd.eval(ADMIT, 1, ROOM(room), ...args)) as string[] | null;
    // Full, perhaps of members whose process died when no live process had anyone left in the
    // room to sweep them (nobody watches it): they would keep it full for a day. They go now,
    // and the join is tried again.
    if (flat === null && (await this.#sweepVanished(room)) > 0) flat = (await this.#cmd.eval(ADMIT, 1, ROOM(room), ...args)) as string[] | null;
    return flat && records(flat.filter((_, i) => i % 2 === 1)); // HGETALL: id, record, id, record…
  }

  /**
   * Removes the members of `room` whose process is no longer alive (its liveness key ran out,
   * three sweep intervals after its last sign of life), announcing each leave; returns how many.
   * No grace period here, unlike the sweep of a watched room: a participant of that process that
   * still comes back is asked to join again as someone new (4012), as after any sweep.
   */
  async #sweepVanished(room: string): Promise<number> {
    let removed = 0;
    for (const [id, text] of Object.entries(await this.#cmd.hgetall(ROOM(room)))) {
      const rec = record(text);
      if (!rec || rec.proc === this.proc || (await this.#cmd.exists(PROC(rec.proc))) === 1) continue;
      if (await this.remove(room, id, rec.proc)) {
        removed++;
        this.#opts.log?.(`swept ${id} of vanished process ${rec.proc} from full room ${JSON.stringify(room)}`);
        this.publish(room, { kind: 'left', id });
        this.onEvent?.(room, { kind: 'left', id });
      }
    }
    return removed;
  }

  async remove(room: string, id: string, proc: string): Promise<boolean> {
    const args = [id, String(DEPARTED_MS), proc, String(Date.now()), String(DEPARTED_CAP)];
    return (await this.#cmd.eval(REMOVE, 2, ROOM(room), DEPARTED(room), ...args)) === 1;
  }

  async rename(room: string, id: string, proc: string, name: string): Promise<MemberRecord | null> {
    const text = (await this.#cmd.eval(RENAME, 1, ROOM(room), id, proc, name)) as string | null;
    return (text && record(text)) || null;
  }

  async departed(room: string, id: string): Promise<boolean> {
    const until = await this.#cmd.zscore(DEPARTED(room), id);
    return until !== null && Number(until) > Date.now();
  }

  async members(room: string): Promise<MemberRecord[]> {
    return records(Object.values(await this.#cmd.hgetall(ROOM(room))));
  }

  /** Back after a break: alive again, subscribed again, then the rooms catch up (`onResync`). */
  async #resync(sweepMs: number): Promise<void> {
    if (this.#pub.client.status !== 'ready' || this.#sub.client.status !== 'ready') return; // the other one's 'ready' will do it
    try {
      await this.#alive(sweepMs);
      // ioredis subscribes again on its own; asking here makes sure it is done before we read.
      await this.#sub.subscribe([INBOX(this.proc), ...[...this.#watched.keys()].map(BUS)]);
      await this.#sub.settled?.();
    } catch (err) {
      this.#opts.log?.(`redis resync: ${(err as Error).message}`);
      return;
    }
    this.#opts.log?.('redis: reconnected; catching up with the rooms');
    this.onResync?.();
  }

  publish(room: string, event: BusEvent): void {
    void this.#pub.publish(BUS(room), JSON.stringify({ origin: this.proc, event })).catch(() => {});
  }

  send(proc: string, room: string, event: SignalEvent): void {
    this.#outbox.send(proc, { room, to: event.to, text: JSON.stringify({ ...event, room, n: ++this.#sent }) });
  }

  watch(room: string): Promise<void> {
    // A second join while the first's subscription is on its way waits for it too: admitted
    // before it lands, it could miss what the room publishes meanwhile.
    let subscribed = this.#watched.get(room);
    if (!subscribed) {
      subscribed = this.#sub.subscribe([BUS(room)]).then(
        () => {},
        (err) => {
          if (this.#watched.get(room) === subscribed) this.#watched.delete(room); // a later join tries again
          throw err;
        },
      );
      this.#watched.set(room, subscribed);
    }
    return subscribed;
  }

  unwatch(room: string): void {
    if (!this.#watched.delete(room)) return;
    void this.#sub.unsubscribe(BUS(room)).catch(() => {});
  }

  async sharedKey(): Promise<string> {
    await this.#cmd.set(KEY, randomBytes(32).toString('base64url'), 'NX');
    return (await this.#cmd.get(KEY)) ?? '';
  }

  #onMessage(channel: string, text: string): void {
    // What comes from Redis is ours unless someone else writes there: a malformed event must not
    // throw out of ioredis's handler (it would take the process down).
    try {
      if (channel === INBOX(this.proc)) return this.#onSignals(text);
      if (!channel.startsWith(BUS_PREFIX)) return;
      const room = roomOfBus(channel);
      if (!this.#watched.has(room)) return;
      const parsed = JSON.parse(text) as { origin: string; event: BusEvent };
      if (parsed.origin === this.proc || !isBusEvent(parsed.event)) return;
      this.onEvent?.(room, parsed.event);
    } catch (err) {
      this.#opts.log?.(`redis: dropped a message on ${channel}: ${(err as Error).message}`);
    }
  }

  /** Signals from another process for participants of ours, each once. */
  #onSignals(text: string): void {
    const { origin, signals } = JSON.parse(text) as { origin: unknown; signals: unknown };
    if (typeof origin !== 'string' || !Array.isArray(signals)) return;
    const now = Date.now();
    for (const [key, at] of this.#seen) {
      if (at > now - DEDUPE_MS) break;
      this.#seen.delete(key);
    }
    for (const s of signals as (SignalEvent & { room: unknown; n: unknown })[]) {
      if (!s || typeof s.room !== 'string' || typeof s.n !== 'number' || !isBusEvent(s) || s.kind !== 'signal') continue;
      const key = `${origin}:${s.n}`;
      if (this.#seen.has(key)) continue;
      this.#seen.set(key, now);
      const event: SignalEvent = { kind: 'signal', from: s.from, to: s.to, data: s.data, ...(s.hops ? { hops: 1 } : {}) };
      // Whether or not we watch the room: a recipient that moved away is passed on from here.
      try {
        this.onEvent?.(s.room, event);
      } catch (err) {
        this.#opts.log?.(`redis: a signal from ${origin} failed: ${(err as Error).message}`);
      }
    }
  }

  /** Removes the participants of processes that vanished more than the grace period ago. */
  async #sweep(): Promise<void> {
    const now = Date.now();
    for (const room of this.#watched.keys()) {
      const all = await this.#cmd.hgetall(ROOM(room));
      for (const [id, text] of Object.entries(all)) {
        const rec = record(text);
        if (!rec) continue;
        if (rec.proc === this.proc) continue;
        const key = `${room}\n${id}\n${rec.proc}`;
        if ((await this.#cmd.exists(PROC(rec.proc))) === 1) {
          this.#deadSince.delete(key);
          continue;
        }
        const since = this.#deadSince.get(key) ?? now;
        this.#deadSince.set(key, since);
        if (now - since < this.#opts.graceMs) continue;
        this.#deadSince.delete(key);
        // Only the vanished process's record: it may have been taken over meanwhile.
        if (await this.remove(room, id, rec.proc)) {
          this.#opts.log?.(`swept ${id} of vanished process ${rec.proc} from ${JSON.stringify(room)}`);
          this.publish(room, { kind: 'left', id });
          this.onEvent?.(room, { kind: 'left', id });
        }
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#outbox.close();
    // Down or not yet up, Redis would hold this through its retries: the key expires on its own.
    if (this.#cmd.status === 'ready') await this.#cmd.del(PROC(this.proc)).catch(() => {});
    this.#pub.close();
    this.#sub.close();
  }
}
