/**
 * Vue 3 template types for the kit's elements (types only, nothing at run time), after Vue's guide
 * "Web Components and TypeScript": `import type {} from 'rtc-elements/vue';` once types
 * `<rtc-call>`, `<rtc-camera>`, `<rtc-chat>` and `<rtc-stats>` in templates checked by vue-tsc:
 * their properties and `@rtc-…` listeners with the event's type. Vue still needs
 * `isCustomElement: (tag) => tag.startsWith('rtc-')` in its compiler options.
 */
import type { EmitFn, HTMLAttributes } from 'vue';
import type { RtcCall, RtcCamera, RtcChat, RtcStats } from './index.js';
import type { RtcCallProperty, RtcCameraProperty, RtcChatProperty, RtcStatsProperty } from './element-properties.js';

/** The `rtc-*` events, by name. */
type RtcEvents = {
  [K in keyof GlobalEventHandlersEventMap as K extends `rtc-${string}` ? K : never]: GlobalEventHandlersEventMap[K];
};

/** `onRtc-joined`-style props Vue derives from `@rtc-joined`. */
type PropsFromEvents<T> = { [K in keyof T as `on${Capitalize<K & string>}`]?: (event: T[K]) => void };

/** A custom element as Vue's templates see it: the element, its settable properties `P` as props, its events as emits. */
export type RtcVueElement<E extends HTMLElement, P extends keyof E> = new () => E & {
  /** @deprecated for template type checking only; not a property of the element. */
  $props: HTMLAttributes & Partial<Pick<E, P>> & PropsFromEvents<RtcEvents>;
  /** @deprecated for template type checking only; not a method of the element. */
  $emit: EmitFn<{ [K in keyof RtcEvents]: (event: RtcEvents[K]) => void }>;
};

declare module 'vue' {
  interface GlobalComponents {
    'rtc-call': RtcVueElement<RtcCall, RtcCallProperty>;
    'rtc-camera': RtcVueElement<RtcCamera, RtcCameraProperty>;
    'rtc-chat': RtcVueElement<RtcChat, RtcChatProperty>;
    'rtc-stats': RtcVueElement<RtcStats, RtcStatsProperty>;
  }
}
