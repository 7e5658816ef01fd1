/**
 * Gives an element its strings (its `strings` property over the page-wide `setStrings`, over
 * the English defaults) and its language, and re-renders it when either changes.
 *
 * @example
 * readonly #i18n = new StringsController(this, 'rtc-call', DEFAULT_STRINGS, () => this.strings);
 * render() { return html`${this.#i18n.s.leave}`; }
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { globalStrings, stringsChanged, type RtcStringsMap } from '../core/strings.js';

export class StringsController<K extends keyof RtcStringsMap, S extends object> implements ReactiveController {
  #observer?: MutationObserver;
  readonly #onChange = () => this.host.requestUpdate();
  /** The strings to show, merged before each render. */
  s: S;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly tag: K,
    private readonly defaults: S,
    private readonly own: () => RtcStringsMap[K] | undefined,
  ) {
    this.s = defaults;
    host.addController(this);
  }

  hostConnected(): void {
    stringsChanged.addEventListener('change', this.#onChange);
    // The element's own `lang` changes its number formatting at once; an ancestor's at the next render.
    this.#observer ??= new MutationObserver(this.#onChange);
    this.#observer.observe(this.host, { attributes: true, attributeFilter: ['lang'] });
  }

  hostDisconnected(): void {
    stringsChanged.removeEventListener('change', this.#onChange);
    this.#observer?.disconnect();
  }

  hostUpdate(): void {
    const d = this.defaults as Record<string, unknown>;
    const g = globalStrings(this.tag) as Record<string, object> | undefined;
    const o = this.own() as Record<string, object> | undefined;
    const s: Record<string, unknown> = { ...d, ...g, ...o };
    // Nested tables (units, error texts) merge key by key too.
    for (const k in d) if (typeof d[k] === 'object') s[k] = { ...(d[k] as object), ...g?.[k], ...o?.[k] };
    this.s = s as S;
  }

  /** The language of the closest element with `lang` (across shadow roots), else the browser's. */
  get lang(): string | undefined {
    for (let n: Node | null = this.host; n; n = n.parentNode ?? (n as ShadowRoot).host ?? null) {
      if ((n as HTMLElement).lang) return (n as HTMLElement).lang;
    }
    return undefined;
  }
}
