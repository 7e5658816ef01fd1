#!/usr/bin/env node
/**
 * `npm run bench`: every benchmark in turn, each bounded in time and on 127.0.0.1; each prints
 * its table and records into bench/results/latest.json. `--quick` shortens the long ones.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const quick = process.argv.includes('--quick');
const steps = [
  ['size', ['bench/size.mjs']],
  ['call setup latency', ['--import', 'tsx', 'bench/latency/run.mjs', quick ? '5' : '20']],
  ['stats cost and mesh', ['--import', 'tsx', 'bench/calls/run.mjs', ...(quick ? ['--quick'] : [])]],
  ['signaling server', ['--import', 'tsx', 'bench/server/run.mjs', ...(quick ? ['--quick'] : [])]],
];
let failed = 0;
for (const [name, args] of steps) {
  const script = args.find((a) => a.endsWith('.mjs'));
  if (!existsSync(script)) continue;
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', timeout: 15 * 60_000 });
  if (r.status !== 0) {
    failed++;
    console.error(`${name}: exited with ${r.status ?? r.signal}`);
  }
}
console.log('\nResults written to bench/results/latest.json');
process.exit(failed ? 1 : 0);
