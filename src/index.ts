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
export { buildConstraints } from './core/constraints.js';
export type { CaptureOptions } from './core/constraints.js';
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
export type { RtcStatsStrings } from './elements/rtc-stats/rtc-stats-strings.js';
export { RtcStatsEvent } from './events/rtc-stats-event.js';
export { WebSocketTransport } from './core/websocket-transport.js';
export type { SignalingTransport, TransportClose } from './core/signaling-transport.js';
export { callContext } from './context/call-context.js';
export { RtcJoinedEvent } from './events/rtc-joined-event.js';
export { RtcLeftEvent } from './events/rtc-left-event.js';
export { RtcErrorEvent } from './events/rtc-error-event.js';
export * from './protocol/messages.js';
