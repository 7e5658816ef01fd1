/**
 * The local camera, microphone and screen share: what is captured, its state, and its release.
 * Both `<rtc-camera>` (preview, controls) and the call session (publishing) read the same object.
 *
 * Tracks are swapped rather than the capture restarted wherever possible, so a call that
 * publishes `state.stream` only has to `replaceTrack` (no renegotiation, no new prompt):
 * - a constraint change on a running track is `applyConstraints`;
 * - a device change is a new track of that kind only;
 * - mute is `track.enabled = false`; camera off stops the video track (the light goes off);
 * - a screen share replaces the camera track until it ends.
 */
import {
  kindConstraints,
  liveConstraints,
  processingChanged,
  requestedDevice,
  sizeUnmet,
  withDevice,
  withoutDevice,
  exactDevice,
  type MediaKind,
} from './constraints.js';
import {
  MediaError,
  insecureContextError,
  screenShareUnsupportedError,
  toMediaError,
  toScreenShareError,
  trackEndedError,
} from './media-error.js';

/** Where capture stands. `live` may still carry an `error` for the kind that failed. */
export type LocalMediaStatus = 'idle' | 'starting' | 'live' | 'error' | 'stopped';

/** A snapshot of the local media. */
export interface LocalMediaState {
  status: LocalMediaStatus;
  /** What is published: the microphone and the camera (or screen) track; a new object whenever a track changes. */
  stream: MediaStream | null;
  /** The latest failure; with `status === 'live'` only one kind failed. */
  error: MediaError | null;
  /** The microphone is muted (its track sends silence). */
  audioMuted: boolean;
  /** The camera was turned off by the user (its track is stopped). */
  videoOff: boolean;
  /** The video track is a screen share. */
  screenSharing: boolean;
}

const KINDS: readonly MediaKind[] = ['audio', 'video'];

/** Owns one local capture. Fires `change` whenever `state` is replaced or a track's settings change. */
export class LocalMedia extends EventTarget {
  #state: LocalMediaState = {
    status: 'idle',
    stream: null,
    error: null,
    audioMuted: false,
    videoOff: false,
    screenSharing: false,
  };
  #audio: MediaStreamTrack | null = null;
  #camera: MediaStreamTrack | null = null;
  #screen: MediaStreamTrack | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #generation = 0;
  #deviceWatch: AbortController | null = null;
  #mediaDevices: MediaDevices | null | undefined;

  /**
   * @param options.mediaDevices Where to capture from (default `navigator.mediaDevices`); `null`
   *   behaves as an insecure page. For stories and apps that bring their own sources.
   */
  constructor(options: { mediaDevices?: MediaDevices | null } = {}) {
    super();
    this.#mediaDevices = 'mediaDevices' in options ? options.mediaDevices : undefined;
  }

  /** The capture API in use: the one given to the constructor, else the browser's (undefined on insecure pages). */
  get mediaDevices(): MediaDevices | undefined {
    return this.#mediaDevices === undefined ? globalThis.navigator?.mediaDevices : (this.#mediaDevices ?? undefined);
  }

  /** The constraints capture follows; `start()` and `update()` set them. */
  constraints: MediaStreamConstraints | null = null;
  #audioOutputId = '';

  /** The current snapshot. */
  get state(): LocalMediaState {
    return this.#state;
  }

  /** Speaker for the call's remote audio (`setSinkId`); '' is the system default. */
  get audioOutputId(): string {
    return this.#audioOutputId;
  }

  /** Routes remote audio to another speaker; whoever plays it (e.g. `<rtc-call>`) follows `change`. */
  setAudioOutput(deviceId: string): void {
    if (deviceId === this.#audioOutputId) return;
    this.#audioOutputId = deviceId;
    this.dispatchEvent(new Event('change'));
  }

  /** The microphone track, if capturing one. */
  get audioTrack(): MediaStreamTrack | null {
    return this.#audio;
  }

  /** The video track being published: the screen share, else the camera. */
  get videoTrack(): MediaStreamTrack | null {
    return this.#screen ?? this.#camera;
  }

  /** What the tracks actually deliver (`getSettings()`), which may be less than was asked. */
  get settings(): { audio: MediaTrackSettings | null; video: MediaTrackSettings | null } {
    return { audio: this.#audio?.getSettings() ?? null, video: this.videoTrack?.getSettings() ?? null };
  }

  /** The stream once pending work settles; null when nothing is captured. */
  ready(): Promise<MediaStream | null> {
    return this.#queue.then(() => this.#state.stream);
  }

  /** Captures with `constraints` from scratch, stopping whatever ran before. */
  start(constraints: MediaStreamConstraints): Promise<MediaStream | null> {
    this.constraints = constraints;
    const generation = ++this.#generation;
    this.#stopAll();
    this.#set({ status: 'starting', stream: null, error: null, screenSharing: false });
    return this.#enqueue(generation, async () => {
      const { tracks, error } = await this.#acquire(constraints, KINDS.filter((k) => this.#wants(k)));
      if (generation !== this.#generation) return tracks.forEach((t) => t.stop());
      for (const t of tracks) this.#adopt(t);
      this.#publish(error);
    });
  }

  /**
   * Follows new constraints without restarting: `applyConstraints` on running tracks, a new
   * track for a kind whose device changed or that was missing, none for a kind no longer asked for.
   * Before capture has started it only records them.
   */
  update(constraints: MediaStreamConstraints, retrying = false): Promise<MediaStream | null> {
    const previous = this.constraints;
    this.constraints = constraints;
    if (!this.#capturing()) return Promise.resolve(null);
    const generation = this.#generation;
    return this.#enqueue(generation, async () => {
      let error: MediaError | null = null;
      const acquired = new Set<MediaKind>();
      const applied = new Set<MediaKind>();
      for (const kind of KINDS) {
        const want = kindConstraints(constraints, kind);
        const before = kindConstraints(previous, kind);
        const track = kind === 'audio' ? this.#audio : this.#camera;
        if (!want) {
          if (track) this.#drop(track);
          continue;
        }
        if (!this.#wants(kind)) continue; // camera off or sharing: used when the camera comes back
        // A new device, or one asked for exactly that the track is not on (a switch that failed
        // and kept the previous camera: a retry tries it again).
        const exact = exactDevice(want);
        const on = track?.readyState === 'live' ? track.getSettings().deviceId : undefined;
        const device = requestedDevice(want) !== requestedDevice(before) || (!!exact && !!on && on !== exact);
        // Another camera (front/back) cannot be reached by applyConstraints on the running one.
        const facing = kind === 'video' && JSON.stringify(want.facingMode) !== JSON.stringify(before?.facingMode);
        const processing = kind === 'audio' && processingChanged(want, before);
        if (!track || track.readyState === 'ended' || device || facing || processing) {
          const failed = await this.#replace(kind, generation);
          if (failed) error = failed;
          else acquired.add(kind);
          continue;
        }
        if (JSON.stringify(want) === JSON.stringify(before) && !retrying) continue;
        try {
          await track.applyConstraints(liveConstraints(want));
        } catch (err) {
          error = toMediaError(err, kind); // the track keeps its previous settings
          continue;
        }
        applied.add(kind);
        // NOTE: Firefox (ESR 153, fake camera) resolves applyConstraints for a new size but keeps
        // the old one; a new track of the same camera honours it, and is still only a replaceTrack.
        if (kind === 'video' && sizeUnmet(want, track)) error = (await this.#replace(kind, generation)) ?? error;
      }
      if (generation !== this.#generation) return;
      // An earlier error stands until what it was about works again.
      const prev = this.#state.error;
      const resolved =
        prev &&
        (prev.kind
          ? acquired.has(prev.kind) || (prev.code === 'overconstrained' && applied.has(prev.kind))
          : KINDS.every((k) => !this.#wants(k) || (k === 'audio' ? this.#audio : this.#camera)));
      this.#publish(error ?? (resolved ? null : prev));
    });
  }

  /** Captures again what is missing (after an error), or from scratch when nothing runs. */
  retry(): Promise<MediaStream | null> {
    if (!this.constraints) return Promise.resolve(null);
    if (this.#state.status === 'live') {
      this.#set({ error: null }); // a failure comes back if it still holds
      return this.update(this.constraints, true);
    }
    return this.start(this.constraints);
  }

  /** Captures again with the last constraints, if there were any. */
  restart(): Promise<MediaStream | null> {
    return this.constraints ? this.start(this.constraints) : Promise.resolve(null);
  }

  /** Mutes or unmutes the microphone; a muted track sends silence, so the call needs no renegotiation. */
  setAudioMuted(muted: boolean): void {
    if (this.#audio) this.#audio.enabled = !muted;
    if (muted !== this.#state.audioMuted) this.#set({ audioMuted: muted });
  }

  /** Turns the camera off (its track stops, the light goes off) or on again (a new track). */
  setVideoOff(off: boolean): Promise<MediaStream | null> {
    if (off === this.#state.videoOff) return this.ready();
    this.#set({ videoOff: off });
    // Not capturing (before the first start, or after a stop): only the wish is kept, and the
    // next start follows it (a camera-off join captures the microphone alone).
    if (!this.#capturing()) return this.ready();
    const generation = this.#generation;
    return this.#enqueue(generation, async () => {
      if (off) {
        if (this.#camera) this.#drop(this.#camera);
        this.#publishVideo(null);
      } else if (this.#wants('video') && !this.#camera && this.#capturing()) {
        this.#publishVideo(await this.#replace('video', generation));
      }
    });
  }

  /**
   * Shares a screen, window or tab (`getDisplayMedia`, so call it from a click) in place of the
   * camera, which stops meanwhile. Resolves false when the user cancelled the browser's picker.
   */
  async startScreenShare(): Promise<boolean> {
    const devices = this.mediaDevices;
    if (!this.#capturing()) return false; // start() first: a share belongs to a running capture
    if (!devices) return this.#failShare(insecureContextError());
    if (!devices.getDisplayMedia) return this.#failShare(screenShareUnsupportedError());
    const generation = this.#generation; // a stop() while the picker is open cancels the share
    let stream: MediaStream;
    try {
      stream = await devices.getDisplayMedia({ video: true, audio: false });
    } catch (err) {
      // The user closing the browser's picker is a choice, not a failure.
      if ((err as Error)?.name === 'NotAllowedError' || (err as Error)?.name === 'AbortError') return false;
      return this.#failShare(toScreenShareError(err));
    }
    const track = stream.getVideoTracks()[0];
    // Text and detail over motion: the encoder keeps the resolution and lowers the frame rate.
    track.contentHint = 'detail';
    await this.#enqueue(generation, async () => {
      this.#screen?.stop();
      this.#screen = track;
      // The browser's own "Stop sharing" ends the track: bring the camera back.
      track.onended = () => {
        if (this.#screen === track) void this.stopScreenShare();
      };
      if (this.#camera) this.#drop(this.#camera);
      this.#set({ screenSharing: true });
      this.#publishVideo(null);
    });
    if (generation !== this.#generation) track.stop();
    return generation === this.#generation;
  }

  /** Ends the screen share; the camera comes back unless it was turned off. */
  stopScreenShare(): Promise<MediaStream | null> {
    if (!this.#screen) return this.ready();
    const generation = this.#generation;
    this.#screen.stop();
    this.#screen = null;
    this.#set({ screenSharing: false });
    return this.#enqueue(generation, async () => {
      const error = this.#wants('video') && !this.#camera ? await this.#replace('video', generation) : null;
      this.#publishVideo(error);
    });
  }

  /** Stops every track (the camera light goes off). */
  stop(): void {
    this.#generation++;
    this.#stopAll();
    if (this.#state.status !== 'idle') {
      this.#set({ status: 'stopped', stream: null, error: null, screenSharing: false });
    }
  }

  // ---- internals ----

  /** Capture has been started and not stopped (it may have failed). */
  #capturing(): boolean {
    const { status } = this.#state;
    return status === 'live' || status === 'error' || status === 'starting';
  }

  #wants(kind: MediaKind): boolean {
    if (!kindConstraints(this.constraints, kind)) return false;
    return kind === 'audio' || (!this.#state.videoOff && !this.#screen);
  }

  #enqueue(generation: number, task: () => Promise<void>): Promise<MediaStream | null> {
    const run = this.#queue.then(() => (generation === this.#generation ? task() : undefined));
    this.#queue = run.catch((err) => console.warn('[rtc-elements] local media:', err));
    return this.#queue.then(() => this.#state.stream);
  }

  /** One `getUserMedia` for `kinds`; if that fails for both, each kind alone, so one working device is kept. */
  async #acquire(
    constraints: MediaStreamConstraints,
    kinds: readonly MediaKind[],
  ): Promise<{ tracks: MediaStreamTrack[]; error: MediaError | null }> {
    const devices = this.mediaDevices;
    if (!devices?.getUserMedia) return { tracks: [], error: insecureContextError() };
    if (kinds.length === 0) return { tracks: [], error: null };
    const ask = (ks: readonly MediaKind[]) =>
      devices.getUserMedia({ audio: ks.includes('audio') && constraints.audio, video: ks.includes('video') && constraints.video });
    try {
      return { tracks: (await ask(kinds)).getTracks(), error: null };
    } catch (err) {
      const first = toMediaError(err, kinds.length === 1 ? kinds[0] : undefined);
      // Denial and insecure pages fail the same way for each kind: do not prompt again.
      if (kinds.length === 1 || first.code === 'permission-denied') return { tracks: [], error: first };
      const tracks: MediaStreamTrack[] = [];
      let error: MediaError | null = null;
      for (const kind of ['video', 'audio'] as const) {
        try {
          tracks.push(...(await ask([kind])).getTracks());
        } catch (e) {
          error ??= toMediaError(e, kind);
        }
      }
      // Both failed: one error that names both devices.
      return { tracks, error: tracks.length ? (error ?? first) : first };
    }
  }

  /** A new track of `kind` in place of the current one (device change, camera back, fallback). */
  async #replace(kind: MediaKind, generation: number, constraints = this.constraints!): Promise<MediaError | null> {
    const old = kind === 'audio' ? this.#audio : this.#camera;
    let { tracks, error } = await this.#acquire(constraints, [kind]);
    if (error?.code === 'device-busy' && old) {
      // Some platforms (mobile) open one camera at a time: release the old one and try again.
      const had = old.readyState === 'live' ? old.getSettings().deviceId : undefined;
      this.#drop(old);
      ({ tracks, error } = await this.#acquire(constraints, [kind]));
      if (!tracks[0] && had) {
        // Busy elsewhere after all (another app has it): the device that worked comes back,
        // rather than none; the error says why the switch did not happen.
        const back = withDevice(constraints, kind, had);
        tracks = (await this.#acquire(back, [kind])).tracks;
      }
    }
    if (generation !== this.#generation) {
      tracks.forEach((t) => t.stop());
      return null;
    }
    if (tracks[0]) {
      if (old) this.#drop(old);
      this.#adopt(tracks[0]);
    }
    return error;
  }

  #adopt(track: MediaStreamTrack): void {
    const kind = track.kind as MediaKind;
    if (kind === 'audio') {
      this.#audio = track;
      track.enabled = !this.#state.audioMuted;
    } else {
      this.#camera = track;
    }
    // NOTE: `onended` rather than addEventListener: Firefox 153 does not call listeners added with
    // addEventListener for a dispatched 'ended' (tests stand in for an unplug that way). The track is ours.
    track.onended = () => void this.#lost(track);
    this.#watchDevices();
  }

  #drop(track: MediaStreamTrack): void {
    track.stop();
    if (this.#audio === track) this.#audio = null;
    if (this.#camera === track) this.#camera = null;
  }

  /** A device went away under a running track: fall back to the default device and say so. */
  async #lost(track: MediaStreamTrack): Promise<void> {
    const kind = track.kind as MediaKind;
    if (track !== (kind === 'audio' ? this.#audio : this.#camera)) return; // already replaced or stopped
    this.#drop(track);
    const generation = this.#generation;
    this.constraints = withoutDevice(this.constraints ?? {}, kind);
    await this.#enqueue(generation, async () => {
      const failed = await this.#replace(kind, generation);
      this.#publish(trackEndedError(kind, !failed));
    });
  }

  /** While capturing, notice when the device in use disappears from the list (hot-unplug). */
  #watchDevices(): void {
    const devices = this.mediaDevices;
    if (this.#deviceWatch || !devices?.addEventListener) return;
    this.#deviceWatch = new AbortController();
    devices.addEventListener(
      'devicechange',
      async () => {
        const list = await devices.enumerateDevices().catch(() => []);
        if (!list.some((d) => d.deviceId)) return; // no permission: ids are hidden, nothing to compare
        for (const track of [this.#audio, this.#camera]) {
          const id = track?.getSettings().deviceId;
          const input = track?.kind === 'audio' ? 'audioinput' : 'videoinput';
          if (track && id && !list.some((d) => d.kind === input && d.deviceId === id)) void this.#lost(track);
        }
      },
      { signal: this.#deviceWatch.signal },
    );
  }

  #failShare(error: MediaError): false {
    this.#set({ error });
    return false;
  }

  #stopAll(): void {
    for (const t of [this.#audio, this.#camera, this.#screen]) t?.stop();
    this.#audio = this.#camera = this.#screen = null;
    this.#deviceWatch?.abort();
    this.#deviceWatch = null;
  }

  /** Publishes after a video-only change: `error`, else any earlier error not about video. */
  #publishVideo(error: MediaError | null): void {
    const prev = this.#state.error;
    this.#publish(error ?? (prev && prev.kind === 'audio' ? prev : null));
  }

  /** Publishes the current tracks (a new stream only when they changed) and the outcome. */
  #publish(error: MediaError | null): void {
    if (!this.#capturing()) return; // stopped meanwhile (or never started): nothing goes live
    const tracks = [this.#audio, this.#screen ?? this.#camera].filter((t): t is MediaStreamTrack => !!t);
    const current = this.#state.stream?.getTracks() ?? [];
    const same = tracks.length === current.length && tracks.every((t) => current.includes(t));
    const stream = same ? this.#state.stream : tracks.length ? new MediaStream(tracks) : null;
    const status: LocalMediaStatus = tracks.length || !error ? 'live' : 'error';
    this.#set({ status, stream, error });
  }

  #set(patch: Partial<LocalMediaState>): void {
    this.#state = { ...this.#state, ...patch };
    this.dispatchEvent(new Event('change'));
  }
}
