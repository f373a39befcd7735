// Configuration from the environment (the README's variable names), a PARLEY_CONFIG file with
// several apps, the development app kept across starts, bad values as ConfigError, and a server
// started from a loaded config, over HTTP and HTTPS.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { ConfigError, loadConfig, type ServerConfig } from '../src/config/config.js';
import { DEV_APP_FILE } from '../src/config/dev-app.js';
import { createParley } from '../src/app.js';
import { generateUserSig, verifyUserSig } from '../src/usersig/usersig.js';
import { rawRequest } from './helpers/http.js';

const KEY_A = 'secret-key-of-app-a-0123456789';
const KEY_B = 'secret-key-of-app-b-0123456789';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function assertConfigError(fn: () => unknown, pattern: RegExp, what: string): void {
  assert.throws(
    fn,
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, `${what}: expected a ConfigError, got ${String(e)}`);
      assert.match(e.message, pattern, what);
      return true;
    },
    what,
  );
}

const silent = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

/** Starts a server from a loaded config and imports one account with an admin sig. */
async function importOver(
  config: ServerConfig,
  request: (url: string, body: string) => Promise<{ status: number; json(): Record<string, any> }>,
): Promise<Record<string, any>> {
  const parley = await createParley(config, { logStream: silent() });
  try {
    const base = await parley.listen();
    const app = config.apps[0]!;
    const admin = app.admins[0]!;
    const sig = generateUserSig({ sdkAppId: app.sdkAppId, secretKey: app.secretKey, identifier: admin, expire: 600 });
    const res = await request(
      `${base}/v4/im_open_login_svc/account_import?sdkappid=${app.sdkAppId}&identifier=${admin}&usersig=${sig}&random=1&contenttype=json`,
      '{"UserID":"alice"}',
    );
    assert.equal(res.status, 200);
    return { base, ...res.json() };
  } finally {
    await parley.close();
  }
}

test('every PARLEY_* variable is read under its exact name', (t) => {
  const cwd = tempDir(t);
  const c = loadConfig(
    {
      PARLEY_HOST: '0.0.0.0',
      PARLEY_PORT: '9001',
      PARLEY_DATA_DIR: 'state',
      PARLEY_SDKAPPID: '1400000001',
      PARLEY_SECRET_KEY: KEY_A,
      PARLEY_ADMIN: 'root, ops ,',
      PARLEY_LOG_LEVEL: 'warn',
    },
    cwd,
  );
  assert.deepEqual(c, {
    host: '0.0.0.0',
    port: 9001,
    dataDir: resolve(cwd, 'state'),
    logLevel: 'warn',
    devApp: false,
    apps: [
      {
        sdkAppId: 1400000001,
        secretKey: KEY_A,
        admins: ['root', 'ops'],
        rateLimits: {},
        recallWindowSeconds: 120,
        maxDevicesPerPlatform: 10,
      },
    ],
  });
  // Configured credentials: no development app is made.
  assert.throws(() => statSync(join(cwd, 'state', DEV_APP_FILE)), /ENOENT/);
  const abs = join(cwd, 'elsewhere');
  assert.equal(
    loadConfig({ PARLEY_DATA_DIR: abs, PARLEY_SDKAPPID: '1400000001', PARLEY_SECRET_KEY: KEY_A }, '/').dataDir,
    abs,
  );
  assert.deepEqual(
    loadConfig({ PARLEY_PORT: '0', PARLEY_SDKAPPID: '1400000001', PARLEY_SECRET_KEY: KEY_A }, cwd).port,
    0,
  );
});

test('defaults: 127.0.0.1:8080, ./data, info, admin "administrator"', (t) => {
  const cwd = tempDir(t);
  const c = loadConfig({ PARLEY_SDKAPPID: '1400000001', PARLEY_SECRET_KEY: KEY_A }, cwd);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8080);
  assert.equal(c.dataDir, resolve(cwd, 'data'));
  assert.equal(c.logLevel, 'info');
  assert.equal(c.tls, undefined);
  assert.deepEqual(c.apps[0]!.admins, ['administrator']);
});

test('the development app is made once and comes back with the same credentials', (t) => {
  const cwd = tempDir(t);
  const first = loadConfig({}, cwd);
  assert.equal(first.devApp, true);
  assert.equal(first.apps.length, 1);
  const app = first.apps[0]!;
  assert.ok(app.sdkAppId > 1400000000 && app.sdkAppId < 1500000000, `SDKAppID ${app.sdkAppId} looks like Tencent's`);
  assert.match(app.secretKey, /^[0-9a-f]{64}$/);
  assert.deepEqual(app.admins, ['administrator']);
  assert.deepEqual(app.rateLimits, {});
  const file = join(cwd, 'data', DEV_APP_FILE);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { sdkAppId: app.sdkAppId, secretKey: app.secretKey });
  assert.equal(statSync(file).mode & 0o777, 0o600, 'the secret key is readable by its owner only');

  const second = loadConfig({ PARLEY_ADMIN: 'boss' }, cwd);
  assert.equal(second.devApp, true);
  assert.equal(second.apps[0]!.sdkAppId, app.sdkAppId);
  assert.equal(second.apps[0]!.secretKey, app.secretKey);
  assert.deepEqual(second.apps[0]!.admins, ['boss']);

  // Another data directory is another development app.
  const other = loadConfig({ PARLEY_DATA_DIR: 'other' }, cwd);
  assert.notEqual(other.apps[0]!.secretKey, app.secretKey);
});

test('a corrupt development app file is a ConfigError, not a crash', (t) => {
  const cwd = tempDir(t);
  mkdirSync(join(cwd, 'data'));
  writeFileSync(join(cwd, 'data', DEV_APP_FILE), '{"sdkAppId": 14');
  assertConfigError(() => loadConfig({}, cwd), /dev-app\.json/, 'truncated JSON');
  writeFileSync(join(cwd, 'data', DEV_APP_FILE), '{}');
  assertConfigError(() => loadConfig({}, cwd), /dev-app\.json/, 'no credentials');
});

test('PARLEY_CONFIG names a JSON file of several apps, added to the environment app', (t) => {
  const cwd = tempDir(t);
  writeFileSync(
    join(cwd, 'parley.json'),
    JSON.stringify({
      apps: [
        {
          sdkAppId: 1400000001,
          secretKey: KEY_A,
          admins: ['a1', 'a2'],
          rateLimits: { 'im_open_login_svc/account_check': 5 },
        },
        { sdkAppId: '1400000002', secretKey: KEY_B, admins: 'b1,b2', rateLimits: false },
        { sdkAppId: 1600000003, secretKey: KEY_B },
      ],
    }),
  );
  const c = loadConfig(
    {
      PARLEY_CONFIG: 'parley.json',
      PARLEY_SDKAPPID: '1400000009',
      PARLEY_SECRET_KEY: KEY_A,
      PARLEY_ADMIN: 'env-admin',
    },
    cwd,
  );
  assert.equal(c.devApp, false);
  assert.deepEqual(c.apps, [
    {
      sdkAppId: 1400000001,
      secretKey: KEY_A,
      admins: ['a1', 'a2'],
      rateLimits: { 'im_open_login_svc/account_check': 5 },
      recallWindowSeconds: 120,
      maxDevicesPerPlatform: 10,
    },
    {
      sdkAppId: 1400000002,
      secretKey: KEY_B,
      admins: ['b1', 'b2'],
      rateLimits: false,
      recallWindowSeconds: 120,
      maxDevicesPerPlatform: 10,
    },
    {
      sdkAppId: 1600000003,
      secretKey: KEY_B,
      admins: ['administrator'],
      rateLimits: {},
      recallWindowSeconds: 120,
      maxDevicesPerPlatform: 10,
    },
    {
      sdkAppId: 1400000009,
      secretKey: KEY_A,
      admins: ['env-admin'],
      rateLimits: {},
      recallWindowSeconds: 120,
      maxDevicesPerPlatform: 10,
    },
  ]);
  // The file alone is enough; an absolute path works too.
  const fileOnly = loadConfig({ PARLEY_CONFIG: join(cwd, 'parley.json') }, '/');
  assert.deepEqual(
    fileOnly.apps.map((a) => a.sdkAppId),
    [1400000001, 1400000002, 1600000003],
  );
  assert.equal(fileOnly.devApp, false);
});

test('PARLEY_RATE_LIMITS=off turns limiting off for every app', (t) => {
  const cwd = tempDir(t);
  writeFileSync(
    join(cwd, 'apps.json'),
    JSON.stringify({ apps: [{ sdkAppId: 1400000001, secretKey: KEY_A, rateLimits: { 'openim/sendmsg': 3 } }] }),
  );
  const env = { PARLEY_CONFIG: 'apps.json', PARLEY_SDKAPPID: '1400000002', PARLEY_SECRET_KEY: KEY_B };
  assert.deepEqual(
    loadConfig({ ...env, PARLEY_RATE_LIMITS: 'off' }, cwd).apps.map((a) => a.rateLimits),
    [false, false],
  );
  assert.deepEqual(
    loadConfig(env, cwd).apps.map((a) => a.rateLimits),
    [{ 'openim/sendmsg': 3 }, {}],
  );
  assert.equal(loadConfig({ PARLEY_RATE_LIMITS: 'off' }, cwd).apps[0]!.rateLimits, false, 'the development app too');
});

test('bad values are ConfigErrors that name the problem', (t) => {
  const cwd = tempDir(t);
  const app = { PARLEY_SDKAPPID: '1400000001', PARLEY_SECRET_KEY: KEY_A };
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ ...app, PARLEY_PORT: 'http' }, /PARLEY_PORT/],
    [{ ...app, PARLEY_PORT: '65536' }, /PARLEY_PORT/],
    [{ ...app, PARLEY_PORT: '-1' }, /PARLEY_PORT/],
    [{ ...app, PARLEY_PORT: '80.5' }, /PARLEY_PORT/],
    [{ ...app, PARLEY_PORT: '0x50' }, /PARLEY_PORT/],
    [{ ...app, PARLEY_PORT: '1e3' }, /PARLEY_PORT/],
    [{ PARLEY_SDKAPPID: 'abc', PARLEY_SECRET_KEY: KEY_A }, /sdkAppId/],
    [{ PARLEY_SDKAPPID: '0', PARLEY_SECRET_KEY: KEY_A }, /sdkAppId/],
    [{ PARLEY_SDKAPPID: '4294967296', PARLEY_SECRET_KEY: KEY_A }, /sdkAppId/],
    [{ PARLEY_SDKAPPID: '01400000000', PARLEY_SECRET_KEY: KEY_A }, /sdkAppId/],
    [{ PARLEY_SDKAPPID: '1400000001' }, /PARLEY_SDKAPPID and PARLEY_SECRET_KEY/],
    [{ PARLEY_SECRET_KEY: KEY_A }, /PARLEY_SDKAPPID and PARLEY_SECRET_KEY/],
    [{ PARLEY_SDKAPPID: '1400000001', PARLEY_SECRET_KEY: 'short' }, /secretKey/],
    [{ ...app, PARLEY_ADMIN: ' , ,' }, /PARLEY_ADMIN/],
    [{ ...app, PARLEY_ADMIN: `ok,${'a'.repeat(33)}` }, /32 bytes/],
    [{ ...app, PARLEY_ADMIN: '中'.repeat(11) }, /32 bytes/],
    [{ ...app, PARLEY_LOG_LEVEL: 'verbose' }, /PARLEY_LOG_LEVEL/],
    [{ ...app, PARLEY_TLS_CERT: 'cert.pem' }, /PARLEY_TLS_CERT and PARLEY_TLS_KEY/],
    [{ ...app, PARLEY_TLS_KEY: 'key.pem' }, /PARLEY_TLS_CERT and PARLEY_TLS_KEY/],
    [{ ...app, PARLEY_TLS_CERT: 'missing-cert.pem', PARLEY_TLS_KEY: 'missing-key.pem' }, /missing-cert\.pem/],
    [{ PARLEY_CONFIG: 'no-such-file.json' }, /no-such-file\.json/],
  ];
  for (const [env, pattern] of bad) assertConfigError(() => loadConfig(env, cwd), pattern, JSON.stringify(env));

  const files: Array<[string, RegExp]> = [
    ['{"apps": [', /PARLEY_CONFIG/],
    ['null', /expected \{"apps"/],
    ['[]', /expected \{"apps"/],
    ['{"apps": {"sdkAppId": 1400000001}}', /expected \{"apps"/],
    ['{"apps": ["1400000001"]}', /apps\[0\].*object/],
    ['{"apps": [{"sdkAppId": 1.5, "secretKey": "secret-key-0001"}]}', /apps\[0\].*sdkAppId/],
    ['{"apps": [{"sdkAppId": 1400000001}]}', /apps\[0\].*secretKey/],
    ['{"apps": [{"sdkAppId": 1400000001, "secretKey": "secret-key-0001", "rateLimits": "none"}]}', /rateLimits/],
    [
      '{"apps": [{"sdkAppId": 1400000001, "secretKey": "secret-key-0001", "rateLimits": {"openim/sendmsg": 0}}]}',
      /rateLimits\.openim\/sendmsg/,
    ],
    [
      '{"apps": [{"sdkAppId": 1400000001, "secretKey": "secret-key-0001", "rateLimits": {"openim/sendmsg": "9"}}]}',
      /rateLimits\.openim\/sendmsg/,
    ],
    [
      '{"apps": [{"sdkAppId": 1400000001, "secretKey": "secret-key-0001"}, {"sdkAppId": 1400000001, "secretKey": "secret-key-0002"}]}',
      /configured twice/,
    ],
  ];
  for (const [i, [text, pattern]] of files.entries()) {
    writeFileSync(join(cwd, `bad${i}.json`), text);
    assertConfigError(() => loadConfig({ PARLEY_CONFIG: `bad${i}.json` }, cwd), pattern, text);
  }
  writeFileSync(join(cwd, 'dup.json'), JSON.stringify({ apps: [{ sdkAppId: 1400000001, secretKey: KEY_B }] }));
  assertConfigError(
    () => loadConfig({ ...app, PARLEY_CONFIG: 'dup.json' }, cwd),
    /configured twice/,
    'file and environment name the same app',
  );
});

test('a server started from a loaded config serves the configured app over HTTP', async (t) => {
  const cwd = tempDir(t);
  const config = loadConfig(
    {
      PARLEY_PORT: '0',
      PARLEY_SDKAPPID: '1400000001',
      PARLEY_SECRET_KEY: KEY_A,
      PARLEY_ADMIN: 'root',
      PARLEY_LOG_LEVEL: 'error',
    },
    cwd,
  );
  const r = await importOver(config, (url, body) => rawRequest(url, { body }));
  assert.match(String(r.base), /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual({ ...r, base: undefined }, { base: undefined, ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
  // The store lives in PARLEY_DATA_DIR.
  assert.ok(statSync(join(cwd, 'data', 'parley.db')).isFile());
});

test('HTTPS with PARLEY_TLS_CERT and PARLEY_TLS_KEY (self-signed certificate made by openssl)', async (t) => {
  const cwd = tempDir(t);
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-keyout',
      join(cwd, 'key.pem'),
      '-out',
      join(cwd, 'cert.pem'),
    ],
    { encoding: 'utf8' },
  );
  if (made.error && (made.error as NodeJS.ErrnoException).code === 'ENOENT') {
    if (process.env.CI) assert.fail('openssl is not installed; CI must test HTTPS');
    t.skip('openssl is not installed on this machine');
    return;
  }
  assert.equal(made.status, 0, `openssl failed: ${made.stderr}`);

  const config = loadConfig(
    {
      PARLEY_PORT: '0',
      PARLEY_SDKAPPID: '1400000001',
      PARLEY_SECRET_KEY: KEY_A,
      PARLEY_LOG_LEVEL: 'error',
      PARLEY_TLS_CERT: 'cert.pem',
      PARLEY_TLS_KEY: 'key.pem',
    },
    cwd,
  );
  assert.deepEqual(config.tls, { cert: readFileSync(join(cwd, 'cert.pem')), key: readFileSync(join(cwd, 'key.pem')) });

  const parley = await createParley(config, { logStream: silent() });
  try {
    const base = await parley.listen();
    assert.match(base, /^https:\/\/127\.0\.0\.1:\d+$/);
    const sig = generateUserSig({ sdkAppId: 1400000001, secretKey: KEY_A, identifier: 'administrator', expire: 600 });
    const q = `sdkappid=1400000001&identifier=administrator&usersig=${sig}&random=7&contenttype=json`;
    const imported = await rawRequest(`${base}/v4/im_open_login_svc/account_import?${q}`, {
      body: '{"UserID":"tls-user"}',
      rejectUnauthorized: false,
    });
    assert.equal(imported.status, 200);
    assert.deepEqual(imported.json(), { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    const checked = await rawRequest(`${base}/v4/im_open_login_svc/account_check?${q}`, {
      body: '{"CheckItem":[{"UserID":"tls-user"}]}',
      rejectUnauthorized: false,
    });
    assert.equal(checked.json().ResultItem[0].AccountStatus, 'Imported');
    const health = await rawRequest(`${base}/healthz`, { method: 'GET', rejectUnauthorized: false });
    assert.deepEqual(health.json(), { status: 'ok' });
    // The certificate is really checked when asked to: self-signed is refused by default.
    await assert.rejects(rawRequest(`${base}/healthz`, { method: 'GET' }), /self[- ]signed/i);
    // And the sig the server accepted is the kind any verifier accepts.
    assert.equal(
      verifyUserSig(sig, {
        sdkAppId: 1400000001,
        secretKey: KEY_A,
        identifier: 'administrator',
        now: Math.floor(Date.now() / 1000),
      }).expire,
      600,
    );
  } finally {
    await parley.close();
  }
});
