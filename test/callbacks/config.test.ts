// Callback configuration: the per-app `callback` section (URL http/https, token, commands,
// timeoutMs default 2 s, beforeSendFailure deliver | reject, maxAgeSeconds) and
// PARLEY_CALLBACK_URL / PARLEY_CALLBACK_TOKEN for the app of the environment.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CALLBACK_COMMANDS, ConfigError, loadConfig, parseCallback } from '../../src/config/config.js';
import { ADMIN, startTestServer } from '../helpers/server.js';
import { Receiver, importUsers, sendmsg } from './helpers.js';

const KEY = 'secret-key-of-the-app-0123456789';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cbconfig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function configError(fn: () => unknown, pattern: RegExp, what: string): void {
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

test('a callback section needs only a URL; the defaults are every command, 2 s, deliver, a day', () => {
  assert.deepEqual(parseCallback({ url: 'http://127.0.0.1:9000/im' }, 'x'), {
    url: 'http://127.0.0.1:9000/im',
    commands: [...CALLBACK_COMMANDS],
    timeoutMs: 2000,
    beforeSendFailure: 'deliver',
    maxAgeSeconds: 86400,
  });
  assert.deepEqual(
    [...CALLBACK_COMMANDS],
    [
      'C2C.CallbackBeforeSendMsg',
      'C2C.CallbackAfterSendMsg',
      'C2C.CallbackAfterMsgWithDraw',
      'C2C.CallbackAfterMsgReport',
      'C2C.CallbackAfterMsgReadReceipt',
      'C2C.CallbackAfterC2CMsgExtension',
      'State.StateChange',
      'Profile.CallbackPortraitSet',
    ],
  );
  const full = parseCallback(
    {
      url: 'https://hooks.example.com/im?x=1',
      token: 'tok',
      commands: ['State.StateChange'],
      timeoutMs: 500,
      beforeSendFailure: 'reject',
      maxAgeSeconds: 60,
    },
    'x',
  );
  assert.deepEqual(full, {
    url: 'https://hooks.example.com/im?x=1',
    token: 'tok',
    commands: ['State.StateChange'],
    timeoutMs: 500,
    beforeSendFailure: 'reject',
    maxAgeSeconds: 60,
  });
  assert.equal(
    'token' in parseCallback({ url: 'http://h/', token: '' }, 'x'),
    false,
    'an empty token means no signing',
  );
});

test('bad callback sections are ConfigErrors that name the field', () => {
  const bad: Array<[unknown, RegExp]> = [
    [null, /callback must be an object/],
    ['http://h/', /callback must be an object/],
    [{}, /callback\.url/],
    [{ url: 'not a url' }, /callback\.url/],
    [{ url: 'ftp://h/x' }, /callback\.url/],
    [{ url: 'ws://h/x' }, /callback\.url/],
    [{ url: 'http://h/', token: 5 }, /callback\.token/],
    [{ url: 'http://h/', commands: 'State.StateChange' }, /callback\.commands/],
    [{ url: 'http://h/', commands: ['Group.CallbackAfterNewMemberJoin'] }, /callback\.commands/],
    [{ url: 'http://h/', timeoutMs: 0 }, /callback\.timeoutMs/],
    [{ url: 'http://h/', timeoutMs: '2000' }, /callback\.timeoutMs/],
    [{ url: 'http://h/', maxAgeSeconds: -1 }, /callback\.maxAgeSeconds/],
    [{ url: 'http://h/', beforeSendFailure: 'drop' }, /callback\.beforeSendFailure/],
  ];
  for (const [raw, pattern] of bad) configError(() => parseCallback(raw, 'apps[0]'), pattern, JSON.stringify(raw));
});

test('PARLEY_CALLBACK_URL and PARLEY_CALLBACK_TOKEN configure the app of the environment', (t) => {
  const cwd = tempDir(t);
  const env = {
    PARLEY_SDKAPPID: '1400000001',
    PARLEY_SECRET_KEY: KEY,
    PARLEY_CALLBACK_URL: 'https://backend.example.com/im',
    PARLEY_CALLBACK_TOKEN: 'env-token',
  };
  const c = loadConfig(env, cwd);
  assert.deepEqual(c.apps[0]!.callback, {
    url: 'https://backend.example.com/im',
    token: 'env-token',
    commands: [...CALLBACK_COMMANDS],
    timeoutMs: 2000,
    beforeSendFailure: 'deliver',
    maxAgeSeconds: 86400,
  });
  const { PARLEY_CALLBACK_TOKEN: _t, ...noToken } = env;
  assert.equal(loadConfig(noToken, cwd).apps[0]!.callback!.token, undefined, 'no token: unsigned');
  assert.equal(
    loadConfig({ PARLEY_SDKAPPID: '1400000001', PARLEY_SECRET_KEY: KEY }, cwd).apps[0]!.callback,
    undefined,
    'no URL: no callbacks',
  );
  configError(
    () => loadConfig({ ...env, PARLEY_CALLBACK_URL: 'mailto:a@b' }, cwd),
    /PARLEY_CALLBACK_URL/,
    'a URL that is not http(s)',
  );
  configError(
    () => loadConfig({ PARLEY_SDKAPPID: '1400000001', PARLEY_SECRET_KEY: KEY, PARLEY_CALLBACK_TOKEN: 'x' }, cwd),
    /PARLEY_CALLBACK_TOKEN needs PARLEY_CALLBACK_URL/,
    'token alone',
  );
});

test("a config file gives each app its own callback section; the environment variables touch only the environment's app", (t) => {
  const cwd = tempDir(t);
  writeFileSync(
    join(cwd, 'parley.json'),
    JSON.stringify({
      apps: [
        {
          sdkAppId: 1400000002,
          secretKey: KEY,
          callback: { url: 'http://file-app/cb', commands: ['C2C.CallbackAfterSendMsg'], beforeSendFailure: 'reject' },
        },
      ],
    }),
  );
  const c = loadConfig(
    {
      PARLEY_CONFIG: 'parley.json',
      PARLEY_SDKAPPID: '1400000001',
      PARLEY_SECRET_KEY: KEY,
      PARLEY_CALLBACK_URL: 'http://env-app/cb',
    },
    cwd,
  );
  assert.deepEqual(
    c.apps.map((a) => [a.sdkAppId, a.callback?.url, a.callback?.commands.length, a.callback?.beforeSendFailure]),
    [
      [1400000002, 'http://file-app/cb', 1, 'reject'],
      [1400000001, 'http://env-app/cb', CALLBACK_COMMANDS.length, 'deliver'],
    ],
  );
  // Without an app of the environment they apply to the last app of the file, replacing url and token only.
  writeFileSync(
    join(cwd, 'two.json'),
    JSON.stringify({
      apps: [
        { sdkAppId: 1400000003, secretKey: KEY },
        {
          sdkAppId: 1400000004,
          secretKey: KEY,
          callback: { url: 'http://old/cb', token: 'old', timeoutMs: 700, beforeSendFailure: 'reject' },
        },
      ],
    }),
  );
  const two = loadConfig(
    { PARLEY_CONFIG: 'two.json', PARLEY_CALLBACK_URL: 'http://new/cb', PARLEY_CALLBACK_TOKEN: 'new' },
    cwd,
  );
  assert.equal(two.apps[0]!.callback, undefined);
  assert.deepEqual(two.apps[1]!.callback, {
    url: 'http://new/cb',
    token: 'new',
    commands: [...CALLBACK_COMMANDS],
    timeoutMs: 700,
    beforeSendFailure: 'reject',
    maxAgeSeconds: 86400,
  });
  writeFileSync(
    join(cwd, 'bad.json'),
    JSON.stringify({
      apps: [{ sdkAppId: 1400000002, secretKey: KEY, callback: { url: 'http://h/', commands: ['Nope'] } }],
    }),
  );
  configError(
    () => loadConfig({ PARLEY_CONFIG: 'bad.json' }, cwd),
    /apps\[0\].*callback\.commands/,
    'a bad command in the file',
  );
});

test('the development app takes PARLEY_CALLBACK_URL too', (t) => {
  const cwd = tempDir(t);
  const c = loadConfig({ PARLEY_DATA_DIR: 'state', PARLEY_CALLBACK_URL: 'http://127.0.0.1:1/cb' }, cwd);
  assert.equal(c.devApp, true);
  assert.equal(c.apps[0]!.callback?.url, 'http://127.0.0.1:1/cb');
});

test("a server started from the environment's configuration signs its callbacks with PARLEY_CALLBACK_TOKEN", async (t) => {
  const cwd = tempDir(t);
  const r = await Receiver.start();
  t.after(() => r.stop());
  const c = loadConfig(
    {
      PARLEY_SDKAPPID: '1400000009',
      PARLEY_SECRET_KEY: KEY,
      PARLEY_ADMIN: ADMIN,
      PARLEY_CALLBACK_URL: r.url('/from-env'),
      PARLEY_CALLBACK_TOKEN: 'xxxxyyyy',
    },
    cwd,
  );
  const s = await startTestServer({ apps: c.apps, now: 1669872112 });
  t.after(() => s.close());
  await importUsers(s, ['alice', 'bob']);
  await sendmsg(s, { MsgRandom: 1 });
  const [h] = await r.waitForCommand('C2C.CallbackBeforeSendMsg');
  assert.equal(h!.path, '/from-env');
  assert.equal(h!.query.SdkAppid, '1400000009');
  assert.equal(h!.query.RequestTime, '1669872112');
  assert.equal(h!.query.Sign, '17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061');
});
