import { consume } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { callContext } from '../../context/call-context.js';
import { ChangeController } from '../../context/change-controller.js';
import type { CallSession } from '../../core/call-session.js';
import { buildConstraints, describeVideoSettings, kindConstraints, mergeConstraints, withoutDevice } from '../../core/constraints.js';
import { DeviceList, type DeviceOption } from '../../core/device-list.js';
import { LocalMedia } from '../../core/local-media.js';
import type { MediaError } from '../../core/media-error.js';
import { RtcCameraOffChangeEvent } from '../../events/rtc-camera-off-change-event.js';
import { RtcDeviceChangeEvent } from '../../events/rtc-device-change-event.js';
import { RtcErrorEvent } from '../../events/rtc-error-event.js';
import { RtcMuteChangeEvent } from '../../events/rtc-mute-change-event.js';
import { RtcScreenShareChangeEvent } from '../../events/rtc-screen-share-change-event.js';
import { styles } from './rtc-camera.styles.js';
import { StringsController } from '../../context/strings-controller.js';
import { fill } from '../../core/strings.js';
import { formatNumber } from '../../core/format.js';
import { DEFAULT_CAMERA_STRINGS, type RtcCameraStrings } from './rtc-camera-strings.js';

const CAPTURE_PROPS = [
  'width',
  'height',
  'frameRate',
  'facingMode',
  'deviceId',
  'audioDeviceId',
  'noAudio',
  'noVideo',
  'noEchoCancellation',
  'noNoiseSuppression',
  'noAutoGainControl',
  'constraints',
] as const;

type Flags = { audioMuted: boolean; videoOff: boolean; screenSharing: boolean };

/**
 * The local camera and microphone: captures with `getUserMedia`, previews, and publishes into
 * the enclosing `<rtc-call>`, with mute, camera on/off, screen share and a device picker.
 * Outside a call it is a standalone camera preview with the same controls.
 *
 * Constraint changes while live are applied to the running tracks (`applyConstraints`); a device
 * change swaps one track. In a call neither prompts again nor renegotiates.
 *
 * State is reflected for CSS as attributes (`muted`, `camera-off`, `screen-sharing`) and as
 * custom states (`:state(live)`, `:state(starting)`, `:state(error)`, `:state(muted)`,
 * `:state(camera-off)`, `:state(screen-sharing)`).
 *
 * @summary Local camera preview, capture controls and device picker for a call.
 * @csspart stage - The box holding the preview or placeholder and the badges.
 * @csspart video - The local preview (the screen while sharing).
 * @csspart placeholder - Shown instead of the preview when there is no video.
 * @csspart muted-badge - "Muted" over the preview while the microphone is muted.
 * @csspart settings - What the camera actually delivers, e.g. `640×480 @ 30` (with `show-settings`).
 * @csspart controls - The row of buttons.
 * @csspart button - Every button.
 * @csspart mute - The Mute / Unmute button.
 * @csspart camera - The Camera off / Camera on button.
 * @csspart screen-share - The Share screen / Stop sharing button.
 * @csspart devices - The device picker.
 * @csspart select - Every device list.
 * @csspart camera-select - The camera list.
 * @csspart microphone-select - The microphone list.
 * @csspart speaker-select - The speaker list (where the browser can route audio).
 * @csspart error - Why capture failed, with a Retry button.
 * @csspart retry - The Retry button.
 * @cssproperty --rtc-camera-width - Largest width of the preview.
 * @fires rtc-error - Capture failed; `code` is `permission-denied`, `no-device`, `device-busy`, `overconstrained`, `insecure-context`, `track-ended`, `unsupported` or `unknown`.
 * @fires rtc-mute-change - The user muted or unmuted the microphone.
 * @fires rtc-camera-off-change - The user turned the camera off or on.
 * @fires rtc-screen-share-change - A screen share started or ended (also from the browser's own Stop button).
 * @fires rtc-device-change - The user picked a device, or the one in use went away and the default took over.
 */
@customElement('rtc-camera')
export class RtcCamera extends LitElement {
  static override styles = styles;

  /** Ideal capture width in pixels. */
  @property({ type: Number }) width?: number;
  /** Ideal capture height in pixels. */
  @property({ type: Number }) height?: number;
  /** Ideal frames per second. */
  @property({ type: Number, attribute: 'frame-rate' }) frameRate?: number;
  /** Preferred camera: `user` (front) or `environment` (back). */
  @property({ attribute: 'facing-mode' }) facingMode?: 'user' | 'environment';
  /** Camera to use (a `deviceId` from `enumerateDevices()`); must match exactly. */
  @property({ attribute: 'device-id' }) deviceId?: string;
  /** Microphone to use; must match exactly. */
  @property({ attribute: 'audio-device-id' }) audioDeviceId?: string;
  /** Capture no audio. */
  @property({ type: Boolean, attribute: 'no-audio' }) noAudio = false;
  /** Capture no video. */
  @property({ type: Boolean, attribute: 'no-video' }) noVideo = false;
  /** Turn the browser's echo cancellation off (absent: the browser's default). */
  @property({ type: Boolean, attribute: 'no-echo-cancellation' }) noEchoCancellation = false;
  /** Turn the browser's noise suppression off (absent: the browser's default). */
  @property({ type: Boolean, attribute: 'no-noise-suppression' }) noNoiseSuppression = false;
  /** Turn the browser's automatic gain control off (absent: the browser's default). */
  @property({ type: Boolean, attribute: 'no-auto-gain-control' }) noAutoGainControl = false;
  /** Full `MediaStreamConstraints` (exact/min/max/ideal) laid over what the attributes ask for. */
  @property({ attribute: false }) constraints?: MediaStreamConstraints;
  /** The microphone is muted (sends silence). */
  @property({ type: Boolean, reflect: true }) muted = false;
  /** The camera is off (its track is stopped, the light is off). */
  @property({ type: Boolean, attribute: 'camera-off', reflect: true }) cameraOff = false;
  /** Show the preview as it is, not mirrored. */
  @property({ type: Boolean, attribute: 'no-mirror', reflect: true }) noMirror = false;
  /** Show what the camera actually delivers (`640×480 @ 30`) under the preview. */
  @property({ type: Boolean, attribute: 'show-settings' }) showSettings = false;
  /** Hide the buttons and the device picker (a bare preview). */
  @property({ type: Boolean, attribute: 'no-controls' }) noControls = false;
  /** Texts to show instead of the English ones (any subset); wins over `setStrings({ 'rtc-camera': … })`. */
  @property({ attribute: false }) strings: Partial<RtcCameraStrings> = {};

  /** The call this camera publishes into; from the enclosing `<rtc-call>` unless set. */
  @consume({ context: callContext, subscribe: true })
  @state()
  session?: CallSession;

  /** The cameras, microphones and speakers the picker offers (while connected). */
  @state() devices?: DeviceList;

  #standalone?: LocalMedia;
  /** Taking the element out of the page stopped its own capture: putting it back starts it again. */
  #stoppedByRemoval = false;
  readonly #i18n = new StringsController(this, 'rtc-camera', DEFAULT_CAMERA_STRINGS, () => this.strings);
  readonly #changes = new ChangeController(this, () => this.media);
  readonly #deviceChanges = new ChangeController(this, () => this.devices);
  readonly #internals = this.attachInternals();
  #reportedError: MediaError | null = null;
  #seen: Flags = { audioMuted: false, videoOff: false, screenSharing: false };
  #lastStatus = '';

  #media?: LocalMedia;

  /** The local media this element drives: the one set here, else the call's, else its own (standalone). */
  get media(): LocalMedia {
    return this.#media ?? this.session?.media ?? (this.#standalone ??= new LocalMedia());
  }
  set media(media: LocalMedia | undefined) {
    const old = this.#media;
    this.#media = media;
    this.requestUpdate('media', old);
  }

  /** The live stream, if any. */
  get stream(): MediaStream | null {
    return this.media.state.stream;
  }

  /** What the tracks actually deliver (`getSettings()`): browsers may honour only part of a request. */
  get settings(): { audio: MediaTrackSettings | null; video: MediaTrackSettings | null } {
    return this.media.settings;
  }

  /** The constraints the attributes and the `constraints` property add up to. */
  get requestedConstraints(): MediaStreamConstraints {
    return mergeConstraints(
      buildConstraints({
        width: this.width,
        height: this.height,
        frameRate: this.frameRate,
        facingMode: this.facingMode,
        deviceId: this.deviceId,
        audioDeviceId: this.audioDeviceId,
        audio: !this.noAudio,
        video: !this.noVideo,
        echoCancellation: this.noEchoCancellation ? false : undefined,
        noiseSuppression: this.noNoiseSuppression ? false : undefined,
        autoGainControl: this.noAutoGainControl ? false : undefined,
      }),
      this.constraints,
    );
  }

  /** Captures (again) from scratch with the current attributes. */
  start(): Promise<MediaStream | null> {
    return this.media.start(this.requestedConstraints);
  }

  /** Stops capture; the camera light goes off. */
  stop(): void {
    this.media.stop();
  }

  /** Tries again after an error: captures what is missing, or everything if nothing runs. */
  retry(): Promise<MediaStream | null> {
    if (!this.media.constraints) return this.start();
    return this.media.retry();
  }

  /** Mutes or unmutes the microphone, as the Mute button does (fires `rtc-mute-change`). */
  toggleMute(): void {
    this.media.setAudioMuted(!this.media.state.audioMuted);
  }

  /** Turns the camera off or on, as the Camera button does (fires `rtc-camera-off-change`). */
  toggleCamera(): Promise<MediaStream | null> {
    return this.media.setVideoOff(!this.media.state.videoOff);
  }

  /** Shares a screen in place of the camera (call from a click); false when the user cancelled. */
  startScreenShare(): Promise<boolean> {
    return this.media.startScreenShare();
  }

  /** Ends the screen share; the camera comes back. */
  stopScreenShare(): Promise<MediaStream | null> {
    return this.media.stopScreenShare();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.devices ??= new DeviceList(this.media.mediaDevices ?? null);
    if (this.#stoppedByRemoval) {
      this.#stoppedByRemoval = false;
      const media = this.#standalone;
      const { status } = media?.state ?? {};
      if (media && this.media === media && (status === 'stopped' || status === 'idle')) void this.start();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    queueMicrotask(() => {
      if (this.isConnected) return;
      if (this.#standalone && this.#standalone.state.status !== 'stopped') {
        this.#standalone.stop();
        this.#stoppedByRemoval = true;
      }
      this.devices?.close();
      this.devices = undefined;
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const media = this.media;
    // A property set drives the media (quietly); a media change (button, another view) updates the property.
    if (changed.has('muted') && (this.hasUpdated || this.muted)) {
      media.setAudioMuted(this.muted);
      this.#seen.audioMuted = this.muted;
    } else this.muted = media.state.audioMuted;
    if (changed.has('cameraOff') && (this.hasUpdated || this.cameraOff)) {
      void media.setVideoOff(this.cameraOff);
      this.#seen.videoOff = this.cameraOff;
    } else this.cameraOff = media.state.videoOff;
  }

  protected override updated(changed: PropertyValues<this>): void {
    const media = this.media;
    const { status, error, screenSharing } = media.state;
    if (status === 'idle') queueMicrotask(() => media.state.status === 'idle' && void this.start());
    else if (this.hasUpdated && CAPTURE_PROPS.some((p) => changed.has(p))) {
      // Also while stopped (out of a call): only recorded then, and the next start follows it, so
      // a camera switched off with no-video is not captured again at the next join.
      void media.update(this.requestedConstraints);
    }
    if (status !== this.#lastStatus && status === 'live') void this.devices?.refresh(); // labels appear once permitted
    this.#lastStatus = status;
    // The chosen speaker was unplugged: back to the system default, as cameras and microphones
    // fall back (else the picker shows the default while audio is still routed to nothing).
    const speakers = this.devices?.state.speakers ?? [];
    const sink = media.audioOutputId;
    if (sink && speakers.length && !speakers.some((d) => d.deviceId === sink)) {
      media.setAudioOutput('');
      this.dispatchEvent(new RtcDeviceChangeEvent('audiooutput', '', 'fallback'));
    }
    this.toggleAttribute('screen-sharing', screenSharing);
    this.#reflectStates();
    this.#announce(error);
  }

  #announce(error: MediaError | null): void {
    const now: Flags = {
      audioMuted: this.media.state.audioMuted,
      videoOff: this.media.state.videoOff,
      screenSharing: this.media.state.screenSharing,
    };
    const s = this.#i18n.s;
    if (now.audioMuted !== this.#seen.audioMuted) {
      this.dispatchEvent(new RtcMuteChangeEvent(now.audioMuted));
      this.#say(now.audioMuted ? s.mutedNow : s.unmutedNow);
    }
    if (now.videoOff !== this.#seen.videoOff) {
      this.dispatchEvent(new RtcCameraOffChangeEvent(now.videoOff));
      this.#say(now.videoOff ? s.cameraOffNow : s.cameraOnNow);
    }
    if (now.screenSharing !== this.#seen.screenSharing) {
      this.dispatchEvent(new RtcScreenShareChangeEvent(now.screenSharing));
      this.#say(now.screenSharing ? s.sharingNow : s.sharingStopped);
    }
    this.#seen = now;
    if (error && error !== this.#reportedError) {
      this.dispatchEvent(new RtcErrorEvent(error.code, error.message));
      if (error.code === 'track-ended' && error.kind) {
        // Capture fell back to the default device: stop asking for the one that went away.
        const track = error.kind === 'audio' ? this.media.audioTrack : this.media.videoTrack;
        if (error.kind === 'audio') this.audioDeviceId = undefined;
        else this.deviceId = undefined;
        // A device pinned through the `constraints` property goes too, or the next update would ask for it again.
        if (this.constraints && kindConstraints(this.constraints, error.kind)?.deviceId) {
          this.constraints = withoutDevice(this.constraints, error.kind);
        }
        if (track) {
          const kind = error.kind === 'audio' ? 'audioinput' : 'videoinput';
          this.dispatchEvent(new RtcDeviceChangeEvent(kind, track.getSettings().deviceId ?? '', 'fallback'));
        }
      }
    }
    this.#reportedError = error;
  }

  /** Tells screen readers through the hidden live region (errors have their own alert). */
  #say(text: string): void {
    const region = this.renderRoot.querySelector('[data-announcer]');
    if (region) region.textContent = text;
  }

  #errorText(error: MediaError): string {
    const t = this.#i18n.s.errors[error.code];
    return t ? fill(t, { message: error.message }) : error.message;
  }

  #reflectStates(): void {
    const { status, audioMuted, videoOff, screenSharing } = this.media.state;
    const states = this.#internals.states as Set<string> | undefined;
    if (!states) return;
    const want: Record<string, boolean> = {
      idle: status === 'idle',
      starting: status === 'starting',
      live: status === 'live',
      error: !!this.media.state.error,
      stopped: status === 'stopped',
      muted: audioMuted,
      'camera-off': videoOff,
      'screen-sharing': screenSharing,
    };
    for (const [name, on] of Object.entries(want)) {
      try {
        if (on) states.add(name);
        else states.delete(name);
      } catch {
        // NOTE: browsers before the CSS `:state()` syntax only accept `--name`; the attributes still work there.
      }
    }
  }

  #pick(kind: MediaDeviceKind, deviceId: string): void {
    if (kind === 'videoinput') this.deviceId = deviceId;
    else if (kind === 'audioinput') this.audioDeviceId = deviceId;
    else this.media.setAudioOutput(deviceId);
    this.dispatchEvent(new RtcDeviceChangeEvent(kind, deviceId, 'user'));
  }

  /** The browser's name for a device, or "Camera 2" in the page's language while it gives none (before permission). */
  #deviceLabel(d: DeviceOption, kindLabel: string): string {
    return d.named ? d.label : fill(this.#i18n.s.unnamedDevice, { kind: kindLabel, n: formatNumber(d.n, this.#i18n.lang, 0) });
  }

  #select(kind: MediaDeviceKind, label: string, part: string, options: readonly DeviceOption[], value: string) {
    if (options.length === 0) return nothing;
    // Nothing known in use (e.g. while sharing the screen): show the first, as the browser's default.
    if (kind !== 'audiooutput' && !options.some((d) => d.deviceId === value)) value = options[0].deviceId;
    return html`<label
      >${label}
      <select
        part="select ${part}"
        .value=${live(value) /* the device in use, though the user's pick failed (the list still shows the pick) */}
        @change=${(e: Event) => this.#pick(kind, (e.target as HTMLSelectElement).value)}
      >
        ${kind === 'audiooutput' ? html`<option value="" ?selected=${value === ''}>${this.#i18n.s.systemDefault}</option>` : nothing}
        ${options.map((d) => html`<option value=${d.deviceId} ?selected=${d.deviceId === value}>${this.#deviceLabel(d, label)}</option>`)}
      </select></label
    >`;
  }

  #controls() {
    const { status, audioMuted, videoOff, screenSharing } = this.media.state;
    const hasAudio = !!this.media.audioTrack;
    const canShare = !!this.media.mediaDevices?.getDisplayMedia;
    const busy = status === 'idle' || status === 'starting';
    // A share belongs to a running capture; the camera button still takes a wish while stopped.
    const canShareNow = !busy && status !== 'stopped';
    const s = this.#i18n.s;
    return html`<div part="controls" role="group" aria-label=${s.controls}>
      ${this.noAudio
        ? nothing
        : html`<button part="button mute" ?disabled=${!hasAudio && !audioMuted} @click=${() => this.toggleMute()}>
            ${audioMuted ? s.unmute : s.mute}
          </button>`}
      ${this.noVideo
        ? nothing
        : html`<button part="button camera" ?disabled=${busy} @click=${() => void this.toggleCamera()}>
            ${videoOff ? s.cameraOn : s.cameraOff}
          </button>`}
      ${canShare
        ? html`<button
            part="button screen-share"
            ?disabled=${!canShareNow}
            @click=${() => void (screenSharing ? this.stopScreenShare() : this.startScreenShare())}
          >
            ${screenSharing ? s.stopSharing : s.shareScreen}
          </button>`
        : nothing}
    </div>`;
  }

  #devicePicker() {
    const lists = this.devices?.state;
    if (!lists) return nothing;
    const settings = this.media.settings;
    const camera = this.media.state.screenSharing ? this.deviceId : settings.video?.deviceId ?? this.deviceId;
    const mic = settings.audio?.deviceId ?? this.audioDeviceId;
    const s = this.#i18n.s;
    return html`<div part="devices">
      ${this.noVideo ? nothing : this.#select('videoinput', s.camera, 'camera-select', lists.cameras, camera ?? '')}
      ${this.noAudio ? nothing : this.#select('audioinput', s.microphone, 'microphone-select', lists.microphones, mic ?? '')}
      ${this.session && lists.canChooseSpeaker
        ? this.#select('audiooutput', s.speaker, 'speaker-select', lists.speakers, this.media.audioOutputId)
        : nothing}
    </div>`;
  }

  #placeholderText(): string {
    const { status, videoOff } = this.media.state;
    const s = this.#i18n.s;
    if (status === 'starting' || status === 'idle') return s.starting;
    if (this.noVideo) return s.videoOff;
    if (videoOff) return s.cameraOff;
    if (status === 'stopped') return s.stopped;
    return s.noCamera;
  }

  protected override render() {
    const { stream, error, audioMuted, screenSharing } = this.media.state;
    const hasVideo = !!stream?.getVideoTracks().length;
    const settings = this.showSettings ? describeVideoSettings(this.media.settings.video) : '';
    const s = this.#i18n.s;
    return html`
      <div part="stage">
        ${hasVideo
          ? html`<video
              part="video"
              .srcObject=${live(stream) /* not reloaded on every render: see rtc-call's tiles */}
              .muted=${true}
              autoplay
              playsinline
              aria-label=${screenSharing ? s.yourScreen : s.yourCamera}
            ></video>`
          : html`<div part="placeholder">${this.#placeholderText()}</div>`}
        ${audioMuted ? html`<span part="muted-badge">${s.muted}</span>` : nothing}
      </div>
      ${this.showSettings
        ? html`<div part="settings">${settings ? fill(screenSharing ? s.screenSettings : s.cameraSettings, { settings }) : s.noVideo}</div>`
        : nothing}
      ${this.noControls ? nothing : html`${this.#controls()}${this.#devicePicker()}`}
      ${error
        ? html`<div part="error" role="alert" data-code=${error.code}>
            <span>${this.#errorText(error)}</span>
            <button part="button retry" @click=${() => void this.retry()}>${s.retry}</button>
          </div>`
        : nothing}
      <div class="sr-only" role="status" aria-live="polite" data-announcer></div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-camera': RtcCamera;
  }
}
