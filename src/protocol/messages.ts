/**
 * The rtc-elements signaling wire protocol, shared by the browser client and the Node server.
 *
 * Every frame is one JSON object with `v` (the protocol version) and `type`. The server assigns
 * each participant its id, stamps `from` on every relayed message and relays only inside the
 * sender's room. See `docs/protocol.md` for the message sequence.
 */

/** Protocol version carried in every frame as `v`. */
export const PROTOCOL_VERSION = 1;
/** Largest frame either side accepts, in bytes. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Longest room name. */
export const MAX_ROOM_LENGTH = 128;
/** Longest display name. */
export const MAX_NAME_LENGTH = 64;

/** A participant as the server describes it. */
export interface PeerInfo {
  id: string;
  name: string;
}

/** An SDP description (the shape of `RTCSessionDescriptionInit`). */
export interface WireDescription {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp?: string;
}

/** An ICE candidate (the shape of `RTCIceCandidateInit`). */
export interface WireCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** What a participant publishes right now, so others show "muted" / "camera off" instead of a frozen frame. */
export interface WireMediaState {
  /** Microphone sending (not muted). */
  audio: boolean;
  /** Camera (or screen) sending. */
  video: boolean;
  /** The video is a screen share. */
  screen: boolean;
}

/** What one peer sends another through the server: a description, a trickled candidate, or its media state. */
export type SignalData =
  | { description: WireDescription }
  | { candidate: WireCandidate }
  | { media: WireMediaState };

/** Client → server: enter a room. */
export interface JoinMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'join';
  room: string;
  name?: string;
}
/** Client → server: relay `data` to participant `to` in the same room. */
export interface SignalMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'signal';
  to: string;
  data: SignalData;
}
/** Client → server: leave the room (a closed socket means the same). */
export interface LeaveMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'leave';
}
/** Every message a client may send. */
export type ClientMessage = JoinMessage | SignalMessage | LeaveMessage;

/** Server → client: you are in; here is your id and who is already there. */
export interface WelcomeMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'welcome';
  id: string;
  room: string;
  peers: PeerInfo[];
}
/** Server → client: someone entered your room. */
export interface PeerJoinedMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'peer-joined';
  peer: PeerInfo;
}
/** Server → client: someone left your room. */
export interface PeerLeftMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'peer-left';
  id: string;
}
/** Server → client: a relayed signal; `from` is stamped by the server. */
export interface RelayedSignalMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'signal';
  from: string;
  data: SignalData;
}
/** Server → client: your last frame was refused, or the room cannot take you. */
export interface ErrorMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'error';
  code: ErrorCode;
  message: string;
}
/** Every message the server may send. */
export type ServerMessage =
  | WelcomeMessage
  | PeerJoinedMessage
  | PeerLeftMessage
  | RelayedSignalMessage
  | ErrorMessage;

/** Why a frame or a request was refused. */
export type ErrorCode =
  | 'bad-json'
  | 'bad-message'
  | 'unsupported-version'
  | 'not-joined'
  | 'already-joined'
  | 'unknown-peer'
  | 'room-full';

/** The outcome of validating one frame. */
export type Parsed<T> = { ok: true; message: T } | { ok: false; code: ErrorCode; error: string };

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown, max: number, min = 0): x is string =>
  typeof x === 'string' && x.length >= min && x.length <= max;
// Control characters would let a peer forge log lines or confuse a display; names never need them.
// eslint-disable-next-line no-control-regex
const hasControl = (s: string) => /[\u0000-\u001f\u007f]/.test(s);

const fail = (code: ErrorCode, error: string): Parsed<never> => ({ ok: false, code, error });

function decode(frame: unknown): Parsed<Obj> {
  if (typeof frame !== 'string') return fail('bad-message', 'frames must be text');
  if (frame.length > MAX_FRAME_BYTES) return fail('bad-message', 'frame too large');
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return fail('bad-json', 'frame is not valid JSON');
  }
  if (!isObj(value)) return fail('bad-message', 'frame must be a JSON object');
  if (value.v !== PROTOCOL_VERSION) {
    return fail('unsupported-version', `protocol version must be ${PROTOCOL_VERSION}`);
  }
  if (typeof value.type !== 'string') return fail('bad-message', 'missing "type"');
  return { ok: true, message: value };
}

/** Checks a room name: 1–128 characters, no control characters. */
export function validRoom(room: unknown): room is string {
  return isStr(room, MAX_ROOM_LENGTH, 1) && !hasControl(room);
}

/** Checks a display name: up to 64 characters, no control characters. */
export function validName(name: unknown): name is string {
  return isStr(name, MAX_NAME_LENGTH) && !hasControl(name);
}

/** Checks a participant id as the server issues them. */
export function validId(id: unknown): id is string {
  return isStr(id, 64, 1) && /^[\w-]+$/.test(id);
}

function validDescription(d: unknown): d is WireDescription {
  if (!isObj(d)) return false;
  if (!['offer', 'answer', 'pranswer', 'rollback'].includes(d.type as string)) return false;
  return d.sdp === undefined || isStr(d.sdp, MAX_FRAME_BYTES);
}

function validCandidate(c: unknown): c is WireCandidate {
  if (!isObj(c) || !isStr(c.candidate, 2048)) return false;
  if (c.sdpMid !== undefined && c.sdpMid !== null && !isStr(c.sdpMid, 64)) return false;
  if (c.sdpMLineIndex !== undefined && c.sdpMLineIndex !== null) {
    if (!Number.isInteger(c.sdpMLineIndex) || (c.sdpMLineIndex as number) < 0) return false;
  }
  return (
    c.usernameFragment === undefined || c.usernameFragment === null || isStr(c.usernameFragment, 256)
  );
}

function validMediaState(m: unknown): m is WireMediaState {
  return (
    isObj(m) &&
    Object.keys(m).length === 3 &&
    typeof m.audio === 'boolean' &&
    typeof m.video === 'boolean' &&
    typeof m.screen === 'boolean'
  );
}

/** Checks the payload of a `signal` message. */
export function validSignalData(data: unknown): data is SignalData {
  if (!isObj(data)) return false;
  const keys = Object.keys(data);
  if (keys.length !== 1) return false;
  if ('description' in data) return validDescription(data.description);
  if ('candidate' in data) return validCandidate(data.candidate);
  if ('media' in data) return validMediaState(data.media);
  return false;
}

/** Validates a frame received by the server. */
export function parseClientMessage(frame: unknown): Parsed<ClientMessage> {
  const d = decode(frame);
  if (!d.ok) return d;
  const m = d.message;
  switch (m.type) {
    case 'join':
      if (!validRoom(m.room)) return fail('bad-message', 'join needs a room of 1–128 characters');
      if (m.name !== undefined && !validName(m.name)) {
        return fail('bad-message', 'name must be up to 64 characters');
      }
      return { ok: true, message: { v: 1, type: 'join', room: m.room, name: m.name } };
    case 'signal':
      if (!validId(m.to)) return fail('bad-message', 'signal needs a participant id in "to"');
      if (!validSignalData(m.data)) {
        return fail('bad-message', 'signal data must be one description, candidate or media state');
      }
      return { ok: true, message: { v: 1, type: 'signal', to: m.to, data: m.data } };
    case 'leave':
      return { ok: true, message: { v: 1, type: 'leave' } };
    default:
      return fail('bad-message', `unknown message type "${String(m.type).slice(0, 32)}"`);
  }
}

function validPeer(p: unknown): p is PeerInfo {
  return isObj(p) && validId(p.id) && validName(p.name);
}

/** Validates a frame received by the browser. */
export function parseServerMessage(frame: unknown): Parsed<ServerMessage> {
  const d = decode(frame);
  if (!d.ok) return d;
  const m = d.message;
  switch (m.type) {
    case 'welcome':
      if (!validId(m.id) || !validRoom(m.room)) return fail('bad-message', 'bad welcome');
      if (!Array.isArray(m.peers) || !m.peers.every(validPeer)) {
        return fail('bad-message', 'bad welcome peers');
      }
      return { ok: true, message: m as unknown as WelcomeMessage };
    case 'peer-joined':
      if (!validPeer(m.peer)) return fail('bad-message', 'bad peer-joined');
      return { ok: true, message: m as unknown as PeerJoinedMessage };
    case 'peer-left':
      if (!validId(m.id)) return fail('bad-message', 'bad peer-left');
      return { ok: true, message: m as unknown as PeerLeftMessage };
    case 'signal':
      if (!validId(m.from) || !validSignalData(m.data)) return fail('bad-message', 'bad signal');
      return { ok: true, message: m as unknown as RelayedSignalMessage };
    case 'error':
      if (typeof m.code !== 'string' || typeof m.message !== 'string') {
        return fail('bad-message', 'bad error');
      }
      return { ok: true, message: m as unknown as ErrorMessage };
    default:
      return fail('bad-message', `unknown message type "${String(m.type).slice(0, 32)}"`);
  }
}
