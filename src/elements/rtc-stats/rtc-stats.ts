import { consume } from '@lit/context';
import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { callContext } from '../../context/call-context.js';
import { ChangeController } from '../../context/change-controller.js';
import { StatsController } from '../../context/stats-controller.js';
import type { CallSession } from '../../core/call-session.js';
import {
  formatBitrate,
  formatFps,
  formatMs,
  formatNumber,
  formatPercent,
  formatResolution,
} from '../../core/format.js';
import type { Quality, QualityReason } from '../../core/quality.js';
import { StatsSampler, type StatsSource } from '../../core/stats-sampler.js';
import type { KindStats, PeerStats, StatsSample } from '../../core/stats.js';
import { StringsController } from '../../context/strings-controller.js';
import { DEFAULT_STRINGS, fill, type RtcStatsStringOverrides, type RtcStatsStrings } from './rtc-stats-strings.js';
import { sparkline } from './sparkline.js';
import { styles } from './rtc-stats.styles.js';

const KINDS = ['audio', 'video'] as const;

/**
 * What the network is doing in a call, from `getStats()`: bitrate both ways, packet loss,
 * jitter, round trip, video size, rate and codec, why video is limited, whether the path is
 * direct or via TURN, and a quality verdict with its reason. A compact one-line badge or a
 * detailed panel with a bitrate graph of the last minute.
 *
 * Samples come from the enclosing `<rtc-call>` (every consumer of a call shares one
 * `getStats()` per connection per interval, and sampling runs only while one is shown), or
 * from an explicit `source` (e.g. a `StatsFeed` of recorded samples), or an explicit `sample`.
 *
 * @summary Live connection statistics and quality of a call.
 * @csspart panel - The detailed panel.
 * @csspart badge - The compact one-line badge.
 * @csspart summary - The call-wide line: quality and bitrates.
 * @csspart quality - A quality verdict; `data-level` is `excellent`, `good`, `poor` or `lost`.
 * @csspart quality-dot - The coloured dot of a verdict.
 * @csspart quality-reason - Why the quality is not excellent.
 * @csspart send-bitrate - The call's outgoing bitrate, e.g. `812 kbps`.
 * @csspart receive-bitrate - The call's incoming bitrate.
 * @csspart sparkline - A bitrate graph of the last minute (SVG, with a text alternative).
 * @csspart sparkline-send - The outgoing line of a graph.
 * @csspart sparkline-receive - The incoming line of a graph.
 * @csspart empty - Shown when there is nothing to measure.
 * @csspart peer - One remote participant's section.
 * @csspart peer-header - The row holding its heading and its verdict.
 * @csspart peer-name - Its heading.
 * @csspart connection - Its network path figures.
 * @csspart path - `Direct` or `Via TURN` (in the badge: shown only when relayed).
 * @csspart candidates - The selected pair's candidate types, ours → theirs (also `local-candidate`, `remote-candidate`).
 * @csspart protocol - Transport protocol of the pair.
 * @csspart rtt - Round-trip time.
 * @csspart available-outgoing-bitrate - The sender's bandwidth estimate.
 * @csspart table - The per-kind table; every cell has a part `<kind>-<metric>` (e.g. `video-jitter`)
 *   and `<metric>`: `send-bitrate`, `receive-bitrate`, `lost-sent`, `lost-received`, `jitter`,
 *   `codec`, `sent-video`, `received-video`, `limitation`, `mos`; plus `cell`.
 * The host has the custom state (and `data-quality` attribute) `excellent`, `good`, `poor` or
 * `lost` while it shows a verdict: `rtc-stats:state(poor) { … }`.
 *
 * @cssproperty --rtc-color-quality-excellent - Colour of an excellent verdict.
 * @cssproperty --rtc-color-quality-good - Colour of a good verdict.
 * @cssproperty --rtc-color-quality-poor - Colour of a poor verdict.
 * @cssproperty --rtc-color-quality-lost - Colour of a lost connection.
 * @cssproperty --rtc-color-send - Colour of the outgoing graph line.
 * @cssproperty --rtc-color-receive - Colour of the incoming graph line.
 */
@customElement('rtc-stats')
export class RtcStats extends LitElement {
  static override styles = styles;

  /** `detailed` (default): a panel with every figure; `compact`: a one-line badge of quality and bitrate. */
  @property({ reflect: true }) variant: 'compact' | 'detailed' = 'detailed';
  /** Milliseconds between samples, at least 100 (a call shared by several consumers samples at the smallest asked). */
  @property({ type: Number }) interval = 1000;
  /** Show only this remote participant (by id); empty shows the whole call. */
  @property() participant = '';
  /** A sample to show; wins over `source` and the call (for apps that sample themselves). */
  @property({ attribute: false }) sample: StatsSample | null = null;
  /** Where samples come from; wins over the enclosing call (e.g. a `StatsFeed`). */
  @property({ attribute: false }) source: StatsSource | null = null;
  /** Labels and unit names to show instead of the English ones (any subset); wins over `setStrings`. */
  @property({ attribute: false }) strings: RtcStatsStringOverrides = {};

  /** The call to show; from the enclosing `<rtc-call>` unless set. */
  @consume({ context: callContext, subscribe: true })
  @state()
  session?: CallSession;

  readonly #stats = new StatsController(
    this,
    // An explicit sample needs no sampling.
    () => (this.sample ? undefined : (this.source ?? this.session?.stats)),
    () => this.interval,
  );
  // Participant names may change without a new sample.
  // Of the call's state, only the participants' names show (their figures come with samples).
  readonly #call = new ChangeController(
    this,
    () => (this.source ? undefined : this.session),
    'change',
    () => this.session?.state.participants.map((p) => `${p.id}\n${p.name}`).join('\n'),
  );

  #internals?: ElementInternals;
  #shownLevel: string | null = null;

  constructor() {
    super();
    try {
      this.#internals = this.attachInternals();
    } catch {
      // NOTE: no ElementInternals (old browsers): the data-quality attribute still says it.
    }
  }

  /** Exposes the verdict for page CSS: `rtc-stats:state(poor)`, or `rtc-stats[data-quality=poor]`. */
  #showLevel(level: string | null): void {
    if (level === this.#shownLevel) return;
    const states = this.#internals?.states;
    try {
      if (this.#shownLevel) states?.delete(this.#shownLevel);
      if (level) states?.add(level);
    } catch {
      // NOTE: CustomStateSet without plain identifiers (Chromium < 125 wanted `--name`): attribute only.
    }
    this.#shownLevel = level;
    if (level) this.setAttribute('data-quality', level);
    else this.removeAttribute('data-quality');
  }

  readonly #i18n = new StringsController(this, 'rtc-stats', DEFAULT_STRINGS, () => this.strings);

  get #s(): RtcStatsStrings {
    return this.#i18n.s;
  }

  get #lang(): string | undefined {
    return this.#i18n.lang;
  }

  /** The sample shown: the explicit one, else the newest of the source or call. */
  get shownSample(): StatsSample | null {
    return this.sample ?? this.#stats.sample;
  }

  #name(p: PeerStats): string {
    const fromCall = this.source ? undefined : this.session?.state.participants.find((x) => x.id === p.id)?.name;
    return fromCall || p.name || this.#s.guest;
  }

  #reasonText(r: QualityReason): string {
    const s = this.#s;
    const lang = this.#lang;
    switch (r.metric) {
      case 'loss':
        return fill(s.reasonLoss, { value: formatPercent(r.value, lang) });
      case 'delay':
        return fill(s.reasonDelay, { value: formatMs(r.value, lang, s.units) });
      case 'jitter':
        return fill(s.reasonJitter, { value: formatMs(r.value, lang, s.units) });
      case 'connection':
        return s.reasonConnection;
    }
  }

  #quality(q: Quality | null, showReason: boolean): TemplateResult {
    const s = this.#s;
    const level = q?.level ?? null;
    const reason = q?.reasons.map((r) => this.#reasonText(r)).join(', ') ?? '';
    return html`<span part="quality" data-level=${level ?? 'none'} title=${reason || nothing}
        ><span part="quality-dot" aria-hidden="true"></span>${level ? s[level] : '—'}</span
      >${reason
        ? html`<span part="quality-reason" class=${showReason ? '' : 'visually-hidden'}>${showReason ? '' : ', '}${reason}</span>`
        : nothing}`;
  }

  #history(peerId: string | undefined, label: string) {
    const points = this.sample && !this.source ? [] : this.#stats.history(peerId);
    const s = this.#s;
    const lang = this.#lang;
    const last = points.at(-1);
    let sendMax = 0;
    let receiveMax = 0;
    for (const p of points) {
      sendMax = Math.max(sendMax, p.send);
      receiveMax = Math.max(receiveMax, p.receive);
    }
    const text = last
      ? `${label}: ${fill(s.history, {
          seconds: Math.round(StatsSampler.historyWindow / 1000),
          send: formatBitrate(last.send, lang, s.units),
          sendMax: formatBitrate(sendMax, lang, s.units),
          receive: formatBitrate(last.receive, lang, s.units),
          receiveMax: formatBitrate(receiveMax, lang, s.units),
        })}`
      : `${label}: ${s.historyEmpty}`;
    return sparkline(points, StatsSampler.historyWindow, text);
  }

  #compact(sample: StatsSample | null) {
    const s = this.#s;
    const lang = this.#lang;
    const peer = this.participant ? sample?.peers.find((p) => p.id === this.participant) : undefined;
    const figures = this.participant ? peer : sample;
    const quality = this.participant ? (peer?.quality ?? null) : (sample?.quality ?? null);
    // With `participant`, only that participant's path (none while they are not in the sample).
    const relayed = (this.participant ? (peer ? [peer] : []) : (sample?.peers ?? [])).some((p) => p.connection.path === 'relay');
    return html`<span part="badge">
      ${this.#quality(quality, false)}
      ${relayed ? html`<span part="path" data-path="relay">${s.relay}</span>` : nothing}
      <span class="rate"
        ><span aria-hidden="true">↑</span><span class="visually-hidden">${s.sending}</span>
        <span part="send-bitrate">${figures ? formatBitrate(figures.sendBitrate, lang, s.units) : '—'}</span></span
      >
      <span class="rate"
        ><span aria-hidden="true">↓</span><span class="visually-hidden">${s.receiving}</span>
        <span part="receive-bitrate">${figures ? formatBitrate(figures.receiveBitrate, lang, s.units) : '—'}</span></span
      >
    </span>`;
  }

  #cell(kind: 'audio' | 'video', metric: string, text: string) {
    return html`<td part="cell ${metric} ${kind}-${metric}">${text}</td>`;
  }

  #peer(p: PeerStats) {
    const s = this.#s;
    const lang = this.#lang;
    const c = p.connection;
    const name = this.#name(p);
    const limitation = (k: KindStats) => {
      const r = k.send?.qualityLimitationReason;
      if (!r) return '—';
      return { none: s.limitationNone, cpu: s.limitationCpu, bandwidth: s.limitationBandwidth, other: s.limitationOther }[r] ?? r;
    };
    const video = (v: { frameWidth: number | null; frameHeight: number | null; framesPerSecond: number | null } | null) =>
      v && v.frameWidth ? `${formatResolution(v.frameWidth, v.frameHeight)} · ${formatFps(v.framesPerSecond, lang, s.units)}` : '—';
    const rows: [string, string, (k: KindStats, kind: 'audio' | 'video') => string][] = [
      [s.sending, 'send-bitrate', (k) => (k.send ? formatBitrate(k.sendBitrate, lang, s.units) : '—')],
      [s.receiving, 'receive-bitrate', (k) => (k.receive ? formatBitrate(k.receiveBitrate, lang, s.units) : '—')],
      [s.lostSent, 'lost-sent', (k) => formatPercent(k.send?.packetsLost, lang)],
      [s.lostReceived, 'lost-received', (k) => formatPercent(k.receive?.packetsLost, lang)],
      [s.jitter, 'jitter', (k) => formatMs(k.receive?.jitter, lang, s.units)],
      [s.roundTrip, 'rtt', (k) => formatMs(k.send?.roundTripTime, lang, s.units)],
      [s.codec, 'codec', (k) => k.receive?.codec ?? k.send?.codec ?? '—'],
      [s.sentVideo, 'sent-video', (k, kind) => (kind === 'video' ? video(k.send) : '')],
      [s.receivedVideo, 'received-video', (k, kind) => (kind === 'video' ? video(k.receive) : '')],
      [s.limitation, 'limitation', (k, kind) => (kind === 'video' ? limitation(k) : '')],
      [s.mos, 'mos', (k, kind) => (kind === 'audio' ? formatNumber(k.mos, lang) : '')],
    ];
    const pathText = c.path === 'relay' ? s.relay : c.path === 'direct' ? s.direct : '—';
    // Groups, not landmarks: a page with several calls would repeat the same region names.
    return html`<div role="group" part="peer" data-participant=${p.id} aria-label=${name}>
      <div part="peer-header">
        <h3 part="peer-name">${name}</h3>
        ${this.#quality(p.quality, true)}
      </div>
      <dl part="connection">
        <dt>${s.path}</dt>
        <dd part="path" data-path=${c.path ?? 'none'}>${pathText}</dd>
        <dt>${s.candidates}</dt>
        <dd part="candidates">
          <span part="local-candidate">${c.localCandidateType ?? '—'}</span> →
          <span part="remote-candidate">${c.remoteCandidateType ?? '—'}</span>
        </dd>
        <dt>${s.protocol}</dt>
        <dd part="protocol">
          ${c.protocol?.toUpperCase() ?? '—'}${c.relayProtocol ? ` (TURN ${c.relayProtocol.toUpperCase()})` : ''}
        </dd>
        <dt>${s.roundTrip}</dt>
        <dd part="rtt">${formatMs(c.roundTripTime ?? p.video.send?.roundTripTime ?? p.audio.send?.roundTripTime, lang, s.units)}</dd>
        <dt>${s.availableOutgoing}</dt>
        <dd part="available-outgoing-bitrate">${formatBitrate(c.availableOutgoingBitrate, lang, s.units)}</dd>
      </dl>
      <table part="table">
        <caption class="visually-hidden">${name}</caption>
        <thead>
          <tr>
            <td></td>
            <th scope="col">${s.audio}</th>
            <th scope="col">${s.video}</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            ([label, metric, value]) => html`<tr>
              <th scope="row">${label}</th>
              ${KINDS.map((kind) => this.#cell(kind, metric, value(p[kind], kind)))}
            </tr>`,
          )}
        </tbody>
      </table>
      ${this.#history(p.id, name)}
    </div>`;
  }

  #detailed(sample: StatsSample | null) {
    const s = this.#s;
    const lang = this.#lang;
    const peers = (sample?.peers ?? []).filter((p) => !this.participant || p.id === this.participant);
    // With `participant`, the summary is that participant's, as in the compact badge.
    const figures = this.participant ? peers[0] : sample;
    return html`<div role="group" part="panel" aria-label=${s.title}>
      <div part="summary">
        ${this.#quality(figures?.quality ?? null, true)}
        <dl class="rates">
          <dt>${s.sending}</dt>
          <dd part="send-bitrate">${figures ? formatBitrate(figures.sendBitrate, lang, s.units) : '—'}</dd>
          <dt>${s.receiving}</dt>
          <dd part="receive-bitrate">${figures ? formatBitrate(figures.receiveBitrate, lang, s.units) : '—'}</dd>
        </dl>
        ${this.participant ? nothing : this.#history(undefined, s.title)}
      </div>
      ${peers.length ? peers.map((p) => this.#peer(p)) : html`<p part="empty">${s.noData}</p>`}
    </div>`;
  }

  protected override updated(): void {
    const sample = this.shownSample;
    const q = this.participant ? sample?.peers.find((p) => p.id === this.participant)?.quality : sample?.quality;
    this.#showLevel(q?.level ?? null);
  }

  protected override render() {
    const sample = this.shownSample;
    return this.variant === 'compact' ? this.#compact(sample) : this.#detailed(sample);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-stats': RtcStats;
  }
}
