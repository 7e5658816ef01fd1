/** Reads the signaling server's settings from environment variables (see README, "Server"). */
import { hostPort } from './host-port.js';
import type { SignalingOptions } from './signaling-server.js';

const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
const list = (v: string | undefined) => {
  const items = v?.split(',').map((s) => s.trim()).filter(Boolean);
  return items?.length ? items : undefined;
};

/** `SignalingOptions` from `env` (secrets come only from here, never from flags). */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): SignalingOptions {
  const turnSecret = env.TURN_SECRET;
  const turnUrls = list(env.TURN_URLS);
  const sentinels = list(env.REDIS_SENTINELS);
  const clusterNodes = list(env.REDIS_CLUSTER_NODES);
  // A typo in an address fails at start, not as joins refused later.
  for (const s of [...(sentinels ?? []), ...(clusterNodes ?? [])]) hostPort(s, 1);
  const redisSettings = [env.REDIS_URL && 'REDIS_URL', sentinels && 'REDIS_SENTINELS', clusterNodes && 'REDIS_CLUSTER_NODES'].filter(Boolean);
  if (redisSettings.length > 1) throw new Error(`set one of ${redisSettings.join(', ')}, not several`);
  // A URL carries its own user, password and TLS (`rediss://user:password@host`).
  const redisAuth = {
    username: env.REDIS_USERNAME || undefined,
    password: env.REDIS_PASSWORD || undefined,
    tls: env.REDIS_TLS === '1' || env.REDIS_TLS === 'true' || undefined,
  };
  return {
    maxPeersPerRoom: num(env.RTC_MAX_PEERS),
    maxConnections: num(env.RTC_MAX_CONNECTIONS),
    tokenSecret: env.RTC_TOKEN_SECRET || undefined,
    resumeKey: env.RTC_RESUME_SECRET || undefined,
    allowedOrigins: list(env.RTC_ALLOWED_ORIGINS),
    redisUrl: env.REDIS_URL || undefined,
    redisSentinel: sentinels
      ? {
          sentinels,
          name: env.REDIS_SENTINEL_NAME || undefined,
          ...redisAuth,
          sentinelPassword: env.REDIS_SENTINEL_PASSWORD || undefined,
        }
      : undefined,
    redisCluster: clusterNodes ? { cluster: clusterNodes, ...redisAuth } : undefined,
    graceMs: num(env.RTC_GRACE_MS),
    rateLimit:
      env.RTC_RATE_PER_SECOND || env.RTC_RATE_BURST
        ? { perSecond: num(env.RTC_RATE_PER_SECOND) ?? 200, burst: num(env.RTC_RATE_BURST) ?? 400 }
        : undefined,
    turn: turnSecret && turnUrls ? { secret: turnSecret, urls: turnUrls, ttlSeconds: num(env.TURN_TTL) } : undefined,
  };
}
