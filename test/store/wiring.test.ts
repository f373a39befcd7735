// Which store the server builds: SQLite in the data directory by default, PostgreSQL when
// PARLEY_DATABASE_URL is set (that case runs in postgres.test.ts, where a server is at hand).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createParley } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { SqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';

const ENV = { PARLEY_SDKAPPID: '1400000001', PARLEY_SECRET_KEY: 'secret-key-1', PARLEY_LOG_LEVEL: 'silent' };

test('PARLEY_DATABASE_URL takes a postgres:// URL and nothing else', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-wiring-'));
  try {
    assert.equal('database' in loadConfig(ENV, dir), false);
    assert.equal('database' in loadConfig({ ...ENV, PARLEY_DATABASE_URL: '' }, dir), false);
    for (const url of ['postgres://parley@db.internal:5432/parley', 'postgresql://u:p@10.0.0.5/im?sslmode=require']) {
      assert.equal(loadConfig({ ...ENV, PARLEY_DATABASE_URL: url }, dir).database, url);
    }
    for (const bad of ['mysql://db/parley', 'db.internal:5432/parley', 'sqlite:parley.db', ' postgres://db/parley']) {
      assert.throws(() => loadConfig({ ...ENV, PARLEY_DATABASE_URL: bad }, dir), ConfigError, bad);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without PARLEY_DATABASE_URL the server stores in SQLite in its data directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-wiring-'));
  const parley = await createParley(loadConfig(ENV, dir), { logStream: new Writable({ write: (_c, _e, cb) => cb() }) });
  try {
    assert.ok(parley.store instanceof SqliteStore);
    assert.equal((parley.store as SqliteStore).db.name, join(dir, 'data', 'parley.db'));
  } finally {
    await parley.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
