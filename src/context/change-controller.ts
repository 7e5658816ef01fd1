/**
 * Re-renders a host whenever an `EventTarget` it shows fires `change`, subscribing only while
 * the host is connected. With `key`, only when what the host shows of it changed: a call's
 * state changes several times a second (who is speaking), which most hosts do not show.
 *
 * @example
 * #session = new ChangeController(this, () => this.session);
 * #status = new ChangeController(this, () => this.session, 'change', () => this.session?.state.status);
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class ChangeController implements ReactiveController {
  #subscribed?: EventTarget;
  #connected = false;
  #lastKey: unknown;
  readonly #onChange = () => {
    if (this.key) {
      const key = this.key();
      if (key === this.#lastKey) return;
      this.#lastKey = key;
    }
    this.host.requestUpdate();
  };

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly target: () => EventTarget | undefined,
    private readonly type = 'change',
    /** What the host shows of the target, compared with `===`: a change that leaves it alone is skipped. */
    private readonly key?: () => unknown,
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
    this.#lastKey = this.key?.();
    want?.addEventListener(this.type, this.#onChange);
  }
}
