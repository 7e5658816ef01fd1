/** Turns the capture options an element exposes into `getUserMedia` constraints, and compares them. */

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

/** The media kinds a capture may hold. */
export type MediaKind = 'audio' | 'video';

// A framework may set the property to a string (Vue sets `width="320"` as "320"): read it as a number.
const positive = (v: number | string | undefined) => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
};

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

/**
 * Lays `extra` (a full `MediaStreamConstraints` from the page) over `base` (from attributes),
 * kind by kind: `false` in either turns a kind off; object members of `extra` win.
 */
export function mergeConstraints(
  base: MediaStreamConstraints,
  extra: MediaStreamConstraints | null | undefined,
): MediaStreamConstraints {
  if (!extra) return base;
  const merge = (a: MediaStreamConstraints['audio'], b: MediaStreamConstraints['audio']) => {
    if (!a || b === false) return false;
    if (b === undefined || b === true) return a;
    const merged = { ...(a === true ? {} : a), ...b };
    return Object.keys(merged).length ? merged : true;
  };
  return { audio: merge(base.audio, extra.audio), video: merge(base.video, extra.video) };
}

/** The constraints of one kind as an object (`true` is "anything", `false`/absent is null). */
export function kindConstraints(c: MediaStreamConstraints | null, kind: MediaKind): MediaTrackConstraints | null {
  const v = c?.[kind];
  if (!v) return null;
  return v === true ? {} : v;
}

/** The device a kind's constraints ask for (any of exact/ideal/plain), or undefined for "the default". */
export function requestedDevice(c: MediaTrackConstraints | null): string | undefined {
  const d = c?.deviceId;
  if (!d) return undefined;
  if (typeof d === 'string') return d;
  if (Array.isArray(d)) return d[0];
  const v = d.exact ?? d.ideal;
  return Array.isArray(v) ? v[0] : v;
}

const PROCESSING = ['echoCancellation', 'noiseSuppression', 'autoGainControl'] as const;

/** True when two audio constraints differ in their processing switches (which need a new track to change reliably). */
export function processingChanged(a: MediaTrackConstraints | null, b: MediaTrackConstraints | null): boolean {
  return PROCESSING.some((k) => JSON.stringify(a?.[k]) !== JSON.stringify(b?.[k]));
}

/** The constraints to give `applyConstraints`: the same, without the device choice (which a running track cannot change). */
export function liveConstraints(c: MediaTrackConstraints): MediaTrackConstraints {
  const { deviceId: _d, groupId: _g, ...rest } = c;
  return rest;
}

/** The device a kind's constraints require (`exact`; a bare id is only ideal), or undefined. */
export function exactDevice(c: MediaTrackConstraints | null): string | undefined {
  const d = c?.deviceId;
  return d && typeof d === 'object' && !Array.isArray(d) && typeof d.exact === 'string' ? d.exact : undefined;
}

/** The same, with device `deviceId` required for `kind`. */
export function withDevice(c: MediaStreamConstraints, kind: MediaKind, deviceId: string): MediaStreamConstraints {
  return { ...c, [kind]: { ...liveConstraints(kindConstraints(c, kind) ?? {}), deviceId: { exact: deviceId } } };
}

/** Without a device choice: what a fallback to the default device captures with. */
export function withoutDevice(c: MediaStreamConstraints, kind: MediaKind): MediaStreamConstraints {
  const k = kindConstraints(c, kind);
  if (!k) return c;
  const rest = liveConstraints(k);
  return { ...c, [kind]: Object.keys(rest).length ? rest : true };
}

/**
 * True when a track ignored a size it could deliver: its settings miss the asked width or height
 * although its capabilities cover it.
 */
export function sizeUnmet(c: MediaTrackConstraints, track: MediaStreamTrack): boolean {
  const settings = track.getSettings();
  const caps = track.getCapabilities?.() ?? {};
  return (['width', 'height'] as const).some((key) => {
    const v = c[key];
    const want = typeof v === 'number' ? v : (v?.exact ?? v?.ideal);
    const have = settings[key];
    const range = caps[key];
    if (typeof want !== 'number' || !have || have === want) return false;
    return !range || ((range.min ?? 0) <= want && want <= (range.max ?? Infinity));
  });
}

/** `640×480 @ 30`: what a video track actually delivers. */
export function describeVideoSettings(s: MediaTrackSettings | null | undefined): string {
  if (!s?.width || !s.height) return '';
  const rate = s.frameRate ? ` @ ${Math.round(s.frameRate)}` : '';
  return `${s.width}×${s.height}${rate}`;
}
