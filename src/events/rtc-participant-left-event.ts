/** Fired by `<rtc-call>` when a remote participant left the room. */
export class RtcParticipantLeftEvent extends Event {
  constructor(
    /** The participant's server-assigned id. */
    readonly participantId: string,
    /** Their display name (plain text, chosen by them). */
    readonly name: string,
  ) {
    super('rtc-participant-left', { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'rtc-participant-left': RtcParticipantLeftEvent;
  }
}
