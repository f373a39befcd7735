// Hostile REST input: names that exist on Object.prototype and U+0000 / C0 control characters in
// identifiers. Each request gets its documented ErrorCode (never 91000/70500) and the same answer
// on SQLite and PostgreSQL; free text (CloudCustomData) is stored as sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './helpers/server.js';
import { text } from './helpers/rest.js';
import { hasPostgres, startPostgresTestServer } from './helpers/postgres-server.js';

const PROTO_NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'];

const server = (kind: 'sqlite' | 'postgres'): Promise<TestServer> =>
  kind === 'sqlite' ? startTestServer() : startPostgresTestServer();

const STORES = hasPostgres ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

for (const kind of STORES) {
  test(`${kind}: a MsgType named like an Object.prototype member is an invalid MsgBody (90002)`, async () => {
    const s = await server(kind);
    try {
      await s.call('im_open_login_svc/account_import', { UserID: 'bob' });
      for (const name of PROTO_NAMES) {
        const body = [{ MsgType: name, MsgContent: { Text: 'x' } }];
        const calls: Array<[string, unknown]> = [
          ['openim/sendmsg', { To_Account: 'bob', MsgRandom: 1, MsgBody: body }],
          ['openim/batchsendmsg', { To_Account: ['bob'], MsgRandom: 1, MsgBody: body }],
          [
            'openim/importmsg',
            {
              SyncFromOldSystem: 2,
              From_Account: 'administrator',
              To_Account: 'bob',
              MsgRandom: 1,
              MsgTimeStamp: 1700000000,
              MsgBody: body,
            },
          ],
        ];
        for (const [api, b] of calls) {
          const r = await s.call(api, b);
          assert.equal(r.ErrorCode, 90002, `${api} MsgType ${name}: ${r.ErrorInfo}`);
          assert.match(r.ErrorInfo, /not a known message element type/);
        }
      }
      assert.ok(!s.logs.some((l) => l.includes('internal error')), 'nothing was logged as an internal error');
    } finally {
      await s.close();
    }
  });

  test(`${kind}: unknown API names, including Object.prototype members, answer 60009`, async () => {
    const s = await server(kind);
    try {
      for (const api of [
        'openim/constructor',
        '__proto__/x',
        'openim/__proto__',
        'constructor/constructor',
        'openim/toString',
        'hasOwnProperty/valueOf',
      ]) {
        const r = await s.call(api, {});
        assert.equal(r.ErrorCode, 60009, api);
        assert.equal(r.ActionStatus, 'FAIL');
      }
    } finally {
      await s.close();
    }
  });

  test(`${kind}: identifiers with U+0000 or other C0 controls get the field's code; nothing is stored`, async () => {
    const s = await server(kind);
    try {
      await s.call('im_open_login_svc/account_import', { UserID: 'bob' });
      const cases: Array<[string, unknown, number]> = [
        ['im_open_login_svc/account_import', { UserID: 'a\u0000b' }, 70402],
        ['im_open_login_svc/account_import', { UserID: 'a\u001fb' }, 70402],
        ['im_open_login_svc/kick', { UserID: 'a\u0000' }, 70402],
        ['im_open_login_svc/account_check', { CheckItem: [{ UserID: '\u0000' }] }, 70402],
        ['im_open_login_svc/account_delete', { DeleteItem: [{ UserID: 'x\u0007' }] }, 70402],
        ['openim/query_online_status', { To_Account: ['\u0000'] }, 90003],
        ['openim/sendmsg', { From_Account: 'a\u0000', To_Account: 'bob', MsgRandom: 1, MsgBody: text('x') }, 90008],
        ['openim/sendmsg', { To_Account: 'b\u0000', MsgRandom: 1, MsgBody: text('x') }, 90003],
        ['openim/batchsendmsg', { To_Account: ['bob', '\n'], MsgRandom: 1, MsgBody: text('x') }, 90003],
        [
          'openim/admin_getroammsg',
          { Operator_Account: 'bob', Peer_Account: 'a\u0000', MaxCnt: 10, MinTime: 0, MaxTime: 4294967295 },
          90003,
        ],
        ['openim/get_c2c_unread_msg_num', { To_Account: '\u0000' }, 90003],
        ['openim/get_c2c_unread_msg_num', { To_Account: 'bob', Peer_Account: ['a\u0000'] }, 90001],
        ['openim/admin_msgwithdraw', { From_Account: 'a\u0000', To_Account: 'bob', MsgKey: '1_2_3' }, 90008],
        ['openim/admin_msgwithdraw', { From_Account: 'bob', To_Account: '\u0000', MsgKey: '1_2_3' }, 90003],
      ];
      for (const [api, body, code] of cases) {
        const r = await s.call(api, body);
        assert.equal(r.ErrorCode, code, `${api} ${JSON.stringify(body)}: ${r.ErrorInfo}`);
        assert.match(r.ErrorInfo, /control characters/, api);
      }
      // multiaccount_import lists such an account as failed and imports the rest.
      const multi = await s.call('im_open_login_svc/multiaccount_import', { Accounts: ['carol', 'c\u0000'] });
      assert.deepEqual(multi.FailAccounts, ['c\u0000']);
      const check = await s.call('im_open_login_svc/account_check', { CheckItem: [{ UserID: 'carol' }] });
      assert.equal(check.ResultItem[0].AccountStatus, 'Imported');
      assert.ok(!s.logs.some((l) => l.includes('internal error')), 'nothing was logged as an internal error');
    } finally {
      await s.close();
    }
  });

  test(`${kind}: CloudCustomData with U+0000 is stored and read back as sent`, async () => {
    const s = await server(kind);
    try {
      await s.call('im_open_login_svc/account_import', { UserID: 'bob' });
      const sent = await s.call('openim/sendmsg', {
        To_Account: 'bob',
        MsgRandom: 7,
        MsgBody: text('a\u0000b'),
        CloudCustomData: '\u0000',
      });
      assert.equal(sent.ErrorCode, 0, sent.ErrorInfo);
      const roam = await s.call('openim/admin_getroammsg', {
        Operator_Account: 'bob',
        Peer_Account: 'administrator',
        MaxCnt: 10,
        MinTime: 0,
        MaxTime: 4294967295,
      });
      assert.equal(roam.MsgList[0].CloudCustomData, '\u0000');
      assert.equal(roam.MsgList[0].MsgBody[0].MsgContent.Text, 'a\u0000b');
    } finally {
      await s.close();
    }
  });
}
