/** Fired by `<rtc-camera>` when a screen share started, or ended (by the user, here or in the browser's own UI). */
export class RtcScreenShareChangeEvent extends Event {
  constructor(
    /** True when the screen is now shared in place of the camera. */
    readonly sharing: boolean,
  ) {
    super('rtc-screen-share-change', { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'rtc-screen-share-change': RtcScreenShareChangeEvent;
  }
}
