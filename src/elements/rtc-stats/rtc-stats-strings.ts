/** The labels `<rtc-stats>` shows, in English; set `strings` on the element to translate them. */
import { DEFAULT_UNITS, type UnitLabels } from '../../core/format.js';

/** Every label of `<rtc-stats>`. Templates fill `{name}` placeholders. */
export interface RtcStatsStrings {
  title: string;
  sending: string;
  receiving: string;
  audio: string;
  video: string;
  excellent: string;
  good: string;
  poor: string;
  lost: string;
  /** `{value}` is the loss, e.g. `12 %`. */
  reasonLoss: string;
  /** `{value}` is the round-trip time, e.g. `420 ms`. */
  reasonDelay: string;
  /** `{value}` is the jitter. */
  reasonJitter: string;
  reasonConnection: string;
  noData: string;
  guest: string;
  path: string;
  direct: string;
  relay: string;
  candidates: string;
  protocol: string;
  roundTrip: string;
  availableOutgoing: string;
  lostSent: string;
  lostReceived: string;
  jitter: string;
  codec: string;
  sentVideo: string;
  receivedVideo: string;
  limitation: string;
  limitationNone: string;
  limitationCpu: string;
  limitationBandwidth: string;
  limitationOther: string;
  mos: string;
  /** Text alternative of the bitrate graph; `{seconds}`, `{send}`, `{sendMax}`, `{receive}`, `{receiveMax}`. */
  history: string;
  historyEmpty: string;
  units: UnitLabels;
}

export const DEFAULT_STRINGS: RtcStatsStrings = {
  title: 'Call statistics',
  sending: 'Sending',
  receiving: 'Receiving',
  audio: 'Audio',
  video: 'Video',
  excellent: 'Excellent',
  good: 'Good',
  poor: 'Poor',
  lost: 'Lost',
  reasonLoss: 'packet loss {value}',
  reasonDelay: 'high delay {value}',
  reasonJitter: 'jitter {value}',
  reasonConnection: 'connection lost',
  noData: 'No connection to measure yet',
  guest: 'Guest',
  path: 'Path',
  direct: 'Direct',
  relay: 'Via TURN',
  candidates: 'Candidates (ours → theirs)',
  protocol: 'Protocol',
  roundTrip: 'Round trip',
  availableOutgoing: 'Available upload',
  lostSent: 'Lost on the way out',
  lostReceived: 'Lost on the way in',
  jitter: 'Jitter',
  codec: 'Codec',
  sentVideo: 'Sent video',
  receivedVideo: 'Received video',
  limitation: 'Sent video limited by',
  limitationNone: 'nothing',
  limitationCpu: 'CPU',
  limitationBandwidth: 'bandwidth',
  limitationOther: 'other',
  mos: 'Audio score (MOS, 1–4.5)',
  history: 'Bitrate over the last {seconds} s: sending {send} now, at most {sendMax}; receiving {receive} now, at most {receiveMax}.',
  historyEmpty: 'No bitrate history yet.',
  units: DEFAULT_UNITS,
};

export { fill } from '../../core/strings.js';

/** What a page may override: any of the strings, and any of the unit labels. */
export type RtcStatsStringOverrides = Partial<Omit<RtcStatsStrings, 'units'>> & { units?: Partial<UnitLabels> };

declare module '../../core/strings.js' {
  interface RtcStringsMap {
    'rtc-stats': RtcStatsStringOverrides;
  }
}
