// Tandem's TypeScript client: the REST API typed from openapi/openapi.json, the real-time API
// typed from openapi/asyncapi.json, the reconnecting and resuming sockets of the web app, and
// the signature check of Tandem's requests to integrations. See ../README.md.
export { createTandemClient, call, currentToken } from './rest.js';
export type { ClientOptions, TandemClient, TokenSource } from './rest.js';
export { ApiError, errorMessage, retryAfterSeconds } from './errors.js';
export type { ClientErrorCode } from './errors.js';
export { ReconnectingSocket, realtimeUrl, CLOSE } from './socket.js';
export type { ConnectionState, SocketOptions, WebSocketConstructor } from './socket.js';
export { ChannelSocket } from './channel.js';
export type { ChannelSocketOptions } from './channel.js';
export { SeqTracker } from './seq.js';
export type { Verdict } from './seq.js';
export { sign, verifySignature, SIGNATURE_TOLERANCE_SECONDS } from './signature.js';
export type { HeaderSource, VerifyOptions } from './signature.js';
export * from './types.js';
export { channels } from './generated/channels.js';
export type { ChannelMessages, ChannelName } from './generated/channels.js';
export type { paths, components, operations } from './generated/api.js';
