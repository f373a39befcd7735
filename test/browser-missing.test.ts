// The browser tests without a Chromium: skipped locally, a clean failure under CI=true (no hang,
// nothing left listening). Runs test/client/e2e-browser in a child `node --test` with a Chromium
// path that does not exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const E2E = fileURLToPath(new URL('./client/e2e-browser.test.js', import.meta.url));
/** Far below the test's own 120 s timeout: reaching it means something was left running. */
const HANG_MS = 30_000;

function runWithoutChromium(ci: boolean): Promise<{ code: number | null; out: string; hung: boolean }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PARLEY_CHROMIUM: '/nonexistent/parley-test/chromium' };
  // Inside `node --test`, a child run would report to this runner instead of printing TAP.
  delete env.NODE_TEST_CONTEXT;
  if (ci) env.CI = 'true';
  else delete env.CI;
  const proc = spawn(process.execPath, ['--test', E2E], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (c: Buffer): void => {
    if (out.length < 100_000) out += String(c);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    proc.kill('SIGKILL');
  }, HANG_MS);
  return new Promise((resolve) =>
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, hung });
    }),
  );
}

test('without Chromium, outside CI: the in-browser SDK test is skipped with the reason', {
  timeout: HANG_MS + 10_000,
}, async () => {
  const r = await runWithoutChromium(false);
  assert.equal(r.hung, false, 'the run ended by itself');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /# skipped 1/);
  assert.match(r.out, /no Chromium at \/nonexistent\/parley-test\/chromium/);
});

test('without Chromium, under CI=true: the in-browser SDK test fails, and the run ends (nothing left listening)', {
  timeout: HANG_MS + 10_000,
}, async () => {
  const r = await runWithoutChromium(true);
  assert.equal(r.hung, false, `the run ended by itself:\n${r.out.slice(-2000)}`);
  assert.notEqual(r.code, 0);
  assert.match(r.out, /# fail 1/);
  assert.match(r.out, /nonexistent\/parley-test\/chromium/, 'the failure names the missing executable');
});
