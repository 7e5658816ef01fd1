import { consume } from '@lit/context';
import { LitElement, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { callContext } from '../../context/call-context.js';
import { StatsController } from '../../context/stats-controller.js';
import type { CallSession } from '../../core/call-session.js';
import { formatBitrate } from '../../core/format.js';
import { styles } from './rtc-stats.styles.js';

/**
 * Live send and receive bitrate of the enclosing call, from `getStats()` once a second.
 * Sampling runs only while an `<rtc-stats>` (or another consumer) is on the page, and every
 * consumer of a call shares one `getStats()` per connection per interval.
 *
 * @summary Live bitrate of a call.
 * @csspart panel - The list of figures.
 * @csspart send-bitrate - Outgoing bitrate, e.g. `812 kbps`.
 * @csspart receive-bitrate - Incoming bitrate.
 */
@customElement('rtc-stats')
export class RtcStats extends LitElement {
  static override styles = styles;

  /** The call to show; from the enclosing `<rtc-call>` unless set. */
  @consume({ context: callContext, subscribe: true })
  @state()
  session?: CallSession;

  readonly #stats = new StatsController(this, () => this.session?.stats);

  protected override render() {
    const sample = this.#stats.sample;
    const lang = this.closest('[lang]')?.getAttribute('lang') ?? undefined;
    const show = (bps: number | undefined) => (sample && bps !== undefined ? formatBitrate(bps, lang) : '—');
    return html`<dl part="panel" aria-label="Call statistics">
      <dt>Sending</dt>
      <dd part="send-bitrate">${show(sample?.sendBitrate)}</dd>
      <dt>Receiving</dt>
      <dd part="receive-bitrate">${show(sample?.receiveBitrate)}</dd>
    </dl>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rtc-stats': RtcStats;
  }
}
