/**
 * Connections to Redis as a deployment has it: one server (a URL), a master watched by
 * Sentinel, or a Cluster. `RedisLink` gives the directory one face for all three, pub/sub
 * included: plain pub/sub on one server, sharded pub/sub in a Cluster (a channel lives on its
 * slot's node, like a key, so PUBLISH's reply still counts who heard it).
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { hostPort } from './host-port.js';

/** Redis reached through Sentinel: the sentinels and the name of the master they watch. */
export interface RedisSentinelTarget {
  /** `host:port` of each sentinel (26379 when no port is given). */
  sentinels: string[];
  /** The master's name in the sentinels' configuration (default `mymaster`). */
  name?: string;
  /** The master's ACL user, if not `default`. */
  username?: string;
  /** The master's password, if it needs one. */
  password?: string;
  /** The sentinels' password, if they need one. */
  sentinelPassword?: string;
  /** TLS to the sentinels and the master (their certificates checked against Node's CAs and `NODE_EXTRA_CA_CERTS`). */
  tls?: boolean;
}

/** A Redis Cluster: some of its nodes, from which the rest are found. */
export interface RedisClusterTarget {
  /** `host:port` of one or more nodes (6379 when no port is given). */
  cluster: string[];
  /** The nodes' ACL user, if not `default`. */
  username?: string;
  /** The nodes' password, if they need one. */
  password?: string;
  /** TLS to every node (certificates checked against Node's CAs and `NODE_EXTRA_CA_CERTS`). */
  tls?: boolean;
}

/** Where Redis is: a `redis://` or `rediss://` URL, Sentinel, or a Cluster. */
export type RedisTarget = string | RedisSentinelTarget | RedisClusterTarget;

/** Where `target` is, for logs (never a password). */
export function describeRedis(target: RedisTarget): string {
  if (typeof target === 'string') return new URL(target).host;
  if ('cluster' in target) return `cluster ${target.cluster.join(',')}`;
  return `sentinels ${target.sentinels.join(',')} (${target.name ?? 'mymaster'})`;
}

/** One connection (or, in a Cluster, one client of every node) for commands or for subscriptions. */
export interface RedisLink {
  /** The ioredis client (`status`, its events, and the commands). */
  readonly client: Redis | Cluster;
  /** Publishes; resolves to how many subscribers heard it. */
  publish(channel: string, text: string): Promise<number>;
  subscribe(channels: string[]): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  /** Calls `handler` with every message on a subscribed channel. */
  onMessage(handler: (channel: string, text: string) => void): void;
  /**
   * Cluster only: whether every channel asked for is subscribed on the node that now holds it;
   * if not, twice in a row, the subscribers are made again (see `shardedSubscriptionsLive`).
   * Resolves to true when it repaired them.
   */
  repairSubscriptions?(): Promise<boolean>;
  /**
   * Cluster only: resolves once every sharded subscriber connection has answered a PING, so the
   * subscriptions it was given (after a failover, without waiting for their replies) are in
   * effect before the rooms are read: a join published in between would otherwise be missed.
   */
  settled?(): Promise<void>;
  /** Closes the connection for good (any other end is taken back: see `connectRedis`). */
  close(): void;
}

/** The parts of ioredis's sharded subscriber group (6.0) the check reads; absent in other versions, the check is skipped. */
interface SubscriberGroup {
  channels: Map<number, string[]>;
  shardedSubscribers: Map<string, { getInstance(): Redis | null }>;
  stop(): void;
  reset(slots: string[][], nodes: Redis[]): Promise<void>;
  isResetting: boolean;
  pendingReset: unknown;
}

/** The Cluster's subscriber group and slot map (node keys by slot), as ioredis 6.0 keeps them. */
const internals = (cluster: Cluster) =>
  cluster as unknown as { shardedSubscribers?: SubscriberGroup; slots?: string[][] };

/**
 * Whether each channel of `group` is subscribed on a ready connection to the node holding its
 * slot. After a failover, ioredis 6's group can end up without the subscriber of the promoted
 * node (resets racing each other while nodes disagree on the topology) and then take itself for
 * up to date: the channels there go deaf for good. Null when the internals are not there.
 */
function shardedSubscriptionsLive(cluster: Cluster): boolean | null {
  const { shardedSubscribers: group, slots } = internals(cluster);
  if (!group?.channels || !group.shardedSubscribers || !slots) return null;
  for (const [slot, channels] of group.channels) {
    if (!channels.length) continue;
    const instance = group.shardedSubscribers.get(slots[slot]?.[0] ?? '')?.getInstance();
    const subscriber = instance?.status === 'ready' ? instance.condition?.subscriber : undefined;
    const live = subscriber ? subscriber.channels('ssubscribe') : undefined;
    if (!live || channels.some((c) => !live.includes(c))) return false;
  }
  return true;
}

/**
 * A link to `target`, named `connectionName` in CLIENT LIST (so an operator can tell whose
 * connection is whose). After a failover, a connection kept to the old master (a managed Redis
 * whose address now names the new one, or an old master demoted rather than killed) gets
 * READONLY for every write: it reconnects, which finds the new master, and resends the command.
 */
export function connectRedis(
  target: RedisTarget,
  connectionName: string,
  {
    forSubscriptions = false,
    onReadOnly,
    deadAfterMs,
  }: { forSubscriptions?: boolean; onReadOnly?: () => void; deadAfterMs?: number } = {},
): RedisLink {
  let readOnlyAt = 0;
  const common: RedisOptions = {
    connectionName,
    // A connection that answers nothing for this long after a command is dead, though TCP may not
    // say so for minutes (a NAT or load balancer that dropped it, a frozen proxy): drop it and
    // reconnect. Every connection gets a command at least once a sweep (see RedisDirectory).
    socketTimeout: deadAfterMs,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
    // ioredis backs off to 5 s between attempts. A failover takes a few seconds, so its next
    // attempt could come up to 5 s after the new master is ready, by when signals held for a
    // process that is not subscribed again are given up (measured: 1.2-1.7 s after a promotion
    // 2.4 s after the kill; 3 s and more on a busy machine). 1 s at most, and a little jitter so
    // a fleet does not arrive in step.
    retryStrategy: (times) => Math.min(50 * 2 ** (times - 1), 1000) + Math.floor(Math.random() * 100),
    reconnectOnError: (err) => {
      if (!err.message.startsWith('READONLY')) return false;
      // At most once a second: an address still leading to a replica (DNS not updated yet, or
      // misconfigured) would otherwise reconnect and resend for ever.
      const now = Date.now();
      if (now - readOnlyAt < 1000) return false;
      readOnlyAt = now;
      onReadOnly?.();
      return 2;
    },
  };
  if (typeof target !== 'string' && 'cluster' in target) {
    // A Cluster reconnects its nodes its own way (clusterRetryStrategy, after a slots refresh).
    const { enableOfflineQueue, lazyConnect, retryStrategy: _, socketTimeout: __, ...redisOptions } = common;
    const client = new Cluster(target.cluster.map((s) => hostPort(s, 6379)), {
      enableOfflineQueue,
      lazyConnect,
      redisOptions: { ...redisOptions, username: target.username, password: target.password, ...(target.tls ? { tls: {} } : {}) },
      shardedSubscribers: forSubscriptions,
      // With TLS, connect to nodes by the names they are given (a managed cluster's certificate
      // names its endpoint, not the addresses it resolves to).
      ...(target.tls ? { dnsLookup: (address: string, done: (err: null, address: string) => void) => done(null, address) } : {}),
    });
    // ioredis's subscriber group lists every SSUBSCRIBE it is asked for, repeats included, and
    // subscribes to them all again after a failover: ask once per channel.
    const subscribed = new Set<string>();
    let deafBefore = false;
    return {
      client,
      async settled() {
        const group = internals(client).shardedSubscribers;
        const instances = [...(group?.shardedSubscribers?.values() ?? [])].map((sub) => sub.getInstance());
        await Promise.all(instances.map((r) => (r?.status === 'ready' ? r.ping().catch(() => {}) : undefined)));
      },
      async repairSubscriptions() {
        if (!forSubscriptions || client.status !== 'ready') return false;
        const live = shardedSubscriptionsLive(client);
        // Once may be a reset under way; twice in a row (a sweep interval apart) is stuck.
        const deaf = live === false;
        const stuck = deaf && deafBefore;
        deafBefore = deaf && !stuck;
        if (!stuck) return false;
        const group = internals(client).shardedSubscribers!; // checked by shardedSubscriptionsLive
        // Stopped, the group forgets its subscribers but keeps its channels; the reset then
        // makes a subscriber per node and subscribes them again ('subscribersReady'). A reset of
        // its own can hang for ever (it awaits a subscriber that was stopped while connecting,
        // whose connect never settles), and every later one would only queue behind it.
        group.stop();
        group.isResetting = false;
        group.pendingReset = null;
        // From a fresh read of the topology: its own may still name the dead node.
        await new Promise<void>((resolve) => client.refreshSlotsCache(() => resolve()));
        await group.reset(internals(client).slots ?? [], client.nodes('all'));
        return true;
      },
      publish: (channel, text) => client.spublish(channel, text) as Promise<number>,
      // A sharded subscription names channels of one slot: one at a time.
      subscribe: (channels) =>
        Promise.all(
          channels
            .filter((c) => !subscribed.has(c))
            .map((c) => {
              subscribed.add(c);
              return client.ssubscribe(c).catch((err) => {
                subscribed.delete(c);
                void client.sunsubscribe(c).catch(() => {});
                throw err;
              });
            }),
        ),
      unsubscribe: (channel) => {
        subscribed.delete(channel);
        return client.sunsubscribe(channel);
      },
      onMessage: (handler) => void client.on('smessage', handler),
      close: () => client.disconnect(),
    };
  }
  const client =
    typeof target === 'string'
      ? new Redis(target, common)
      : new Redis({
          ...common,
          sentinels: target.sentinels.map((s) => hostPort(s, 26379)),
          name: target.name ?? 'mymaster',
          username: target.username,
          password: target.password,
          sentinelPassword: target.sentinelPassword,
          ...(target.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
          // Told by the sentinels of a failover, rather than finding out when the old master fails a write.
          failoverDetector: true,
        });
  // ioredis 6 ends a connection for good when it is told to reconnect while it is connecting: a
  // Sentinel failover notice (failoverDetector) landing while it asks a sentinel where the
  // master is, or disconnect(true) after a READONLY. Its connector then fails with "Connection
  // is closed", which the client takes as final ('end'), subscriptions and all. Seen under load
  // over TLS, where asking the sentinel takes longest: a process deaf for good after a failover.
  // Unless closed here, connect again (its subscriptions come back with it).
  let closed = false;
  client.on('end', () => {
    if (closed) return;
    setTimeout(() => {
      if (!closed && client.status === 'end') client.connect().catch(() => {}); // a failure ends it again: tried again
    }, 100);
  });
  return {
    client,
    close: () => {
      closed = true;
      client.disconnect();
    },
    publish: (channel, text) => client.publish(channel, text),
    subscribe: (channels) => (channels.length ? client.subscribe(...channels) : Promise.resolve()),
    unsubscribe: (channel) => client.unsubscribe(channel),
    onMessage: (handler) => void client.on('message', handler),
  };
}
