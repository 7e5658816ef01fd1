/**
 * A web-test-runner plugin that runs the real signaling server (as its own process, through tsx)
 * for the duration of the test run, and answers the `signaling-url` command with its URL.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export function signalingPlugin() {
  let child;
  let url;
  return {
    name: 'rtc-signaling',
    async serverStart() {
      child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', '--port', '0', '--host', '127.0.0.1', '--quiet'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      url = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('signaling server did not start in 20 s')), 20000);
        child.once('exit', (code) => reject(new Error(`signaling server exited with ${code}`)));
        createInterface({ input: child.stdout }).once('line', (line) => {
          clearTimeout(timer);
          resolve(JSON.parse(line).listening);
        });
      });
    },
    async serverStop() {
      child?.kill('SIGTERM');
    },
    async executeCommand({ command }) {
      if (command === 'signaling-url') return url;
      return undefined;
    },
  };
}
