/** The texts `<rtc-camera>` shows, in English; set `strings` on the element, or `setStrings({ 'rtc-camera': … })`, to translate them. */
import type { MediaErrorCode } from '../../core/media-error.js';

/** Every text of `<rtc-camera>`. Templates fill `{name}` placeholders. */
export interface RtcCameraStrings {
  controls: string;
  mute: string;
  unmute: string;
  cameraOff: string;
  cameraOn: string;
  shareScreen: string;
  stopSharing: string;
  camera: string;
  microphone: string;
  speaker: string;
  systemDefault: string;
  /** A device the browser gives no name yet (before permission): `{kind}` (Camera, Microphone, Speaker above) and `{n}`. */
  unnamedDevice: string;
  starting: string;
  videoOff: string;
  noCamera: string;
  /** Capture stopped (after leaving a call, or `stop()`). */
  stopped: string;
  muted: string;
  yourCamera: string;
  yourScreen: string;
  /** `{settings}`, e.g. `640×480 @ 30` */
  cameraSettings: string;
  /** `{settings}` */
  screenSettings: string;
  noVideo: string;
  retry: string;
  /** Texts per error code; `{message}` is the English one. Absent codes show the English message. */
  errors: Partial<Record<MediaErrorCode, string>>;
  /** Announced to screen readers. */
  mutedNow: string;
  unmutedNow: string;
  cameraOffNow: string;
  cameraOnNow: string;
  sharingNow: string;
  sharingStopped: string;
}

export const DEFAULT_CAMERA_STRINGS: RtcCameraStrings = {
  controls: 'Capture controls',
  mute: 'Mute',
  unmute: 'Unmute',
  cameraOff: 'Camera off',
  cameraOn: 'Camera on',
  shareScreen: 'Share screen',
  stopSharing: 'Stop sharing',
  camera: 'Camera',
  microphone: 'Microphone',
  speaker: 'Speaker',
  systemDefault: 'System default',
  unnamedDevice: '{kind} {n}',
  starting: 'Starting camera…',
  videoOff: 'Video off',
  noCamera: 'No camera',
  stopped: 'Camera stopped',
  muted: 'Muted',
  yourCamera: 'Your camera',
  yourScreen: 'Your shared screen',
  cameraSettings: 'Camera: {settings}',
  screenSettings: 'Screen: {settings}',
  noVideo: 'No video',
  retry: 'Retry',
  errors: {},
  mutedNow: 'Microphone muted',
  unmutedNow: 'Microphone on',
  cameraOffNow: 'Camera off',
  cameraOnNow: 'Camera on',
  sharingNow: 'Sharing your screen',
  sharingStopped: 'Screen sharing stopped',
};

declare module '../../core/strings.js' {
  interface RtcStringsMap {
    'rtc-camera': Partial<RtcCameraStrings>;
  }
}
