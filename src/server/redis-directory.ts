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
import { connectRedis, type RedisLink, type RedisTarget } from './redis-connection.js';
export { describeRedis } from './redis-connection.js';
import { DEPARTED_MS, type BusEvent, type Directory, type MemberRecord, type SignalEvent } from './directory.js';

// A room's keys and channel carry it as a hash tag (`{…}`: up to the first `}`, the same in each,
// whatever the room's name holds), so in a Cluster they live on one node and one script may touch
// them all.
const ROOM = (room: string) => `rtc:room:{${room}}`;
const BUS_PREFIX = 'rtc:bus:{';
const BUS = (room: string) => `${BUS_PREFIX}${room}}`;
const PROC = (proc: string) => `rtc:proc:${proc}`;
/** Each process's own channel: signals for its participants (PUBLISH then says whether it heard). */
const INBOX = (proc: string) => `rtc:to:{${proc}}`;
// Ids are UUIDs (no colon or brace), so the id is what follows the last colon.
const DEPARTED = (room: string, id: string) => `rtc:left:{${room}}:${id}`;
const KEY = 'rtc:resume-key';

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
const REMOVE = `
local rec = redis.call('HGET', KEYS[1], ARGV[1])
if not rec then return 0 end
local ok, parsed = pcall(cjson.decode, rec)
if not ok or type(parsed) ~= 'table' or parsed.proc ~= ARGV[3] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return 1`;

/** Member records as stored (JSON), skipping any not written by us. */
function records(texts: string[]): MemberRecord[] {
  const out: MemberRecord[] = [];
  for (const text of texts) {
    try {
      out.push(JSON.parse(text) as MemberRecord);
    } catch {
      /* not ours: skip */
    }
  }
  return out;
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
  #outbox = new BusOutbox<SignalEvent & { room: string }>({
    publish: (proc, signals) => this.#pub.publish(INBOX(proc), JSON.stringify({ origin: this.proc, signals })),
    locate: (room, id) => this.onLocate?.(room, id),
    holdMs: 5000,
    retryMs: 100,
    max: 10_000,
    onLost: (n) => this.onSignalsLost?.(n),
  });
  #sub: RedisLink;
  #watched = new Map<string, Promise<void>>();
  #deadSince = new Map<string, number>();
  #timer: ReturnType<typeof setInterval>;
  #opts: RedisDirectoryOptions;

  constructor(target: RedisTarget, opts: RedisDirectoryOptions) {
    this.#opts = opts;
    const sweepMs = opts.sweepMs ?? 2000;
    this.#pub = connectRedis(target, `rtc-signal:${this.proc}:pub`);
    this.#sub = connectRedis(target, `rtc-signal:${this.proc}:sub`, true);
    this.#cmd = this.#pub.client;
    for (const r of [this.#pub.client, this.#sub.client]) r.on('error', (err: Error) => opts.log?.(`redis: ${err.message}`));
    this.#sub.onMessage((channel, text) => this.#onMessage(channel, text));
    // After the first connection, a 'ready' is a reconnection: what was published meanwhile is
    // lost to us, and a long enough break got us swept as a vanished process. Catch up.
    for (const r of [this.#pub.client, this.#sub.client]) {
      let first = true;
      r.on('ready', () => {
        if (first) first = false;
        else void this.#resync(sweepMs);
      });
    }
    void this.#alive(sweepMs);
    this.#timer = setInterval(() => {
      void this.#alive(sweepMs);
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
    await this.#sub.subscribe([INBOX(this.proc)]);
  }

  #alive(sweepMs: number) {
    return this.#cmd.set(PROC(this.proc), '1', 'PX', sweepMs * 3).catch(() => {});
  }

  async admit(room: string, rec: MemberRecord, max: number): Promise<MemberRecord[] | null> {
    const flat = (await this.#cmd.eval(ADMIT, 1, ROOM(room), rec.id, JSON.stringify(rec), String(max))) as
      | string[]
      | null;
    return flat && records(flat.filter((_, i) => i % 2 === 1)); // HGETALL: id, record, id, record…
  }

  async remove(room: string, id: string, proc: string): Promise<boolean> {
    return (await this.#cmd.eval(REMOVE, 2, ROOM(room), DEPARTED(room, id), id, String(DEPARTED_MS), proc)) === 1;
  }

  async departed(room: string, id: string): Promise<boolean> {
    return (await this.#cmd.exists(DEPARTED(room, id))) === 1;
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
    this.#outbox.send(proc, { ...event, room });
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
    if (channel === INBOX(this.proc)) return this.#onSignals(text);
    if (!channel.startsWith(BUS_PREFIX)) return;
    const room = channel.slice(BUS_PREFIX.length, -1);
    if (!this.#watched.has(room)) return;
    let parsed: { origin: string; event: BusEvent };
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    if (parsed.origin === this.proc) return;
    this.onEvent?.(room, parsed.event);
  }

  /** Signals from another process for participants of ours. */
  #onSignals(text: string): void {
    let signals: (SignalEvent & { room: string })[];
    try {
      signals = (JSON.parse(text) as { signals: (SignalEvent & { room: string })[] }).signals;
    } catch {
      return;
    }
    if (!Array.isArray(signals)) return;
    for (const { room, ...event } of signals) if (this.#watched.has(room)) this.onEvent?.(room, event);
  }

  /** Removes the participants of processes that vanished more than the grace period ago. */
  async #sweep(): Promise<void> {
    const now = Date.now();
    for (const room of this.#watched.keys()) {
      const all = await this.#cmd.hgetall(ROOM(room));
      for (const [id, text] of Object.entries(all)) {
        let rec: MemberRecord;
        try {
          rec = JSON.parse(text);
        } catch {
          continue;
        }
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
    clearInterval(this.#timer);
    this.#outbox.close();
    // Down or not yet up, Redis would hold this through its retries: the key expires on its own.
    if (this.#cmd.status === 'ready') await this.#cmd.del(PROC(this.proc)).catch(() => {});
    this.#pub.client.disconnect();
    this.#sub.client.disconnect();
  }
}
