/** Reads the signaling server's settings from environment variables (see README, "Server"). */
import { hostPort } from './host-port.js';
import type { SignalingOptions } from './signaling-server.js';

/**
 * A whole-number setting named `name`, at least `min`; undefined when not set. Anything else
 * fails at start: `Number('10k')` is NaN, and every cap compared with NaN is off.
 */
export function wholeNumber(value: string | undefined, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n < min || n > max) {
    throw new Error(`${name} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, not ${JSON.stringify(value)}`);
  }
  return n;
}
const list = (v: string | undefined) => {
  const items = v?.split(',').map((s) => s.trim()).filter(Boolean);
  return items?.length ? items : undefined;
};

/** A URL ioredis would take as meant: `redis://` / `rediss://` with a valid port, or a socket path. */
function redisUrlOk(url: string): boolean {
  if (url.startsWith('/')) return true;
  try {
    return /^rediss?:$/.test(new URL(url).protocol);
  } catch {
    return false; // e.g. a port that is not a number
  }
}

/** `SignalingOptions` from `env` (secrets come only from here, never from flags). */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): SignalingOptions {
  const turnSecret = env.TURN_SECRET;
  const turnUrls = list(env.TURN_URLS);
  const sentinels = list(env.REDIS_SENTINELS);
  const clusterNodes = list(env.REDIS_CLUSTER_NODES);
  // A typo in an address fails at start, not as joins refused later.
  for (const s of [...(sentinels ?? []), ...(clusterNodes ?? [])]) hostPort(s, 1);
  if (env.REDIS_URL && !redisUrlOk(env.REDIS_URL)) {
    // Not echoed: it may hold a password.
    throw new Error('REDIS_URL must be a redis:// or rediss:// URL (or the path of a Unix socket)');
  }
  const redisSettings = [env.REDIS_URL && 'REDIS_URL', sentinels && 'REDIS_SENTINELS', clusterNodes && 'REDIS_CLUSTER_NODES'].filter(Boolean);
  if (redisSettings.length > 1) throw new Error(`set one of ${redisSettings.join(', ')}, not several`);
  // A URL carries its own user, password and TLS (`rediss://user:password@host`).
  const redisAuth = {
    username: env.REDIS_USERNAME || undefined,
    password: env.REDIS_PASSWORD || undefined,
    tls: env.REDIS_TLS === '1' || env.REDIS_TLS === 'true' || undefined,
  };
  return {
    maxPeersPerRoom: wholeNumber(env.RTC_MAX_PEERS, 'RTC_MAX_PEERS'),
    maxConnections: wholeNumber(env.RTC_MAX_CONNECTIONS, 'RTC_MAX_CONNECTIONS'),
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
    graceMs: wholeNumber(env.RTC_GRACE_MS, 'RTC_GRACE_MS', 0),
    rateLimit:
      env.RTC_RATE_PER_SECOND || env.RTC_RATE_BURST
        ? {
            perSecond: wholeNumber(env.RTC_RATE_PER_SECOND, 'RTC_RATE_PER_SECOND') ?? 200,
            burst: wholeNumber(env.RTC_RATE_BURST, 'RTC_RATE_BURST') ?? 400,
          }
        : undefined,
    turn: turnSecret && turnUrls ? { secret: turnSecret, urls: turnUrls, ttlSeconds: wholeNumber(env.TURN_TTL, 'TURN_TTL') } : undefined,
  };
}
