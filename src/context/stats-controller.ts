/**
 * Keeps a stats source (a call's sampler, or a `StatsFeed`) sampling while the host is
 * connected and re-renders the host with each sample. Several hosts on one call share the
 * sampler's single `getStats()` per connection per tick.
 *
 * @example
 * #stats = new StatsController(this, () => this.session?.stats, () => this.interval);
 * render() { return html`${this.#stats.sample?.sendBitrate}`; }
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { BitratePoint, StatsSource } from '../core/stats-sampler.js';
import type { StatsSample } from '../core/stats.js';

export class StatsController implements ReactiveController {
  #source?: StatsSource;
  #interval?: number;
  #release?: () => void;
  #connected = false;
  readonly #onSample = () => this.host.requestUpdate();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly source: () => StatsSource | undefined,
    private readonly interval: () => number | undefined = () => undefined,
  ) {
    host.addController(this);
  }

  /** The newest sample of the source in use. */
  get sample(): StatsSample | null {
    return this.#source?.latest ?? null;
  }

  /** The bitrate history of the source in use (whole call, or one participant). */
  history(peerId?: string): readonly BitratePoint[] {
    return this.#source?.history(peerId) ?? [];
  }

  hostConnected(): void {
    this.#connected = true;
    this.#sync();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#sync();
  }

  /** The source may come later (from context) and the interval may change: re-check before each render. */
  hostUpdate(): void {
    this.#sync();
  }

  #sync(): void {
    const want = this.#connected ? this.source() : undefined;
    const interval = this.interval();
    if (want === this.#source && interval === this.#interval) return;
    if (want !== this.#source) {
      this.#source?.removeEventListener('sample', this.#onSample);
      want?.addEventListener('sample', this.#onSample);
    }
    // Subscribe anew before releasing, so a shared sampler does not stop and restart.
    const release = this.#release;
    this.#release = want?.subscribe({ interval });
    release?.();
    this.#source = want;
    this.#interval = interval;
  }
}
