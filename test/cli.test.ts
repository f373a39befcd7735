// The `parley` command (bin/parley.js → src/cli.ts): `parley usersig` prints a UserSig that the
// verifier accepts for the configured app; bad arguments exit 2 with a message. Also `npx parley`
// from the repository root, which resolves the package's own bin.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserSigError, verifyUserSig } from '../src/usersig/usersig.js';

const SDKAPPID = 1400000000;
const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';

/** The repository root: the nearest directory up from this file whose package.json is "parley". */
const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'parley') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json of parley not found');
    dir = up;
  }
})();
const BIN = join(ROOT, 'bin', 'parley.js');

/** The parent's environment without any PARLEY_* setting, plus these. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PARLEY_')) e[k] = v;
  return { ...e, ...extra };
}

const APP_ENV = { PARLEY_SDKAPPID: String(SDKAPPID), PARLEY_SECRET_KEY: KEY };

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function parley(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: opts.env,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Checks one printed sig line and returns the sig. */
function printedSig(r: SpawnSyncReturns<string>): string {
  assert.equal(r.status, 0, `exit ${r.status}, stderr: ${r.stderr}`);
  assert.match(r.stdout, /^[A-Za-z0-9*_-]+\n$/, 'exactly one line holding a UserSig');
  assert.equal(r.stderr, '');
  return r.stdout.trim();
}

test('parley usersig --user alice --expire 3600 prints a sig the verifier accepts for the configured app', (t) => {
  const cwd = tempDir(t);
  const before = nowSeconds();
  const sig = printedSig(parley(['usersig', '--user', 'alice', '--expire', '3600'], { cwd, env: env(APP_ENV) }));
  const after = nowSeconds();
  const d = verifyUserSig(sig, { sdkAppId: SDKAPPID, secretKey: KEY, identifier: 'alice', now: after });
  assert.equal(d.expire, 3600);
  assert.equal(d.identifier, 'alice');
  assert.equal(d.sdkAppId, SDKAPPID);
  assert.ok(d.time >= before && d.time <= after, `TLS.time ${d.time} is the time of the call`);
  assert.equal(
    verifyUserSig(sig, { sdkAppId: SDKAPPID, secretKey: KEY, identifier: 'alice', now: d.time + 3600 }).expire,
    3600,
  );
  assert.throws(
    () => verifyUserSig(sig, { sdkAppId: SDKAPPID, secretKey: KEY, identifier: 'alice', now: d.time + 3601 }),
    (e: unknown) => e instanceof UserSigError && e.reason === 'expired',
  );
  assert.throws(
    () =>
      verifyUserSig(sig, { sdkAppId: SDKAPPID, secretKey: 'another-key-entirely', identifier: 'alice', now: after }),
    (e: unknown) => e instanceof UserSigError && e.reason === 'signature',
  );
  // Configured credentials: nothing is written to the working directory.
  assert.equal(existsSync(join(cwd, 'data')), false);
});

test('parley usersig defaults --expire to 180 days and takes a multibyte UserID of 32 bytes', (t) => {
  const cwd = tempDir(t);
  const user = '中'.repeat(10) + 'ab';
  const sig = printedSig(parley(['usersig', '--user', user], { cwd, env: env(APP_ENV) }));
  const d = verifyUserSig(sig, { sdkAppId: SDKAPPID, secretKey: KEY, identifier: user, now: nowSeconds() });
  assert.equal(d.expire, 180 * 86400);
});

test('parley usersig --sdkappid picks one of several configured apps', (t) => {
  const cwd = tempDir(t);
  const keyB = 'secret-key-of-app-b-0123456789';
  writeFileSync(
    join(cwd, 'apps.json'),
    JSON.stringify({
      apps: [
        { sdkAppId: 1400000001, secretKey: KEY },
        { sdkAppId: 1400000002, secretKey: keyB },
      ],
    }),
  );
  const e = env({ PARLEY_CONFIG: 'apps.json' });
  const sigB = printedSig(
    parley(['usersig', '--user', 'bob', '--sdkappid', '1400000002', '--expire', '60'], { cwd, env: e }),
  );
  assert.equal(
    verifyUserSig(sigB, { sdkAppId: 1400000002, secretKey: keyB, identifier: 'bob', now: nowSeconds() }).expire,
    60,
  );
  const sigFirst = printedSig(parley(['usersig', '--user', 'bob'], { cwd, env: e }));
  assert.equal(
    verifyUserSig(sigFirst, { sdkAppId: 1400000001, secretKey: KEY, identifier: 'bob', now: nowSeconds() }).sdkAppId,
    1400000001,
  );
});

test('parley usersig without configured credentials signs for the development app kept in ./data', (t) => {
  const cwd = tempDir(t);
  // The first call makes the development app and says so on stderr; the sig alone is on stdout.
  const made = parley(['usersig', '--user', 'administrator'], { cwd, env: env() });
  assert.match(made.stderr, /a new one was made/);
  const first = printedSig({ ...made, stderr: '' });
  const dev = JSON.parse(readFileSync(join(cwd, 'data', 'dev-app.json'), 'utf8')) as {
    sdkAppId: number;
    secretKey: string;
  };
  const second = printedSig(parley(['usersig', '--user', 'administrator', '--expire', '10'], { cwd, env: env() }));
  for (const sig of [first, second]) {
    assert.equal(
      verifyUserSig(sig, {
        sdkAppId: dev.sdkAppId,
        secretKey: dev.secretKey,
        identifier: 'administrator',
        now: nowSeconds(),
      }).sdkAppId,
      dev.sdkAppId,
    );
  }
});

test('bad arguments exit 2 with a message and print no sig', (t) => {
  const cwd = tempDir(t);
  const cases: Array<[string[], RegExp, NodeJS.ProcessEnv?]> = [
    [['usersig'], /--user/],
    [['usersig', '--user', ''], /--user/],
    [['usersig', '--user', 'u'.repeat(33)], /--user needs a UserID of 1–32 bytes/],
    [['usersig', '--user', '中'.repeat(11)], /--user needs a UserID of 1–32 bytes/],
    [['usersig', '--user'], /--user/],
    [['usersig', '--user', 'alice', '--expire', 'soon'], /--expire/],
    [['usersig', '--user', 'alice', '--expire', '0'], /--expire/],
    [['usersig', '--user', 'alice', '--expire', '-5'], /expire/],
    [['usersig', '--user', 'alice', '--expire', '1.5'], /--expire/],
    [['usersig', '--user', 'alice', '--expire', '1e3'], /--expire/],
    [['usersig', '--user', 'alice', '--expire', '0x10'], /--expire/],
    [['usersig', '--user', 'alice', '--bogus'], /bogus/],
    [['usersig', 'alice'], /alice|positional/i],
    [['usersig', '--user', 'alice', '--sdkappid', '1400000099'], /1400000099 is not configured/],
    [['frobnicate'], /usage/],
    [['usersig', '--user', 'alice'], /sdkAppId/, env({ PARLEY_SDKAPPID: 'abc', PARLEY_SECRET_KEY: KEY })],
    [['usersig', '--user', 'alice'], /PARLEY_SDKAPPID and PARLEY_SECRET_KEY/, env({ PARLEY_SDKAPPID: '1400000000' })],
  ];
  for (const [args, pattern, e] of cases) {
    const r = parley(args, { cwd, env: e ?? env(APP_ENV) });
    const what = `parley ${args.join(' ')}`;
    assert.equal(r.status, 2, `${what}: exit ${r.status}, stderr ${r.stderr}`);
    assert.equal(r.stdout, '', `${what}: nothing on stdout`);
    assert.match(r.stderr, pattern, what);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: a message, not a stack trace`);
  }
});

test('parley --help prints the usage and exits 0', (t) => {
  const cwd = tempDir(t);
  const r = parley(['--help'], { cwd, env: env(APP_ENV) });
  assert.equal(r.status, 0);
  assert.match(r.stderr, /parley usersig --user ID/);
});

test("npx parley usersig --user x works from the repository root (the package's own bin)", () => {
  // npm exec, offline and without installing anything: it must find this package's bin.
  const npmCli = process.env.npm_execpath;
  const [cmd, pre] = npmCli && /npm-cli\.js$/.test(npmCli) ? [process.execPath, [npmCli]] : ['npm', [] as string[]];
  const r = spawnSync(cmd, [...pre, 'exec', '--offline', '--no', '--', 'parley', 'usersig', '--user', 'x'], {
    cwd: ROOT,
    env: env(APP_ENV),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `npx parley failed: ${r.stderr}`);
  const sig = r.stdout.trim().split('\n').pop()!;
  assert.equal(
    verifyUserSig(sig, { sdkAppId: SDKAPPID, secretKey: KEY, identifier: 'x', now: nowSeconds() }).expire,
    180 * 86400,
  );
});
