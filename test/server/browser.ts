/**
 * Real headless Chromium for the server's end-to-end tests: the kit's elements (bundled from
 * `src/` with esbuild) on a page served from 127.0.0.1, joined to servers the test controls
 * (processes it kills and restarts, Redis). Fake camera and microphone, real peer connections.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/browser-flags.mjs';


/** A static page carrying the kit, on 127.0.0.1. */
export async function servePage(): Promise<{ url: string; close(): Promise<void> }> {
  const out = await build({
    entryPoints: ['src/index.ts'],
    bundle: true,
    format: 'esm',
    write: false,
    tsconfig: 'tsconfig.json',
    target: 'es2022',
    logLevel: 'silent',
  });
  const js = out.outputFiles[0].text;
  const html = '<!doctype html><meta charset="utf-8"><title>rtc</title><body><script type="module" src="/kit.js"></script>';
  const http: Server = createServer((req, res) => {
    if (req.url === '/kit.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/`,
    close: () => new Promise((r) => (http.closeAllConnections(), http.close(() => r()))),
  };
}

/** Launches headless Chromium with fake media devices. */
export function launch(): Promise<Browser> {
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** One participant: a window with `<rtc-call>` joined to `room` through `signaling`. */
export class Participant {
  private constructor(readonly page: Page) {}

  static async open(browser: Browser, pageUrl: string, signaling: string, room: string, name: string, first = false) {
    // A window, not a tab: a background tab would not render the remote video.
    const page = first ? (await browser.pages())[0] ?? (await browser.newPage()) : await browser.newPage({ type: 'window' });
    page.on('pageerror', (err) => console.error(`[${name}] page error:`, err));
    await page.goto(pageUrl);
    await page.waitForFunction(() => customElements.get('rtc-call') !== undefined);
    await page.evaluate(
      (signaling, room, name) => {
        const call = document.createElement('rtc-call') as any;
        call.signaling = signaling;
        call.room = room;
        call.name = name;
        const camera = document.createElement('rtc-camera') as any;
        camera.width = 320;
        camera.height = 240;
        camera.frameRate = 15;
        call.append(camera);
        document.body.append(call);
        (window as any).__call = call;
      },
      signaling,
      room,
      name,
    );
    return new Participant(page);
  }

  /** The session's state (status, localId, signalingConnected, reconnecting, error, participants). */
  state(): Promise<any> {
    return this.page.evaluate(() => {
      const s = (window as any).__call.session.state;
      return { ...s, participants: s.participants.map((p: any) => ({ id: p.id, name: p.name, connectionState: p.connectionState })) };
    });
  }

  /** What the status line shows. */
  statusText(): Promise<string> {
    return this.page.evaluate(() => (window as any).__call.shadowRoot.querySelector('[part~="status"]').textContent.trim());
  }

  /** Video frames decoded from every remote participant so far. */
  framesDecoded(): Promise<number> {
    return this.page.evaluate(async () => {
      let n = 0;
      for (const pc of (window as any).__call.session.peerConnections().values()) {
        (await pc.getStats()).forEach((s: any) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded ?? 0;
        });
      }
      return n;
    });
  }

  /** The ICE username fragment of the remote description (changes when an ICE restart completes). */
  remoteUfrag(): Promise<string | null> {
    return this.page.evaluate(() => {
      const pc = [...(window as any).__call.session.peerConnections().values()][0] as RTCPeerConnection | undefined;
      return /a=ice-ufrag:(\S+)/.exec(pc?.currentRemoteDescription?.sdp ?? '')?.[1] ?? null;
    });
  }

  /** Starts a renegotiation (an ICE restart) on the first peer connection. */
  renegotiate(): Promise<void> {
    return this.page.evaluate(() => {
      const pc = [...(window as any).__call.session.peerConnections().values()][0] as RTCPeerConnection;
      pc.restartIce();
    });
  }

  /** Leaves the call (tracks stopped, connections closed) and closes the window. */
  async close() {
    await this.page.evaluate(() => (window as any).__call?.leave()).catch(() => {});
    await this.page.close().catch(() => {});
  }
}

/** Polls `check` every 100 ms until truthy; throws after `timeout` ms. */
export async function eventually<T>(check: () => Promise<T>, what: string, timeout = 15_000): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the remote frame count rises by at least `by`, and returns the new count. */
export async function framesRise(p: Participant, what: string, by = 5, timeout = 10_000): Promise<number> {
  const start = await p.framesDecoded();
  return eventually(async () => {
    const n = await p.framesDecoded();
    return n >= start + by ? n : 0;
  }, `${what}: remote frames rise from ${start}`, timeout);
}
