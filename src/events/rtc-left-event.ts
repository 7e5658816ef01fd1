/** Fired by `<rtc-call>` when it has left its room (hang-up, removal, or a room change). */
export class RtcLeftEvent extends Event {
  constructor(
    /** The room left. */
    readonly room: string,
  ) {
    super('rtc-left', { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'rtc-left': RtcLeftEvent;
  }
}
