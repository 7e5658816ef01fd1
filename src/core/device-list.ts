/**
 * The cameras, microphones and speakers the browser offers (`enumerateDevices()`), kept current
 * through `devicechange` (hot-plug). Labels are empty until the page has been granted capture.
 */

/** One device as a picker shows it. */
export interface DeviceOption {
  deviceId: string;
  /** The browser's label, or a numbered fallback such as "Camera 2" before permission. */
  label: string;
  /** Whether `label` is the browser's (false: the numbered fallback, which a picker may translate). */
  named: boolean;
  /** Its place among the devices of its kind, from 1 (what the fallback label numbers). */
  n: number;
}

/** A snapshot of the device lists. */
export interface DeviceListState {
  cameras: readonly DeviceOption[];
  microphones: readonly DeviceOption[];
  /** Audio outputs; empty where the browser cannot route audio (`setSinkId`) or hides them. */
  speakers: readonly DeviceOption[];
  /** Whether the browser can route remote audio to a chosen speaker. */
  canChooseSpeaker: boolean;
}

const KIND_NAMES = { videoinput: 'Camera', audioinput: 'Microphone', audiooutput: 'Speaker' } as const;

/** Lists devices while open; fires `change` whenever `state` is replaced. Call `close()` when done. */
export class DeviceList extends EventTarget {
  #state: DeviceListState = {
    cameras: [],
    microphones: [],
    speakers: [],
    canChooseSpeaker: typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype,
  };
  #abort = new AbortController();
  #refreshing: Promise<void> | null = null;
  #again = false;

  private readonly mediaDevices: MediaDevices | undefined;

  /** @param mediaDevices Where to list from (default `navigator.mediaDevices`; null: nothing to list). */
  constructor(mediaDevices?: MediaDevices | null) {
    super();
    this.mediaDevices = mediaDevices === undefined ? globalThis.navigator?.mediaDevices : (mediaDevices ?? undefined);
    const devices = this.mediaDevices;
    devices?.addEventListener?.('devicechange', () => void this.refresh(), { signal: this.#abort.signal });
    void this.refresh();
  }

  /** The current snapshot. */
  get state(): DeviceListState {
    return this.#state;
  }

  /** Reads the lists again (after permission is granted, labels appear). */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = this.#read().finally(() => {
      this.#refreshing = null;
      if (this.#again) {
        this.#again = false;
        void this.refresh();
      }
    });
    return this.#refreshing;
  }

  /** Stops listening for `devicechange`. */
  close(): void {
    this.#abort.abort();
  }

  async #read(): Promise<void> {
    const devices = this.mediaDevices;
    if (!devices?.enumerateDevices || this.#abort.signal.aborted) return;
    const all = await devices.enumerateDevices().catch(() => [] as MediaDeviceInfo[]);
    if (this.#abort.signal.aborted) return;
    const pick = (kind: MediaDeviceKind): DeviceOption[] => {
      const seen = new Set<string>();
      return all
        .filter((d) => d.kind === kind && d.deviceId && !seen.has(d.deviceId) && seen.add(d.deviceId))
        .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${KIND_NAMES[kind]} ${i + 1}`, named: !!d.label, n: i + 1 }));
    };
    const next: DeviceListState = {
      ...this.#state,
      cameras: pick('videoinput'),
      microphones: pick('audioinput'),
      speakers: this.#state.canChooseSpeaker ? pick('audiooutput') : [],
    };
    if (JSON.stringify(next) === JSON.stringify(this.#state)) return;
    this.#state = next;
    this.dispatchEvent(new Event('change'));
  }
}
