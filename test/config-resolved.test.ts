// Configuration is resolved once: every app comes out of parseApp / loadConfig / AppDirectory with
// its defaults applied, bad PARLEY_RATE_LIMITS values are refused, "configured twice" names both
// sources, and `parley usersig` says when it had to make a new development app.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CALLBACK_COMMANDS,
  ConfigError,
  DEFAULT_CALLBACK_MAX_AGE_SECONDS,
  DEFAULT_CALLBACK_TIMEOUT_MS,
  DEFAULT_MAX_DEVICES_PER_PLATFORM,
  DEFAULT_RECALL_WINDOW_SECONDS,
  loadConfig,
  parseApp,
} from '../src/config/config.js';
import { AppDirectory } from '../src/domain/apps.js';

const KEY = 'secret-key-of-app-a-0123456789';

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

test('parseApp returns every setting with its default applied', () => {
  const app = parseApp(
    { sdkAppId: 1400000001, secretKey: KEY, callback: { url: 'https://backend.example/cb' } },
    'test',
  );
  assert.equal(app.recallWindowSeconds, DEFAULT_RECALL_WINDOW_SECONDS);
  assert.equal(app.maxDevicesPerPlatform, DEFAULT_MAX_DEVICES_PER_PLATFORM);
  assert.deepEqual(app.admins, ['administrator']);
  assert.deepEqual(app.rateLimits, {}, 'no override: every API keeps its documented limit');
  assert.equal(app.callback?.timeoutMs, DEFAULT_CALLBACK_TIMEOUT_MS);
  assert.equal(app.callback?.maxAgeSeconds, DEFAULT_CALLBACK_MAX_AGE_SECONDS);
  assert.equal(app.callback?.beforeSendFailure, 'deliver');
  assert.deepEqual(app.callback?.commands, [...CALLBACK_COMMANDS], 'every command by default');
  // Given values are kept, including 0 (which is not "unset").
  const set = parseApp(
    { sdkAppId: 1400000001, secretKey: KEY, recallWindowSeconds: 0, maxDevicesPerPlatform: 3 },
    'test',
  );
  assert.equal(set.recallWindowSeconds, 0);
  assert.equal(set.maxDevicesPerPlatform, 3);
});

test('the environment app and the development app are resolved too', (t) => {
  const cwd = tempDir(t);
  const env = loadConfig({ PARLEY_SDKAPPID: '1400000001', PARLEY_SECRET_KEY: KEY }, cwd).apps[0]!;
  assert.equal(env.recallWindowSeconds, DEFAULT_RECALL_WINDOW_SECONDS);
  assert.equal(env.maxDevicesPerPlatform, DEFAULT_MAX_DEVICES_PER_PLATFORM);
  const dev = loadConfig({}, cwd);
  assert.equal(dev.devApp, true);
  assert.equal(dev.apps[0]!.recallWindowSeconds, DEFAULT_RECALL_WINDOW_SECONDS);
  assert.equal(dev.apps[0]!.maxDevicesPerPlatform, DEFAULT_MAX_DEVICES_PER_PLATFORM);
});

test('apps given in code (tests, embedders) are resolved by the directory that serves them', () => {
  const apps = new AppDirectory([
    { sdkAppId: 1400000001, secretKey: KEY, admins: ['root'], rateLimits: false, recallWindowSeconds: 30 },
  ]);
  const app = apps.get(1400000001)!;
  assert.equal(app.recallWindowSeconds, 30);
  assert.equal(app.maxDevicesPerPlatform, DEFAULT_MAX_DEVICES_PER_PLATFORM);
  assert.equal(app.rateLimits, false);
});

test('PARLEY_RATE_LIMITS takes "off" or nothing; anything else is a ConfigError', (t) => {
  const cwd = tempDir(t);
  const app = { PARLEY_SDKAPPID: '1400000001', PARLEY_SECRET_KEY: KEY };
  assert.equal(loadConfig({ ...app, PARLEY_RATE_LIMITS: 'off' }, cwd).apps[0]!.rateLimits, false);
  assert.deepEqual(loadConfig({ ...app, PARLEY_RATE_LIMITS: '' }, cwd).apps[0]!.rateLimits, {});
  for (const v of ['OFF', 'false', '0', 'on', 'none']) {
    assertConfigError(() => loadConfig({ ...app, PARLEY_RATE_LIMITS: v }, cwd), /PARLEY_RATE_LIMITS must be "off"/, v);
  }
});

test('"configured twice" names both places the app was configured', (t) => {
  const cwd = tempDir(t);
  writeFileSync(join(cwd, 'apps.json'), JSON.stringify({ apps: [{ sdkAppId: 1400000001, secretKey: KEY }] }));
  assertConfigError(
    () => loadConfig({ PARLEY_CONFIG: 'apps.json', PARLEY_SDKAPPID: '1400000001', PARLEY_SECRET_KEY: KEY }, cwd),
    /SDKAppID 1400000001 is configured twice: in PARLEY_CONFIG .*apps\.json apps\[0\] and in PARLEY_SDKAPPID/,
    'file and environment',
  );
});

const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'bin', 'parley.js'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('bin/parley.js not found');
    dir = up;
  }
  return dir;
})();

test('parley usersig warns when it had to make a new development app, naming the data dir', (t) => {
  const cwd = tempDir(t);
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PARLEY_')) e[k] = v;
  const run = () =>
    spawnSync(process.execPath, [join(ROOT, 'bin', 'parley.js'), 'usersig', '--user', 'alice'], {
      cwd,
      env: e,
      encoding: 'utf8',
      timeout: 30_000,
    });
  const first = run();
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /^[A-Za-z0-9*_-]+\n$/, 'the sig is still printed, alone, on stdout');
  assert.match(first.stderr, /warning: no development app in .*data, so a new one was made/);
  assert.ok(first.stderr.includes(join(cwd, 'data')), 'names the data directory it used');
  assert.match(first.stderr, /PARLEY_DATA_DIR/, 'says how to point it at the right one');
  const again = run();
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stderr, '', 'an existing development app is used without a warning');
});
