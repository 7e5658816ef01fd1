import { consume } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { callContext } from '../../context/call-context.js';
import { ChangeController } from '../../context/change-controller.js';
import type { CallSession } from '../../core/call-session.js';
import { buildConstraints } from '../../core/constraints.js';
import { LocalMedia } from '../../core/local-media.js';
import { RtcErrorEvent } from '../../events/rtc-error-event.js';
import { styles } from './rtc-camera.styles.js';

const CAPTURE_PROPS = [
  'width',
  'height',
  'frameRate',
  'facingMode',
  'deviceId',
  'audioDeviceId',
  'noAudio',
  'noVideo',
] as const;

/**
 * The local camera and microphone: captures with `getUserMedia`, previews, and publishes into
 * the enclosing `<rtc-call>`. Outside a call it is a standalone camera preview.
 *
 * @summary Local camera preview and capture for a call.
 * @csspart video - The local preview.
 * @csspart placeholder - Shown instead of the preview when there is no video.
 * @csspart error - Why capture failed, with a Retry button.
 * @csspart retry - The Retry button.
 * @cssproperty --rtc-camera-width - Largest width of the preview.
 * @fires rtc-error - Capture failed; `code` is e.g. `permission-denied`, `no-device`, `overconstrained`.
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
  /** Show the preview as it is, not mirrored. */
  @property({ type: Boolean, attribute: 'no-mirror', reflect: true }) noMirror = false;

  /** The call this camera publishes into; from the enclosing `<rtc-call>` unless set. */
  @consume({ context: callContext, subscribe: true })
  @state()
  session?: CallSession;

  #standalone?: LocalMedia;
  readonly #changes = new ChangeController(this, () => this.media);
  #reportedError: unknown = null;
  #rendered = false;

  /** The local media this element drives: the call's, or its own when standalone. */
  get media(): LocalMedia {
    return this.session?.media ?? (this.#standalone ??= new LocalMedia());
  }

  /** The live stream, if any. */
  get stream(): MediaStream | null {
    return this.media.state.stream;
  }

  /** Captures (again) with the current attributes. */
  start(): Promise<MediaStream | null> {
    return this.media.start(
      buildConstraints({
        width: this.width,
        height: this.height,
        frameRate: this.frameRate,
        facingMode: this.facingMode,
        deviceId: this.deviceId,
        audioDeviceId: this.audioDeviceId,
        audio: !this.noAudio,
        video: !this.noVideo,
      }),
    );
  }

  /** Stops capture; the camera light goes off. */
  stop(): void {
    this.media.stop();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    queueMicrotask(() => {
      if (!this.isConnected) this.#standalone?.stop();
    });
  }

  protected override updated(changed: PropertyValues<this>): void {
    const status = this.media.state.status;
    const captureChanged = CAPTURE_PROPS.some((p) => changed.has(p));
    // First render, or a constraint changed while capturing: (re)capture.
    if (status === 'idle' || (captureChanged && this.#rendered && status !== 'stopped')) {
      queueMicrotask(() => void this.start());
    }
    this.#rendered = true;
    const error = this.media.state.error;
    if (error && error !== this.#reportedError) {
      this.dispatchEvent(new RtcErrorEvent(error.code, error.message));
    }
    this.#reportedError = error;
  }

  protected override render() {
    const { status, stream, error } = this.media.state;
    const hasVideo = !!stream?.getVideoTracks().length;
    return html`
      ${hasVideo
        ? html`<video part="video" .srcObject=${stream} .muted=${true} autoplay playsinline aria-label="Your camera"></video>`
        : html`<div part="placeholder">${status === 'starting' ? 'Starting camera…' : this.noVideo ? 'Video off' : 'No camera'}</div>`}
      ${error
        ? html`<div part="error" role="alert">
            <span>${error.message}</span>
            <button part="button retry" @click=${() => void this.start()}>Retry</button>
          </div>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-camera': RtcCamera;
  }
}
