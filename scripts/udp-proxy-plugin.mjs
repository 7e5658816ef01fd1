/**
 * A web-test-runner plugin with small UDP proxies that make a bad network for real calls:
 * each drops a settable share of datagrams and delays the rest (loopback is lossless and
 * `tc netem` is not available). Put one between a browser and coturn by giving the browser the
 * proxy's port as its TURN server, with `iceTransportPolicy: 'relay'`: all its media then
 * crosses the proxy in both directions.
 *
 * Commands (from tests, via executeServerCommand):
 *   udp-proxy-start {targetPort, loss?, delay?, jitter?} → {id, port}
 *   udp-proxy-set   {id, loss?, delay?, jitter?}         → the settings now in force
 *   udp-proxy-stop  {id}                                 → {forwarded, dropped}
 * `loss` is a percentage (0–100) applied to each direction, `delay` ms added each way,
 * `jitter` ms of extra random delay (0..jitter). Every proxy is closed when the run ends.
 */
import { createSocket } from 'node:dgram';

const HOST = '127.0.0.1';
const MAX_CLIENTS = 64;

const bind = (socket) =>
  new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, HOST, () => {
      socket.off('error', reject);
      resolve(socket.address().port);
    });
  });

function clamp(n, lo, hi, name) {
  if (n === undefined) return undefined;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < lo || n > hi) {
    throw new Error(`udp-proxy: ${name} must be a number from ${lo} to ${hi}, got ${JSON.stringify(n)}`);
  }
  return n;
}

class UdpProxy {
  constructor(targetPort) {
    this.targetPort = targetPort;
    this.settings = { loss: 0, delay: 0, jitter: 0 };
    this.front = createSocket('udp4');
    this.clients = new Map(); // "addr:port" → upstream socket
    this.timers = new Set();
    this.forwarded = 0;
    this.dropped = 0;
    this.closed = false;
  }

  async start() {
    this.port = await bind(this.front);
    this.front.on('error', () => {}); // e.g. ICMP unreachable after a peer went away
    this.front.on('message', (msg, rinfo) => this.#fromClient(msg, rinfo));
    return this.port;
  }

  set(s) {
    const loss = clamp(s.loss, 0, 100, 'loss');
    const delay = clamp(s.delay, 0, 10000, 'delay');
    const jitter = clamp(s.jitter, 0, 10000, 'jitter');
    if (loss !== undefined) this.settings.loss = loss;
    if (delay !== undefined) this.settings.delay = delay;
    if (jitter !== undefined) this.settings.jitter = jitter;
    return { ...this.settings };
  }

  #pass(send) {
    if (this.closed) return;
    const { loss, delay, jitter } = this.settings;
    if (loss > 0 && Math.random() * 100 < loss) {
      this.dropped++;
      return;
    }
    this.forwarded++;
    const wait = delay + (jitter > 0 ? Math.random() * jitter : 0);
    if (wait <= 0) return send();
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) send();
    }, wait);
    this.timers.add(t);
  }

  async #fromClient(msg, rinfo) {
    const key = `${rinfo.address}:${rinfo.port}`;
    let up = this.clients.get(key);
    if (!up) {
      if (this.clients.size >= MAX_CLIENTS) return;
      up = createSocket('udp4');
      this.clients.set(key, up);
      up.on('error', () => {});
      up.on('message', (reply) =>
        this.#pass(() => this.front.send(reply, rinfo.port, rinfo.address, () => {})),
      );
      up.ready = bind(up);
    }
    await up.ready;
    this.#pass(() => up.send(msg, this.targetPort, HOST, () => {}));
  }

  close() {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const up of this.clients.values()) up.close();
    this.clients.clear();
    this.front.close();
    return { forwarded: this.forwarded, dropped: this.dropped };
  }
}

export function udpProxyPlugin() {
  const proxies = new Map();
  let seq = 0;
  return {
    name: 'rtc-udp-proxy',
    async serverStop() {
      for (const p of proxies.values()) p.close();
      proxies.clear();
    },
    async executeCommand({ command, payload }) {
      if (command === 'udp-proxy-start') {
        const targetPort = clamp(payload?.targetPort, 1, 65535, 'targetPort');
        if (targetPort === undefined) throw new Error('udp-proxy-start needs a targetPort');
        const proxy = new UdpProxy(targetPort);
        proxy.set(payload ?? {});
        const port = await proxy.start();
        const id = ++seq;
        proxies.set(id, proxy);
        return { id, port };
      }
      if (command === 'udp-proxy-set') {
        const proxy = proxies.get(payload?.id);
        if (!proxy) throw new Error(`no UDP proxy ${payload?.id}`);
        return proxy.set(payload);
      }
      if (command === 'udp-proxy-stop') {
        const proxy = proxies.get(payload?.id);
        if (!proxy) return null;
        proxies.delete(payload.id);
        return proxy.close();
      }
      return undefined;
    },
  };
}
