/**
 * Starts `npm start`'s demo server (demo page + signaling) as a child process on a free port on
 * 127.0.0.1, for scripts that drive it with a browser. Resolves with `{ base, process }`.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export async function startDemoServer() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/demo-server.ts'], {
    env: { ...process.env, PORT: '0', QUIET: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error('demo server did not start')), 20000).unref();
    child.once('exit', (code) => reject(new Error(`demo server exited with ${code}`)));
    // It prints "rtc-elements demo: http://localhost:<port>/ …" once listening.
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /(http:\/\/\S+?)\/\s/.exec(line);
      if (m) resolve(m[1].replace('localhost', '127.0.0.1'));
    });
  });
  return { base, process: child };
}
