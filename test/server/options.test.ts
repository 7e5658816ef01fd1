/**
 * Settings from the environment and the command line: a value that is not a whole number in
 * range stops the server at start with a message naming it, instead of turning a cap off
 * (`Number('10k')` is NaN, and every comparison with NaN is false).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { it } from 'node:test';
import { optionsFromEnv } from '../../src/server/options-from-env.js';

it('reads whole numbers, and refuses anything else naming the setting', () => {
  const o = optionsFromEnv({ RTC_MAX_PEERS: '8', RTC_MAX_CONNECTIONS: '20000', RTC_GRACE_MS: '0', RTC_RATE_PER_SECOND: '50' });
  assert.equal(o.maxPeersPerRoom, 8);
  assert.equal(o.maxConnections, 20000);
  assert.equal(o.graceMs, 0);
  assert.deepEqual(o.rateLimit, { perSecond: 50, burst: 400 });
  for (const [name, value] of [
    ['RTC_MAX_CONNECTIONS', '10k'],
    ['RTC_RATE_PER_SECOND', '200/s'],
    ['RTC_RATE_BURST', '-5'],
    ['RTC_GRACE_MS', '20s'],
    ['RTC_MAX_PEERS', 'six'],
    ['RTC_MAX_PEERS', '0'],
    ['RTC_MAX_PEERS', '2.5'],
    ['RTC_MAX_PEERS', '0x10'],
    ['RTC_MAX_PEERS', '1e3'],
  ]) {
    assert.throws(() => optionsFromEnv({ [name]: value }), new RegExp(`^Error: ${name} must be a whole number.*${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`), `${name}=${value}`);
  }
  assert.throws(() => optionsFromEnv({ TURN_SECRET: 's', TURN_URLS: 'turn:x', TURN_TTL: 'abc' }), /TURN_TTL must be a whole number from 1/);
});

it('the command stops at start on a bad setting, with a message and exit code 2', async () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    promisify(execFile)(process.execPath, ['bin/rtc-signal.mjs', ...args], { env: { ...process.env, ...env }, timeout: 20_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );
  for (const [args, env, message] of [
    [['--port', '0', '--max-peers', 'six'], {}, /--max-peers must be a whole number.*"six"/],
    [['--port', '80a'], {}, /--port \(PORT\) must be a whole number from 0 to 65535/],
    [['--port', '0'], { RTC_MAX_CONNECTIONS: '10k' }, /RTC_MAX_CONNECTIONS must be a whole number/],
    [['token', '--room', 'r', '--ttl', '1h'], { RTC_TOKEN_SECRET: 'a-test-secret-of-reasonable-length-0123456789' }, /--ttl must be a whole number/],
    [['token', '--room', 'r', '--ttl', '9007199254740991'], { RTC_TOKEN_SECRET: 'a-test-secret-of-reasonable-length-0123456789' }, /--ttl must be a whole number from 1 to 2592000/],
    [['token', '--room', 'r'.repeat(129)], { RTC_TOKEN_SECRET: 'a-test-secret-of-reasonable-length-0123456789' }, /--room must be 1–128 characters/],
    // Unknown flags and missing values: a usage line, not a stack trace.
    [['--max-peer', '4'], {}, /rtc-signal: Unknown option '--max-peer'[\s\S]*usage: rtc-signal/],
    [['token', '--room'], { RTC_TOKEN_SECRET: 'a-test-secret-of-reasonable-length-0123456789' }, /argument missing[\s\S]*usage:/],
    // A REDIS_URL ioredis would misread (as a socket path, or with a port that is no number), not echoed.
    [['--port', '0'], { REDIS_URL: 'redis://user:hunter2@host:notaport' }, /^(?![\s\S]*hunter2)[\s\S]*REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    [['--port', '0'], { REDIS_URL: 'localhost:6379' }, /REDIS_URL must be/],
  ] as const) {
    const { code, stderr } = await run([...args], env);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, message);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  }
  for (const args of [['--help'], ['-h'], ['token', '--help']]) {
    const out = await promisify(execFile)(process.execPath, ['bin/rtc-signal.mjs', ...args], { timeout: 20_000 });
    assert.match(out.stdout, /^usage: rtc-signal/, `${args.join(' ')} prints the usage and exits 0`);
  }
});
