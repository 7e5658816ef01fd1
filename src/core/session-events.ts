/** Events a `CallSession` fires besides `change`. */
import type { PeerInfo } from '../protocol/messages.js';

/** A participant entered the call (`participant-joined`) or left it (`participant-left`). */
export class ParticipantEvent extends Event {
  constructor(
    type: 'participant-joined' | 'participant-left',
    /** Who: server-assigned id and display name. */
    readonly participant: PeerInfo,
  ) {
    super(type);
  }
}
