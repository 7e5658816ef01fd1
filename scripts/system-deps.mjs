#!/usr/bin/env node
/**
 * pretest: makes sure the system programs the tests drive are present.
 * As root on Debian/Ubuntu it installs what is missing with apt-get; otherwise it names the
 * packages to install. Chromium is required; a missing optional program (Firefox, coturn,
 * redis, openssl) only skips its tests, except under CI=true, where every program must be there.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const programs = [
  { path: '/usr/bin/chromium', pkg: 'chromium', required: true },
  { path: '/usr/bin/firefox-esr', pkg: 'firefox-esr' },
  { path: '/usr/bin/turnserver', pkg: 'coturn' },
  { path: '/usr/bin/redis-server', pkg: 'redis-server' },
  { path: '/usr/bin/openssl', pkg: 'openssl' }, // certificates for the Redis-over-TLS test
  { path: '/usr/bin/unshare', pkg: 'util-linux' },
  { path: '/usr/sbin/ip', alt: '/usr/bin/ip', pkg: 'iproute2' },
];
const present = (p) => existsSync(p.path) || (p.alt && existsSync(p.alt));
let missing = programs.filter((p) => !present(p));
if (missing.length === 0) process.exit(0);

const isRoot = process.getuid?.() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
const pkgs = [...new Set(missing.map((p) => p.pkg))];
if (isRoot && hasApt) {
  console.log(`Installing ${pkgs.join(' ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
  missing = programs.filter((p) => !present(p));
  if (missing.length === 0) process.exit(0);
}
const names = [...new Set(missing.map((p) => p.pkg))].join(' ');
console.error(`\nThe tests need system packages that are not installed: ${names}`);
console.error(`Install them with:  sudo apt-get install --no-install-recommends ${names}\n`);
if (process.env.CI === 'true' || missing.some((p) => p.required)) process.exit(1);
console.error('Continuing: the tests that need them are skipped (they fail under CI=true).\n');
