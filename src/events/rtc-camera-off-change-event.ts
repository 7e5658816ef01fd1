/** Fired by `<rtc-camera>` when the camera was turned off (track stopped) or on again by the user. */
export class RtcCameraOffChangeEvent extends Event {
  constructor(
    /** True when the camera is now off. */
    readonly cameraOff: boolean,
  ) {
    super('rtc-camera-off-change', { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'rtc-camera-off-change': RtcCameraOffChangeEvent;
  }
}
