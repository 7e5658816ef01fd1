/**
 * `npm start`: the demo page and the signaling server on one origin.
 * Vite serves `demo/` (compiling the TypeScript sources on the fly) and `/signal` is the
 * kit's signaling endpoint, attached to the same Node HTTP server.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer as createVite } from 'vite';
import { optionsFromEnv } from './options-from-env.js';
import { attachSignaling } from './signaling-server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';

const http = createServer();
const vite = await createVite({
  configFile: false,
  root: `${root}demo`,
  appType: 'mpa',
  logLevel: 'warn',
  server: { middlewareMode: true, hmr: { server: http }, fs: { allow: [root] } },
});
http.on('request', (req, res) => {
  if (!signaling.handleHttp(req, res)) vite.middlewares(req, res); // /healthz and /metrics, then the demo
});
const env = Object.fromEntries(Object.entries(optionsFromEnv()).filter(([, v]) => v !== undefined));
const signaling = attachSignaling(http, { ...env, log: process.env.QUIET ? undefined : (line) => console.log(line) });

http.listen(port, host, () => {
  const shown = host === '127.0.0.1' ? 'localhost' : host;
  const actual = (http.address() as AddressInfo).port;
  console.log(`rtc-elements demo: http://${shown}:${actual}/   signaling: ws://${shown}:${actual}/signal`);
  console.log(`Open http://${shown}:${actual}/?room=abc in two tabs.`);
});

let stopping = false;
const stop = async () => {
  if (stopping) process.exit(1); // a second signal: at once
  stopping = true;
  await signaling.drain(5000);
  await signaling.close();
  await vite.close();
  http.close(() => process.exit(0));
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
