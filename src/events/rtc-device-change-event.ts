/** Fired by `<rtc-camera>` when the camera, microphone or speaker in use changed. */
export class RtcDeviceChangeEvent extends Event {
  constructor(
    /** Which device: `videoinput`, `audioinput` or `audiooutput`. */
    readonly kind: MediaDeviceKind,
    /** The device now in use ('' for the default). */
    readonly deviceId: string,
    /** `user`: chosen in the picker; `fallback`: the device in use went away and the default took over. */
    readonly reason: 'user' | 'fallback',
  ) {
    super('rtc-device-change', { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'rtc-device-change': RtcDeviceChangeEvent;
  }
}
