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
export type RtcCallProps = RtcElementProps<
  RtcCall,
  | 'signaling'
  | 'token'
  | 'getToken'
  | 'room'
  | 'name'
  | 'iceServers'
  | 'iceTransportPolicy'
  | 'maxBitrate'
  | 'maxVideoBitrate'
  | 'maxAudioBitrate'
  | 'noAutoJoin'
  | 'strings'
  | 'signalingTransport'
>;

/** Props of `<rtc-camera>`. */
export type RtcCameraProps = RtcElementProps<
  RtcCamera,
  | 'width'
  | 'height'
  | 'frameRate'
  | 'facingMode'
  | 'deviceId'
  | 'audioDeviceId'
  | 'noAudio'
  | 'noVideo'
  | 'noEchoCancellation'
  | 'noNoiseSuppression'
  | 'noAutoGainControl'
  | 'constraints'
  | 'muted'
  | 'cameraOff'
  | 'noMirror'
  | 'showSettings'
  | 'noControls'
  | 'strings'
  | 'media'
>;

/** Props of `<rtc-chat>`. */
export type RtcChatProps = RtcElementProps<RtcChat, 'label' | 'strings' | 'session'>;

/** Props of `<rtc-stats>`. */
export type RtcStatsProps = RtcElementProps<RtcStats, 'variant' | 'interval' | 'participant' | 'sample' | 'source' | 'strings'>;

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
