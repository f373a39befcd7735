// Limits of the HTTP edge against slow, large or many-connection clients, and how /metrics is
// protected: PARLEY_HEADERS_TIMEOUT_MS, PARLEY_REQUEST_TIMEOUT_MS, PARLEY_MAX_BODY_BYTES_IN_FLIGHT,
// PARLEY_MAX_CONNECTIONS_PER_ADDRESS, PARLEY_METRICS_TOKEN, PARLEY_METRICS_LISTEN.
import { ConfigError } from './config-error.js';

export interface HttpLimits {
  /** Time to receive a request's headers; then 408 and close. */
  headersTimeoutMs: number;
  /** Time to receive a whole request (headers and body); then 408 and close. */
  requestTimeoutMs: number;
  /** Request-body bytes held at once across all connections; past it 60018 and close. */
  maxBodyBytesInFlight: number;
  /** Open HTTP connections per client address (WebSocket sessions are not counted); 0: no cap. */
  maxConnectionsPerAddress: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxBodyBytesInFlight: 64 * 1024 * 1024,
  maxConnectionsPerAddress: 256,
};

export interface MetricsAccess {
  /** When set, GET /metrics needs "Authorization: Bearer <token>". */
  token?: string;
  /** When set, /metrics is served only on this separate address, not on the API port. */
  listen?: { host: string; port: number };
}

type Env = Record<string, string | undefined>;

function whole(env: Env, name: string, dflt: number, min: number): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = /^\d{1,12}$/.test(v) ? Number(v) : NaN;
  if (!(n >= min)) throw new ConfigError(`${name} must be a whole number ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
}

const LIMIT_VARIABLES = [
  'PARLEY_HEADERS_TIMEOUT_MS',
  'PARLEY_REQUEST_TIMEOUT_MS',
  'PARLEY_MAX_BODY_BYTES_IN_FLIGHT',
  'PARLEY_MAX_CONNECTIONS_PER_ADDRESS',
];

/** The limits the environment sets; undefined when it sets none (the server then uses the defaults). */
export function parseHttpLimits(env: Env): HttpLimits | undefined {
  if (!LIMIT_VARIABLES.some((name) => env[name] !== undefined && env[name] !== '')) return undefined;
  const limits: HttpLimits = {
    headersTimeoutMs: whole(env, 'PARLEY_HEADERS_TIMEOUT_MS', DEFAULT_HTTP_LIMITS.headersTimeoutMs, 1),
    requestTimeoutMs: whole(env, 'PARLEY_REQUEST_TIMEOUT_MS', DEFAULT_HTTP_LIMITS.requestTimeoutMs, 1),
    maxBodyBytesInFlight: whole(env, 'PARLEY_MAX_BODY_BYTES_IN_FLIGHT', DEFAULT_HTTP_LIMITS.maxBodyBytesInFlight, 1024),
    maxConnectionsPerAddress: whole(
      env,
      'PARLEY_MAX_CONNECTIONS_PER_ADDRESS',
      DEFAULT_HTTP_LIMITS.maxConnectionsPerAddress,
      0,
    ),
  };
  // Node refuses a headers timeout longer than the whole request's.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs)
    throw new ConfigError('PARLEY_HEADERS_TIMEOUT_MS must not exceed PARLEY_REQUEST_TIMEOUT_MS');
  return limits;
}

export function parseMetricsAccess(env: Env): MetricsAccess {
  const token = env.PARLEY_METRICS_TOKEN || undefined;
  const listen = env.PARLEY_METRICS_LISTEN || undefined;
  let address: MetricsAccess['listen'];
  if (listen !== undefined) {
    const m = /^(.+):(\d{1,5})$/.exec(listen);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port > 65535)
      throw new ConfigError(`PARLEY_METRICS_LISTEN must be host:port, got ${JSON.stringify(listen)}`);
    address = { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port };
  }
  return { ...(token ? { token } : {}), ...(address ? { listen: address } : {}) };
}
