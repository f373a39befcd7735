// Server configuration: environment variables (names fixed by the README), an optional JSON file
// named by PARLEY_CONFIG for several apps, and a development app created on first start.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadOrCreateDevApp } from './dev-app.js';

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
}

export const DEFAULT_RECALL_WINDOW_SECONDS = 120;
export const DEFAULT_MAX_DEVICES_PER_PLATFORM = 10;

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  tls?: { cert: Buffer; key: Buffer };
  logLevel: string;
  apps: AppConfig[];
  /** True when the app list is the generated development app. */
  devApp: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

const SDKAPPID = /^[1-9]\d{0,9}$/;
/** pino's levels; anything else makes the logger throw at start-up. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function readConfigFile(cwd: string, name: string, path: string): Buffer {
  const file = resolve(cwd, path);
  try {
    return readFileSync(file);
  } catch (e) {
    throw new ConfigError(`${name} ${file}: ${(e as Error).message}`);
  }
}

function parsePort(v: string | undefined): number {
  if (v === undefined || v === '') return 8080;
  // Decimal digits only: Number() would also take '0x50', '1e3' or ' 80 '.
  const n = /^\d{1,5}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`PARLEY_PORT must be a port number, got ${JSON.stringify(v)}`);
  return n;
}

function parseAdmins(v: string | undefined): string[] {
  const admins = (v ?? 'administrator').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (admins.length === 0) throw new ConfigError('PARLEY_ADMIN names no admin identifier');
  for (const a of admins) if (Buffer.byteLength(a) > 32) throw new ConfigError(`admin identifier ${JSON.stringify(a)} is longer than 32 bytes`);
  return admins;
}

/** Validates one app entry of the config file (or the one built from the environment). */
export function parseApp(raw: unknown, where: string): AppConfig {
  if (typeof raw !== 'object' || raw === null) throw new ConfigError(`${where}: an app must be an object`);
  const r = raw as Record<string, unknown>;
  const id = String(r.sdkAppId ?? '');
  if (!SDKAPPID.test(id) || Number(id) > 4294967295) throw new ConfigError(`${where}: sdkAppId must be a positive 32-bit integer`);
  if (typeof r.secretKey !== 'string' || r.secretKey.length < 8) throw new ConfigError(`${where}: secretKey must be a string of at least 8 characters`);
  const admins = Array.isArray(r.admins) ? parseAdmins(r.admins.join(',')) : parseAdmins(typeof r.admins === 'string' ? r.admins : undefined);
  let rateLimits: AppConfig['rateLimits'] = {};
  if (r.rateLimits === false) rateLimits = false;
  else if (r.rateLimits !== undefined) {
    if (typeof r.rateLimits !== 'object' || r.rateLimits === null) throw new ConfigError(`${where}: rateLimits must be false or an object`);
    for (const [api, n] of Object.entries(r.rateLimits)) {
      if (typeof n !== 'number' || !(n > 0)) throw new ConfigError(`${where}: rateLimits.${api} must be a positive number`);
    }
    rateLimits = r.rateLimits as Record<string, number>;
  }
  const positive = (name: string): number | undefined => {
    const v = r[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ConfigError(`${where}: ${name} must be a whole number ≥ 0`);
    return v;
  };
  const recallWindowSeconds = positive('recallWindowSeconds');
  const maxDevicesPerPlatform = positive('maxDevicesPerPlatform');
  return {
    sdkAppId: Number(id), secretKey: r.secretKey, admins, rateLimits,
    ...(recallWindowSeconds !== undefined ? { recallWindowSeconds } : {}),
    ...(maxDevicesPerPlatform !== undefined ? { maxDevicesPerPlatform } : {}),
  };
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): ServerConfig {
  const dataDir = resolve(cwd, env.PARLEY_DATA_DIR || './data');
  const host = env.PARLEY_HOST || '127.0.0.1';
  const port = parsePort(env.PARLEY_PORT);
  const logLevel = env.PARLEY_LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`PARLEY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  let tls: ServerConfig['tls'];
  if (env.PARLEY_TLS_CERT || env.PARLEY_TLS_KEY) {
    if (!env.PARLEY_TLS_CERT || !env.PARLEY_TLS_KEY) throw new ConfigError('HTTPS needs both PARLEY_TLS_CERT and PARLEY_TLS_KEY');
    tls = { cert: readConfigFile(cwd, 'PARLEY_TLS_CERT', env.PARLEY_TLS_CERT), key: readConfigFile(cwd, 'PARLEY_TLS_KEY', env.PARLEY_TLS_KEY) };
  }
  const rateLimitsOff = env.PARLEY_RATE_LIMITS === 'off';

  const apps: AppConfig[] = [];
  if (env.PARLEY_CONFIG) {
    const file = resolve(cwd, env.PARLEY_CONFIG);
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError(`PARLEY_CONFIG ${file}: ${(e as Error).message}`);
    }
    const list = (doc as { apps?: unknown } | null)?.apps;
    if (!Array.isArray(list)) throw new ConfigError(`PARLEY_CONFIG ${file}: expected {"apps": [...]}`);
    list.forEach((a, i) => apps.push(parseApp(a, `${file} apps[${i}]`)));
  }
  if (env.PARLEY_SDKAPPID || env.PARLEY_SECRET_KEY) {
    if (!env.PARLEY_SDKAPPID || !env.PARLEY_SECRET_KEY) throw new ConfigError('an app needs both PARLEY_SDKAPPID and PARLEY_SECRET_KEY');
    apps.push(parseApp({ sdkAppId: env.PARLEY_SDKAPPID, secretKey: env.PARLEY_SECRET_KEY, admins: env.PARLEY_ADMIN }, 'environment'));
  }
  let devApp = false;
  if (apps.length === 0) {
    apps.push(loadOrCreateDevApp(dataDir, parseAdmins(env.PARLEY_ADMIN)));
    devApp = true;
  }
  const seen = new Set<number>();
  for (const a of apps) {
    if (seen.has(a.sdkAppId)) throw new ConfigError(`SDKAppID ${a.sdkAppId} is configured twice`);
    seen.add(a.sdkAppId);
    if (rateLimitsOff) a.rateLimits = false;
  }
  return { host, port, dataDir, ...(tls ? { tls } : {}), logLevel, apps, devApp };
}
