// The environment variables of the HTTP edge's limits and of /metrics access (README § Configuration).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_HTTP_LIMITS, parseHttpLimits, parseMetricsAccess } from '../src/config/http-limits.js';
import { ConfigError, loadConfig } from '../src/config/config.js';

test('HTTP limits: defaults, overrides and refusals', () => {
  assert.equal(parseHttpLimits({}), undefined, 'none set: the server uses DEFAULT_HTTP_LIMITS');
  assert.deepEqual(parseHttpLimits({ PARLEY_REQUEST_TIMEOUT_MS: '60000' }), {
    ...DEFAULT_HTTP_LIMITS,
    requestTimeoutMs: 60_000,
  });
  assert.deepEqual(
    parseHttpLimits({
      PARLEY_HEADERS_TIMEOUT_MS: '500',
      PARLEY_REQUEST_TIMEOUT_MS: '900',
      PARLEY_MAX_BODY_BYTES_IN_FLIGHT: '2048',
      PARLEY_MAX_CONNECTIONS_PER_ADDRESS: '0',
    }),
    { headersTimeoutMs: 500, requestTimeoutMs: 900, maxBodyBytesInFlight: 2048, maxConnectionsPerAddress: 0 },
  );
  assert.throws(() => parseHttpLimits({ PARLEY_REQUEST_TIMEOUT_MS: '0' }), ConfigError);
  assert.throws(() => parseHttpLimits({ PARLEY_MAX_CONNECTIONS_PER_ADDRESS: '-1' }), ConfigError);
  assert.throws(() => parseHttpLimits({ PARLEY_MAX_BODY_BYTES_IN_FLIGHT: '1e9' }), ConfigError);
  assert.throws(
    () => parseHttpLimits({ PARLEY_HEADERS_TIMEOUT_MS: '5000', PARLEY_REQUEST_TIMEOUT_MS: '1000' }),
    /must not exceed/,
  );
});

test('metrics access: token and separate address', () => {
  assert.deepEqual(parseMetricsAccess({}), {});
  assert.deepEqual(parseMetricsAccess({ PARLEY_METRICS_TOKEN: 's3cret', PARLEY_METRICS_LISTEN: '127.0.0.1:9464' }), {
    token: 's3cret',
    listen: { host: '127.0.0.1', port: 9464 },
  });
  assert.deepEqual(parseMetricsAccess({ PARLEY_METRICS_LISTEN: '[::1]:9000' }).listen, { host: '::1', port: 9000 });
  assert.throws(() => parseMetricsAccess({ PARLEY_METRICS_LISTEN: '9464' }), ConfigError);
  assert.throws(() => parseMetricsAccess({ PARLEY_METRICS_LISTEN: 'h:70000' }), ConfigError);
});

test('loadConfig carries the limits and metrics access from the environment', () => {
  const c = loadConfig(
    {
      PARLEY_SDKAPPID: '1400000001',
      PARLEY_SECRET_KEY: 'k'.repeat(16),
      PARLEY_MAX_CONNECTIONS_PER_ADDRESS: '9',
      PARLEY_METRICS_TOKEN: 't',
    },
    '/tmp',
  );
  assert.equal(c.httpLimits?.maxConnectionsPerAddress, 9);
  assert.deepEqual(c.metrics, { token: 't' });
  const none = loadConfig({ PARLEY_SDKAPPID: '1400000001', PARLEY_SECRET_KEY: 'k'.repeat(16) }, '/tmp');
  assert.equal(none.httpLimits, undefined);
  assert.equal(none.metrics, undefined);
});
