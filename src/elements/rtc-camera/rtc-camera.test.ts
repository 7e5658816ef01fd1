import { expect, fixture, html } from '@open-wc/testing';
import { sendMouse } from '@web/test-runner-commands';
import '../../index.js';
import type { RtcCamera } from './rtc-camera.js';
import { nextEvent, until } from '../../test-support/call-helpers.js';

const live = (el: RtcCamera) => until(() => el.media.state.status === 'live', 'camera live');
const part = <T extends Element = HTMLElement>(el: RtcCamera, name: string) =>
  el.shadowRoot!.querySelector<T>(`[part~="${name}"]`);
const text = (el: RtcCamera, name: string) => part(el, name)?.textContent?.trim() ?? '';
const isFirefox = navigator.userAgent.includes('Firefox');

/** Clicks a part with a real mouse event (user activation, as getDisplayMedia requires). */
async function realClick(el: RtcCamera, name: string) {
  const r = part(el, name)!.getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(r.x + r.width / 2), Math.round(r.y + r.height / 2)] });
}

/** Replaces one `navigator.mediaDevices` method for one test (what a headless browser cannot produce). */
function stubMediaDevices<K extends 'getUserMedia' | 'enumerateDevices' | 'getDisplayMedia'>(
  name: K,
  fn: (real: MediaDevices[K]) => MediaDevices[K],
): () => void {
  const devices = navigator.mediaDevices;
  const real = devices[name].bind(devices) as MediaDevices[K];
  Object.defineProperty(devices, name, { value: fn(real), configurable: true, writable: true });
  return () => delete (devices as unknown as Record<string, unknown>)[name];
}

describe('<rtc-camera> standalone', () => {
  let el: RtcCamera | undefined;
  let restore: (() => void)[] = [];
  afterEach(() => {
    restore.forEach((r) => r());
    restore = [];
    el?.stop();
    el = undefined;
  });

  it('captures at the requested size and rate, previews it and shows the actual settings', async () => {
    el = await fixture<RtcCamera>(html`<rtc-camera width="320" height="240" frame-rate="15" show-settings></rtc-camera>`);
    await live(el);
    const settings = el.settings.video!;
    expect([settings.width, settings.height, Math.round(settings.frameRate!)]).to.deep.equal([320, 240, 15]);
    expect(el.stream!.getAudioTracks().length).to.equal(1);
    await el.updateComplete;
    const video = part<HTMLVideoElement>(el, 'video')!;
    await until(() => video.videoWidth > 0, 'preview plays');
    expect(video.videoWidth).to.equal(320);
    expect(text(el, 'settings')).to.equal('Camera: 320×240 @ 15');
    expect(el.matches(':state(live)')).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('applies a changed constraint to the running track (Chromium) or a fresh track of the same camera (Firefox)', async () => {
    el = await fixture<RtcCamera>(html`<rtc-camera no-audio width="320" height="240" frame-rate="15" show-settings></rtc-camera>`);
    await live(el);
    const track = el.media.videoTrack!;
    const camera = track.getSettings().deviceId;
    el.width = 640;
    el.height = 480;
    await until(() => el!.settings.video!.width === 640, 'new size applied');
    // Firefox's fake camera ignores applyConstraints for size, so LocalMedia opens the same camera anew.
    if (!isFirefox) expect(el.media.videoTrack, 'the same track').to.equal(track);
    expect(el.media.videoTrack!.getSettings().deviceId).to.equal(camera);
    expect(el.media.videoTrack!.readyState).to.equal('live');
    expect(el.settings.video!.height).to.equal(480);
    await el.updateComplete;
    expect(text(el, 'settings')).to.equal('Camera: 640×480 @ 15');
  });

  it('turns audio processing off and on live, with a new microphone track only', async () => {
    el = await fixture<RtcCamera>(html`<rtc-camera no-video></rtc-camera>`);
    await live(el);
    const before = el.media.audioTrack!;
    const defaults = before.getSettings();
    el.noEchoCancellation = true;
    el.noNoiseSuppression = true;
    el.noAutoGainControl = true;
    await until(() => el!.media.audioTrack !== before, 'new microphone track');
    const off = el.settings.audio!;
    expect([off.echoCancellation, off.noiseSuppression, off.autoGainControl]).to.deep.equal([false, false, false]);
    expect(before.readyState).to.equal('ended');
    el.noEchoCancellation = false;
    el.noNoiseSuppression = false;
    el.noAutoGainControl = false;
    await until(() => el!.settings.audio!.echoCancellation === defaults.echoCancellation, 'browser default again');
    expect(el.stream!.getAudioTracks().length).to.equal(1);
  });

  it('lists the cameras and microphones with labels, and switches camera from the picker', async function () {
    el = await fixture<RtcCamera>(html`<rtc-camera width="320" height="240"></rtc-camera>`);
    await live(el);
    await until(() => el!.devices!.state.cameras.length > 0 && el!.devices!.state.cameras[0].label, 'labelled device list');
    const { cameras, microphones } = el.devices!.state;
    expect(microphones.length).to.be.greaterThan(0);
    await el.updateComplete;
    const select = part<HTMLSelectElement>(el, 'camera-select')!;
    expect([...select.options].map((o) => o.textContent)).to.deep.equal(cameras.map((c) => c.label));
    if (cameras.length < 2) return this.skip(); // Firefox's fake devices: one camera
    const before = el.media.videoTrack!;
    const audio = el.media.audioTrack!;
    const other = cameras.find((c) => c.deviceId !== before.getSettings().deviceId)!;
    const changed = nextEvent(el, 'rtc-device-change');
    select.value = other.deviceId;
    select.dispatchEvent(new Event('change'));
    expect((await changed).reason).to.equal('user');
    await until(() => el!.media.videoTrack !== before && el!.media.videoTrack?.readyState === 'live', 'new camera');
    expect(el.media.videoTrack!.getSettings().deviceId).to.equal(other.deviceId);
    expect(before.readyState, 'old camera released').to.equal('ended');
    expect(el.media.audioTrack, 'microphone untouched').to.equal(audio);
    await el.updateComplete;
    expect(part<HTMLSelectElement>(el, 'camera-select')!.value).to.equal(other.deviceId);
  });

  it('mutes and unmutes the microphone from its button, visible to CSS and announced', async () => {
    el = await fixture<RtcCamera>(html`<rtc-camera width="320" height="240"></rtc-camera>`);
    await live(el);
    await el.updateComplete;
    const muted = nextEvent(el, 'rtc-mute-change');
    part<HTMLButtonElement>(el, 'mute')!.click();
    expect((await muted).muted).to.equal(true);
    await el.updateComplete;
    expect(el.media.audioTrack!.enabled).to.equal(false);
    expect(el.hasAttribute('muted')).to.equal(true);
    expect(el.matches(':state(muted)')).to.equal(true);
    expect(text(el, 'muted-badge')).to.equal('Muted');
    expect(text(el, 'mute')).to.equal('Unmute');
    const unmuted = nextEvent(el, 'rtc-mute-change');
    part<HTMLButtonElement>(el, 'mute')!.click();
    expect((await unmuted).muted).to.equal(false);
    expect(el.media.audioTrack!.enabled).to.equal(true);
  });

  it('starts muted with the muted attribute, without an event', async () => {
    let fired = 0;
    const onMute = () => fired++;
    document.addEventListener('rtc-mute-change', onMute);
    try {
      el = await fixture<RtcCamera>(html`<rtc-camera muted no-video></rtc-camera>`);
      await live(el);
      expect(el.media.audioTrack!.enabled).to.equal(false);
      el.muted = false;
      await el.updateComplete;
      expect(el.media.audioTrack!.enabled).to.equal(true);
      expect(fired).to.equal(0);
    } finally {
      document.removeEventListener('rtc-mute-change', onMute);
    }
  });

  it('camera off stops the video track (light off) and camera on captures again', async () => {
    el = await fixture<RtcCamera>(html`<rtc-camera width="320" height="240"></rtc-camera>`);
    await live(el);
    await el.updateComplete;
    const track = el.media.videoTrack!;
    const off = nextEvent(el, 'rtc-camera-off-change');
    part<HTMLButtonElement>(el, 'camera')!.click();
    expect((await off).cameraOff).to.equal(true);
    await until(() => !el!.media.videoTrack, 'video track dropped');
    expect(track.readyState).to.equal('ended');
    await el.updateComplete;
    expect(el.hasAttribute('camera-off')).to.equal(true);
    expect(el.matches(':state(camera-off)')).to.equal(true);
    expect(text(el, 'placeholder')).to.equal('Camera off');
    expect(part(el, 'video')).to.equal(null);
    expect(el.stream!.getAudioTracks().length, 'microphone keeps going').to.equal(1);
    const on = nextEvent(el, 'rtc-camera-off-change');
    part<HTMLButtonElement>(el, 'camera')!.click();
    expect((await on).cameraOff).to.equal(false);
    await until(() => el!.media.videoTrack?.readyState === 'live', 'camera back');
    await el.updateComplete;
    await until(() => (part<HTMLVideoElement>(el!, 'video')?.videoWidth ?? 0) > 0, 'preview plays again');
  });

  it('says so when there is no screen to share, and keeps the camera (headless Firefox, for real)', async function () {
    if (!isFirefox) return this.skip(); // headless Chromium has a screen
    el = await fixture<RtcCamera>(html`<rtc-camera no-audio width="320" height="240"></rtc-camera>`);
    await live(el);
    await el.updateComplete;
    const camera = el.media.videoTrack!;
    const failed = nextEvent(el, 'rtc-error');
    await realClick(el, 'screen-share');
    expect((await failed).code).to.equal('no-device');
    await el.updateComplete;
    expect(text(el, 'error')).to.contain('There is no screen to share.');
    expect(el.media.videoTrack).to.equal(camera);
    expect(camera.readyState).to.equal('live');
    expect(el.hasAttribute('screen-sharing')).to.equal(false);
  });

  it('shares the screen in place of the camera, and the camera comes back when sharing ends', async function () {
    if (isFirefox) return this.skip(); // headless Firefox has no screen to share (see the test above)
    el = await fixture<RtcCamera>(html`<rtc-camera no-audio width="320" height="240"></rtc-camera>`);
    await live(el);
    await el.updateComplete;
    const camera = el.media.videoTrack!;
    const started = nextEvent(el, 'rtc-screen-share-change');
    await realClick(el, 'screen-share'); // a real click: getDisplayMedia needs user activation
    expect((await started).sharing).to.equal(true);
    const screen = el.media.videoTrack!;
    expect(screen.getSettings().displaySurface).to.be.a('string');
    expect(camera.readyState, 'camera released while sharing').to.equal('ended');
    await el.updateComplete;
    expect(el.hasAttribute('screen-sharing')).to.equal(true);
    expect(el.matches(':state(screen-sharing)')).to.equal(true);
    expect(text(el, 'screen-share')).to.equal('Stop sharing');
    // STUB: the browser's own "Stop sharing" bar cannot be clicked headless; it ends the track,
    // which is what this event stands for.
    const stopped = nextEvent(el, 'rtc-screen-share-change');
    screen.stop();
    screen.dispatchEvent(new Event('ended'));
    expect((await stopped).sharing).to.equal(false);
    await until(() => el!.media.videoTrack?.readyState === 'live', 'camera back');
    expect(el.media.videoTrack!.getSettings().displaySurface).to.equal(undefined);
    await el.updateComplete;
    expect(el.hasAttribute('screen-sharing')).to.equal(false);
  });
});

describe('<rtc-camera> errors', () => {
  let el: RtcCamera | undefined;
  let restore: (() => void)[] = [];
  afterEach(() => {
    restore.forEach((r) => r());
    restore = [];
    el?.stop();
    el = undefined;
  });

  it('names the impossible constraint (a real OverconstrainedError) and keeps the microphone', async () => {
    const failed = nextEvent(document, 'rtc-error');
    el = await fixture<RtcCamera>(
      html`<rtc-camera .constraints=${{ video: { width: { exact: 12345 } } }}></rtc-camera>`,
    );
    const event = await failed;
    expect(event.code).to.equal('overconstrained');
    await live(el);
    expect(el.stream!.getAudioTracks().length, 'audio-only').to.equal(1);
    expect(el.stream!.getVideoTracks().length).to.equal(0);
    await el.updateComplete;
    expect(text(el, 'error')).to.contain('No camera can satisfy the width constraint');
    expect(part(el, 'retry')!.textContent).to.contain('Retry');
    expect(el.matches(':state(error)')).to.equal(true);
    await expect(el).to.be.accessible();
    el.constraints = undefined; // dropping it recovers
    await until(() => el!.media.videoTrack?.readyState === 'live', 'camera opens');
    await until(() => !el!.media.state.error, 'error cleared');
  });

  it('reports a camera that does not exist, and Retry recovers once it is dropped', async () => {
    const failed = nextEvent(document, 'rtc-error');
    el = await fixture<RtcCamera>(html`<rtc-camera no-audio device-id="no-such-camera"></rtc-camera>`);
    const event = await failed;
    expect(event.code).to.equal('overconstrained');
    expect(el.media.state.status).to.equal('error');
    el.removeAttribute('device-id');
    await live(el);
    expect(el.stream!.getVideoTracks().length).to.equal(1);
  });

  it('reports a busy camera with Retry (getUserMedia stubbed: a headless browser has no busy device)', async () => {
    let busy = true;
    restore.push(
      stubMediaDevices('getUserMedia', (real) => async (c) => {
        if (busy && c?.video) throw new DOMException('Could not start video source', 'NotReadableError');
        return real(c);
      }),
    );
    const failed = nextEvent(document, 'rtc-error');
    el = await fixture<RtcCamera>(html`<rtc-camera width="320" height="240"></rtc-camera>`);
    const event = await failed;
    expect(event.code).to.equal('device-busy');
    await live(el);
    expect(el.stream!.getAudioTracks().length, 'the microphone still works').to.equal(1);
    await el.updateComplete;
    expect(text(el, 'error')).to.contain('in use by another application');
    busy = false;
    part<HTMLButtonElement>(el, 'retry')!.click();
    await until(() => el!.media.videoTrack?.readyState === 'live', 'camera opens on retry');
    await el.updateComplete;
    expect(part(el, 'error')).to.equal(null);
  });

  it('falls back to the default camera when the one in use is unplugged, and says so (track end stubbed)', async () => {
    el = await fixture<RtcCamera>(html`<rtc-camera no-audio width="320" height="240"></rtc-camera>`);
    await live(el);
    const cameras = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
    // Use the last camera (Firefox has one), then "unplug" it.
    const chosen = cameras.at(-1)!.deviceId;
    el.deviceId = chosen;
    await el.updateComplete;
    await el.media.ready();
    expect(el.media.videoTrack!.getSettings().deviceId).to.equal(chosen);
    const track = el.media.videoTrack!;
    const fellBack = nextEvent(el, 'rtc-device-change');
    const error = nextEvent(el, 'rtc-error');
    // STUB: a fake device cannot be unplugged; an unplugged camera's track ends like this.
    // (Firefox delivers no event dispatched on a track already stopped, so end it after.)
    track.dispatchEvent(new Event('ended'));
    track.stop();
    expect((await error).code).to.equal('track-ended');
    const change = await fellBack;
    expect(change.reason).to.equal('fallback');
    await until(() => el!.media.videoTrack?.readyState === 'live', 'default camera');
    expect(el.media.videoTrack).not.to.equal(track);
    expect(el.deviceId).to.equal(undefined);
    await el.updateComplete;
    expect(text(el, 'error')).to.contain('Switched to the default camera');
  });

  it('falls back when the camera in use leaves the device list (devicechange and enumerateDevices stubbed)', async function () {
    el = await fixture<RtcCamera>(html`<rtc-camera no-audio width="320" height="240"></rtc-camera>`);
    await live(el);
    const cameras = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
    if (cameras.length < 2) return this.skip(); // Firefox: one fake camera, nothing to fall back to
    const chosen = cameras.at(-1)!.deviceId;
    el.deviceId = chosen;
    await el.updateComplete;
    await el.media.ready();
    const track = el.media.videoTrack!;
    expect(track.getSettings().deviceId).to.equal(chosen);
    // STUB: headless browsers have no hot-unplug; this is the list the browser reports after one.
    restore.push(
      stubMediaDevices('enumerateDevices', (real) => async () => (await real()).filter((d) => d.deviceId !== chosen)),
    );
    const error = nextEvent(el, 'rtc-error');
    navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
    expect((await error).code).to.equal('track-ended');
    await until(() => el!.media.videoTrack?.readyState === 'live' && el!.media.videoTrack !== track, 'default camera');
    expect(track.readyState).to.equal('ended');
    expect(el.media.videoTrack!.getSettings().deviceId).not.to.equal(chosen);
    await until(() => el!.devices!.state.cameras.every((c) => c.deviceId !== chosen), 'picker drops it');
  });

  it('shows a newly plugged camera in the picker (devicechange and enumerateDevices stubbed)', async () => {
    el = await fixture<RtcCamera>(html`<rtc-camera no-audio width="320" height="240"></rtc-camera>`);
    await live(el);
    await until(() => el!.devices!.state.cameras.some((c) => c.label), 'labelled list');
    const count = el.devices!.state.cameras.length;
    // STUB: headless browsers have no hot-plug; this is what the browser reports after one.
    restore.push(
      stubMediaDevices('enumerateDevices', (real) => async () => {
        const list = await real();
        const plugged = { deviceId: 'usb-cam', groupId: 'usb', kind: 'videoinput', label: 'USB Camera', toJSON() {} };
        return [...list, plugged as MediaDeviceInfo];
      }),
    );
    navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
    await until(() => el!.devices!.state.cameras.length === count + 1, 'new camera listed');
    await el.updateComplete;
    const labels = [...part<HTMLSelectElement>(el, 'camera-select')!.options].map((o) => o.textContent);
    expect(labels).to.include('USB Camera');
    expect(el.media.videoTrack!.readyState, 'capture goes on').to.equal('live');
  });
});
