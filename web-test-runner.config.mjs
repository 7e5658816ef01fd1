import { existsSync } from 'node:fs';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { puppeteerLauncher } from '@web/test-runner-puppeteer';
import { signalingPlugin } from './scripts/signaling-plugin.mjs';
import { turnPlugin } from './scripts/turn-plugin.mjs';
import { udpProxyPlugin } from './scripts/udp-proxy-plugin.mjs';

const CHROMIUM = '/usr/bin/chromium';
const FIREFOX = '/usr/bin/firefox-esr';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection',
];

const FIREFOX_PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'permissions.default.camera': 1,
  'permissions.default.microphone': 1,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.autoplay.default': 0,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'app.update.enabled': false,
  'app.normandy.enabled': false,
  'toolkit.telemetry.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
};

const available = {
  chromium: [CHROMIUM, () =>
    chromeLauncher({ launchOptions: { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS } })],
  firefox: [FIREFOX, () =>
    puppeteerLauncher({
      launchOptions: { browser: 'firefox', executablePath: FIREFOX, headless: true, extraPrefsFirefox: FIREFOX_PREFS },
    })],
};

const wanted = (process.env.BROWSERS ?? 'chromium,firefox').split(',').map((b) => b.trim()).filter(Boolean);
const browsers = [];
for (const name of wanted) {
  const [path, make] = available[name] ?? [];
  if (!make) throw new Error(`unknown browser "${name}" in BROWSERS (use chromium, firefox)`);
  if (existsSync(path)) browsers.push(make());
  else if (process.env.CI === 'true') throw new Error(`${path} is missing: under CI=true every browser must run`);
  else console.warn(`\n[skip] ${name}: ${path} not found, its tests are skipped (install Debian's ${name === 'firefox' ? 'firefox-esr' : 'chromium'}).\n`);
}
if (browsers.length === 0) throw new Error('no browser to test with: install chromium (apt-get install chromium)');

export default {
  files: ['src/**/*.test.ts'],
  nodeResolve: true,
  hostname: '127.0.0.1',
  concurrency: 1,
  concurrentBrowsers: 1,
  browserStartTimeout: 60000,
  testsFinishTimeout: 240000,
  testFramework: { config: { timeout: 30000 } },
  plugins: [esbuildPlugin({ ts: true, tsconfig: './tsconfig.json' }), signalingPlugin(), turnPlugin(), udpProxyPlugin()],
  browsers,
};
