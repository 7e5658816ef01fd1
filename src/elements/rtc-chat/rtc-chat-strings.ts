/** The texts `<rtc-chat>` shows, in English; set `strings` on the element, or `setStrings({ 'rtc-chat': … })`, to translate them. */

/** Every text of `<rtc-chat>`. Templates fill `{name}` placeholders. */
export interface RtcChatStrings {
  messages: string;
  empty: string;
  you: string;
  guest: string;
  /** `{message}` is the browser's reason. */
  notDelivered: string;
  /** On one of our messages that did not reach everyone. */
  failed: string;
  /** `{max}` characters: a message set from script that is too long. */
  tooLong: string;
  label: string;
  placeholder: string;
  placeholderOutside: string;
  send: string;
}

export const DEFAULT_CHAT_STRINGS: RtcChatStrings = {
  messages: 'Chat messages',
  empty: 'No messages yet.',
  you: 'You',
  guest: 'Guest',
  notDelivered: 'Not delivered to everyone: {message}',
  failed: 'not delivered',
  tooLong: 'A message can be at most {max} characters.',
  label: 'Message to everyone in the call',
  placeholder: 'Write a message…',
  placeholderOutside: 'Join the call to chat',
  send: 'Send',
};

declare module '../../core/strings.js' {
  interface RtcStringsMap {
    'rtc-chat': Partial<RtcChatStrings>;
  }
}
