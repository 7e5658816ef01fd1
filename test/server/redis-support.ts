/** Real Redis for the scale-out tests: `redis-server` processes on free ports, and a TCP link to one that a test can cut, slow or point elsewhere. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './support.js';

export const REDIS = '/usr/bin/redis-server';
/** Why the Redis tests are skipped here (never in CI, where `.ci/run` installs it), or false. */
export const skipRedis =
  !existsSync(REDIS) && process.env.CI !== 'true' ? 'redis-server is not installed (apt-get install redis-server)' : false;

/** A running `redis-server` (or sentinel). */
export interface RedisProcess {
  port: number;
  url: string;
  proc: ChildProcess;
  /** A client of it (closed by `stop`). */
  client: Redis;
  /** Kills it and removes its directory. */
  stop(): void;
}

/** Files of a certificate for 127.0.0.1 signed by a test CA (`ca`), made with `openssl`. */
export interface TestCerts {
  ca: string;
  cert: string;
  key: string;
}

/** TLS and a password for a test Redis. */
export interface Secure {
  tls?: TestCerts;
  password?: string;
}

/** Makes a throwaway CA and a certificate for 127.0.0.1 it signed, in `dir`. */
export function testCerts(dir: string): TestCerts {
  const f = (name: string) => join(dir, name);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '1', '-subj', '/CN=rtc-elements test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('redis.key'), '-out', f('redis.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(f('ext'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', f('redis.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('redis.pem'), '-days', '1', '-extfile', f('ext'));
  return { ca: f('ca.pem'), cert: f('redis.pem'), key: f('redis.key') };
}

/**
 * Starts `redis-server` on a free port with nothing saved to disk and `args` added (say
 * `['--replicaof', '127.0.0.1', '6379']`); with `sentinel`, a sentinel whose configuration file
 * holds those lines. Resolves once it answers PING.
 */
export async function startRedis(args: string[] = [], sentinel?: string[], secure: Secure = {}): Promise<RedisProcess> {
  // A port found free can be taken before redis-server binds it (by any outgoing connection: free
  // ports come from the same ephemeral range): then it is tried again on another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRedisOn(await freePort(), args, sentinel, secure);
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt === 3) throw err;
    }
  }
}

/** redis-server exited because a port it was to listen on was taken meanwhile. */
export class PortTaken extends Error {}

async function startRedisOn(port: number, args: string[], sentinel: string[] | undefined, secure: Secure): Promise<RedisProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-redis-'));
  let argv: string[];
  if (sentinel) {
    const conf = join(dir, 'sentinel.conf'); // a sentinel rewrites its configuration: a file of its own
    writeFileSync(conf, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, ...sentinel].join('\n') + '\n');
    argv = [conf, '--sentinel'];
  } else {
    argv = ['--bind', '127.0.0.1', '--port', String(port), '--daemonize', 'no', '--save', '', '--appendonly', 'no', '--dir', dir, ...args];
  }
  const { tls, password } = secure;
  if (tls) {
    // TLS only: the plain port closed, the same port number for TLS (and for the cluster bus).
    argv.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key);
    argv.push('--tls-ca-cert-file', tls.ca, '--tls-auth-clients', 'no', '--tls-cluster', 'yes', '--tls-replication', 'yes');
  }
  if (password) argv.push('--requirepass', password, '--masterauth', password);
  const proc = spawn(REDIS, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Its log, for why it exited (the last few KB; it logs little once running).
  let log = '';
  const keep = (b: Buffer) => (log = (log + b.toString()).slice(-4000));
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  // The pipes alone must not keep a test file running (the process is killed by `stop`).
  (proc.stdout as Socket).unref();
  (proc.stderr as Socket).unref();
  const url = `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`;
  const client = new Redis(url, {
    lazyConnect: true,
    retryStrategy: () => 50,
    maxRetriesPerRequest: null,
    password,
    ...(tls ? { tls: { ca: readFileSync(tls.ca) } } : {}),
  });
  client.on('error', () => {});
  let exited = false;
  proc.once('exit', () => (exited = true));
  const end = Date.now() + 10_000;
  for (;;) {
    try {
      await client.connect().catch(() => {});
      // Bounded: a PING queued on a client that never connects would wait for ever.
      const pong = await Promise.race([client.ping(), new Promise((r) => setTimeout(r, 1000, 'no reply'))]);
      if (pong === 'PONG') break;
    } catch {
      /* not yet */
    }
    if (exited || Date.now() > end) {
      client.disconnect();
      proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      const why = `redis-server ${argv.join(' ')} ${exited ? 'exited' : 'did not start'}:\n${log.trim().split('\n').slice(-5).join('\n')}`;
      throw exited && /address already in use/i.test(log) ? new PortTaken(why) : new Error(why);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url,
    proc,
    client,
    stop() {
      client.disconnect();
      proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A Redis Cluster of `size` masters on free ports, with a replica each when `replicas` (they
 * take over a master that dies after 2 s), formed and ready. `nodes` are the masters.
 */
export async function startRedisCluster(
  size = 3,
  replicas = false,
  secure: Secure = {},
): Promise<{ nodes: RedisProcess[]; replicas: RedisProcess[]; seeds: string; stop(): void }> {
  // The cluster bus on a port of its own: by default it is the client port + 10000, which may be
  // taken, or past 65535 for a port from the upper ephemeral range.
  const busPorts = new Map<RedisProcess, number>();
  const node = async (): Promise<RedisProcess> => {
    for (let attempt = 1; ; attempt++) {
      const bus = await freePort();
      try {
        const n = await startRedis(['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000', '--cluster-port', String(bus)], undefined, secure);
        busPorts.set(n, bus);
        return n;
      } catch (err) {
        if (!(err instanceof PortTaken) || attempt === 3) throw err; // the bus port was taken
      }
    }
  };
  const started: RedisProcess[] = [];
  const stop = () => started.forEach((n) => n.stop());
  const some = async (n: number) => {
    const settled = await Promise.allSettled(Array.from({ length: n }, node));
    for (const r of settled) if (r.status === 'fulfilled') started.push(r.value);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) {
      stop();
      throw failed.reason;
    }
    return settled.map((r) => (r as PromiseFulfilledResult<RedisProcess>).value);
  };
  const nodes = await some(size);
  const followers = replicas ? await some(size) : [];
  try {
    // Each node takes an even share of the 16384 slots, then they meet.
    const per = Math.ceil(16384 / size);
    await Promise.all(
      nodes.map((n, i) => n.client.call('CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(16383, (i + 1) * per - 1)))),
    );
    const all = [...nodes, ...followers];
    const [first] = nodes;
    for (const n of all.slice(1)) await n.client.call('CLUSTER', 'MEET', '127.0.0.1', String(first.port), String(busPorts.get(first)));
    const formed = async (what: string, ok: (info: string, node: RedisProcess) => Promise<boolean> | boolean) => {
      const end = Date.now() + 15_000;
      for (;;) {
        const infos = await Promise.all(all.map((n) => n.client.call('CLUSTER', 'INFO') as Promise<string>));
        if ((await Promise.all(infos.map((info, i) => ok(info, all[i])))).every(Boolean)) return;
        if (Date.now() > end) throw new Error(`the cluster did not ${what}: ${infos[0]}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await formed('form', (info) => /cluster_state:ok/.test(info) && new RegExp(`cluster_known_nodes:${all.length}\\b`).test(info));
    for (const [i, f] of followers.entries()) {
      await f.client.call('CLUSTER', 'REPLICATE', (await nodes[i].client.call('CLUSTER', 'MYID')) as string);
    }
    if (replicas) {
      await formed('sync its replicas', async (_info, n) =>
        nodes.includes(n) || /master_link_status:up/.test(await n.client.info('replication')),
      );
    }
  } catch (err) {
    stop();
    throw err;
  }
  return { nodes, replicas: followers, seeds: nodes.map((n) => `127.0.0.1:${n.port}`).join(','), stop };
}

/**
 * A TCP proxy to Redis that can cut every connection through it and refuse new ones, then heal;
 * freeze the connections open now (silent both ways, yet open);
 * slow what goes to Redis (and what comes back) by `delay(up, down)`, in order; and
 * send new connections to another port (`retarget`), as a managed Redis's address moves to
 * the new master after a failover while connections already open stay with the old one.
 */
export async function redisLink(target: string) {
  let port = Number(new URL(target).port);
  const sockets = new Set<Socket>();
  let cut = false;
  let lag = 0;
  let lagDown = 0;
  /** When each connection refused while cut was made (a client's attempts to reconnect). */
  const refused: number[] = [];
  /** Connections whose bytes are dropped both ways, though they stay open (`freeze`). */
  const frozen = new Set<Socket>();
  const server = createServer((client) => {
    if (cut) return void (refused.push(Date.now()), client.destroy());
    const upstream = connect(port, '127.0.0.1');
    for (const [s, other] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => (sockets.delete(s), frozen.delete(s), other.destroy()));
      // Timers of one delay fire in the order they were set, so the bytes stay in order.
      s.on('data', (chunk) => {
        if (frozen.has(s)) return;
        const ms = s === upstream ? lagDown : lag;
        if (ms) setTimeout(() => other.write(chunk), ms);
        else other.write(chunk);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refused,
    cut() {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    heal() {
      cut = false;
    },
    /** Every connection open now goes silent both ways without closing (a NAT that forgot it); new ones work. */
    freeze() {
      for (const s of sockets) frozen.add(s);
    },
    /** How many connections are open through the link, and how many of them frozen. */
    get open() {
      return sockets.size / 2;
    },
    get frozen() {
      return frozen.size / 2;
    },
    /** Delays what goes to Redis by `ms`, and with `down` what comes back from it too. */
    delay(ms: number, down = 0) {
      lag = ms;
      lagDown = down;
    },
    retarget(to: number) {
      port = to;
    },
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
