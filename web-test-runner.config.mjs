import { existsSync } from 'node:fs';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { puppeteerLauncher } from '@web/test-runner-puppeteer';
import { signalingPlugin } from './scripts/signaling-plugin.mjs';
import { turnPlugin } from './scripts/turn-plugin.mjs';
import { udpProxyPlugin } from './scripts/udp-proxy-plugin.mjs';
import { CHROMIUM, FIREFOX, chromiumArgsWithDevices, FIREFOX_PREFS as SHARED_FIREFOX_PREFS } from './scripts/browser-flags.mjs';


const CHROMIUM_ARGS = [
  // Several fake cameras and microphones, so device switching is tested with real devices.
  // NOTE: fake_device_1 is a depth (Y16) camera WebRTC cannot encode; fake_device_2 is a colour one.
  ...chromiumArgsWithDevices(3),
  // http://insecure.test is this server under a name that is not localhost: a real insecure context.
  '--host-resolver-rules=MAP insecure.test 127.0.0.1',
];

const FIREFOX_PREFS = {
  ...SHARED_FIREFOX_PREFS,
  // http://insecure.test is this server under a name that is not localhost: a real insecure context.
  'network.dns.localDomains': 'insecure.test',
};

// Browsers that refuse camera and microphone for real, as when a user clicks "Block".
const DENY_CHROMIUM_ARGS = CHROMIUM_ARGS.map((a) =>
  a === '--use-fake-ui-for-media-stream' ? '--use-fake-ui-for-media-stream=deny' : a);
const DENY_FIREFOX_PREFS = {
  ...FIREFOX_PREFS,
  'media.navigator.permission.disabled': false,
  'permissions.default.camera': 2,
  'permissions.default.microphone': 2,
};

const launchers = (chromiumArgs, firefoxPrefs) => ({
  chromium: [CHROMIUM, () =>
    chromeLauncher({ launchOptions: { executablePath: CHROMIUM, headless: true, args: chromiumArgs } })],
  firefox: [FIREFOX, () =>
    puppeteerLauncher({
      launchOptions: { browser: 'firefox', executablePath: FIREFOX, headless: true, extraPrefsFirefox: firefoxPrefs },
    })],
});
// Chromium with a fake microphone but no camera at all: a real NotFoundError for video.
const NO_CAMERA_CHROMIUM_ARGS = CHROMIUM_ARGS.map((a) =>
  a.startsWith('--use-fake-device-for-media-stream') ? '--use-fake-device-for-media-stream=device-count=0' : a);
const available = launchers(CHROMIUM_ARGS, FIREFOX_PREFS);
const denying = launchers(DENY_CHROMIUM_ARGS, DENY_FIREFOX_PREFS);
const cameraless = launchers(NO_CAMERA_CHROMIUM_ARGS, FIREFOX_PREFS);

const wanted = (process.env.BROWSERS ?? 'chromium,firefox').split(',').map((b) => b.trim()).filter(Boolean);
const browsers = [];
const deniedBrowsers = [];
const noCameraBrowsers = [];
for (const name of wanted) {
  const [path, make] = available[name] ?? [];
  if (!make) throw new Error(`unknown browser "${name}" in BROWSERS (use chromium, firefox)`);
  if (existsSync(path)) {
    browsers.push(make());
    deniedBrowsers.push(denying[name][1]());
    if (name === 'chromium') noCameraBrowsers.push(cameraless[name][1]()); // Firefox's fake devices cannot be removed
  }
  else if (process.env.CI === 'true') throw new Error(`${path} is missing: under CI=true every browser must run`);
  else console.warn(`\n[skip] ${name}: ${path} not found, its tests are skipped (install Debian's ${name === 'firefox' ? 'firefox-esr' : 'chromium'}).\n`);
}
if (browsers.length === 0) throw new Error('no browser to test with: install chromium (apt-get install chromium)');

// `*.denied.test.ts` run in browsers that deny capture (group `permission-denied`),
// `*.no-camera.test.ts` in Chromium without a camera (group `no-camera`); a run focused with
// --files skips these groups (run one with --group <name>).
const DENIED = 'src/**/*.denied.test.ts';
const NO_CAMERA = 'src/**/*.no-camera.test.ts';
const focused = process.argv.includes('--files');
const groups = [{ name: 'permission-denied', files: DENIED, browsers: deniedBrowsers }];
if (noCameraBrowsers.length) groups.push({ name: 'no-camera', files: NO_CAMERA, browsers: noCameraBrowsers });

export default {
  files: ['src/**/*.test.ts', `!${DENIED}`, `!${NO_CAMERA}`],
  groups: focused ? [] : groups,
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
