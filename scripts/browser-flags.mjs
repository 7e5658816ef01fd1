/**
 * How every test, benchmark and script here launches the browsers: Debian's Chromium and Firefox
 * ESR, headless, quiet on the network, with fake camera and microphone (see
 * shared notes toolchain.md for why each flag is there).
 */

/** Debian's Chromium. */
export const CHROMIUM = '/usr/bin/chromium';
/** Debian's Firefox ESR. */
export const FIREFOX = '/usr/bin/firefox-esr';

/** Chromium flags: no sandbox (root), no background traffic, fake media, autoplay, loopback ICE. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection',
];

/** `CHROMIUM_ARGS` with `n` fake cameras and microphones. */
export const chromiumArgsWithDevices = (n) =>
  CHROMIUM_ARGS.map((a) => (a === '--use-fake-device-for-media-stream' ? `${a}=device-count=${n}` : a));

/** Firefox preferences: fake media without prompts (else no ICE candidates), loopback ICE, quiet. */
export const FIREFOX_PREFS = {
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
