/** The texts `<rtc-chat>` shows, in English; set `strings` on the element, or `setStrings({ 'rtc-chat': … })`, to translate them. */

/** Every text of `<rtc-chat>`. Templates fill `{name}` placeholders. */
export interface RtcChatStrings {
  messages: string;
  empty: string;
  you: string;
  guest: string;
  /** `{message}` is the browser's reason. */
  notDelivered: string;
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
