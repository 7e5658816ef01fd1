/**
 * The properties of each element a framework may set (types only): one list, shared by the React
 * (`rtc-elements/react`) and Vue (`rtc-elements/vue`) template types.
 */

/** Settable properties of `<rtc-call>`. */
export type RtcCallProperty =
  | 'signaling'
  | 'token'
  | 'getToken'
  | 'room'
  | 'name'
  | 'iceServers'
  | 'iceTransportPolicy'
  | 'maxBitrate'
  | 'maxVideoBitrate'
  | 'maxAudioBitrate'
  | 'noAutoJoin'
  | 'strings'
  | 'signalingTransport';

/** Settable properties of `<rtc-camera>`. */
export type RtcCameraProperty =
  | 'width'
  | 'height'
  | 'frameRate'
  | 'facingMode'
  | 'deviceId'
  | 'audioDeviceId'
  | 'noAudio'
  | 'noVideo'
  | 'noEchoCancellation'
  | 'noNoiseSuppression'
  | 'noAutoGainControl'
  | 'constraints'
  | 'muted'
  | 'cameraOff'
  | 'noMirror'
  | 'showSettings'
  | 'noControls'
  | 'strings'
  | 'media'
  | 'session';

/** Settable properties of `<rtc-chat>`. */
export type RtcChatProperty = 'label' | 'strings' | 'session';

/** Settable properties of `<rtc-stats>`. */
export type RtcStatsProperty = 'variant' | 'interval' | 'participant' | 'sample' | 'source' | 'strings' | 'session';
