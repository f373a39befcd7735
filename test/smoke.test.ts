import { test } from 'node:test';
import assert from 'node:assert/strict';
import { text } from './helpers/rest.js';
import { startTestServer } from './helpers/server.js';

test('a backend can import accounts, send, read history and recall over HTTP', async () => {
  const s = await startTestServer();
  try {
    assert.equal((await s.call('im_open_login_svc/multiaccount_import', { Accounts: ['alice', 'bob'] })).ErrorCode, 0);
    const sent = await s.call('openim/sendmsg', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgRandom: 1,
      MsgSeq: 7,
      MsgBody: text('hi'),
    });
    assert.equal(sent.MsgKey, `7_1_${sent.MsgTime}`);
    const recall = await s.call('openim/admin_msgwithdraw', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgKey: sent.MsgKey,
    });
    assert.deepEqual(recall, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    const roam = await s.call('openim/admin_getroammsg', {
      Operator_Account: 'bob',
      Peer_Account: 'alice',
      MaxCnt: 10,
      MinTime: 0,
      MaxTime: 4294967295,
    });
    assert.equal(roam.MsgList[0].MsgFlagBits, 8);
    assert.deepEqual(roam.MsgList[0].MsgBody, []);
  } finally {
    await s.close();
  }
});
