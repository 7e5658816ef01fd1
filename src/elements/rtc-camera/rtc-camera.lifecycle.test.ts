import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { RtcCall } from '../rtc-call/rtc-call.js';
import type { RtcCamera } from './rtc-camera.js';
import type { RtcDeviceChangeEvent } from '../../events/rtc-device-change-event.js';
import { signalingUrl, uniqueRoom, until } from '../../test-support/call-helpers.js';

const later = (ms = 50) => new Promise((r) => setTimeout(r, ms));
const part = <T extends Element = HTMLElement>(el: Element, name: string) => el.shadowRoot!.querySelector<T>(`[part~="${name}"]`);

/** A call with a camera inside, joined and capturing. */
async function joinedCall(cleanup: (() => void)[]): Promise<{ call: RtcCall; cam: RtcCamera }> {
  const url = await signalingUrl();
  const call = await fixture<RtcCall>(html`<rtc-call signaling=${url} room=${uniqueRoom('cam-life')}><rtc-camera width="320" height="240"></rtc-camera></rtc-call>`);
  cleanup.push(() => call.leave());
  const cam = call.querySelector('rtc-camera')!;
  await until(() => call.session.state.status === 'joined' && cam.media.state.status === 'live', 'joined and capturing');
  return { call, cam };
}

describe('<rtc-camera> through its life: before capture, out of a call, out of the page', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => cleanup.splice(0).forEach((f) => f()));

  it('camera-off in the markup captures the microphone, and Camera on brings the camera', async () => {
    const el = await fixture<RtcCamera>(html`<rtc-camera camera-off width="320" height="240"></rtc-camera>`);
    cleanup.push(() => el.stop());
    await until(() => el.media.audioTrack?.readyState === 'live', 'the microphone is captured');
    expect(!!el.media.videoTrack, 'no camera while it is off').to.equal(false);
    expect(part(el, 'placeholder')!.textContent).to.equal('Camera off');
    part<HTMLButtonElement>(el, 'camera')!.click();
    await until(() => el.media.videoTrack?.readyState === 'live', 'Camera on captures the camera');
    await el.updateComplete;
    await until(() => (part<HTMLVideoElement>(el, 'video')?.videoWidth ?? 0) > 0, 'the preview shows it');
    expect(el.cameraOff).to.equal(false);
  });

  it('Camera off chosen between Leave and Join: the next join sends the microphone alone', async () => {
    const { call, cam } = await joinedCall(cleanup);
    part<HTMLButtonElement>(call, 'leave')!.click();
    await cam.updateComplete;
    part<HTMLButtonElement>(cam, 'camera')!.click();
    await cam.updateComplete;
    expect(cam.media.state.status, 'still stopped: the choice waits for the next join').to.equal('stopped');
    part<HTMLButtonElement>(call, 'join')!.click();
    await until(() => call.session.state.status === 'joined' && cam.media.audioTrack?.readyState === 'live', 'joined with the microphone');
    expect(!!cam.media.videoTrack, 'no camera').to.equal(false);
    expect(part(cam, 'camera')!.textContent!.trim()).to.equal('Camera on');
  });

  it('no-video set after Leave is followed at the next join: no camera is captured or sent', async () => {
    const { call, cam } = await joinedCall(cleanup);
    call.leave();
    await cam.updateComplete;
    cam.noVideo = true;
    await cam.updateComplete;
    await call.join();
    await until(() => cam.media.state.status === 'live' && !!cam.media.audioTrack, 'capturing again');
    expect(!!cam.media.videoTrack, 'no camera track').to.equal(false);
  });

  it('after Leave it says the camera stopped, and Share screen is off until the next join', async () => {
    const { call, cam } = await joinedCall(cleanup);
    call.leave();
    await cam.updateComplete;
    expect(part(cam, 'placeholder')!.textContent).to.equal('Camera stopped');
    const share = part<HTMLButtonElement>(cam, 'screen-share');
    if (share) expect(share.disabled, 'Share screen disabled while stopped').to.equal(true);
  });

  it('a standalone camera taken out of the page and put back in a later task captures again', async () => {
    const el = await fixture<RtcCamera>(html`<rtc-camera no-audio width="320" height="240"></rtc-camera>`);
    cleanup.push(() => el.stop());
    await until(() => el.media.state.status === 'live', 'live');
    const parent = el.parentElement!;
    el.remove();
    await later();
    expect(el.media.state.status, 'released while out of the page (the light goes off)').to.equal('stopped');
    parent.append(el);
    await until(() => el.media.videoTrack?.readyState === 'live', 'captures again once back');
    await el.updateComplete;
    await until(() => (part<HTMLVideoElement>(el, 'video')?.videoWidth ?? 0) > 0, 'the preview shows it');
    el.stop();
    el.remove();
    await later();
    parent.append(el);
    await later();
    expect(el.media.state.status, 'a camera stopped by the page stays stopped').to.equal('stopped');
  });

  it('a camera that is busy elsewhere keeps the one that works, and Retry switches once it is free', async function () {
    const md = navigator.mediaDevices;
    const real = md.getUserMedia.bind(md);
    let busyId = '';
    // NOTE: headless Chromium has no busy device; NotReadableError is what browsers throw then.
    md.getUserMedia = async (c) => {
      const v = c?.video as MediaTrackConstraints | undefined;
      if (busyId && v && typeof v === 'object' && (v.deviceId as ConstrainDOMStringParameters)?.exact === busyId) {
        throw new DOMException('Could not start video source', 'NotReadableError');
      }
      return real(c);
    };
    cleanup.push(() => (md.getUserMedia = real));
    const el = await fixture<RtcCamera>(html`<rtc-camera no-audio width="320" height="240"></rtc-camera>`);
    cleanup.push(() => el.stop());
    await until(() => el.media.videoTrack?.readyState === 'live', 'live');
    const working = el.media.videoTrack!.getSettings().deviceId;
    const other = (await md.enumerateDevices()).find((d) => d.kind === 'videoinput' && d.deviceId !== working);
    if (!other) return this.skip(); // Firefox's fake devices: one camera
    busyId = other!.deviceId;
    const select = part<HTMLSelectElement>(el, 'camera-select')!;
    select.value = busyId;
    select.dispatchEvent(new Event('change'));
    await until(() => el.media.state.error?.code === 'device-busy', 'the busy camera is said');
    await el.updateComplete;
    expect(el.media.videoTrack?.readyState ?? 'none', 'the working camera runs').to.equal('live');
    expect(el.media.videoTrack!.getSettings().deviceId).to.equal(working);
    expect(part(el, 'error')!.getAttribute('data-code')).to.equal('device-busy');
    expect(select.value === working, 'the picker shows the camera in use, not the failed pick').to.equal(true);
    // The other app lets go of it: Retry switches.
    busyId = '';
    part<HTMLButtonElement>(el, 'retry')!.click();
    await until(() => el.media.videoTrack?.getSettings().deviceId === other!.deviceId, 'Retry switches to the chosen camera');
    await until(() => !el.media.state.error, 'the error is gone');
  });

  it('facing-mode changed while live asks for a camera facing that way (a new track, not applyConstraints)', async () => {
    const el = await fixture<RtcCamera>(html`<rtc-camera no-audio facing-mode="user" width="320" height="240"></rtc-camera>`);
    cleanup.push(() => el.stop());
    await until(() => el.media.state.status === 'live', 'live');
    const md = navigator.mediaDevices;
    const real = md.getUserMedia.bind(md);
    const asked: MediaStreamConstraints[] = [];
    md.getUserMedia = (c) => (asked.push(c ?? {}), real(c));
    cleanup.push(() => (md.getUserMedia = real));
    const before = el.media.videoTrack!;
    el.facingMode = 'environment';
    await el.updateComplete;
    await el.media.ready();
    // Fake cameras face nowhere, so the same one comes back; a phone opens its back camera here.
    expect(asked.map((c) => JSON.stringify((c.video as MediaTrackConstraints).facingMode))).to.deep.equal(['{"ideal":"environment"}']);
    expect(el.media.videoTrack).to.not.equal(before);
    expect(before.readyState).to.equal('ended');
  });

  it('a camera pinned through the constraints property that is unplugged falls back and stays on the default', async () => {
    const el = await fixture<RtcCamera>(html`<rtc-camera no-audio width="320" height="240"></rtc-camera>`);
    cleanup.push(() => el.stop());
    await until(() => el.media.videoTrack?.readyState === 'live', 'live');
    const cameras = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
    const chosen = cameras.at(-1)!.deviceId;
    el.constraints = { video: { deviceId: { exact: chosen } } };
    await el.updateComplete;
    await el.media.ready();
    expect(el.media.videoTrack!.getSettings().deviceId).to.equal(chosen);
    // STUB: a fake camera cannot be unplugged; once it is, asking for it fails like this.
    const md = navigator.mediaDevices;
    const real = md.getUserMedia.bind(md);
    md.getUserMedia = async (c) => {
      const v = c?.video as MediaTrackConstraints | undefined;
      if (v && typeof v === 'object' && (v.deviceId as ConstrainDOMStringParameters)?.exact === chosen) {
        throw new DOMException('', 'OverconstrainedError');
      }
      return real(c);
    };
    cleanup.push(() => (md.getUserMedia = real));
    const track = el.media.videoTrack!;
    track.dispatchEvent(new Event('ended'));
    track.stop();
    await until(() => el.media.videoTrack?.readyState === 'live' && el.media.videoTrack !== track, 'the default camera runs');
    await el.updateComplete;
    await el.media.ready();
    await later(300);
    expect(el.media.state.error?.code, 'it says the camera went away, not that a constraint failed').to.equal('track-ended');
    expect(el.media.videoTrack?.readyState).to.equal('live');
    expect(JSON.stringify(el.constraints), 'the vanished camera is no longer asked for').to.not.contain(chosen);
    // A later change (a new size) goes on with the default camera, not back to the vanished one.
    el.width = 640;
    await el.updateComplete;
    await el.media.ready();
    expect(el.media.state.error?.code ?? 'none').to.not.equal('overconstrained');
    expect(el.media.videoTrack?.readyState).to.equal('live');
  });

  it('an unplugged speaker falls back to the system default, in the picker and in use, and says so', async function () {
    const md = navigator.mediaDevices;
    const realEnum = md.enumerateDevices.bind(md);
    // STUB: two speakers, one of which is then unplugged (headless browsers list none of their own).
    let speakers = [
      { kind: 'audiooutput', deviceId: 'spk-a', label: 'Speakers', groupId: 'a' },
      { kind: 'audiooutput', deviceId: 'spk-b', label: 'USB headset', groupId: 'b' },
    ];
    md.enumerateDevices = async () => [...(await realEnum()).filter((d) => d.kind !== 'audiooutput'), ...speakers] as MediaDeviceInfo[];
    try {
      const call = await fixture<RtcCall>(html`<rtc-call no-auto-join room="x"><rtc-camera no-video></rtc-camera></rtc-call>`);
      const cam = call.querySelector<RtcCamera>('rtc-camera')!;
      const select = () => part<HTMLSelectElement>(cam, 'speaker-select');
      await until(() => select()?.querySelectorAll('option').length === 3, 'the speaker list', 5000).catch(() => null);
      if (!select()) return this.skip(); // a browser that cannot route audio (no setSinkId)
      select()!.value = 'spk-b';
      select()!.dispatchEvent(new Event('change'));
      await until(() => cam.media.audioOutputId === 'spk-b', 'the headset in use');
      const changes: string[] = [];
      cam.addEventListener('rtc-device-change', (e) => changes.push(`${(e as RtcDeviceChangeEvent).kind} "${(e as RtcDeviceChangeEvent).deviceId}" ${(e as RtcDeviceChangeEvent).reason}`));
      speakers = speakers.filter((s) => s.deviceId !== 'spk-b');
      md.dispatchEvent(new Event('devicechange'));
      await until(() => select()?.querySelectorAll('option').length === 2, 'the list follows the unplug');
      await until(() => cam.media.audioOutputId === '', 'back on the system default');
      await cam.updateComplete;
      expect(select()!.value).to.equal('');
      expect(changes).to.deep.equal(['audiooutput "" fallback']);
      cam.stop();
    } finally {
      md.enumerateDevices = realEnum;
    }
  });
});
