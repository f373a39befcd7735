// Message extensions through the SDK against a real server (Tencent's setMessageExtensions,
// getMessageExtensions, deleteMessageExtensions and the MESSAGE_EXTENSIONS_* events): both users'
// devices hear of each change, a stale view fails with 23001, a recall erases them everywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT, TYPES, type Message } from '@parley/client';
import { device, importAccounts, sendText, withDevices, type Device } from './helpers.js';

const T = { timeout: 60_000 };
const keyOf = (m: Message): string => `${m.sequence}_${m.random}_${m.time}`;

async function sendExtensible(d: Device, to: string, text: string): Promise<Message> {
  const m = d.chat.createTextMessage({
    to,
    conversationType: TYPES.CONV_C2C,
    payload: { text },
    isSupportExtension: true,
  });
  await d.chat.sendMessage(m);
  return m;
}

/** The peer's copy of a message, from its history. */
async function copyOf(d: Device, peer: string, id: string): Promise<Message> {
  const list = (await d.chat.getMessageList({ conversationID: `C2C${peer}` })).data.messageList as Message[];
  const m = list.find((x) => x.ID === id);
  assert.ok(m, `${d.user} holds ${id}`);
  return m;
}

const held = (d: Device, id: string): unknown[] =>
  (d.chat as unknown as { state: { extensionsHeld(id: string): unknown[] } }).state.extensionsHeld(id);

test(
  "set, get, delete and clear: results as Tencent's SDK gives them, MESSAGE_EXTENSIONS_* on both users' devices",
  T,
  () =>
    withDevices(async (s, track) => {
      await importAccounts(s, 'alice', 'bob');
      const a = track(await device(s, 'alice'));
      const b = track(await device(s, 'bob'));
      const m = await sendExtensible(a, 'bob', 'lunch?');
      assert.equal(m.isSupportExtension, true);
      const bm = await copyOf(b, 'alice', m.ID);
      assert.equal(bm.isSupportExtension, true, 'the flag travels with the message');

      const from = b.rec.mark();
      const fromA = a.rec.mark();
      const r = await b.chat.setMessageExtensions(bm, [
        { key: 'yes', value: 'bob' },
        { key: 'where', value: 'noodles' },
      ]);
      assert.deepEqual(r.data.extensions, [
        { errorCode: 0, extension: { key: 'yes', value: 'bob' } },
        { errorCode: 0, extension: { key: 'where', value: 'noodles' } },
      ]);
      for (const [d, mark] of [
        [a, fromA],
        [b, from],
      ] as const) {
        const ev = await d.rec.waitFor(EVENT.MESSAGE_EXTENSIONS_UPDATED, () => true, mark);
        assert.deepEqual(
          ev.data,
          {
            messageID: m.ID,
            extensions: [
              { key: 'yes', value: 'bob' },
              { key: 'where', value: 'noodles' },
            ],
          },
          d.user,
        );
      }
      // Read back lowest Seq first, then by key.
      assert.deepEqual((await a.chat.getMessageExtensions(m)).data, {
        extensions: [
          { key: 'where', value: 'noodles' },
          { key: 'yes', value: 'bob' },
        ],
        isCompleted: true,
      });

      const del = a.rec.mark();
      await b.chat.deleteMessageExtensions(bm, ['where']);
      assert.deepEqual((await a.rec.waitFor(EVENT.MESSAGE_EXTENSIONS_DELETED, () => true, del)).data, {
        messageID: m.ID,
        keyList: ['where'],
      });
      assert.deepEqual((await a.chat.getMessageExtensions(m)).data.extensions, [{ key: 'yes', value: 'bob' }]);

      const clear = b.rec.mark();
      await a.chat.deleteMessageExtensions(m);
      assert.deepEqual(
        (await b.rec.waitFor(EVENT.MESSAGE_EXTENSIONS_DELETED, () => true, clear)).data,
        { messageID: m.ID, keyList: ['yes'] },
        'a clear names the keys the device held',
      );
      assert.deepEqual((await b.chat.getMessageExtensions(bm)).data.extensions, []);
    }),
);

test('a device whose view is stale gets 23001 for that pair (with the stored one) and succeeds once it knows', T, () =>
  withDevices(async (s, track) => {
    await importAccounts(s, 'alice', 'bob');
    const a = track(await device(s, 'alice'));
    const m = await sendExtensible(a, 'bob', 'vote');
    const r = await s.call('openim_msg_ext_http_svc/set_key_values', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgKey: keyOf(m),
      OperateType: 1,
      ExtensionList: [{ Key: 'choice', Value: 'A' }],
    });
    assert.equal(r.ErrorCode, 0);
    // A device that logged in afterwards never saw that change.
    const late = track(await device(s, 'bob'));
    const lm = await copyOf(late, 'alice', m.ID);
    const stale = await late.chat.setMessageExtensions(lm, [
      { key: 'choice', value: 'B' },
      { key: 'note', value: 'x' },
    ]);
    assert.deepEqual(stale.data.extensions, [
      { errorCode: 23001, extension: { key: 'choice', value: 'A' } },
      { errorCode: 0, extension: { key: 'note', value: 'x' } },
    ]);
    const again = await late.chat.setMessageExtensions(lm, [{ key: 'choice', value: 'B' }]);
    assert.deepEqual(
      again.data.extensions,
      [{ errorCode: 0, extension: { key: 'choice', value: 'B' } }],
      'the conflict taught it the current Seq',
    );
    assert.deepEqual((await a.chat.getMessageExtensions(m)).data.extensions, [
      { key: 'note', value: 'x' },
      { key: 'choice', value: 'B' },
    ]);
  }),
);

test('a message sent without isSupportExtension, or by someone else to others, cannot carry extensions', T, () =>
  withDevices(async (s, track) => {
    await importAccounts(s, 'alice', 'bob', 'carol');
    const a = track(await device(s, 'alice'));
    const plain = await sendText(a, 'bob', 'plain');
    await assert.rejects(a.chat.setMessageExtensions(plain, [{ key: 'k', value: 'v' }]), /Params validate failed/);
    // The server says the same to a client that skips the SDK's check.
    const t = (a.chat as unknown as { transport: { request(op: string, d: object): Promise<unknown> } }).transport;
    await assert.rejects(
      t.request('extSet', {
        from: 'alice',
        to: 'bob',
        msgKey: keyOf(plain),
        operation: 'set',
        extensions: [{ key: 'k', value: 'v', seq: 0 }],
      }),
      (e: { code: number }) => e.code === 23002,
    );
    const m = await sendExtensible(a, 'bob', 'ours');
    const c = track(await device(s, 'carol'));
    const ct = (c.chat as unknown as { transport: { request(op: string, d: object): Promise<unknown> } }).transport;
    await assert.rejects(
      ct.request('extGet', { from: 'alice', to: 'bob', msgKey: keyOf(m) }),
      (e: { code: number }) => e.code === 23004,
      'carol is not a party',
    );
  }),
);

test("a recall erases the extensions: from every device's cache, and the server answers 23004", T, () =>
  withDevices(async (s, track) => {
    await importAccounts(s, 'alice', 'bob');
    const a = track(await device(s, 'alice'));
    const b = track(await device(s, 'bob'));
    const m = await sendExtensible(a, 'bob', 'poll');
    const bm = await copyOf(b, 'alice', m.ID);
    const mark = a.rec.mark();
    await b.chat.setMessageExtensions(bm, [{ key: 'ballot', value: 'SECRET-BALLOT-9' }]);
    await a.rec.waitFor(EVENT.MESSAGE_EXTENSIONS_UPDATED, () => true, mark);
    assert.equal(held(a, m.ID).length, 1);
    assert.equal(held(b, m.ID).length, 1);
    const rb = b.rec.mark();
    await a.chat.revokeMessage(m);
    await b.rec.waitFor(EVENT.MESSAGE_REVOKED, () => true, rb);
    for (const d of [a, b]) {
      assert.deepEqual(held(d, m.ID), [], `${d.user}'s SDK holds no extension of the recalled message`);
      assert.equal(d.stored().includes('SECRET-BALLOT-9'), false);
    }
    await assert.rejects(b.chat.getMessageExtensions(bm), /Params validate failed/, 'the SDK knows it is recalled');
    const r = await s.call('openim_msg_ext_http_svc/get_key_values', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgKey: keyOf(m),
    });
    assert.equal(r.ErrorCode, 23004);
  }),
);
