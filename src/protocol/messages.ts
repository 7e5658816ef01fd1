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

/** Longest room token (a JWT) a client may send. */
export const MAX_TOKEN_LENGTH = 4096;
/** Largest sequence number either side uses (they start at 1 per connection slot). */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/**
 * WebSocket close codes the server uses. Refusals (`Refusal`) are final: a client never retries
 * them. `Reconnect` asks the client to come back (to another server if it knows one).
 */
export const CloseCode = {
  /** Normal close (leave). */
  Normal: 1000,
  /** The client kept sending frames that fail validation, or sent too fast for too long. */
  PolicyViolation: 1008,
  /** A frame over `MAX_FRAME_BYTES`. */
  TooBig: 1009,
  /** The server could not admit us for now (e.g. its room directory, Redis, is unreachable): retry. */
  TryAgainLater: 1013,
  /**
   * From the client: it gives up on this connection to make another (the server stopped
   * answering, or an attempt ran out of time). Not a goodbye: its place is kept for the grace period.
   */
  Dropped: 4000,
  /** The server is going away (SIGTERM): reconnect, to another server if one is listed. */
  Reconnect: 4012,
  /** No join within the join timeout. */
  JoinTimeout: 4408,
  /** The room token is missing, expired, forged, or for another room. */
  InvalidToken: 4401,
  /** The page's origin is not on the server's allowlist. */
  ForbiddenOrigin: 4403,
  /** The room holds as many participants as it may. */
  RoomFull: 4409,
  /** The server holds as many connections as it may (try another server, or later). */
  ServerFull: 4503,
} as const;

/** Close codes that mean "you may not come in": retrying cannot help. */
export const REFUSAL_CODES: ReadonlySet<number> = new Set([
  CloseCode.PolicyViolation,
  CloseCode.TooBig,
  CloseCode.InvalidToken,
  CloseCode.ForbiddenOrigin,
  CloseCode.RoomFull,
]);

/** A participant as the server describes it. */
export interface PeerInfo {
  id: string;
  name: string;
  /** The participant's identity from their room token (`sub`), when tokens are used. */
  user?: string;
}

/** A STUN/TURN server as the server hands it out (the shape of `RTCIceServer`). */
export interface WireIceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/** Proof that a reconnecting client is the participant it was: id and the secret from its welcome. */
export interface ResumeClaim {
  id: string;
  secret: string;
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

/** Client → server: enter a room (or come back to it with `resume`). */
export interface JoinMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'join';
  room: string;
  name?: string;
  /** Room token (HS256 JWT) when the server requires one. */
  token?: string;
  /** Come back as the participant of an earlier welcome, within the server's grace period. */
  resume?: ResumeClaim;
  /** With `resume`: the last server `seq` this client applied; the server replays what follows. */
  ack?: number;
}
/** Client → server: relay `data` to participant `to` in the same room. */
export interface SignalMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'signal';
  to: string;
  data: SignalData;
  /** Client sequence number (1, 2, …): the server applies each once and in order. */
  seq?: number;
  /** Piggybacked acknowledgement: the last server `seq` this client applied. */
  ack?: number;
}
/** Either direction: every sequenced message up to `seq` was applied. */
export interface AckMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'ack';
  seq: number;
}
/** Client → server: leave the room (a closed socket means the same). */
export interface LeaveMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'leave';
}
/**
 * Client → server: change your display name while in the room; everyone, you included, gets
 * `peer-renamed`. Refused (`forbidden`) when the room token set the name.
 */
export interface RenameMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'rename';
  name: string;
}
/** Every message a client may send. */
export type ClientMessage = JoinMessage | SignalMessage | LeaveMessage | AckMessage | RenameMessage;

/** Server → client: you are in; here is your id and who is already there. */
export interface WelcomeMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'welcome';
  id: string;
  room: string;
  peers: PeerInfo[];
  /** Secret for `join.resume` after a dropped connection (keep it in memory only). */
  resume?: string;
  /** True when this welcome resumed an earlier slot: same id, peers unchanged, queued messages follow. */
  resumed?: boolean;
  /**
   * Identifies the server's numbering of messages to this participant. When it differs from the
   * previous welcome's (a fresh join, or another server process took over), numbering restarts.
   */
  epoch?: string;
  /** The last client `seq` the server applied; the client resends what follows. */
  ack?: number;
  /** Your display name as the server set it (a token's name claim wins). */
  name?: string;
  /** STUN/TURN servers with short-lived credentials for this participant. */
  iceServers?: WireIceServer[];
  /**
   * How long the server keeps the place of a participant whose connection dropped, ms. After a
   * restart, someone the welcome does not list has had that long to come back.
   */
  grace?: number;
}
/** Server → client: someone entered your room. */
export interface PeerJoinedMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'peer-joined';
  peer: PeerInfo;
  seq?: number;
  /** Piggybacked acknowledgement: the last client `seq` the server applied. */
  ack?: number;
}
/** Server → client: someone left your room. */
export interface PeerLeftMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'peer-left';
  id: string;
  seq?: number;
  ack?: number;
}
/** Server → client: someone in your room (you too) has a new display name. */
export interface PeerRenamedMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'peer-renamed';
  peer: PeerInfo;
  seq?: number;
  ack?: number;
}
/** Server → client: a relayed signal; `from` is stamped by the server. */
export interface RelayedSignalMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'signal';
  from: string;
  data: SignalData;
  /** Server sequence number for this participant (1, 2, …). */
  seq?: number;
  /** Piggybacked acknowledgement: the last client `seq` the server applied. */
  ack?: number;
}
/** Server → client: your last frame was refused, or the room cannot take you. */
export interface ErrorMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'error';
  code: ErrorCode;
  message: string;
}
/**
 * Server → client: fresh STUN/TURN credentials, sent before the welcome's expire, so a call
 * that outlives them can still allocate a relay (an ICE restart, a network change).
 */
export interface IceServersMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'ice-servers';
  iceServers: WireIceServer[];
}
/** Every message the server may send. */
export type ServerMessage =
  | WelcomeMessage
  | PeerJoinedMessage
  | PeerLeftMessage
  | PeerRenamedMessage
  | RelayedSignalMessage
  | ErrorMessage
  | AckMessage
  | IceServersMessage;

/** Why a frame or a request was refused. */
export type ErrorCode =
  | 'bad-json'
  | 'bad-message'
  | 'unsupported-version'
  | 'not-joined'
  | 'already-joined'
  | 'unknown-peer'
  | 'room-full'
  | 'rate-limited'
  | 'unavailable'
  | 'forbidden';

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
  return envelope(value);
}

function envelope(value: unknown): Parsed<Obj> {
  if (!isObj(value)) return fail('bad-message', 'frame must be a JSON object');
  if (value.v !== PROTOCOL_VERSION) {
    return fail('unsupported-version', `protocol version must be ${PROTOCOL_VERSION}`);
  }
  if (typeof value.type !== 'string') return fail('bad-message', 'missing "type"');
  return { ok: true, message: value };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Checks a room name: 1–128 characters, no control characters, no lone surrogate (not text: no URI, no UTF-8 can carry it). */
export function validRoom(room: unknown): room is string {
  return isStr(room, MAX_ROOM_LENGTH, 1) && !hasControl(room) && !LONE_SURROGATE.test(room);
}

/** Checks a display name: up to 64 characters, no control characters. */
export function validName(name: unknown): name is string {
  return isStr(name, MAX_NAME_LENGTH) && !hasControl(name);
}

/** Checks a participant id as the server issues them. */
export function validId(id: unknown): id is string {
  return isStr(id, 64, 1) && /^[\w-]+$/.test(id);
}

const validSeq = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
const validSecret = (s: unknown): s is string => isStr(s, 128, 1) && /^[\w-]+$/.test(s);

function validResume(r: unknown): r is ResumeClaim {
  return isObj(r) && validId(r.id) && validSecret(r.secret);
}

function validIceServer(s: unknown): s is WireIceServer {
  return (
    isObj(s) &&
    Array.isArray(s.urls) &&
    s.urls.length <= 8 &&
    s.urls.every((u) => isStr(u, 512, 1)) &&
    (s.username === undefined || isStr(s.username, 512)) &&
    (s.credential === undefined || isStr(s.credential, 512))
  );
}

/**
 * True when `o` has no key but `allowed`, so what is relayed is exactly what was validated (the
 * server's byte check takes no other key either). Browsers send no other: `toJSON()` gives the
 * spec's `RTCSessionDescriptionInit` (`type`, `sdp`) and `RTCIceCandidateInit` (the four below);
 * seen so in Chromium 156 and Firefox 153.
 */
function onlyKeys(o: Obj, allowed: readonly string[]): boolean {
  for (const key in o) if (!allowed.includes(key)) return false;
  return true;
}

const DESCRIPTION_KEYS = ['type', 'sdp'] as const;
const CANDIDATE_KEYS = ['candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment'] as const;

function validDescription(d: unknown): d is WireDescription {
  if (!isObj(d) || !onlyKeys(d, DESCRIPTION_KEYS)) return false;
  if (!['offer', 'answer', 'pranswer', 'rollback'].includes(d.type as string)) return false;
  return d.sdp === undefined || isStr(d.sdp, MAX_FRAME_BYTES);
}

function validCandidate(c: unknown): c is WireCandidate {
  if (!isObj(c) || !onlyKeys(c, CANDIDATE_KEYS) || !isStr(c.candidate, 2048)) return false;
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

/**
 * True when `value` (a decoded client frame) is a valid `signal`, as `parseClientMessage` would
 * accept it: what the server's byte-level check of signals (server/signal-frame.ts) is tested against.
 */
export function isValidSignal(value: unknown): value is SignalMessage {
  return isObj(value) && value.v === PROTOCOL_VERSION && value.type === 'signal' && signalProblem(value) === null;
}

/** What is wrong with a client `signal` (its envelope already checked), or null when nothing is. */
function signalProblem(m: Obj): string | null {
  if (!validId(m.to)) return 'signal needs a participant id in "to"';
  if (!validSignalData(m.data)) return 'signal data must be one description, candidate or media state';
  if (m.seq !== undefined && (!validSeq(m.seq) || m.seq === 0)) return 'seq must be a positive integer';
  if (m.ack !== undefined && !validSeq(m.ack)) return 'ack must be a sequence number';
  return null;
}

/** Validates a frame received by the server. */
export function parseClientMessage(frame: unknown): Parsed<ClientMessage> {
  const d = decode(frame);
  return d.ok ? checkClient(d.message) : d;
}

/** Validates a client frame that is already decoded (`JSON.parse`d); as `parseClientMessage` otherwise. */
export function checkClientMessage(value: unknown): Parsed<ClientMessage> {
  const d = envelope(value);
  return d.ok ? checkClient(d.message) : d;
}

function checkClient(m: Obj): Parsed<ClientMessage> {
  switch (m.type) {
    case 'join':
      if (!validRoom(m.room)) return fail('bad-message', 'join needs a room of 1–128 characters');
      if (m.name !== undefined && !validName(m.name)) {
        return fail('bad-message', 'name must be up to 64 characters');
      }
      if (m.token !== undefined && !isStr(m.token, MAX_TOKEN_LENGTH, 1)) {
        return fail('bad-message', `token must be a string of up to ${MAX_TOKEN_LENGTH} characters`);
      }
      if (m.resume !== undefined && !validResume(m.resume)) return fail('bad-message', 'bad resume claim');
      if (m.ack !== undefined && !validSeq(m.ack)) return fail('bad-message', 'ack must be a sequence number');
      return {
        ok: true,
        message: {
          v: 1,
          type: 'join',
          room: m.room,
          name: m.name,
          ...(m.token !== undefined ? { token: m.token } : {}),
          ...(m.resume !== undefined ? { resume: { id: m.resume.id, secret: m.resume.secret } } : {}),
          ...(m.ack !== undefined ? { ack: m.ack } : {}),
        },
      };
    case 'signal': {
      const problem = signalProblem(m);
      if (problem) return fail('bad-message', problem);
      // Built field by field: this runs for every relayed frame, and spreads cost more than the rest.
      const signal: SignalMessage = { v: 1, type: 'signal', to: m.to as string, data: m.data as SignalData };
      if (m.seq !== undefined) signal.seq = m.seq as number;
      if (m.ack !== undefined) signal.ack = m.ack as number;
      return { ok: true, message: signal };
    }
    case 'ack':
      if (!validSeq(m.seq)) return fail('bad-message', 'ack needs a sequence number');
      return { ok: true, message: { v: 1, type: 'ack', seq: m.seq } };
    case 'leave':
      return { ok: true, message: { v: 1, type: 'leave' } };
    case 'rename':
      if (!validName(m.name)) return fail('bad-message', 'rename needs a name of up to 64 characters');
      return { ok: true, message: { v: 1, type: 'rename', name: m.name } };
    default:
      return fail('bad-message', `unknown message type "${String(m.type).slice(0, 32)}"`);
  }
}

function validPeer(p: unknown): p is PeerInfo {
  return isObj(p) && validId(p.id) && validName(p.name) && (p.user === undefined || isStr(p.user, 256));
}

const optSeq = (m: Obj) => (m.seq === undefined || validSeq(m.seq)) && (m.ack === undefined || validSeq(m.ack));

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
      if (m.resume !== undefined && !validSecret(m.resume)) return fail('bad-message', 'bad welcome resume');
      if (m.ack !== undefined && !validSeq(m.ack)) return fail('bad-message', 'bad welcome ack');
      if (m.epoch !== undefined && !validSecret(m.epoch)) return fail('bad-message', 'bad welcome epoch');
      if (m.name !== undefined && !validName(m.name)) return fail('bad-message', 'bad welcome name');
      if (m.grace !== undefined && !validSeq(m.grace)) return fail('bad-message', 'bad welcome grace');
      if (m.iceServers !== undefined && !(Array.isArray(m.iceServers) && m.iceServers.every(validIceServer))) {
        return fail('bad-message', 'bad welcome iceServers');
      }
      return { ok: true, message: m as unknown as WelcomeMessage };
    case 'peer-joined':
      if (!validPeer(m.peer) || !optSeq(m)) return fail('bad-message', 'bad peer-joined');
      return { ok: true, message: m as unknown as PeerJoinedMessage };
    case 'peer-left':
      if (!validId(m.id) || !optSeq(m)) return fail('bad-message', 'bad peer-left');
      return { ok: true, message: m as unknown as PeerLeftMessage };
    case 'peer-renamed':
      if (!validPeer(m.peer) || !optSeq(m)) return fail('bad-message', 'bad peer-renamed');
      return { ok: true, message: m as unknown as PeerRenamedMessage };
    case 'signal':
      if (!validId(m.from) || !validSignalData(m.data) || !optSeq(m)) return fail('bad-message', 'bad signal');
      return { ok: true, message: m as unknown as RelayedSignalMessage };
    case 'ack':
      if (!validSeq(m.seq)) return fail('bad-message', 'bad ack');
      return { ok: true, message: m as unknown as AckMessage };
    case 'ice-servers':
      if (!Array.isArray(m.iceServers) || !m.iceServers.every(validIceServer)) return fail('bad-message', 'bad ice-servers');
      return { ok: true, message: m as unknown as IceServersMessage };
    case 'error':
      if (typeof m.code !== 'string' || typeof m.message !== 'string') {
        return fail('bad-message', 'bad error');
      }
      return { ok: true, message: m as unknown as ErrorMessage };
    default:
      return fail('bad-message', `unknown message type "${String(m.type).slice(0, 32)}"`);
  }
}
