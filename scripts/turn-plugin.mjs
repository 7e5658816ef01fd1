/**
 * A web-test-runner plugin that runs real TURN servers (Debian's coturn, `turnserver`) for
 * browser tests, on 127.0.0.1 with the TURN REST shared-secret scheme.
 *
 * Commands (from tests, via executeServerCommand):
 *   turn-start   {secret?}  → {id, port, urls, secret}  or {missing: true} when coturn is absent
 *   turn-stop    {id}       → stops it (the port stays reserved for turn-restart)
 *   turn-restart {id}       → starts it again on the same port
 * Every server is stopped when the test run ends.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const TURNSERVER = '/usr/bin/turnserver';

const freeUdpPort = () =>
  new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

export function turnPlugin() {
  const servers = new Map();
  let seq = 0;

  const launch = (t) =>
    new Promise((resolve, reject) => {
      const child = spawn(
        TURNSERVER,
        [
          '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${t.port}`,
          `--min-port=${t.minPort}`, `--max-port=${t.minPort + 199}`, '--realm=rtc.test',
          '--use-auth-secret', `--static-auth-secret=${t.secret}`, '--fingerprint', '--no-tls', '--no-dtls',
          '--no-cli', '--allow-loopback-peers', '--no-multicast-peers',
          `--userdb=${join(t.dir, 'turndb')}`, `--pidfile=${join(t.dir, 'turnserver.pid')}`,
          '--log-file=stdout', '--simple-log',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      t.child = child;
      const timer = setTimeout(() => reject(new Error('turnserver did not start in 10 s')), 10000);
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (/DB connection success|Total General servers/.test(out) && !t.ready) {
          t.ready = true;
          clearTimeout(timer);
          setTimeout(resolve, 200); // listeners open right after these lines
        }
      });
      child.once('exit', (code) => {
        t.child = undefined;
        if (!t.ready) {
          clearTimeout(timer);
          reject(new Error(`turnserver exited with ${code}: ${out.slice(-500)}`));
        }
      });
    });

  const stop = (t) =>
    new Promise((resolve) => {
      if (!t.child) return resolve();
      t.child.once('exit', () => resolve());
      t.child.kill('SIGTERM');
      setTimeout(() => t.child?.kill('SIGKILL'), 2000).unref();
    });

  return {
    name: 'rtc-turn',
    async serverStop() {
      for (const t of servers.values()) {
        await stop(t);
        rmSync(t.dir, { recursive: true, force: true });
      }
    },
    async executeCommand({ command, payload }) {
      if (command === 'turn-start') {
        if (!existsSync(TURNSERVER)) {
          if (process.env.CI === 'true') throw new Error(`${TURNSERVER} missing (apt-get install coturn)`);
          return { missing: true };
        }
        const id = ++seq;
        const t = {
          id,
          port: await freeUdpPort(),
          minPort: 50000 + ((id * 200) % 10000),
          secret: payload?.secret ?? randomBytes(16).toString('hex'),
          dir: mkdtempSync(join(tmpdir(), 'rtc-turn-')),
        };
        servers.set(id, t);
        await launch(t);
        return { id, port: t.port, urls: [`turn:127.0.0.1:${t.port}?transport=udp`], secret: t.secret };
      }
      if (command === 'turn-stop') {
        const t = servers.get(payload?.id);
        if (t) await stop(t);
        return true;
      }
      if (command === 'turn-restart') {
        const t = servers.get(payload?.id);
        if (!t) throw new Error(`no TURN server ${payload?.id}`);
        await stop(t);
        t.ready = false;
        await launch(t);
        return true;
      }
      return undefined;
    },
  };
}
