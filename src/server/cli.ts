/**
 * `rtc-signal [--port 8080] [--host 127.0.0.1] [--path /signal] [--max-peers 6] [--quiet]`:
 * the signaling server alone. Prints one JSON line `{"listening": "ws://…"}` once ready.
 * `rtc-signal token --room R [--user U] [--name N] [--ttl 3600]` prints a room token signed
 * with `RTC_TOKEN_SECRET`. Secrets and the rest of the settings come from the environment.
 *
 * SIGTERM (or SIGINT): stop accepting, ask clients to reconnect (close code 4012), drain, exit;
 * a second signal exits at once.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { validName, validRoom } from '../protocol/messages.js';
import { createRoomToken } from './auth.js';
import { startSignalingServer } from './http-server.js';
import { optionsFromEnv, wholeNumber } from './options-from-env.js';

const strip = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const USAGE = `usage: rtc-signal [--port 8080] [--host 127.0.0.1] [--path /signal] [--max-peers N] [--max-connections N] [--grace-ms N] [--quiet]
       RTC_TOKEN_SECRET=… rtc-signal token --room R [--user U] [--name N] [--ttl seconds]
Secrets and the other settings come from the environment (PORT, HOST, RTC_PATH, RTC_TOKEN_SECRET, REDIS_URL, …): see the README.`;

/** `parseArgs` with `--help` / `-h` (usage, exit 0), and a usage error (exit 2) rather than a stack trace. */
function args<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    const parsed = parseArgs({ ...config, options: { ...config.options, help: { type: 'boolean', short: 'h' } } });
    if ((parsed.values as { help?: boolean }).help) {
      console.log(USAGE);
      process.exit(0);
    }
    return parsed as ReturnType<typeof parseArgs<T>>;
  } catch (err) {
    console.error(`rtc-signal: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

if (process.argv[2] === 'token') {
  const { values } = args({
    args: process.argv.slice(3),
    options: {
      room: { type: 'string' },
      user: { type: 'string' },
      name: { type: 'string' },
      ttl: { type: 'string', default: '3600' },
    },
  });
  const secret = process.env.RTC_TOKEN_SECRET;
  if (!secret || !values.room) {
    console.error('usage: RTC_TOKEN_SECRET=… rtc-signal token --room R [--user U] [--name N] [--ttl seconds]');
    process.exit(2);
  }
  let ttlSeconds;
  try {
    // At most 30 days: a room token is a ticket to one call, not a credential for ever.
    ttlSeconds = wholeNumber(values.ttl, '--ttl', 1, 30 * 24 * 3600);
    // What the server and client take; a token for a room no client can join is a mistake said now.
    if (!validRoom(values.room)) throw new Error('--room must be 1–128 characters, without control characters');
    if (values.name !== undefined && !validName(values.name)) throw new Error('--name must be up to 64 characters, without control characters');
  } catch (err) {
    console.error(`rtc-signal token: ${(err as Error).message}`);
    process.exit(2);
  }
  console.log(await createRoomToken(secret, { room: values.room, user: values.user, name: values.name, ttlSeconds }));
  process.exit(0);
}

const { values } = args({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8080' },
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
    path: { type: 'string', default: process.env.RTC_PATH ?? '/signal' },
    'max-peers': { type: 'string' },
    'max-connections': { type: 'string' },
    'grace-ms': { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

let settings;
try {
  settings = {
    ...strip(optionsFromEnv()),
    port: wholeNumber(values.port, '--port (PORT)', 0, 65535) ?? 8080,
    ...strip({
      maxPeersPerRoom: wholeNumber(values['max-peers'], '--max-peers'),
      maxConnections: wholeNumber(values['max-connections'], '--max-connections'),
      graceMs: wholeNumber(values['grace-ms'], '--grace-ms', 0),
    }),
  };
} catch (err) {
  console.error(`rtc-signal: ${(err as Error).message}`);
  process.exit(2);
}
const server = await startSignalingServer({
  ...settings,
  host: values.host,
  path: values.path,
  log: values.quiet ? undefined : (line) => console.error(line),
});
console.log(JSON.stringify({ listening: server.url, port: server.port }));

let stopping = false;
const stop = () => {
  if (stopping) process.exit(1); // a second signal: exit at once
  stopping = true;
  server.http.close(); // stop accepting new connections
  void server.signaling
    .drain(5000)
    .then(() => server.close())
    .finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
