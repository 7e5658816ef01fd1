#!/usr/bin/env node
/**
 * `npm run build:server [-- outfile]`: bundles the signaling server command (src/server/cli.ts)
 * into one ES module for production, run with plain Node (`node dist/server/rtc-signal.mjs`):
 * no TypeScript loader at run time. Dependencies (ws, jose, ioredis) stay in node_modules.
 */
import { build } from 'esbuild';

const outfile = process.argv[2] ?? 'dist/server/rtc-signal.mjs';
await build({
  entryPoints: ['src/server/cli.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile,
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
console.log(outfile);
