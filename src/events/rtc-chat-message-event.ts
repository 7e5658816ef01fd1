/** Fired by `<rtc-chat>` for each message received from another participant. */
export class RtcChatMessageEvent extends Event {
  constructor(
    /** The sender's participant id. */
    readonly participantId: string,
    /** The sender's display name at the time (plain text). */
    readonly name: string,
    /** The message (plain text). */
    readonly text: string,
  ) {
    super('rtc-chat-message', { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'rtc-chat-message': RtcChatMessageEvent;
  }
}
