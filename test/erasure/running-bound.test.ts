// While the server runs, a recalled text leaves every file of the data directory about a second
// after the recall's answer — with no checkpoint asked for by the test, with traffic going on,
// on the writer's own checkpoint or the checkpoint worker's, and even when another connection
// held a read transaction when the post-recall checkpoint came due.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import { filesContaining } from '../helpers/files.js';
import { text, unique } from '../helpers/rest.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** The recall's checkpoint is due 1 s after it; the bound allows for a loaded machine. */
const BOUND_MS = 5000;

async function withDir(
  checkpointWorkerAfter: number,
  fn: (s: TestServer, dir: string) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-erasure-'));
  const s = await startTestServer({
    dataDir: dir,
    store: new SqliteStore({ filename: join(dir, 'parley.db'), checkpointWorkerAfter }),
  });
  try {
    const r = await s.call('im_open_login_svc/multiaccount_import', { Accounts: ['alice', 'bob'] });
    assert.equal(r.ErrorCode, 0, r.ErrorInfo);
    await fn(s, dir);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function sendThenRecall(s: TestServer, secret: string): Promise<void> {
  const sent = await s.call('openim/sendmsg', {
    From_Account: 'alice',
    To_Account: 'bob',
    MsgRandom: 7,
    MsgBody: text(secret),
  });
  assert.equal(sent.ErrorCode, 0, sent.ErrorInfo);
  const r = await s.call('openim/admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: sent.MsgKey });
  assert.equal(r.ErrorCode, 0, r.ErrorInfo);
}

/** Sends other messages until stopped, so checkpoints meet commits. */
function traffic(s: TestServer): () => Promise<void> {
  let on = true;
  const loop = (async () => {
    for (let i = 0; on; i++) {
      await s.call('openim/sendmsg', {
        From_Account: 'bob',
        To_Account: 'alice',
        MsgRandom: i,
        MsgBody: text(`filler ${i}`),
      });
    }
  })();
  return async () => {
    on = false;
    await loop;
  };
}

for (const [label, workerAfter] of [
  ['the writer checkpoints', -1],
  ['the checkpoint worker checkpoints', 0],
] as const) {
  test(
    `running, ${label}: a recalled text leaves every file within the bound, under traffic`,
    { timeout: 30_000 },
    () =>
      withDir(workerAfter, async (s, dir) => {
        const stop = traffic(s);
        try {
          const secret = unique('running');
          await sendThenRecall(s, secret);
          const at = Date.now();
          await waitFor(() => filesContaining(dir, secret).length === 0, `the text to leave ${dir}`, BOUND_MS);
          assert.ok(Date.now() - at < BOUND_MS);
        } finally {
          await stop();
        }
      }),
  );

  test(
    `running, ${label}: a reader holding the WAL delays the erasure only until it lets go`,
    { timeout: 30_000 },
    () =>
      withDir(workerAfter, async (s, dir) => {
        const reader = new Database(join(dir, 'parley.db'), { readonly: true });
        try {
          reader.exec('BEGIN');
          reader.prepare('SELECT COUNT(*) FROM messages').get();
          const secret = unique('reader');
          await sendThenRecall(s, secret);
          // Past the recall's checkpoint: the reader's snapshot kept the WAL from being emptied.
          await new Promise((r) => setTimeout(r, 1500));
          assert.notDeepEqual(
            filesContaining(dir, secret),
            [],
            'while the reader holds its snapshot the WAL cannot be truncated',
          );
          reader.exec('COMMIT');
          await waitFor(
            () => filesContaining(dir, secret).length === 0,
            `the text to leave ${dir} once the reader let go`,
            BOUND_MS,
          );
        } finally {
          reader.close();
        }
      }),
  );
}
