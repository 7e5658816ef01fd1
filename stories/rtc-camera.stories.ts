import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { LocalMedia } from '../src/core/local-media.js';
import type { RtcCamera } from '../src/elements/rtc-camera/rtc-camera.js';
import { fakeMediaDevices, type FakeOptions } from './support/fake-media-devices.js';

interface Args {
  width: number;
  height: number;
  frameRate: number;
  noAudio: boolean;
  noVideo: boolean;
  noMirror: boolean;
  showSettings: boolean;
  noControls: boolean;
}

const meta: Meta<Args> = {
  title: 'Elements/rtc-camera',
  component: 'rtc-camera',
  args: {
    width: 640,
    height: 480,
    frameRate: 30,
    noAudio: false,
    noVideo: false,
    noMirror: false,
    showSettings: true,
    noControls: false,
  },
};
export default meta;

type Story = StoryObj<Args>;

/** Media drawn in the page, for states a real browser will not produce on demand (see fake-media-devices.ts). */
const fake = (options: FakeOptions = {}) => new LocalMedia({ mediaDevices: fakeMediaDevices(options) });

const cameraIn = (root: HTMLElement) => root.querySelector<RtcCamera>('rtc-camera')!;
const whenLive = async (el: RtcCamera) => {
  for (let i = 0; i < 100 && el.media.state.status !== 'live'; i++) await new Promise((r) => setTimeout(r, 50));
};

/** Standalone preview with the real camera and microphone (the browser asks for permission). */
export const Preview: Story = {
  render: (a) => html`<rtc-camera
    width=${a.width}
    height=${a.height}
    frame-rate=${a.frameRate}
    ?no-audio=${a.noAudio}
    ?no-video=${a.noVideo}
    ?no-mirror=${a.noMirror}
    ?show-settings=${a.showSettings}
    ?no-controls=${a.noControls}
  ></rtc-camera>`,
};

/** Microphone muted (the `muted` attribute; the Mute button does the same): the badge, and `:state(muted)`. */
export const Muted: Story = {
  render: () => html`<rtc-camera muted width="640" height="480"></rtc-camera>`,
};

/** Camera off (the `camera-off` attribute): the video track is stopped, the light is off, the microphone goes on. */
export const CameraOff: Story = {
  render: () => html`<rtc-camera camera-off></rtc-camera>`,
};

/** Sharing a window in place of the camera. Drawn in the page: a real share needs a click and a choice in the browser's picker. */
export const ScreenShare: Story = {
  render: () => html`<rtc-camera show-settings .media=${fake()}></rtc-camera>`,
  play: async ({ canvasElement }) => {
    const el = cameraIn(canvasElement);
    await whenLive(el);
    await el.startScreenShare();
  },
};

/** The device picker with two cameras (drawn in the page, so any machine shows two). */
export const TwoCameras: Story = {
  render: () => html`<rtc-camera show-settings .media=${fake({ cameras: ['Front camera', 'Back camera'] })}></rtc-camera>`,
};

/** The user blocked the camera and microphone (`NotAllowedError`). */
export const PermissionDenied: Story = {
  render: () => html`<rtc-camera .media=${fake({ fail: { name: 'NotAllowedError', message: 'Permission denied' } })}></rtc-camera>`,
};

/** No camera or microphone attached (`NotFoundError`). */
export const NoDevice: Story = {
  render: () => html`<rtc-camera .media=${fake({ fail: { name: 'NotFoundError', message: 'Requested device not found' } })}></rtc-camera>`,
};

/** Another application holds the camera (`NotReadableError`): the microphone still works, so a call goes on audio-only. */
export const DeviceBusy: Story = {
  render: () =>
    html`<rtc-camera .media=${fake({ fail: { name: 'NotReadableError', message: 'Could not start video source', kinds: ['video'] } })}></rtc-camera>`,
};

/** No camera can meet a hard constraint (`OverconstrainedError` naming `width`), e.g. `{ video: { width: { exact: 12345 } } }`. */
export const ImpossibleConstraint: Story = {
  render: () =>
    html`<rtc-camera
      .constraints=${{ video: { width: { exact: 12345 } } }}
      .media=${fake({ fail: { name: 'OverconstrainedError', constraint: 'width', kinds: ['video'] } })}
    ></rtc-camera>`,
};

/** A page served over plain http (not localhost): browsers hide `navigator.mediaDevices`. */
export const InsecureContext: Story = {
  render: () => html`<rtc-camera .media=${new LocalMedia({ mediaDevices: null })}></rtc-camera>`,
};

/** The camera in use was unplugged: capture falls back to the default camera and says so. */
export const CameraUnplugged: Story = {
  render: () => html`<rtc-camera .media=${fake({ cameras: ['USB camera', 'Built-in camera'] })} device-id="cam-0"></rtc-camera>`,
  play: async ({ canvasElement }) => {
    const el = cameraIn(canvasElement);
    await whenLive(el);
    // What the browser does when the device goes away: the track ends.
    el.media.videoTrack?.dispatchEvent(new Event('ended'));
  },
};

/** Capture stopped (after leaving a call, or `stop()`): "Camera stopped", Share screen off until the next start. */
export const Stopped: Story = {
  render: () => html`<rtc-camera .media=${fake()}></rtc-camera>`,
  play: async ({ canvasElement }) => {
    const el = cameraIn(canvasElement);
    await whenLive(el);
    el.stop();
  },
};
