// The client SDK installs without the server: packed as npm would publish them, @parley/client and
// @parley/protocol install into an empty project (offline, from the two tarballs alone) and
// bring nothing else — no better-sqlite3 to compile, no Fastify, pg or ioredis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('@parley/client installs alone: only itself and @parley/protocol, and it loads', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-pack-'));
  try {
    const tarballs = ['protocol', 'client'].map((p) =>
      join(
        dir,
        npm(['pack', '--silent', '--pack-destination', dir], join(root, 'packages', p))
          .trim()
          .split('\n')
          .pop()!,
      ),
    );
    const app = join(dir, 'app');
    execFileSync('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module' }));
    npm(['install', '--offline', '--no-audit', '--no-fund', ...tarballs], app);
    assert.deepEqual(
      readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.')),
      ['@parley'],
    );
    assert.deepEqual(readdirSync(join(app, 'node_modules', '@parley')).sort(), ['client', 'protocol']);
    const exported = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('@parley/client'); console.log(typeof m.default.create, typeof m.EVENT.MESSAGE_REVOKED)",
      ],
      { cwd: app, encoding: 'utf8' },
    );
    assert.equal(exported.trim(), 'function string');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
