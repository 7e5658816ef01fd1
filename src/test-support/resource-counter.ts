/**
 * Counts what the kit holds in this page: open peer connections, live media tracks, open
 * WebSockets, pending timers and window listeners added by kit code. Installed by wrapping the
 * globals (so only what is created after `install()` is seen); `uninstall()` puts them back.
 */

const KIT_CODE = /\/src\/(core|context|elements)\//;
const fromKit = () => KIT_CODE.test(new Error().stack ?? '');

export interface Counts {
  peerConnections: number;
  liveTracks: number;
  sockets: number;
  timers: number;
  listeners: number;
}

export class ResourceCounter {
  #pcs = new Set<RTCPeerConnection>();
  #tracks = new Set<MediaStreamTrack>();
  #sockets = new Set<WebSocket>();
  #timeouts = new Set<unknown>();
  #intervals = new Set<unknown>();
  #listeners = new Map<string, number>();
  #restore: (() => void)[] = [];

  /** Live counts now. */
  counts(): Counts {
    return {
      peerConnections: [...this.#pcs].filter((pc) => pc.connectionState !== 'closed' && pc.signalingState !== 'closed').length,
      liveTracks: [...this.#tracks].filter((t) => t.readyState === 'live').length,
      sockets: [...this.#sockets].filter((s) => s.readyState === WebSocket.OPEN || s.readyState === WebSocket.CONNECTING).length,
      timers: this.#timeouts.size + this.#intervals.size,
      listeners: [...this.#listeners.values()].reduce((a, b) => a + b, 0),
    };
  }

  install(): this {
    const w = window as unknown as Record<string, unknown>;
    const patch = (name: string, value: unknown) => {
      const original = w[name];
      w[name] = value;
      this.#restore.push(() => (w[name] = original));
    };
    const pcs = this.#pcs;
    const tracks = this.#tracks;
    const OriginalPC = window.RTCPeerConnection;
    class CountedPC extends OriginalPC {
      constructor(config?: RTCConfiguration) {
        super(config);
        pcs.add(this);
        this.addEventListener('track', (e) => tracks.add(e.track));
      }
    }
    patch('RTCPeerConnection', CountedPC);

    const OriginalWS = window.WebSocket;
    const sockets = this.#sockets;
    class CountedWS extends OriginalWS {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        sockets.add(this);
      }
    }
    patch('WebSocket', CountedWS);

    const devices = navigator.mediaDevices;
    const gum = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (c) => {
      const stream = await gum(c);
      stream.getTracks().forEach((t) => tracks.add(t));
      return stream;
    };
    this.#restore.push(() => (devices.getUserMedia = gum));

    const { setTimeout: st, clearTimeout: ct, setInterval: si, clearInterval: ci } = window;
    const timeouts = this.#timeouts;
    const intervals = this.#intervals;
    patch('setTimeout', (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      if (!fromKit()) return st(fn, ms, ...args);
      const id: unknown = st((...a: unknown[]) => {
        timeouts.delete(id);
        fn(...a);
      }, ms, ...args);
      timeouts.add(id);
      return id;
    });
    patch('clearTimeout', (id: number) => {
      timeouts.delete(id);
      ct(id);
    });
    patch('setInterval', (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const id = si(fn, ms, ...args);
      if (fromKit()) intervals.add(id);
      return id;
    });
    patch('clearInterval', (id: number) => {
      intervals.delete(id);
      ci(id);
    });

    const add = window.addEventListener.bind(window);
    const remove = window.removeEventListener.bind(window);
    const listeners = this.#listeners;
    const key = (type: string, l: unknown) => `${type}\u0000${String(l)}`;
    window.addEventListener = ((type: string, l: EventListenerOrEventListenerObject, o?: unknown) => {
      if (fromKit()) listeners.set(key(type, l), (listeners.get(key(type, l)) ?? 0) + 1);
      add(type, l, o as AddEventListenerOptions);
    }) as typeof window.addEventListener;
    window.removeEventListener = ((type: string, l: EventListenerOrEventListenerObject, o?: unknown) => {
      const k = key(type, l);
      if (listeners.has(k)) listeners.set(k, Math.max(0, listeners.get(k)! - 1));
      remove(type, l, o as EventListenerOptions);
    }) as typeof window.removeEventListener;
    this.#restore.push(() => {
      window.addEventListener = add;
      window.removeEventListener = remove;
    });
    return this;
  }

  uninstall(): void {
    this.#restore.splice(0).reverse().forEach((r) => r());
  }
}
