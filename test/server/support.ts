/** Helpers for the server tests: raw protocol clients, child server processes, a lossy relay. */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { startSignalingServer, type RunningServer } from '../../src/server/http-server.js';
import type { SignalingOptions } from '../../src/server/signaling-server.js';

/** A signaling server in this process for the whole test file (no heartbeat closes idle test sockets); read `.server` in tests. */
export function serverPerFile(options: SignalingOptions = {}): { server: RunningServer } {
  const holder = {} as { server: RunningServer };
  before(async () => {
    holder.server = await startSignalingServer({ port: 0, heartbeatMs: 60_000, ...options });
  });
  after(() => holder.server.close());
  return holder;
}

/**
 * Servers and raw clients a test file makes, all closed after it: `server(options)` starts one on
 * a free port with `defaults` (by default no heartbeat closes idle test sockets), `client(url)`
 * opens one.
 */
export function perFile(defaults: SignalingOptions = { heartbeatMs: 60_000 }) {
  const servers: RunningServer[] = [];
  const clients: RawClient[] = [];
  after(async () => {
    for (const c of clients) c.ws.terminate();
    await Promise.all(servers.map((s) => s.close()));
  });
  return {
    async server(options: SignalingOptions = {}): Promise<RunningServer> {
      const s = await startSignalingServer({ port: 0, ...defaults, ...options });
      servers.push(s);
      return s;
    },
    client(url: string, opts?: ConstructorParameters<typeof RawClient>[1]): RawClient {
      const c = new RawClient(url, opts);
      clients.push(c);
      return c;
    },
  };
}

/** A valid signal payload: the sender's media state. */
export const MEDIA_STATE = { media: { audio: true, video: false, screen: false } };

/** Polls `check` every 20 ms until truthy; throws after `timeout` ms. */
export async function until<T>(check: () => T | Promise<T>, what: string, timeout = 5000): Promise<NonNullable<T>> {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A raw protocol client that records every frame it receives. */
export class RawClient {
  readonly frames: any[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  closed?: { code: number; reason: string };

  constructor(url: string, opts: ConstructorParameters<typeof WebSocket>[2] = {}) {
    this.ws = new WebSocket(url, opts);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.opened.catch(() => {});
    this.ws.on('message', (data) => {
      try {
        this.frames.push(JSON.parse(data.toString()));
      } catch {
        this.frames.push({ raw: data.toString() });
      }
    });
    this.ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits for (and removes) the first frame matching `pred`. */
  async next(pred: (f: any) => boolean, what = 'frame', timeout = 3000): Promise<any> {
    const found = await until(() => this.frames.find(pred), `${what}; got ${JSON.stringify(this.frames).slice(0, 300)}`, timeout);
    this.frames.splice(this.frames.indexOf(found), 1);
    return found;
  }

  /** Waits for the socket to close and returns the code and reason. */
  async closing(timeout = 3000) {
    return until(() => this.closed, 'socket close', timeout);
  }

  async join(room: string, extra: Record<string, unknown> = {}) {
    await this.opened;
    this.send({ v: 1, type: 'join', room, ...extra });
    return this.next((f) => f.type === 'welcome' || f.type === 'error', 'welcome');
  }

  close() {
    this.ws.close();
  }
}

/**
 * Two raw clients joined to `room` at `url`, `a` first (and it has seen `b` join), with their
 * welcomes; `close()` closes both.
 */
export async function joinedPair(url: string, room: string) {
  const a = new RawClient(url);
  const b = new RawClient(url);
  const close = () => {
    a.close();
    b.close();
  };
  try {
    const wa = await a.join(room);
    const wb = await b.join(room);
    await a.next((f) => f.type === 'peer-joined', 'peer-joined');
    return { a, b, wa, wb, close };
  } catch (err) {
    close();
    throw err;
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A slow link: a TCP relay to 127.0.0.1:`port` that passes at most `bytesPerSecond` toward the
 * client (in 10 ms steps) and reads from the server only as fast as it passes bytes on, so the
 * server's socket fills as it would over a slow network. Client to server is not slowed.
 */
export async function slowLink(port: number, bytesPerSecond: number): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const perStep = Math.max(1, Math.round(bytesPerSecond / 100));
  const relay = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    const queue: Buffer[] = [];
    let queued = 0;
    upstream.on('data', (chunk: Buffer) => {
      queue.push(chunk);
      queued += chunk.length;
      if (queued > perStep * 4) upstream.pause();
    });
    const pace = setInterval(() => {
      let budget = perStep;
      while (budget > 0 && queue.length > 0) {
        const head = queue[0];
        const n = Math.min(budget, head.length);
        client.write(head.subarray(0, n));
        if (n === head.length) queue.shift();
        else queue[0] = head.subarray(n);
        budget -= n;
        queued -= n;
      }
      if (queued <= perStep * 4) upstream.resume();
    }, 10);
    const end = () => {
      clearInterval(pace);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) socket.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    port: (relay.address() as AddressInfo).port,
    close() {
      relay.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

/** A signaling server in its own process (the `rtc-signal` command), killed by `stop()`. */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Every server process a test started and has not stopped. A test that fails half way (one of two
 * processes did not start, so neither was handed to the test's clean-up) leaves some; their pipes
 * would keep the test file, and so the whole run, alive for ever. Killed after the file's tests.
 */
const spawned = new Set<ReturnType<typeof spawn>>();
after(() => {
  for (const child of spawned) child.kill('SIGKILL');
});

/** Starts `src/server/cli.ts` with `args` and `env`; resolves once it listens. */
export async function startServerProcess(args: string[] = [], env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', '--host', '127.0.0.1', '--quiet', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  spawned.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      spawned.delete(child);
      resolve(code);
    }),
  );
  const line = await new Promise<string>((resolve, reject) => {
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL'); // not left running (and holding the test file open) after a failed start
      reject(err);
    };
    // Generous: tsx compiles the server at start, which takes seconds on a loaded 2-core machine.
    const timer: ReturnType<typeof setTimeout> = setTimeout(() => fail(new Error('server did not start in 45 s')), 45_000);
    void exited.then((code) => fail(new Error(`server exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
  });
  const { listening, port } = JSON.parse(line);
  return {
    child,
    url: listening,
    port,
    exited,
    stop: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Decides what the lossy relay does with one frame. */
export type Fate = 'pass' | 'drop' | 'dup';

/**
 * A WebSocket relay between clients and a server that drops and duplicates frames (as `fate`
 * decides) and can cut every connection at once, to prove exactly-once, in-order delivery.
 */
export class LossyRelay {
  readonly wss: WebSocketServer;
  readonly pairs = new Set<{ a: WebSocket; b: WebSocket }>();
  dropped = 0;
  duplicated = 0;

  private constructor(
    wss: WebSocketServer,
    readonly target: string,
    readonly fate: (frame: string, toServer: boolean) => Fate,
  ) {
    this.wss = wss;
    wss.on('connection', (a) => {
      const b = new WebSocket(target);
      const pair = { a, b };
      this.pairs.add(pair);
      const pending: string[] = [];
      const forward = (to: WebSocket, text: string, toServer: boolean) => {
        const f = this.fate(text, toServer);
        if (f === 'drop') return void this.dropped++;
        to.send(text);
        if (f === 'dup') {
          this.duplicated++;
          to.send(text);
        }
      };
      a.on('message', (d) => {
        const text = d.toString();
        if (b.readyState === b.OPEN) forward(b, text, true);
        else pending.push(text);
      });
      b.on('open', () => pending.splice(0).forEach((t) => forward(b, t, true)));
      b.on('message', (d) => forward(a, d.toString(), false));
      const end = (code: number, reason: Buffer) => {
        this.pairs.delete(pair);
        const c = code >= 4000 || code === 1000 ? code : 1011;
        for (const s of [a, b]) if (s.readyState <= 1) s.close(c, reason.toString());
      };
      a.on('close', end);
      b.on('close', end);
      a.on('error', () => {});
      b.on('error', () => {});
    });
  }

  /** Starts a relay in front of `target`. */
  static async start(target: string, fate: (frame: string, toServer: boolean) => Fate) {
    const wss = await new Promise<WebSocketServer>((resolve) => {
      const s: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    return new LossyRelay(wss, target, fate);
  }

  get url() {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/signal`;
  }

  /** Cuts every connection abruptly (as a network failure would), both sides. */
  cutAll() {
    for (const { a, b } of this.pairs) {
      a.terminate();
      b.terminate();
    }
    this.pairs.clear();
  }

  close() {
    this.cutAll();
    return new Promise<void>((r) => this.wss.close(() => r()));
  }
}

/** A small seeded PRNG (mulberry32), so lossy runs are reproducible. */
export function prng(seed: number) {
  let t = seed >>> 0;
  return () => {
    t += 0x6d2b79f5;
    let x = Math.imul(t ^ (t >>> 15), 1 | t);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
