/** Counters and gauges of the signaling server, rendered in the Prometheus text format. */

import type { ErrorCode } from '../protocol/messages.js';

/** Why a frame or a connection was refused (the `reason` label): a protocol error code, or a refusal at the door. */
export type RefusalReason =
  | ErrorCode
  | 'invalid-token'
  | 'forbidden-origin'
  | 'server-full'
  | 'too-big'
  | 'too-slow'
  | 'policy-violation'
  | 'join-timeout';

/** The server's counters. */
export class Metrics {
  connections = 0;
  /** Sockets refused at the door whose closing handshake is not done yet (each at most 2 s). */
  connectionsClosing = 0;
  participants = 0;
  rooms = 0;
  relayed = 0;
  joins = 0;
  resumes = 0;
  /** Times the link to Redis came back after a break and the rooms caught up. */
  resyncs = 0;
  /** Participants asked to join again because the room was told they had left (a sweep of this process). */
  rejoins = 0;
  /** Participants' display names changed in place (`rename`), as applied. */
  renames = 0;
  /** Signals for a participant on another process given up: not heard within 5 s, or the recipient gone. */
  signalsLost = 0;
  readonly refused = new Map<RefusalReason, number>();

  /** Counts one refusal. */
  refuse(reason: RefusalReason): void {
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
  }

  /** The Prometheus text exposition. */
  render(): string {
    const lines = [
      ...metric('connections', 'gauge', 'Open WebSocket connections.', this.connections),
      ...metric('connections_closing', 'gauge', 'Sockets refused at the door (origin, connection cap) not yet closed; counted against the connection cap.', this.connectionsClosing),
      ...metric('participants', 'gauge', 'Participants held by this process (connected or within their grace period).', this.participants),
      ...metric('rooms', 'gauge', 'Rooms with a participant on this process.', this.rooms),
      ...metric('joins_total', 'counter', 'Participants admitted (fresh joins).', this.joins),
      ...metric('resumes_total', 'counter', 'Participants who came back with a resume secret.', this.resumes),
      ...metric('resyncs_total', 'counter', 'Times the link to Redis came back after a break and the rooms caught up.', this.resyncs),
      ...metric('rejoins_total', 'counter', 'Participants asked to join again: this process had been taken for dead and swept.', this.rejoins),
      ...metric('renames_total', 'counter', 'Display names changed in place (rename), as applied to the directory.', this.renames),
      ...metric('messages_relayed_total', 'counter', 'Signals relayed to another participant.', this.relayed),
      ...metric('signals_lost_total', 'counter', 'Signals for a participant on another process given up: not heard within 5 s, or the recipient gone.', this.signalsLost),
      ...metric('messages_refused_total', 'counter', 'Frames and connections refused, by reason.', this.refused),
    ];
    return `${lines.join('\n')}\n`;
  }
}

/** One metric's HELP, TYPE and sample lines (a map gives one sample per `reason` label). */
function metric(name: string, type: 'gauge' | 'counter', help: string, value: number | Map<string, number>): string[] {
  const full = `rtc_signal_${name}`;
  const samples =
    typeof value === 'number' ? [`${full} ${value}`] : [...value].map(([reason, n]) => `${full}{reason="${reason}"} ${n}`);
  return [`# HELP ${full} ${help}`, `# TYPE ${full} ${type}`, ...samples];
}
