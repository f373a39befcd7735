// ChatError: what every failed promise of the SDK rejects with, `{ code, message, data }`.

export const ERROR_CODE = {
  NO_SDKAPPID: 2000,
  NO_IDENTIFIER: 2002,
  NO_USERSIG: 2003,
  USER_NOT_LOGGED_IN: 2024,
  REPEAT_LOGIN: 2025,
  MSG_SEND_FAIL: 2100,
  MSG_INSTANCE_REQUIRED: 2105,
  MSG_INVALID_CONV_TYPE: 2106,
  MSG_REVOKE_FAIL: 2110,
  MSG_DELETE_FAIL: 2111,
  MSG_UNREAD_ALL_FAIL: 2112,
  READ_RECEIPT_MSG_LIST_EMPTY: 2114,
  CONV_NOT_FOUND: 2500,
  USER_OR_GRP_NOT_FOUND: 2501,
  INVALID_CONV_ID: 2503,
  NETWORK_ERROR: 2800,
  NETWORK_TIMEOUT: 2801,
  NO_NETWORK: 2805,
  UNCAUGHT_ERROR: 2903,
  OVER_FREQUENCY_LIMIT: 2996,
  SDK_IS_NOT_READY: 2999,
  LOGGING_IN: 3000,
  LOGIN_FAILED: 3001,
  KICKED_OUT_MULT_DEVICE: 3002,
  KICKED_OUT_MULT_ACCOUNT: 3003,
  KICKED_OUT_USERSIG_EXPIRED: 3004,
  LOGGED_OUT: 3005,
  KICKED_OUT_REST_API: 3006,
} as const;

const TEXT: Record<number, string> = {
  2000: 'SDKAppID is missing',
  2002: 'userID is missing',
  2003: 'userSig is missing',
  2024: 'not logged in; call login first',
  2025: 'a login is already in progress',
  2100: 'the message could not be sent',
  2105: 'a Message instance is required',
  2114: 'the read-receipt message list is empty',
  2106: 'conversationType must be C2C',
  2110: 'the message could not be recalled',
  2111: 'the messages could not be deleted',
  2112: 'the conversations could not be marked read',
  2500: 'conversation not found',
  2501: 'user not found',
  2503: 'invalid conversationID',
  2800: 'network error',
  2801: 'request timed out',
  2805: 'no network',
  2903: 'internal error',
  2996: 'called too often',
  2999: 'the SDK is not ready; wait for SDK_READY',
  3000: 'logging in',
  3001: 'login failed',
  3002: 'kicked out: logged in on another device',
  3003: 'kicked out: logged in on another instance',
  3004: 'kicked out: UserSig expired',
  3005: 'logged out',
  3006: 'kicked out by the REST API',
};

export const errorText = (code: number): string => TEXT[code] ?? `error ${code}`;

export class ChatError extends Error {
  code: number;
  data: Record<string, unknown>;

  constructor(code: number, message?: string, data: Record<string, unknown> = {}) {
    super(message ?? errorText(code));
    this.code = code;
    this.data = data;
    // Own enumerable fields are exactly code, message and data (JSON.stringify shows all three);
    // `name` and `stack` stay non-enumerable.
    Object.defineProperty(this, 'message', {
      value: this.message,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    Object.defineProperty(this, 'name', { value: 'ChatError', enumerable: false, configurable: true, writable: true });
  }
}

/** Any thrown value as a ChatError: ChatErrors pass, anything else becomes 2903 (or `fallback`). */
export function toChatError(
  e: unknown,
  fallback: number = ERROR_CODE.UNCAUGHT_ERROR,
  data: Record<string, unknown> = {},
): ChatError {
  if (e instanceof ChatError) {
    return Object.keys(data).length === 0 ? e : new ChatError(e.code, e.message, { ...e.data, ...data });
  }
  return new ChatError(fallback, e instanceof Error ? e.message : String(e), data);
}

/** Transport failures (no answer from the server) as opposed to codes the server answered. */
export const isNetworkCode = (code: number): boolean => code === 2800 || code === 2801 || code === 2805;
