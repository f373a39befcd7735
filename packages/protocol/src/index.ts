// @parley/protocol: what Parley's server and its client SDK agree on, with no imports of its own
// (the layout of Socket.IO's parser packages): wire shapes, the MsgKey codec, limits, and the
// named ErrorCodes and WebSocket close codes.
export * from './wire.js';
export * from './msg-key.js';
export * from './limits.js';
export * from './error-codes.js';
export * from './close-codes.js';
