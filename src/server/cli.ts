/**
 * `npm run signal [-- --port 8080 --host 127.0.0.1]`: the signaling server alone.
 * Prints one JSON line `{"listening": "ws://…"}` once ready, so scripts and tests can read it.
 */
import { parseArgs } from 'node:util';
import { startSignalingServer } from './http-server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8080' },
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
    'max-peers': { type: 'string', default: process.env.RTC_MAX_PEERS ?? '6' },
    quiet: { type: 'boolean', default: false },
  },
});

const server = await startSignalingServer({
  port: Number(values.port),
  host: values.host,
  maxPeersPerRoom: Number(values['max-peers']),
  log: values.quiet ? undefined : (line) => console.error(line),
});
console.log(JSON.stringify({ listening: server.url, port: server.port }));

const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
