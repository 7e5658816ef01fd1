/** Counters and gauges of the signaling server, rendered in the Prometheus text format. */

import type { ErrorCode } from '../protocol/messages.js';

/** Why a frame or a connection was refused (the `reason` label): a protocol error code, or a refusal at the door. */
export type RefusalReason =
  | ErrorCode
  | 'invalid-token'
  | 'forbidden-origin'
  | 'server-full'
  | 'too-big'
  | 'policy-violation'
  | 'join-timeout';

/** The server's counters. */
export class Metrics {
  connections = 0;
  participants = 0;
  rooms = 0;
  relayed = 0;
  joins = 0;
  resumes = 0;
  /** Times the link to Redis came back after a break and the rooms caught up. */
  resyncs = 0;
  /** Participants asked to join again because the room was told they had left (a sweep of this process). */
  rejoins = 0;
  readonly refused = new Map<RefusalReason, number>();

  /** Counts one refusal. */
  refuse(reason: RefusalReason): void {
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
  }

  /** The Prometheus text exposition. */
  render(): string {
    const lines = [
      '# HELP rtc_signal_connections Open WebSocket connections.',
      '# TYPE rtc_signal_connections gauge',
      `rtc_signal_connections ${this.connections}`,
      '# HELP rtc_signal_participants Participants held by this process (connected or within their grace period).',
      '# TYPE rtc_signal_participants gauge',
      `rtc_signal_participants ${this.participants}`,
      '# HELP rtc_signal_rooms Rooms with a participant on this process.',
      '# TYPE rtc_signal_rooms gauge',
      `rtc_signal_rooms ${this.rooms}`,
      '# HELP rtc_signal_joins_total Participants admitted (fresh joins).',
      '# TYPE rtc_signal_joins_total counter',
      `rtc_signal_joins_total ${this.joins}`,
      '# HELP rtc_signal_resumes_total Participants who came back with a resume secret.',
      '# TYPE rtc_signal_resumes_total counter',
      `rtc_signal_resumes_total ${this.resumes}`,
      '# HELP rtc_signal_resyncs_total Times the link to Redis came back after a break and the rooms caught up.',
      '# TYPE rtc_signal_resyncs_total counter',
      `rtc_signal_resyncs_total ${this.resyncs}`,
      '# HELP rtc_signal_rejoins_total Participants asked to join again: this process had been taken for dead and swept.',
      '# TYPE rtc_signal_rejoins_total counter',
      `rtc_signal_rejoins_total ${this.rejoins}`,
      '# HELP rtc_signal_messages_relayed_total Signals relayed to another participant.',
      '# TYPE rtc_signal_messages_relayed_total counter',
      `rtc_signal_messages_relayed_total ${this.relayed}`,
      '# HELP rtc_signal_messages_refused_total Frames and connections refused, by reason.',
      '# TYPE rtc_signal_messages_refused_total counter',
      ...[...this.refused].map(([reason, n]) => `rtc_signal_messages_refused_total{reason="${reason}"} ${n}`),
    ];
    return `${lines.join('\n')}\n`;
  }
}
