/** rtc-elements: registers every element and exports the public API. */
export { RtcCall } from './elements/rtc-call/rtc-call.js';
export { RtcCamera } from './elements/rtc-camera/rtc-camera.js';
export { RtcStats } from './elements/rtc-stats/rtc-stats.js';
export { CallSession } from './core/call-session.js';
export type { CallConfig, CallState, CallStatus, CallError, Participant } from './core/call-session.js';
export { LocalMedia } from './core/local-media.js';
export type { LocalMediaState, LocalMediaStatus } from './core/local-media.js';
export { MediaError } from './core/media-error.js';
export type { MediaErrorCode } from './core/media-error.js';
export { buildConstraints, mergeConstraints, describeVideoSettings } from './core/constraints.js';
export type { CaptureOptions, MediaKind } from './core/constraints.js';
export { DeviceList } from './core/device-list.js';
export type { DeviceListState, DeviceOption } from './core/device-list.js';
export { StatsSampler, StatsFeed, StatsSampleEvent } from './core/stats-sampler.js';
export type { StatsSource, BitratePoint, SubscribeOptions } from './core/stats-sampler.js';
export type {
  StatsSample,
  PeerStats,
  KindStats,
  SendStats,
  ReceiveStats,
  ConnectionStats,
  CandidateType,
} from './core/stats.js';
export { scoreQuality, estimateMos, QUALITY_THRESHOLDS } from './core/quality.js';
export type { Quality, QualityLevel, QualityMetric, QualityReason } from './core/quality.js';
export type { RtcStatsStringOverrides, RtcStatsStrings } from './elements/rtc-stats/rtc-stats-strings.js';
export { RtcStatsEvent } from './events/rtc-stats-event.js';
export { WebSocketTransport } from './core/websocket-transport.js';
export type { SignalingTransport, TransportClose } from './core/signaling-transport.js';
export { callContext } from './context/call-context.js';
export { RtcJoinedEvent } from './events/rtc-joined-event.js';
export { RtcLeftEvent } from './events/rtc-left-event.js';
export { RtcErrorEvent } from './events/rtc-error-event.js';
export { RtcMuteChangeEvent } from './events/rtc-mute-change-event.js';
export { RtcCameraOffChangeEvent } from './events/rtc-camera-off-change-event.js';
export { RtcScreenShareChangeEvent } from './events/rtc-screen-share-change-event.js';
export { RtcDeviceChangeEvent } from './events/rtc-device-change-event.js';
export * from './protocol/messages.js';
export { CallChannel, ChannelMessageEvent } from './core/data-channel.js';
export type { ChannelOptions, ChannelData } from './core/data-channel.js';
export { defaultMeshPolicy } from './core/mesh-policy.js';
export type { MeshPolicy, SendPolicy } from './core/mesh-policy.js';
export type { RecoveryOptions } from './core/peer-link.js';
export { ParticipantEvent } from './core/session-events.js';
export { RtcParticipantJoinedEvent } from './events/rtc-participant-joined-event.js';
export { RtcParticipantLeftEvent } from './events/rtc-participant-left-event.js';
export { RtcChat } from './elements/rtc-chat/rtc-chat.js';
export type { ChatMessage } from './elements/rtc-chat/rtc-chat.js';
export { RtcChatMessageEvent } from './events/rtc-chat-message-event.js';
export { InMemorySignalingHub } from './core/in-memory-signaling.js';
export { setStrings, fill } from './core/strings.js';
export type { RtcStringsMap } from './core/strings.js';
export type { RtcCallStrings } from './elements/rtc-call/rtc-call-strings.js';
export type { RtcCameraStrings } from './elements/rtc-camera/rtc-camera-strings.js';
export type { RtcChatStrings } from './elements/rtc-chat/rtc-chat-strings.js';
