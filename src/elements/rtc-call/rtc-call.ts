import { ContextProvider } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { callContext } from '../../context/call-context.js';
import { ChangeController } from '../../context/change-controller.js';
import { CallSession, type CallState, type Participant } from '../../core/call-session.js';
import type { ParticipantEvent } from '../../core/session-events.js';
import type { SignalingTransport } from '../../core/signaling-transport.js';
import { RtcErrorEvent } from '../../events/rtc-error-event.js';
import { RtcJoinedEvent } from '../../events/rtc-joined-event.js';
import { RtcLeftEvent } from '../../events/rtc-left-event.js';
import { RtcStatsEvent } from '../../events/rtc-stats-event.js';
import type { StatsSampleEvent } from '../../core/stats-sampler.js';
import { bitrateConverter } from './bitrate-converter.js';
import { RtcParticipantJoinedEvent } from '../../events/rtc-participant-joined-event.js';
import { RtcParticipantLeftEvent } from '../../events/rtc-participant-left-event.js';
import { iceServersConverter } from './ice-servers-converter.js';
import { styles } from './rtc-call.styles.js';
import { StringsController } from '../../context/strings-controller.js';
import { fill } from '../../core/strings.js';
import { formatNumber } from '../../core/format.js';
import { DEFAULT_CALL_STRINGS, type RtcCallStrings } from './rtc-call-strings.js';

const CONFIG_PROPS = ['signaling', 'signalingTransport', 'room', 'name', 'iceServers', 'iceTransportPolicy'] as const;

/**
 * A call in a room: joins through a signaling server, shows every remote participant's video
 * (and plays their audio), and provides its session to `<rtc-camera>` and `<rtc-stats>` inside.
 *
 * @summary A WebRTC call in a room, with remote video tiles and a Leave button.
 * @slot - Local pieces of the call, e.g. `<rtc-camera>` and `<rtc-stats>`.
 * @csspart status - The line saying where the call stands (screen readers hear changes through a hidden live region).
 * @csspart tiles - The grid of remote participants: one large tile, two side by side, 2×2 up to four, three across from five; one column when the call is under 480px wide.
 * @csspart tile - One remote participant.
 * @csspart video - A remote participant's video.
 * @csspart name - A remote participant's display name.
 * @csspart tile-status - A remote participant's connection state while not connected ("connecting…", "reconnecting…").
 * @csspart badges - The row of indicators on a tile (muted, sharing screen).
 * @csspart start-audio - The "Start audio" button, shown when the browser blocked sound from playing.
 * @csspart tile-muted - Shown on a tile while that participant's microphone is muted.
 * @csspart tile-camera-off - Shown in place of the video while that participant's camera is off.
 * @csspart tile-screen - Shown on a tile while that participant shares their screen.
 * @csspart controls - The row of buttons.
 * @csspart button - Every button.
 * @csspart join - The Join button.
 * @csspart leave - The Leave button.
 * @cssproperty --rtc-tile-gap - Space between tiles.
 * @cssproperty --rtc-color-tile - Background of an empty tile.
 * @cssproperty --rtc-tile-max-height - Tallest a tile grows (default 60vh).
 * @cssproperty --rtc-tiles-max-height - Tallest the grid grows before it scrolls (default none).
 * @cssproperty --rtc-color-speaking - Outline of the tile of whoever is speaking (defaults to the accent).
 * @fires rtc-joined - The call entered its room.
 * @fires rtc-left - The call left its room.
 * @fires rtc-participant-joined - A remote participant entered the room.
 * @fires rtc-participant-left - A remote participant left the room.
 * @fires rtc-error - Joining failed or signaling was lost; `code` says why.
 * @fires rtc-stats - A stats sample (`sample`), while an `<rtc-stats>` or another consumer samples.
 */
@customElement('rtc-call')
export class RtcCall extends LitElement {
  static override styles = styles;

  /** Signaling server URL, e.g. `wss://example.org/signal`; several (space-separated) are tried in order. */
  @property() signaling = '';
  /** Room token for a signaling server that requires one (a property only: keep it out of the DOM). */
  @property({ attribute: false }) token?: string;
  /** Called for a fresh room token before every (re)connection; wins over `token`. */
  @property({ attribute: false }) getToken?: () => string | Promise<string>;
  /** Room to join. */
  @property() room = '';
  /** Display name shown to the others; changing it in a call renames you in place (no reconnection). */
  @property() name = '';
  /** STUN/TURN servers; the `ice-servers` attribute takes the same as JSON. */
  // Compared by content: a framework passes a new but equal array on every render (JSX
  // `iceServers={[…]}`), and a changed setting rejoins the call.
  @property({ attribute: 'ice-servers', converter: iceServersConverter, hasChanged: (a, b) => JSON.stringify(a) !== JSON.stringify(b) })
  iceServers: RTCIceServer[] = [];
  /** `relay` sends everything through TURN; `all` (default) tries direct paths first. */
  @property({ attribute: 'ice-transport-policy' }) iceTransportPolicy: RTCIceTransportPolicy = 'all';
  /** Cap on each outgoing stream (audio and video), bits/s; `200k`, `1.5M` also work. Applied live. */
  @property({ attribute: 'max-bitrate', converter: bitrateConverter }) maxBitrate: number | null = null;
  /** Cap on outgoing video, bits/s (with `max-bitrate`, the lower wins). Applied live. */
  @property({ attribute: 'max-video-bitrate', converter: bitrateConverter }) maxVideoBitrate: number | null = null;
  /** Cap on outgoing audio, bits/s (with `max-bitrate`, the lower wins). Applied live. */
  @property({ attribute: 'max-audio-bitrate', converter: bitrateConverter }) maxAudioBitrate: number | null = null;
  /** Do not join on connection to the document; call `join()` instead. */
  @property({ type: Boolean, attribute: 'no-auto-join', reflect: true }) noAutoJoin = false;

  /** Texts to show instead of the English ones (any subset); wins over `setStrings({ 'rtc-call': … })`. */
  @property({ attribute: false }) strings: Partial<RtcCallStrings> = {};

  /** Your own signaling channel instead of `signaling` (e.g. an in-page transport); used when set. */
  @property({ attribute: false }) signalingTransport: (() => SignalingTransport) | null = null;

  /** The call's connection controller, provided to the subtree; stable for the element's life. */
  readonly session = new CallSession();

  readonly #i18n = new StringsController(this, 'rtc-call', DEFAULT_CALL_STRINGS, () => this.strings);
  #said = '';
  readonly #provider = new ContextProvider(this, { context: callContext, initialValue: this.session });
  readonly #changes = new ChangeController(this, () => this.session);
  readonly #mediaChanges = new ChangeController(this, () => this.session.media); // speaker choice
  #userLeft = false;
  #lastStatus: CallState['status'] = 'idle';
  /** The room `rtc-joined` last named, until `rtc-left` names it too. */
  #joinedRoom: string | null = null;
  /** A failed join's configuration was changed since: join again with the new one. */
  #configChanged = false;
  #lastError: CallState['error'] = null;
  // Re-dispatches samples as `rtc-stats`; a plain listener, so it does not keep sampling alive.
  readonly #onSample = (e: Event) => this.dispatchEvent(new RtcStatsEvent((e as StatsSampleEvent).sample));
  #audioBlocked = false;
  #played = new WeakMap<HTMLVideoElement, MediaStream>();
  #visibility?: IntersectionObserver;
  /** The videos `#visibility` observes. */
  #observed = new Set<HTMLVideoElement>();
  readonly #onParticipant = (e: Event) => {
    const { type, participant } = e as ParticipantEvent;
    const Ctor = type === 'participant-joined' ? RtcParticipantJoinedEvent : RtcParticipantLeftEvent;
    this.dispatchEvent(new Ctor(participant.id, participant.name));
    const s = this.#i18n.s;
    this.#say(fill(type === 'participant-joined' ? s.participantJoined : s.participantLeft, { name: participant.name || s.guest }));
  };
  #pageHidden = false;
  // Registered before the session's own pagehide listener (which leaves), so no auto-join
  // follows the goodbye while the page is going away or sits in the back/forward cache.
  readonly #onPageHide = () => (this.#pageHidden = true);
  readonly #onPageShow = () => {
    // Back from the back/forward cache after pagehide said goodbye: join again.
    this.#pageHidden = false;
    this.requestUpdate();
  };

  constructor() {
    super();
    this.session.addEventListener('participant-joined', this.#onParticipant);
    this.session.addEventListener('participant-left', this.#onParticipant);
  }

  /** Joins the room now (also after a Leave). */
  join(): Promise<void> {
    this.#userLeft = false;
    this.#configure();
    return this.session.join();
  }

  /** Hangs up: stops local tracks, closes peer connections and the socket. */
  leave(): void {
    this.#userLeft = true;
    this.session.leave();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.session.stats.addEventListener('sample', this.#onSample);
    globalThis.addEventListener?.('pagehide', this.#onPageHide);
    globalThis.addEventListener?.('pageshow', this.#onPageShow);
    this.requestUpdate(); // re-evaluate auto-join after a move or re-insertion
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.session.stats.removeEventListener('sample', this.#onSample);
    globalThis.removeEventListener?.('pagehide', this.#onPageHide);
    globalThis.removeEventListener?.('pageshow', this.#onPageShow);
    this.#visibility?.disconnect();
    this.#visibility = undefined;
    this.#observed.clear();
    // A framework moving the element disconnects and reconnects it in one task: only leave
    // if it is still out of the document a microtask later.
    queueMicrotask(() => {
      if (!this.isConnected) this.session.leave();
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.#configure();
    if (changed.has('maxBitrate') || changed.has('maxVideoBitrate') || changed.has('maxAudioBitrate')) {
      const cap = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
      void this.session.setMaxBitrate('video', cap(this.maxBitrate, this.maxVideoBitrate));
      void this.session.setMaxBitrate('audio', cap(this.maxBitrate, this.maxAudioBitrate));
    }
    const status = this.session.state.status;
    const active = status === 'joined' || status === 'connecting';
    const touched = CONFIG_PROPS.some((p) => changed.has(p)) && this.hasUpdated;
    // A new name alone is told to the room in place: the call goes on.
    const renamedOnly = touched && CONFIG_PROPS.every((p) => p === 'name' || !changed.has(p));
    if (renamedOnly && active) this.session.rename(this.name);
    const reconfigured = touched && !renamedOnly;
    if (active && reconfigured && !this.#ready()) {
      // The room or the server was taken away: that is a leave (the camera stops), and setting
      // them again joins again, as on first connection.
      queueMicrotask(() => this.session.leave());
    } else if (active && reconfigured) {
      // The room this call was in is left (its listeners hear so before the new one's rtc-joined).
      this.#left();
      // After this update: the session's own change events then schedule the next render.
      queueMicrotask(() => void this.session.rejoin());
    }
    // A join that failed (unreachable server, full room) is tried again once its settings change.
    if (status === 'error' && touched) this.#configChanged = true;
  }

  protected override updated(): void {
    this.#routeAudio();
    const { status } = this.session.state;
    if (this.isConnected && this.#ready() && !this.noAutoJoin && !this.#userLeft && !this.#pageHidden) {
      if (status === 'idle' || status === 'left' || (status === 'error' && this.#configChanged)) {
        this.#configChanged = false;
        queueMicrotask(() => void this.session.join());
      }
    }
    this.#announce();
    this.#watchVideos();
  }

  #ready(): boolean {
    return !!((this.signaling || this.signalingTransport) && this.room);
  }

  /**
   * Plays each new remote stream, and stops the video of tiles hidden within the grid (scrolled
   * out of it, or `display: none`) at the sender. The grid, not the page, is the reference: a
   * call below the fold keeps its video, so scrolling to it shows live pictures at once.
   */
  #watchVideos(): void {
    const grid = this.renderRoot.querySelector<HTMLElement>('[part~="tiles"]');
    this.#visibility ??= new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const id = (entry.target as HTMLElement).closest<HTMLElement>('[data-participant]')?.dataset.participant;
          if (id) this.session.setVideoWanted(id, entry.isIntersecting);
        }
      },
      { root: grid },
    );
    // The tiles of those who left: an observer holds its targets until told to let go.
    for (const video of this.#observed) {
      if (video.isConnected) continue;
      this.#visibility.unobserve(video);
      this.#observed.delete(video);
    }
    for (const video of this.renderRoot.querySelectorAll<HTMLVideoElement>('video[part~="video"]')) {
      this.#visibility.observe(video); // observing an observed element again is a no-op
      this.#observed.add(video);
      const stream = video.srcObject as MediaStream | null;
      if (!stream || this.#played.get(video) === stream) continue;
      this.#played.set(video, stream);
      if (this.#audioBlocked) video.muted = true;
      this.#play(video);
    }
  }

  #play(video: HTMLVideoElement): void {
    video.play().catch((err: unknown) => {
      if ((err as Error)?.name !== 'NotAllowedError' || video.muted) return;
      // The autoplay policy refused sound: show the picture muted and offer a button, since
      // only a click may start the audio.
      video.muted = true;
      this.#play(video);
      if (!this.#audioBlocked) {
        this.#audioBlocked = true;
        this.requestUpdate();
      }
    });
  }

  /** Starts remote audio after the browser blocked it; must run from a user gesture (the "Start audio" button). */
  startAudio(): void {
    const hadFocus = !!this.shadowRoot?.activeElement?.matches('[part~="start-audio"]');
    this.#audioBlocked = false;
    for (const video of this.renderRoot.querySelectorAll<HTMLVideoElement>('video[part~="video"]')) {
      video.muted = false;
      this.#play(video);
    }
    this.requestUpdate();
    // The button goes with this update: keyboard focus moves to the call's own button, not the page.
    if (hadFocus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('[part~="controls"] button')?.focus());
  }

  /** Plays remote audio on the speaker chosen in `<rtc-camera>`'s picker, where the browser can. */
  #routeAudio(): void {
    const sink = this.session.media.audioOutputId;
    for (const video of this.renderRoot.querySelectorAll<HTMLVideoElement & { sinkId?: string; setSinkId?(id: string): Promise<void> }>('video')) {
      if (video.setSinkId && video.sinkId !== sink) video.setSinkId(sink).catch(() => {});
    }
  }

  #configure(): void {
    this.session.config = {
      ...this.session.config,
      signaling: this.signalingTransport ?? this.signaling,
      room: this.room,
      name: this.name || undefined,
      iceServers: this.iceServers,
      iceTransportPolicy: this.iceTransportPolicy,
      token: this.token,
      getToken: this.getToken,
    };
  }

  /** Tells screen readers through the hidden live region (set directly: no re-render). */
  #say(text: string): void {
    const region = this.renderRoot.querySelector('[data-announcer]');
    if (region) region.textContent = text;
  }

  #announce(): void {
    const { status, error, room, localId, reconnecting } = this.session.state;
    const said = `${status}|${reconnecting}|${error?.code ?? ''}`;
    if (said !== this.#said) {
      if (this.#said || status !== 'idle') this.#say(this.#statusText(this.session.state));
      this.#said = said;
    }
    if (status !== this.#lastStatus) {
      if (status === 'joined' && room && localId) {
        this.#joinedRoom = room;
        this.dispatchEvent(new RtcJoinedEvent(room, localId));
      }
      if (status === 'left' || status === 'error') this.#left();
      this.#lastStatus = status;
    }
    if (error && error !== this.#lastError) this.dispatchEvent(new RtcErrorEvent(error.code, error.message));
    this.#lastError = error;
  }

  /** Fires `rtc-left` for the room `rtc-joined` last named, once. */
  #left(): void {
    const room = this.#joinedRoom;
    if (room === null) return;
    this.#joinedRoom = null;
    this.dispatchEvent(new RtcLeftEvent(room));
  }

  #statusText(state: CallState): string {
    const s = this.#i18n.s;
    const room = state.room ?? this.room;
    const error = state.error && (s.errors[state.error.code] ? fill(s.errors[state.error.code], { message: state.error.message }) : state.error.message);
    switch (state.status) {
      case 'idle':
        return this.#ready() ? s.idle : s.notConfigured;
      case 'connecting':
        return s.connecting;
      case 'joined': {
        if (state.reconnecting) return s.reconnecting;
        if (error) return error;
        const n = state.participants.length;
        return fill(n === 0 ? s.waiting : n === 1 ? s.withOne : s.withMany, { room, count: formatNumber(n, this.#i18n.lang, 0) });
      }
      case 'left':
        return s.left;
      case 'error':
        if (state.error?.code === 'room-full' && !s.errors['room-full']) return fill(s.roomFull, { room });
        return error ?? s.failed;
    }
  }

  #tileStatus(p: Participant): string | null {
    const s = this.#i18n.s;
    if (p.reconnecting) return s.tileReconnecting;
    if (p.connectionState === 'connected') return null;
    return p.connectionState === 'failed' ? s.tileFailed : s.tileConnecting;
  }

  #badges(p: Participant, who: string) {
    if (!p.audioMuted && !p.screenSharing) return nothing;
    const s = this.#i18n.s;
    return html`<div part="badges">
      ${p.audioMuted ? html`<span part="tile-muted" role="img" aria-label=${fill(s.mutedLabel, { name: who })}>${s.muted}</span>` : nothing}
      ${p.screenSharing ? html`<span part="tile-screen">${s.sharingScreen}</span>` : nothing}
    </div>`;
  }

  #tile(p: Participant) {
    // live(): Lit sets an object-valued property on every render, and setting srcObject, even to
    // the same stream, reloads the video (a black frame); live() sets it only when it differs.
    const status = this.#tileStatus(p);
    const s = this.#i18n.s;
    const who = p.name || s.guest;
    return html`<figure
      part="tile"
      data-participant=${p.id}
      data-state=${p.reconnecting ? 'reconnecting' : p.connectionState}
      ?data-speaking=${p.speaking}
      ?data-muted=${p.audioMuted}
      ?data-camera-off=${p.videoOff}
      ?data-screen=${p.screenSharing}
    >
      <video part="video" .srcObject=${live(p.stream)} autoplay playsinline ?hidden=${p.videoOff} aria-label=${fill(s.video, { name: who })}></video>
      ${p.videoOff ? html`<div part="tile-camera-off" role="img" aria-label=${fill(s.cameraOffLabel, { name: who })}>${s.cameraOff}</div>` : nothing}
      <figcaption part="name">${who}</figcaption>
      ${p.speaking ? html`<span class="sr-only">${s.speaking}</span>` : nothing}
      ${this.#badges(p, who)}
      ${status ? html`<span part="tile-status" role="status">${status}</span>` : nothing}
    </figure>`;
  }

  protected override render() {
    const state = this.session.state;
    const inCall = state.status === 'joined' || state.status === 'connecting';
    const s = this.#i18n.s;
    // Join and Leave are one button that changes its part, text and action, so keyboard focus
    // stays on it when one becomes the other.
    return html`
      <div part="status" ?data-error=${!!state.error}>${this.#statusText(state)}</div>
      <div class="sr-only" role="status" aria-live="polite" data-announcer></div>
      <div class="stage" ?hidden=${!state.participants.length}>
        <div part="tiles" role="group" aria-label=${s.participants} tabindex="0" data-count=${Math.min(state.participants.length, 5)}>${repeat(state.participants, (p) => p.id, (p) => this.#tile(p))}</div>
      </div>
      <slot></slot>
      <div part="controls">
        ${this.#audioBlocked && state.participants.length
          ? html`<button part="button start-audio" @click=${() => this.startAudio()}>${s.startAudio}</button>`
          : nothing}
        <button
          part="button ${inCall ? 'leave' : 'join'}"
          ?disabled=${!inCall && !this.#ready()}
          @click=${inCall ? () => this.leave() : () => void this.join()}
        >
          ${inCall ? s.leave : s.join}
        </button>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-call': RtcCall;
  }
}
