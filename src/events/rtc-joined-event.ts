/** Fired by `<rtc-call>` when it has entered its room. */
export class RtcJoinedEvent extends Event {
  constructor(
    /** The room joined. */
    readonly room: string,
    /** Our server-assigned participant id. */
    readonly participantId: string,
  ) {
    super('rtc-joined', { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'rtc-joined': RtcJoinedEvent;
  }
}
