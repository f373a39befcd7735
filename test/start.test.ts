// `npm start` as a newcomer meets it: it serves and prints its address, SIGTERM or SIGINT sent to
// the npm process stops the server and frees the port, a port already in use is one clear line
// (not a stack trace), and under TLS the printed curl line accepts the self-signed certificate.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** The parent's environment without any PARLEY_* setting, plus these. */
function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PARLEY_') && !k.startsWith('npm_')) e[k] = v;
  return { ...e, ...extra };
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-start-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Resolves with the banner's base URL once it is printed; rejects if the process ends first. */
function banner(p: ChildProcess, out: { text: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 60 s; output so far:\n${out.text}`)), 60_000);
    p.stdout!.on('data', (c: Buffer) => {
      out.text += String(c);
      const m = /Parley is serving .* at (https?:\/\/\S+)/.exec(out.text);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    p.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before the banner; output:\n${out.text}`));
    });
  });
}

const exited = (p: ChildProcess): Promise<void> =>
  p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => p.once('exit', () => resolve()));

/** The pids of p's children and their children (Linux /proc), for checking none survives. */
function descendants(pid: number): number[] {
  const found: number[] = [];
  const visit = (p: number) => {
    let children = '';
    try {
      children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8');
    } catch {
      return;
    }
    for (const c of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
      found.push(c);
      visit(c);
    }
  };
  visit(pid);
  return found;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** True when something accepts TCP connections on the port. */
const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  // The old `npm start` left the server running (SIGTERM) or npm waiting forever (SIGINT): the
  // timeout turns the latter into a failure.
  test(`${signal} sent to the npm start process stops the server and frees its port`, {
    timeout: 120_000,
  }, async (t) => {
    const dataDir = tempDir(t);
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: env({ PARLEY_PORT: '0', PARLEY_DATA_DIR: dataDir }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tree: number[] = [];
    t.after(() => {
      // Also the processes seen before the signal: an orphaned server is no descendant any more.
      for (const pid of new Set([...tree, ...descendants(npm.pid!)])) if (alive(pid)) process.kill(pid, 'SIGKILL');
      if (npm.exitCode === null) npm.kill('SIGKILL');
    });
    const out = { text: '' };
    npm.stderr!.on('data', (c: Buffer) => {
      out.text += String(c);
    });
    const base = await banner(npm, out);
    const port = Number(new URL(base).port);
    assert.ok(await listening(port), 'the server answers on the printed port');
    tree = descendants(npm.pid!);
    assert.ok(tree.length > 0, 'npm runs the server in a child process');

    npm.kill(signal);
    await Promise.race([exited(npm), new Promise((r) => setTimeout(r, 20_000))]);
    assert.ok(npm.exitCode !== null || npm.signalCode !== null, `npm exits after ${signal}`);
    // The server may take a moment after npm to finish closing; it has a few seconds.
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (tree.some(alive) || (await listening(port))))
      await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(tree.filter(alive), [], `no process of npm start survives ${signal}`);
    assert.equal(await listening(port), false, `port ${port} is free after ${signal}`);
  });
}

test('a port already in use is one line naming the address and PARLEY_PORT, exit status 1', async (t) => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.after(() => taken.close());
  const port = (taken.address() as AddressInfo).port;
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'main.js')], {
    cwd: ROOT,
    env: env({ PARLEY_PORT: String(port), PARLEY_DATA_DIR: tempDir(t) }),
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 1, `exit status; stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, new RegExp(`127\\.0\\.0\\.1:${port}`));
  assert.match(lines[0]!, /already in use/);
  assert.match(lines[0]!, /PARLEY_PORT/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('under TLS the printed curl line carries -k and the banner says why', async (t) => {
  const dir = tempDir(t);
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { encoding: 'utf8' },
  );
  if (made.error) {
    if (process.env.CI) assert.fail('openssl is not installed; CI must test HTTPS');
    t.skip('openssl is not installed on this machine');
    return;
  }
  const server = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'main.js')], {
    cwd: dir,
    env: env({
      PARLEY_PORT: '0',
      PARLEY_DATA_DIR: join(dir, 'data'),
      PARLEY_TLS_CERT: 'cert.pem',
      PARLEY_TLS_KEY: 'key.pem',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });
  const out = { text: '' };
  const base = await banner(server, out);
  await new Promise((r) => setTimeout(r, 100)); // the rest of the banner follows the first line
  assert.match(base, /^https:/);
  assert.match(out.text, /curl -s -k -X POST 'https:/);
  assert.match(out.text, /-k: accept a self-signed certificate/);
  server.kill('SIGTERM');
  await exited(server);
});
