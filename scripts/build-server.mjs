#!/usr/bin/env node
/**
 * `npm run build:server [-- outfile]`: bundles the signaling server command (src/server/cli.ts)
 * into one ES module for production, run with plain Node (`node dist/server/rtc-signal.mjs`):
 * no TypeScript loader at run time; and, with no outfile given, the server library
 * (`rtc-elements/server`, dist/server/index.js). Dependencies (ws, jose, ioredis) stay in node_modules.
 */
import { build } from 'esbuild';

const outfile = process.argv[2] ?? 'dist/server/rtc-signal.mjs';
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' };
await build({ ...common, entryPoints: ['src/server/cli.ts'], outfile, banner: { js: '#!/usr/bin/env node' } });
console.log(outfile);
// The library (`rtc-elements/server`): attachSignaling, startSignalingServer, room tokens.
if (!process.argv[2]) {
  await build({ ...common, entryPoints: ['src/server/index.ts'], outfile: 'dist/server/index.js' });
  console.log('dist/server/index.js');
}
