// The callbacks suite again, on PostgreSQL: the other test files of this folder in a child
// `node --test` with PARLEY_TEST_STORE=postgres (see helpers.ts, startServer). Skipped locally
// without a PostgreSQL server; fails under CI=true.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { probePostgres } from '../helpers/postgres.js';

const DIR = fileURLToPath(new URL('.', import.meta.url));
/** Every suite file but this one, and config (which only parses configuration, on no store). */
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.test.js') && f !== 'postgres.test.js' && f !== 'config.test.js')
  .map((f) => `${DIR}${f}`);

const pg = await probePostgres();
if (!('url' in pg) && process.env.CI === 'true') throw new Error(`PostgreSQL is needed under CI: ${pg.reason}`);

test(`the callbacks suite on PostgreSQL (${FILES.length} files)`, {
  timeout: 300_000,
  ...('url' in pg ? {} : { skip: `no PostgreSQL: ${pg.reason}` }),
}, async () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PARLEY_TEST_STORE: 'postgres',
    PARLEY_TEST_DATABASE_URL: (pg as { url: string }).url,
  };
  // Inside `node --test`, a child run would report to this runner instead of printing TAP.
  delete env.NODE_TEST_CONTEXT;
  const proc = spawn(process.execPath, ['--test', '--test-concurrency=1', ...FILES], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (c: Buffer): void => {
    out = (out + String(c)).slice(-200_000);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  const failed = out.split('\n').filter((l) => /^\s*not ok /.test(l));
  assert.deepEqual(failed, [], out.slice(-4000));
  assert.equal(code, 0, out.slice(-4000));
  const passed = /^# pass (\d+)$/m.exec(out);
  assert.ok(passed && Number(passed[1]) > 40, `the suite ran (${passed?.[1]} passed)`);
});
