/**
 * Re-renders a host whenever an `EventTarget` it shows fires `change`, subscribing only while
 * the host is connected.
 *
 * @example
 * #session = new ChangeController(this, () => this.session);
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class ChangeController implements ReactiveController {
  #subscribed?: EventTarget;
  #connected = false;
  readonly #onChange = () => this.host.requestUpdate();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly target: () => EventTarget | undefined,
    private readonly type = 'change',
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.#connected = true;
    this.#sync();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#sync();
  }

  /** The target may come later (from context): re-check before each render. */
  hostUpdate(): void {
    this.#sync();
  }

  #sync(): void {
    const want = this.#connected ? this.target() : undefined;
    if (want === this.#subscribed) return;
    this.#subscribed?.removeEventListener(this.type, this.#onChange);
    this.#subscribed = want;
    want?.addEventListener(this.type, this.#onChange);
  }
}
