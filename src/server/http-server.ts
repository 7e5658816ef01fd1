/**
 * A plain HTTP server carrying the signaling endpoint, `/healthz` and `/metrics`: what
 * `rtc-signal` and the browser tests start. Apps with their own server call `attachSignaling`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachSignaling, signalingPath, type SignalingOptions, type SignalingServer } from './signaling-server.js';

/** A listening server and its signaling endpoint. */
export interface RunningServer {
  http: Server;
  signaling: SignalingServer;
  /** `ws://host:port/signal` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts a signaling-only HTTP server on `host:port` (port 0 picks a free one). */
export async function startSignalingServer(
  opts: { port?: number; host?: string } & SignalingOptions = {},
): Promise<RunningServer> {
  const http = createServer((req, res) => {
    if (signaling.handleHttp(req, res)) return;
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  const signaling = attachSignaling(http, opts);
  await signaling.ready;
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  return {
    http,
    signaling,
    port,
    // An IPv6 address goes in brackets; a path without its slash gets one (as attachSignaling takes it).
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}${signalingPath(opts.path)}`,
    close: async () => {
      await signaling.close();
      http.closeAllConnections?.();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
