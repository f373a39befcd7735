// "Erased, not hidden" across a crash: once a recall is acknowledged, a SIGKILL of the server at
// that very moment must not leave the text in any file of the data directory past the next start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type ChildServer } from '../helpers/child.js';
import { filesContaining } from '../helpers/files.js';
import { text, unique } from '../helpers/rest.js';

test('a recall acknowledged just before a SIGKILL: the next start has erased the text from every file before its first answer', {
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-crash-'));
  let server: ChildServer | undefined;
  try {
    server = await startChild(dir);
    assert.equal(
      (await server.call('im_open_login_svc/multiaccount_import', { Accounts: ['alice', 'bob'] })).ErrorCode,
      0,
    );
    const secret = unique('crash-recall');
    const sent = await server.call('openim/sendmsg', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgRandom: 1,
      MsgBody: text(secret),
    });
    assert.equal(sent.ErrorCode, 0, sent.ErrorInfo);
    const recalled = await server.call('openim/admin_msgwithdraw', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgKey: sent.MsgKey,
    });
    assert.equal(recalled.ErrorCode, 0, recalled.ErrorInfo);
    await server.kill();
    // What the crash left behind: the old page images are still in the WAL, so it is the next
    // start that must erase them (this is what the test is about).
    assert.notDeepEqual(filesContaining(dir, secret), [], 'the crash left the text in the WAL');

    server = await startChild(dir);
    const roam = await server.call('openim/admin_getroammsg', {
      Operator_Account: 'bob',
      Peer_Account: 'alice',
      MaxCnt: 10,
      MinTime: 0,
      MaxTime: 4294967295,
    });
    assert.equal(roam.ErrorCode, 0, roam.ErrorInfo);
    assert.equal(roam.MsgList.length, 1);
    assert.equal(roam.MsgList[0].MsgKey, sent.MsgKey);
    assert.equal(roam.MsgList[0].MsgFlagBits & 8, 8, 'the message is still recalled after the crash');
    assert.deepEqual(filesContaining(dir, secret), [], 'no file of the data directory (db, -wal, -shm) holds the text');
  } finally {
    await server?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
