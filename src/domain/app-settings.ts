// An app's settings as the domain uses them: who administers it, its limits, its callbacks, and
// the defaults every setting takes. src/config reads them from the environment and files.

/** An app's settings as a caller may give them (tests, embedders); resolveApp fills in the defaults. */
export interface AppConfig {
  sdkAppId: number;
  secretKey: string;
  /** Identifiers allowed to call the REST API. The first one is the default sender. */
  admins: string[];
  /** Per-API calls per second ("service/command" → limit), merged over Tencent's defaults; false turns limiting off. */
  rateLimits: false | Record<string, number>;
  /** How long a sender may recall their own message from a client, in seconds (Tencent: 120). */
  recallWindowSeconds?: number;
  /** Connections of one user on one platform at once; a login beyond it kicks the oldest. */
  maxDevicesPerPlatform?: number;
  /** Third-party callbacks (webhooks); absent: none are sent. */
  callback?: CallbackConfig;
}

/** An app as the server uses it: every setting present, defaults applied (parseApp, resolveApp). */
export interface App extends AppConfig {
  recallWindowSeconds: number;
  maxDevicesPerPlatform: number;
}

export const CALLBACK_COMMANDS = [
  'C2C.CallbackBeforeSendMsg',
  'C2C.CallbackAfterSendMsg',
  'C2C.CallbackAfterMsgWithDraw',
  'C2C.CallbackAfterMsgReport',
  'C2C.CallbackAfterMsgReadReceipt',
  'C2C.CallbackAfterC2CMsgExtension',
  'State.StateChange',
  'Profile.CallbackPortraitSet',
] as const;
export type CallbackCommand = (typeof CALLBACK_COMMANDS)[number];

export interface CallbackConfig {
  url: string;
  /** When set, every callback carries Sign = sha256hex(token + RequestTime) and RequestTime. */
  token?: string;
  /** Enabled commands; default all of CALLBACK_COMMANDS. */
  commands: CallbackCommand[];
  /** Per attempt, milliseconds (Tencent: 2 s). */
  timeoutMs: number;
  /** What a before-send callback that fails or times out means: deliver anyway (Tencent's default) or reject with 80003. */
  beforeSendFailure: 'deliver' | 'reject';
  /** After-callbacks still undelivered after this many seconds are given up (logged and counted). */
  maxAgeSeconds: number;
}

export const DEFAULT_CALLBACK_TIMEOUT_MS = 2000;
export const MAX_CALLBACK_TIMEOUT_MS = 30_000;
export const DEFAULT_CALLBACK_MAX_AGE_SECONDS = 86400;

export const DEFAULT_RECALL_WINDOW_SECONDS = 120;
export const DEFAULT_MAX_DEVICES_PER_PLATFORM = 10;

/** The app with its defaults applied; an app that is already resolved comes back equal. */
export function resolveApp(a: AppConfig): App {
  return {
    ...a,
    recallWindowSeconds: a.recallWindowSeconds ?? DEFAULT_RECALL_WINDOW_SECONDS,
    maxDevicesPerPlatform: a.maxDevicesPerPlatform ?? DEFAULT_MAX_DEVICES_PER_PLATFORM,
  };
}
