/**
 * React 19 JSX types for the kit's elements (types only, nothing at run time):
 * `import type {} from 'rtc-elements/react';` once in a `.tsx` file types `<rtc-call>`,
 * `<rtc-camera>`, `<rtc-chat>` and `<rtc-stats>`: their properties (React 19 sets them as
 * properties, objects and functions as they are) and `onrtc-…` listeners with the event's type.
 * Needs `@types/react` 19.
 *
 * @example
 * import 'rtc-elements';
 * import type {} from 'rtc-elements/react';
 * <rtc-call room="standup" iceServers={[{ urls: 'stun:stun.example.org' }]} onrtc-joined={(e) => e.room} />
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { RtcCall, RtcCamera, RtcChat, RtcStats } from './index.js';
import type { RtcCallProperty, RtcCameraProperty, RtcChatProperty, RtcStatsProperty } from './element-properties.js';

/** `onrtc-joined`, `onrtc-error`, …: a listener for that exact event (they bubble, so any element hears them). */
export type RtcEventProps = {
  [K in keyof GlobalEventHandlersEventMap as K extends `rtc-${string}` ? `on${K}` : never]?: (
    event: GlobalEventHandlersEventMap[K],
  ) => void;
};

/** The JSX props of element `E`: its settable properties `P`, the `rtc-*` listeners, and React's own HTML props. */
export type RtcElementProps<E extends HTMLElement, P extends keyof E> = Partial<Pick<E, P>> &
  RtcEventProps &
  DetailedHTMLProps<HTMLAttributes<E>, E>;

/** Props of `<rtc-call>`. */
export type RtcCallProps = RtcElementProps<RtcCall, RtcCallProperty>;

/** Props of `<rtc-camera>`. */
export type RtcCameraProps = RtcElementProps<RtcCamera, RtcCameraProperty>;

/** Props of `<rtc-chat>`. */
export type RtcChatProps = RtcElementProps<RtcChat, RtcChatProperty>;

/** Props of `<rtc-stats>`. */
export type RtcStatsProps = RtcElementProps<RtcStats, RtcStatsProperty>;

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'rtc-call': RtcCallProps;
      'rtc-camera': RtcCameraProps;
      'rtc-chat': RtcChatProps;
      'rtc-stats': RtcStatsProps;
    }
  }
}
