// Server configuration: environment variables (names fixed by the README), an optional JSON file
// named by PARLEY_CONFIG for several apps, and a development app created on first start. Every
// default is applied here, once: the rest of the server reads resolved values (App).
import { U32_MAX } from '@parley/protocol';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CALLBACK_COMMANDS,
  DEFAULT_CALLBACK_MAX_AGE_SECONDS,
  DEFAULT_CALLBACK_TIMEOUT_MS,
  MAX_CALLBACK_TIMEOUT_MS,
  resolveApp,
  type App,
  type AppConfig,
  type CallbackCommand,
  type CallbackConfig,
} from '../domain/app-settings.js';
import { ConfigError } from './config-error.js';
import { loadOrCreateDevApp } from './dev-app.js';
import { parseHttpLimits, parseMetricsAccess, type HttpLimits, type MetricsAccess } from './http-limits.js';

export { ConfigError };
// The app settings are the domain's (src/domain/app-settings.ts); configuration only reads them in.
export * from '../domain/app-settings.js';

/** Validates a callback section (config file) or the one built from PARLEY_CALLBACK_*. */
export function parseCallback(raw: unknown, where: string): CallbackConfig {
  if (typeof raw !== 'object' || raw === null) throw new ConfigError(`${where}: callback must be an object`);
  const r = raw as Record<string, unknown>;
  let url: URL;
  try {
    url = new URL(String(r.url));
  } catch {
    throw new ConfigError(`${where}: callback.url must be an http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`${where}: callback.url must be an http(s) URL`);
  if (r.token !== undefined && typeof r.token !== 'string')
    throw new ConfigError(`${where}: callback.token must be a string`);
  let commands: CallbackCommand[] = [...CALLBACK_COMMANDS];
  if (r.commands !== undefined) {
    if (!Array.isArray(r.commands) || r.commands.some((c) => !(CALLBACK_COMMANDS as readonly unknown[]).includes(c))) {
      throw new ConfigError(`${where}: callback.commands must list some of ${CALLBACK_COMMANDS.join(', ')}`);
    }
    commands = r.commands as CallbackCommand[];
  }
  const num = (name: string, dflt: number): number => {
    const v = r[name];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new ConfigError(`${where}: callback.${name} must be a positive number`);
    return v;
  };
  // An attempt must end well within the outbox lease (60 s), or another node could take the same
  // callback while it is still in flight.
  if (typeof r.timeoutMs === 'number' && r.timeoutMs > MAX_CALLBACK_TIMEOUT_MS)
    throw new ConfigError(`${where}: callback.timeoutMs must be at most ${MAX_CALLBACK_TIMEOUT_MS}`);
  const policy = r.beforeSendFailure ?? 'deliver';
  if (policy !== 'deliver' && policy !== 'reject')
    throw new ConfigError(`${where}: callback.beforeSendFailure must be "deliver" or "reject"`);
  return {
    url: url.toString(),
    ...(typeof r.token === 'string' && r.token !== '' ? { token: r.token } : {}),
    commands,
    timeoutMs: num('timeoutMs', DEFAULT_CALLBACK_TIMEOUT_MS),
    beforeSendFailure: policy,
    maxAgeSeconds: num('maxAgeSeconds', DEFAULT_CALLBACK_MAX_AGE_SECONDS),
  };
}

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  tls?: { cert: Buffer; key: Buffer };
  logLevel: string;
  apps: AppConfig[];
  /** True when the app list is the generated development app. */
  devApp: boolean;
  /** True when this load made the development app (there was none in dataDir). */
  devAppCreated?: boolean;
  /** redis://… : the bus between nodes (PARLEY_REDIS_URL); without it, one node's LocalBus. */
  redisUrl?: string;
  /** postgres://… : the store (PARLEY_DATABASE_URL); without it, SQLite in dataDir. */
  database?: string;
  /** Absent: DEFAULT_HTTP_LIMITS. */
  httpLimits?: HttpLimits;
  metrics?: MetricsAccess;
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

/** PARLEY_RATE_LIMITS: unset keeps each app's limits; `off` turns them off everywhere. */
function parseRateLimitsSwitch(v: string | undefined): boolean {
  if (v === undefined || v === '') return false;
  if (v === 'off') return true;
  throw new ConfigError(`PARLEY_RATE_LIMITS must be "off" (or unset, for each app's limits), got ${JSON.stringify(v)}`);
}

function parsePort(v: string | undefined): number {
  if (v === undefined || v === '') return 8080;
  // Decimal digits only: Number() would also take '0x50', '1e3' or ' 80 '.
  const n = /^\d{1,5}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`PARLEY_PORT must be a port number, got ${JSON.stringify(v)}`);
  return n;
}

function parseAdmins(v: string | undefined): string[] {
  const admins = (v ?? 'administrator')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (admins.length === 0) throw new ConfigError('PARLEY_ADMIN names no admin identifier');
  for (const a of admins)
    if (Buffer.byteLength(a) > 32)
      throw new ConfigError(`admin identifier ${JSON.stringify(a)} is longer than 32 bytes`);
  return admins;
}

/** Validates one app entry of the config file (or the one built from the environment). */
export function parseApp(raw: unknown, where: string): App {
  if (typeof raw !== 'object' || raw === null) throw new ConfigError(`${where}: an app must be an object`);
  const r = raw as Record<string, unknown>;
  const id = String(r.sdkAppId ?? '');
  if (!SDKAPPID.test(id) || Number(id) > U32_MAX)
    throw new ConfigError(`${where}: sdkAppId must be a positive 32-bit integer`);
  if (typeof r.secretKey !== 'string' || r.secretKey.length < 8)
    throw new ConfigError(`${where}: secretKey must be a string of at least 8 characters`);
  const admins = Array.isArray(r.admins)
    ? parseAdmins(r.admins.join(','))
    : parseAdmins(typeof r.admins === 'string' ? r.admins : undefined);
  let rateLimits: AppConfig['rateLimits'] = {};
  if (r.rateLimits === false) rateLimits = false;
  else if (r.rateLimits !== undefined) {
    if (typeof r.rateLimits !== 'object' || r.rateLimits === null)
      throw new ConfigError(`${where}: rateLimits must be false or an object`);
    for (const [api, n] of Object.entries(r.rateLimits)) {
      if (typeof n !== 'number' || !(n > 0))
        throw new ConfigError(`${where}: rateLimits.${api} must be a positive number`);
    }
    rateLimits = r.rateLimits as Record<string, number>;
  }
  const positive = (name: string): number | undefined => {
    const v = r[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      throw new ConfigError(`${where}: ${name} must be a whole number ≥ 0`);
    return v;
  };
  const recallWindowSeconds = positive('recallWindowSeconds');
  const maxDevicesPerPlatform = positive('maxDevicesPerPlatform');
  const callback = r.callback === undefined ? undefined : parseCallback(r.callback, where);
  return resolveApp({
    sdkAppId: Number(id),
    secretKey: r.secretKey,
    admins,
    rateLimits,
    ...(callback ? { callback } : {}),
    ...(recallWindowSeconds !== undefined ? { recallWindowSeconds } : {}),
    ...(maxDevicesPerPlatform !== undefined ? { maxDevicesPerPlatform } : {}),
  });
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): ServerConfig {
  const dataDir = resolve(cwd, env.PARLEY_DATA_DIR || './data');
  const host = env.PARLEY_HOST || '127.0.0.1';
  const port = parsePort(env.PARLEY_PORT);
  const logLevel = env.PARLEY_LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel))
    throw new ConfigError(`PARLEY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  let tls: ServerConfig['tls'];
  if (env.PARLEY_TLS_CERT || env.PARLEY_TLS_KEY) {
    if (!env.PARLEY_TLS_CERT || !env.PARLEY_TLS_KEY)
      throw new ConfigError('HTTPS needs both PARLEY_TLS_CERT and PARLEY_TLS_KEY');
    tls = {
      cert: readConfigFile(cwd, 'PARLEY_TLS_CERT', env.PARLEY_TLS_CERT),
      key: readConfigFile(cwd, 'PARLEY_TLS_KEY', env.PARLEY_TLS_KEY),
    };
  }
  const rateLimitsOff = parseRateLimitsSwitch(env.PARLEY_RATE_LIMITS);

  const apps: App[] = [];
  /** Where each app was configured, for the "configured twice" error. */
  const sources: string[] = [];
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
    list.forEach((a, i) => {
      apps.push(parseApp(a, `${file} apps[${i}]`));
      sources.push(`PARLEY_CONFIG ${file} apps[${i}]`);
    });
  }
  if (env.PARLEY_SDKAPPID || env.PARLEY_SECRET_KEY) {
    if (!env.PARLEY_SDKAPPID || !env.PARLEY_SECRET_KEY)
      throw new ConfigError('an app needs both PARLEY_SDKAPPID and PARLEY_SECRET_KEY');
    apps.push(
      parseApp(
        { sdkAppId: env.PARLEY_SDKAPPID, secretKey: env.PARLEY_SECRET_KEY, admins: env.PARLEY_ADMIN },
        'environment',
      ),
    );
    sources.push('PARLEY_SDKAPPID');
  }
  let devApp = false;
  let devAppCreated = false;
  if (apps.length === 0) {
    const dev = loadOrCreateDevApp(dataDir);
    apps.push(
      parseApp(
        { sdkAppId: dev.sdkAppId, secretKey: dev.secretKey, admins: parseAdmins(env.PARLEY_ADMIN) },
        'development app',
      ),
    );
    sources.push('the development app');
    devApp = true;
    devAppCreated = dev.created;
  }
  // PARLEY_CALLBACK_* configure the app of the environment (or the development app).
  if (env.PARLEY_CALLBACK_URL) {
    const target = apps[apps.length - 1]!;
    // A token from the environment replaces the file's; without one, the file's token stays.
    const token = env.PARLEY_CALLBACK_TOKEN ?? target.callback?.token;
    target.callback = parseCallback(
      { ...target.callback, url: env.PARLEY_CALLBACK_URL, ...(token !== undefined ? { token } : {}) },
      'PARLEY_CALLBACK_URL',
    );
  } else if (env.PARLEY_CALLBACK_TOKEN) {
    throw new ConfigError('PARLEY_CALLBACK_TOKEN needs PARLEY_CALLBACK_URL');
  }
  const seen = new Map<number, string>();
  apps.forEach((a, i) => {
    const first = seen.get(a.sdkAppId);
    if (first !== undefined)
      throw new ConfigError(
        `SDKAppID ${a.sdkAppId} is configured twice: in ${first} and in ${sources[i]}; keep one (PARLEY_CONFIG and PARLEY_SDKAPPID add up, they do not override)`,
      );
    seen.set(a.sdkAppId, sources[i]!);
    if (rateLimitsOff) a.rateLimits = false;
  });
  const redisUrl = env.PARLEY_REDIS_URL || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl))
    throw new ConfigError('PARLEY_REDIS_URL must be a redis:// or rediss:// URL');
  const database = env.PARLEY_DATABASE_URL || undefined;
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database))
    throw new ConfigError('PARLEY_DATABASE_URL must be a postgres:// or postgresql:// URL');
  const httpLimits = parseHttpLimits(env);
  const metrics = parseMetricsAccess(env);
  return {
    host,
    port,
    dataDir,
    ...(tls ? { tls } : {}),
    logLevel,
    apps,
    devApp,
    ...(devAppCreated ? { devAppCreated } : {}),
    ...(redisUrl ? { redisUrl } : {}),
    ...(database ? { database } : {}),
    ...(httpLimits ? { httpLimits } : {}),
    ...(metrics.token || metrics.listen ? { metrics } : {}),
  };
}
