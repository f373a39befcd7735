// v4/parley/recall_audit: Parley's admin-only API over the store's recall audit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { text } from '../helpers/rest.js';
import { startTestServer, T0 } from '../helpers/server.js';

test('recall_audit lists recalls newest first, by admin and by sender, with Limit', async () => {
  const s = await startTestServer();
  try {
    await s.call('im_open_login_svc/multiaccount_import', { Accounts: ['alice', 'bob'] });
    const empty = await s.call('parley/recall_audit', {});
    assert.deepEqual(empty, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0, AuditList: [] });
    const first = await s.call('openim/sendmsg', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgRandom: 1,
      MsgSeq: 1,
      MsgBody: text('one'),
    });
    const second = await s.call('openim/sendmsg', {
      From_Account: 'bob',
      To_Account: 'alice',
      MsgRandom: 2,
      MsgSeq: 2,
      MsgBody: text('two'),
    });
    assert.equal(
      (await s.call('openim/admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: first.MsgKey }))
        .ErrorCode,
      0,
    );
    s.clock.advance(5000);
    // The sender's own recall (as a client would), through the domain service.
    await s.parley.services.messages.recallAsSender(
      s.app.sdkAppId,
      { from: 'bob', to: 'alice', seq: 2, random: 2, time: second.MsgTime },
      120,
    );
    const all = await s.call('parley/recall_audit', {});
    assert.deepEqual(all.AuditList, [
      { From_Account: 'bob', To_Account: 'alice', MsgKey: second.MsgKey, By: 'bob', Via: 'client', At: T0 + 5 },
      { From_Account: 'alice', To_Account: 'bob', MsgKey: first.MsgKey, By: 'administrator', Via: 'admin', At: T0 },
    ]);
    const one = await s.call('parley/recall_audit', { Limit: 1 });
    assert.deepEqual(
      one.AuditList.map((e: { MsgKey: string }) => e.MsgKey),
      [second.MsgKey],
    );
  } finally {
    await s.close();
  }
});

test('recall_audit refuses a bad Limit and callers that are not admins', async () => {
  const s = await startTestServer();
  try {
    await s.call('im_open_login_svc/account_import', { UserID: 'alice' });
    for (const Limit of [0, 1001, 'ten', 2.5]) {
      const r = await s.call('parley/recall_audit', { Limit });
      assert.equal(r.ErrorCode, 90001, `Limit ${JSON.stringify(Limit)}`);
      assert.equal(r.ActionStatus, 'FAIL');
    }
    const notAdmin = await s.call('parley/recall_audit', {}, { identifier: 'alice', usersig: s.sig('alice') });
    assert.equal(notAdmin.ErrorCode, 90009);
    const badJson = await s.call('parley/recall_audit', '{"Limit":', { raw: true });
    assert.equal(badJson.ErrorCode, 90001);
  } finally {
    await s.close();
  }
});
