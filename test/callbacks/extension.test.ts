// C2C.CallbackAfterC2CMsgExtension (spec §8.2): its body after a set, a delete and a clear, nothing
// for a refused change, and a recall erasing the values a still-pending one carries (both stores).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, T0, type TestServer } from '../helpers/server.js';
import {
  baseQuery,
  expectOk,
  failedAttempts,
  outbox,
  sendmsg,
  storedAnywhere,
  openim,
  withCallbacks,
} from './helpers.js';

const EXT = 'C2C.CallbackAfterC2CMsgExtension';
const setKV = (s: TestServer, body: Record<string, unknown>) =>
  s.call(
    'openim_msg_ext_http_svc/set_key_values',
    { From_Account: 'alice', To_Account: 'bob', ...body },
    { usersig: s.sig(ADMIN) },
  );
const getKV = (s: TestServer, MsgKey: string) =>
  s.call(
    'openim_msg_ext_http_svc/get_key_values',
    { From_Account: 'alice', To_Account: 'bob', MsgKey },
    { usersig: s.sig(ADMIN) },
  );

test('C2C.CallbackAfterC2CMsgExtension after set, delete and clear: pairs written, OperateType, the new Seq', async () => {
  await withCallbacks({ callback: { commands: [EXT] } }, async ({ r, s }) => {
    const { MsgKey } = await sendmsg(s, { SupportMessageExtension: 1 });
    expectOk(
      await setKV(s, {
        MsgKey,
        OperateType: 1,
        ExtensionList: [
          { Key: 'k1', Value: 'v1' },
          { Key: 'k2', Value: 'v2' },
        ],
      }),
    );
    expectOk(await setKV(s, { MsgKey, OperateType: 2, ExtensionList: [{ Key: 'k1', Value: '' }] }));
    expectOk(await setKV(s, { MsgKey, OperateType: 3 }));
    // A refused change (OperateType 9): no callback.
    assert.equal((await setKV(s, { MsgKey, OperateType: 9 })).ErrorCode, 10004);
    const hits = await r.waitForCommand(EXT, 3);
    const common = { CallbackCommand: EXT, From_Account: 'alice', To_Account: 'bob', MsgKey, EventTime: T0 * 1000 };
    assert.deepEqual(
      hits.map((h) => h.body),
      [
        {
          ...common,
          OperateType: 1,
          ExtensionList: [
            { Key: 'k1', Value: 'v1', Seq: 1 },
            { Key: 'k2', Value: 'v2', Seq: 1 },
          ],
          Seq: 1,
        },
        { ...common, OperateType: 2, ExtensionList: [{ Key: 'k1', Value: '', Seq: 2 }], Seq: 2 },
        { ...common, OperateType: 3, ExtensionList: [], Seq: 3 },
      ],
    );
    for (const h of hits) assert.deepEqual(h.query, baseQuery(EXT));
    assert.equal(r.of(EXT).length, 3, 'the refused change sent nothing');
  });
});

test('a recall erases the values a still-pending extension callback carries, and the values themselves', async () => {
  await withCallbacks({ callback: { commands: [EXT] } }, async ({ r, s }) => {
    await r.down();
    const secret = 'pending-ballot-7f3a91';
    const { MsgKey } = await sendmsg(s, { SupportMessageExtension: 1 });
    expectOk(await setKV(s, { MsgKey, OperateType: 1, ExtensionList: [{ Key: 'vote', Value: secret }] }));
    await failedAttempts(s, (await outbox(s))[0]!.id, 1);
    assert.equal((await outbox(s))[0]!.body.ExtensionList[0].Value, secret, 'queued with its value');
    expectOk(await openim(s, 'admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey }));
    assert.equal((await getKV(s, MsgKey)).ErrorCode, 23004);
    assert.equal(await storedAnywhere(s, secret), false, 'the value is gone from storage, outbox included');
    assert.equal(
      JSON.stringify(
        await s.parley.store.extensions(s.app.sdkAppId, {
          from: 'alice',
          to: 'bob',
          ...Object.fromEntries(['seq', 'random', 'time'].map((k, i) => [k, Number(MsgKey.split('_')[i])])),
        } as never),
      ).includes(secret),
      false,
      'the store holds no pair',
    );
    await r.up();
    s.clock.advance(60_000);
    const [h] = await r.waitForCommand(EXT);
    assert.deepEqual(h!.body.ExtensionList, []);
    assert.equal(h!.body.Seq, 1);
    assert.ok(!r.hits.some((x) => x.rawBody.includes(secret)), 'the value never reached the receiver');
  });
});
