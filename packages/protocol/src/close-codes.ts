// WebSocket close codes the gateway uses (docs/client-protocol.md), and the one the SDK uses on
// its own side; all in the 4000–4999 range RFC 6455 leaves to applications.
export const CloseCode = {
  /** The SDK dropped the socket itself (restart, open or heartbeat timed out). */
  CLIENT_RESTART: 4000,
  /** No login within the deadline, a failed login, or a frame before login. */
  NOT_LOGGED_IN: 4001,
  /** Nothing heard from the client for too long. */
  IDLE: 4002,
  /** Kicked: by the REST API, by a newer login over the device limit, or the account was deleted. */
  KICKED: 4003,
  /** The client stopped reading: over the send-buffer bound too long, or far past it. It may reconnect and sync. */
  NOT_READING: 4004,
} as const;

export type CloseCodeName = keyof typeof CloseCode;
