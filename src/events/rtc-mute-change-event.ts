/** Fired by `<rtc-camera>` when the microphone was muted or unmuted by the user. */
export class RtcMuteChangeEvent extends Event {
  constructor(
    /** True when the microphone is now muted. */
    readonly muted: boolean,
  ) {
    super('rtc-mute-change', { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'rtc-mute-change': RtcMuteChangeEvent;
  }
}
