/** Turns the capture options an element exposes into `getUserMedia` constraints. */

/** What a user asks of the camera and microphone; unset fields leave the browser's default. */
export interface CaptureOptions {
  /** Capture audio (default true). */
  audio?: boolean;
  /** Capture video (default true). */
  video?: boolean;
  width?: number;
  height?: number;
  frameRate?: number;
  facingMode?: 'user' | 'environment';
  /** Camera to use; an exact match is required when set. */
  deviceId?: string;
  /** Microphone to use; an exact match is required when set. */
  audioDeviceId?: string;
  echoCancellation?: boolean;
  noiseSuppression?: boolean;
  autoGainControl?: boolean;
}

const positive = (n: number | undefined) => (n !== undefined && Number.isFinite(n) && n > 0 ? n : undefined);

/**
 * Sizes and rates are `ideal` so a camera that cannot match them still opens (the browser picks
 * the nearest mode); a chosen device is `exact`, since silently using another one would surprise.
 */
export function buildConstraints(o: CaptureOptions): MediaStreamConstraints {
  let video: MediaTrackConstraints | false = false;
  if (o.video !== false) {
    video = {};
    const width = positive(o.width);
    const height = positive(o.height);
    const frameRate = positive(o.frameRate);
    if (width) video.width = { ideal: width };
    if (height) video.height = { ideal: height };
    if (frameRate) video.frameRate = { ideal: frameRate };
    if (o.facingMode) video.facingMode = { ideal: o.facingMode };
    if (o.deviceId) video.deviceId = { exact: o.deviceId };
  }
  let audio: MediaTrackConstraints | false = false;
  if (o.audio !== false) {
    audio = {};
    if (o.audioDeviceId) audio.deviceId = { exact: o.audioDeviceId };
    if (o.echoCancellation !== undefined) audio.echoCancellation = o.echoCancellation;
    if (o.noiseSuppression !== undefined) audio.noiseSuppression = o.noiseSuppression;
    if (o.autoGainControl !== undefined) audio.autoGainControl = o.autoGainControl;
  }
  return {
    audio: audio && Object.keys(audio).length === 0 ? true : audio,
    video: video && Object.keys(video).length === 0 ? true : video,
  };
}
