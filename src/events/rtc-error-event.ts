/** Fired by an rtc element when something failed that the user should know about. */
export class RtcErrorEvent extends Event {
  constructor(
    /** A stable code, e.g. `permission-denied`, `room-full`, `signaling-unreachable`. */
    readonly code: string,
    /** A sentence for people. */
    readonly message: string,
  ) {
    super('rtc-error', { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'rtc-error': RtcErrorEvent;
  }
}
