/**
 * Keeps a call's stats sampler running while the host is connected and re-renders the host
 * with each sample. Several hosts on one call share the sampler's single `getStats()` per tick.
 *
 * @example
 * #stats = new StatsController(this, () => this.session?.stats);
 * render() { return html`${this.#stats.sample?.sendBitrate}`; }
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { StatsSampler } from '../core/stats-sampler.js';
import type { StatsSample } from '../core/stats.js';

export class StatsController implements ReactiveController {
  #sampler?: StatsSampler;
  #release?: () => void;
  #connected = false;
  readonly #onSample = () => this.host.requestUpdate();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly sampler: () => StatsSampler | undefined,
  ) {
    host.addController(this);
  }

  /** The newest sample of the sampler in use. */
  get sample(): StatsSample | null {
    return this.#sampler?.latest ?? null;
  }

  hostConnected(): void {
    this.#connected = true;
    this.#sync();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#sync();
  }

  hostUpdate(): void {
    this.#sync();
  }

  #sync(): void {
    const want = this.#connected ? this.sampler() : undefined;
    if (want === this.#sampler) return;
    this.#sampler?.removeEventListener('sample', this.#onSample);
    this.#release?.();
    this.#release = undefined;
    this.#sampler = want;
    if (want) {
      want.addEventListener('sample', this.#onSample);
      this.#release = want.subscribe();
    }
  }
}
