/** Fired by `<rtc-call>` when a remote participant entered the room. */
export class RtcParticipantJoinedEvent extends Event {
  constructor(
    /** The participant's server-assigned id. */
    readonly participantId: string,
    /** Their display name (plain text, chosen by them). */
    readonly name: string,
  ) {
    super('rtc-participant-joined', { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'rtc-participant-joined': RtcParticipantJoinedEvent;
  }
}
