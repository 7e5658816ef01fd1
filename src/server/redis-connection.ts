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
    const { enableOfflineQueue, lazyConnect, retryStrategy: _, ...redisOptions } = common;
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
    return {
      client,
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
  return {
    client,
    publish: (channel, text) => client.publish(channel, text),
    subscribe: (channels) => (channels.length ? client.subscribe(...channels) : Promise.resolve()),
    unsubscribe: (channel) => client.unsubscribe(channel),
    onMessage: (handler) => void client.on('message', handler),
  };
}
