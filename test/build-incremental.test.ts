// scripts/build.mjs decides whether tsc and the console build must run from timestamps alone:
// nothing newer than the last build means nothing to do, and an edited, added or removed source
// file means a build. Checked on a copy of the script in a scratch tree, so no tsc runs.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'scripts', 'build.mjs'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('scripts/build.mjs not found');
    dir = up;
  }
  return dir;
})();

interface BuildChecks {
  tsStale(): boolean;
  consoleStale(): boolean;
}

const HOUR_AGO = Date.now() / 1000 - 3600;

/** A scratch tree with a copy of build.mjs, sources an hour old and a build newer than them. */
async function scratch(t: TestContext): Promise<{ dir: string; checks: BuildChecks }> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-build-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const d of ['scripts', 'src/domain', 'test', 'bench', 'console/src', 'packages/client/src', 'dist/console'])
    mkdirSync(join(dir, d), { recursive: true });
  copyFileSync(join(ROOT, 'scripts', 'build.mjs'), join(dir, 'scripts', 'build.mjs'));
  const old = [
    'src/domain/apps.ts',
    'test/a.test.ts',
    'console/src/main.ts',
    'packages/client/src/index.ts',
    'tsconfig.json',
    'package-lock.json',
    'scripts/build-console.mjs',
  ];
  for (const f of old) writeFileSync(join(dir, f), '// source\n');
  for (const p of [
    ...old,
    'src/domain',
    'src',
    'test',
    'bench',
    'console/src',
    'console',
    'packages/client/src',
    'packages/client',
    'packages',
    'scripts',
  ])
    utimesSync(join(dir, p), HOUR_AGO, HOUR_AGO);
  writeFileSync(join(dir, 'dist', '.tsbuildinfo'), '{}');
  writeFileSync(join(dir, 'dist', 'console', 'app.js'), '');
  // The build ten minutes ago: after the sources, clearly before any change the test makes now.
  for (const f of ['dist/.tsbuildinfo', 'dist/console/app.js'])
    utimesSync(join(dir, f), HOUR_AGO + 3000, HOUR_AGO + 3000);
  const checks = (await import(pathToFileURL(join(dir, 'scripts', 'build.mjs')).href)) as BuildChecks;
  return { dir, checks };
}

test('nothing newer than the last build: neither tsc nor the console build runs', async (t) => {
  const { checks } = await scratch(t);
  assert.equal(checks.tsStale(), false);
  assert.equal(checks.consoleStale(), false);
});

test("an edited source file makes tsc run, and only the console's sources rebuild the console", async (t) => {
  const { dir, checks } = await scratch(t);
  writeFileSync(join(dir, 'src/domain/apps.ts'), '// edited\n');
  assert.equal(checks.tsStale(), true);
  assert.equal(checks.consoleStale(), false, 'a server file does not rebuild the console');
  writeFileSync(join(dir, 'packages/client/src/index.ts'), '// edited\n');
  assert.equal(checks.consoleStale(), true, 'the client SDK is bundled into the console');
});

test("an added or a removed file makes tsc run (the folder's time moves)", async (t) => {
  const { dir, checks } = await scratch(t);
  rmSync(join(dir, 'test/a.test.ts'));
  assert.equal(checks.tsStale(), true, 'removed');
  const again = await scratch(t);
  writeFileSync(join(again.dir, 'bench/new.ts'), '');
  utimesSync(join(again.dir, 'bench/new.ts'), HOUR_AGO, HOUR_AGO); // even with an old time of its own
  assert.equal(again.checks.tsStale(), true, 'added');
});

test('no build yet: everything is built', async (t) => {
  const { dir, checks } = await scratch(t);
  rmSync(join(dir, 'dist'), { recursive: true });
  assert.equal(checks.tsStale(), true);
  assert.equal(checks.consoleStale(), true);
});
