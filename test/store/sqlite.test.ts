// The storage contract against the embedded adapter (a fresh in-memory SQLite database per
// test), and what only SQLite has: its migrations and its file settings.
import { SqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import { msg, storeContract, text } from './contract.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../../src/adapters/sqlite/migrations.js';
import { recallRequest } from '../../src/domain/message-events.js';

storeContract('sqlite', async () => {
  const store = new SqliteStore({ filename: ':memory:' });
  await store.migrate();
  return store;
});

// ---- SQLite only: the schema's own history --------------------------------------------------

test('sqlite: a file written by schema 2 migrates to the one-index layout and keeps its messages and their identity', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-migrate-'));
  const file = join(dir, 'parley.sqlite');
  try {
    // A database as an earlier release left it: schema 2, one message alice → bob.
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    for (const m of MIGRATIONS.slice(0, 2)) old.exec(m);
    old.pragma('user_version = 2');
    old.prepare('INSERT INTO accounts (app, user_id, created_at) VALUES (1, ?, 0)').run('alice');
    old.prepare('INSERT INTO accounts (app, user_id, created_at) VALUES (1, ?, 0)').run('bob');
    old
      .prepare(`INSERT INTO messages (app, user_lo, user_hi, sender, recipient, seq, random, time, body, cloud_custom_data, origin, flags, life_time)
      VALUES (1, 'alice', 'bob', 'alice', 'bob', 7, 8, 1700000000, '[{"MsgType":"TIMTextElem","MsgContent":{"Text":"old"}}]', '', 'sendmsg', 5, 604800)`)
      .run();
    old.close();

    const store = new SqliteStore({ filename: file });
    await store.migrate();
    try {
      assert.equal(store.db.pragma('user_version', { simple: true }), MIGRATIONS.length);
      const indexes = store.db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' ORDER BY name")
        .pluck()
        .all();
      assert.deepEqual(indexes, ['messages_conversation']);
      const ref = { from: 'alice', to: 'bob', seq: 7, random: 8, time: 1700000000 };
      const found = await store.findMessage(1, ref);
      assert.deepEqual(found?.body, [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'old' } }]);
      assert.equal(
        await store.findMessage(1, { ...ref, from: 'bob', to: 'alice' }),
        undefined,
        'the identity keeps its direction',
      );
      // The same identity sent again is still a resend: answered with the stored message, nothing written.
      const again = await store.appendMessage(1, msg('alice', 'bob', { ...ref, body: text('new') }));
      assert.equal(again.duplicate, true);
      assert.equal(again.message.id, found?.id);
      assert.equal(store.db.prepare('SELECT COUNT(*) FROM messages').pluck().get(), 1);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: a new file gets 2 KiB pages; an existing file keeps the page size it was made with', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-pages-'));
  try {
    const fresh = new SqliteStore({ filename: join(dir, 'new.sqlite') });
    await fresh.migrate();
    assert.equal(fresh.db.pragma('page_size', { simple: true }), 2048);
    await fresh.close();
    const file = join(dir, 'old.sqlite');
    const old = new Database(file);
    old.pragma('page_size = 4096');
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE t (x)');
    old.close();
    const reopened = new SqliteStore({ filename: file });
    await reopened.migrate();
    assert.equal(reopened.db.pragma('page_size', { simple: true }), 4096);
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Waits up to five seconds for a worker thread's effect. */
const until = (what: string, ok: () => boolean): Promise<boolean> => waitFor(ok, what, 5000);

test('sqlite: the checkpoint worker copies the WAL into the file, and after a recall truncates it: the text is in neither', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-ckpt-'));
  const file = join(dir, 'parley.sqlite');
  const marker = 'checkpoint-worker-marker-5c1e';
  const bytesOf = (f: string): Buffer => (existsSync(f) ? readFileSync(f) : Buffer.alloc(0));
  const store = new SqliteStore({ filename: file, checkpointWorkerAfter: 0 });
  await store.migrate();
  try {
    await store.importAccounts(1, ['alice', 'bob'], 1700000000);
    const ref = { from: 'alice', to: 'bob', seq: 1, random: 2, time: 1700000001 };
    await store.appendMessage(1, msg('alice', 'bob', { ...ref, body: text(marker) }));
    assert.ok(bytesOf(`${file}-wal`).includes(marker), 'a commit lands in the WAL first');
    // The writer's own checkpoint waits for 16000 pages; only the worker moves this one.
    await until('the worker copied the message into the main file', () => bytesOf(file).includes(marker));
    const r = await store.recallMessage(1, recallRequest({ ref, by: 'administrator', via: 'admin', at: 1700000002 }));
    assert.equal(r.outcome, 'recalled');
    await until(
      'a second after the recall, the text is in neither the file nor the WAL',
      () => !bytesOf(file).includes(marker) && !bytesOf(`${file}-wal`).includes(marker),
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: the checkpoint worker stops while the file is idle and the next commit wakes it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-ckpt-idle-'));
  const file = join(dir, 'parley.sqlite');
  const marker = 'checkpoint-worker-wakes-7f3a';
  const store = new SqliteStore({ filename: file, checkpointWorkerAfter: 0 });
  await store.migrate();
  try {
    assert.equal(store.workerCheckpoints, undefined, 'no worker before the first write');
    await store.importAccounts(1, ['alice', 'bob'], 1700000000);
    await until('the worker checkpoints after the first commit', () => (store.workerCheckpoints ?? 0) >= 1);
    const idle = store.workerCheckpoints!;
    // Five intervals with no commit: before, the worker checkpointed on each of them.
    await sleep(1000);
    assert.equal(store.workerCheckpoints, idle, 'no checkpoint while nothing is committed');
    await store.appendMessage(1, msg('alice', 'bob', { seq: 1, random: 2, time: 1700000001, body: text(marker) }));
    await until(
      'the commit woke the worker, which copied it into the main file',
      () => store.workerCheckpoints! > idle && readFileSync(file).includes(marker),
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
