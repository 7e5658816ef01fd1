/**
 * The local camera and microphone: one `getUserMedia` stream, its state, and its release.
 * Both `<rtc-camera>` (preview) and the call session (publishing) read the same object.
 */
import { MediaError, insecureContextError, toMediaError } from './media-error.js';

/** Where capture stands. */
export type LocalMediaStatus = 'idle' | 'starting' | 'live' | 'error' | 'stopped';

/** A snapshot of the local media. */
export interface LocalMediaState {
  status: LocalMediaStatus;
  stream: MediaStream | null;
  error: MediaError | null;
}

/** Owns one local capture. Fires `change` whenever `state` is replaced. */
export class LocalMedia extends EventTarget {
  #state: LocalMediaState = { status: 'idle', stream: null, error: null };
  #pending: Promise<MediaStream | null> | null = null;
  #generation = 0;
  /** The constraints of the last `start()`, reused by `restart()`. */
  constraints: MediaStreamConstraints | null = null;

  /** The current snapshot. */
  get state(): LocalMediaState {
    return this.#state;
  }

  /** The live stream, or the outcome of a capture in progress; null when there is none. */
  ready(): Promise<MediaStream | null> {
    return this.#pending ?? Promise.resolve(this.#state.stream);
  }

  /** Captures with `constraints`, replacing (and stopping) any previous stream. */
  start(constraints: MediaStreamConstraints): Promise<MediaStream | null> {
    this.constraints = constraints;
    const generation = ++this.#generation;
    this.#stopTracks();
    this.#set({ status: 'starting', stream: null, error: null });
    const run = this.#capture(constraints).then(
      (stream) => {
        if (generation !== this.#generation) {
          stream.getTracks().forEach((t) => t.stop()); // superseded while the prompt was up
          return this.#state.stream;
        }
        this.#set({ status: 'live', stream, error: null });
        return stream;
      },
      (err: unknown) => {
        if (generation !== this.#generation) return this.#state.stream;
        this.#set({ status: 'error', stream: null, error: toMediaError(err) });
        return null;
      },
    );
    this.#pending = run.finally(() => {
      if (generation === this.#generation) this.#pending = null;
    });
    return this.#pending;
  }

  /** Captures again with the last constraints, if there were any. */
  restart(): Promise<MediaStream | null> {
    return this.constraints ? this.start(this.constraints) : Promise.resolve(null);
  }

  /** Stops every track (the camera light goes off). */
  stop(): void {
    this.#generation++;
    this.#pending = null;
    this.#stopTracks();
    if (this.#state.status !== 'idle') this.#set({ status: 'stopped', stream: null, error: null });
  }

  async #capture(constraints: MediaStreamConstraints): Promise<MediaStream> {
    const devices = globalThis.navigator?.mediaDevices;
    if (!devices?.getUserMedia) throw insecureContextError();
    if (!constraints.audio && !constraints.video) throw new MediaError('no-device', 'Nothing to capture.');
    return devices.getUserMedia(constraints);
  }

  #stopTracks(): void {
    this.#state.stream?.getTracks().forEach((t) => t.stop());
  }

  #set(state: LocalMediaState): void {
    this.#state = state;
    this.dispatchEvent(new Event('change'));
  }
}
