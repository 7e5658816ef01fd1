/** The texts `<rtc-call>` shows, in English; set `strings` on the element, or `setStrings({ 'rtc-call': … })`, to translate them. */

/** Every text of `<rtc-call>`. Templates fill `{name}` placeholders. */
export interface RtcCallStrings {
  idle: string;
  notConfigured: string;
  connecting: string;
  reconnecting: string;
  /** `{room}` */
  waiting: string;
  /** `{room}`, `{count}` (one other). */
  withOne: string;
  /** `{room}`, `{count}` (several others). */
  withMany: string;
  left: string;
  failed: string;
  /** `{room}` */
  roomFull: string;
  /** Texts per error code (e.g. `signaling-unreachable`, `turn-unauthorized`), `{message}` is the English one; absent codes show the English message. */
  errors: Record<string, string>;
  guest: string;
  /** `{name}` */
  video: string;
  /** `{name}` */
  mutedLabel: string;
  muted: string;
  /** `{name}` */
  cameraOffLabel: string;
  cameraOff: string;
  sharingScreen: string;
  speaking: string;
  tileConnecting: string;
  tileReconnecting: string;
  tileFailed: string;
  startAudio: string;
  /** The name of the tile grid (it takes keyboard focus, to scroll when capped). */
  participants: string;
  join: string;
  leave: string;
  /** Announced to screen readers: `{name}` */
  participantJoined: string;
  /** Announced to screen readers: `{name}` */
  participantLeft: string;
}

export const DEFAULT_CALL_STRINGS: RtcCallStrings = {
  idle: 'Ready to join',
  notConfigured: 'Set a signaling URL and a room to join',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  waiting: 'In “{room}”, waiting for others',
  withOne: 'In “{room}” with {count} other',
  withMany: 'In “{room}” with {count} others',
  left: 'You left the call',
  failed: 'The call failed',
  roomFull: 'The room “{room}” is full: no one else can join right now.',
  errors: {},
  guest: 'Guest',
  video: 'Video of {name}',
  mutedLabel: '{name}: microphone muted',
  muted: 'Muted',
  cameraOffLabel: '{name}: camera off',
  cameraOff: 'Camera off',
  sharingScreen: 'Sharing screen',
  speaking: 'speaking',
  tileConnecting: 'connecting…',
  tileReconnecting: 'reconnecting…',
  tileFailed: 'connection failed',
  startAudio: 'Start audio',
  participants: 'Participants',
  join: 'Join',
  leave: 'Leave',
  participantJoined: '{name} joined',
  participantLeft: '{name} left',
};

declare module '../../core/strings.js' {
  interface RtcStringsMap {
    'rtc-call': Partial<RtcCallStrings>;
  }
}
