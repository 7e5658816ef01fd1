/**
 * The signaling server as a library (`rtc-elements/server`, Node only): mount it on your own
 * HTTP server, or start it alone, and mint room tokens for your signed-in users.
 *
 * @example
 * import { createServer } from 'node:http';
 * import { attachSignaling, createRoomToken } from 'rtc-elements/server';
 * const http = createServer((req, res) => signaling.handleHttp(req, res) || app(req, res));
 * const signaling = attachSignaling(http, { tokenSecret: process.env.RTC_TOKEN_SECRET });
 */
export { attachSignaling, type SignalingOptions, type SignalingServer } from './signaling-server.js';
export { startSignalingServer, type RunningServer } from './http-server.js';
export { createRoomToken, verifyRoomToken, TokenError, type RoomGrant, type RoomTokenClaims } from './auth.js';
export { optionsFromEnv } from './options-from-env.js';
export type { TurnOptions } from './turn.js';
