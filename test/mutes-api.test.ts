// Global mute (openconfigsvr setnospeaking / getnospeaking): fields, the countdown by the clock,
// 4294967295 = permanent, 0 = unmute, every documented code, and what a mute does: a client's
// one-to-one send gets 20012 (nothing stored, nothing delivered), REST sends are not checked,
// recall still works, account_delete lifts it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@parley/protocol';
import { ADMIN, withServer, type TestServer } from './helpers/server.js';
import { MAX_U32, events, expectFail, expectOk, history, send, snapshot } from './helpers/messages.js';
import { text } from './helpers/rest.js';
import { WsClient } from './helpers/ws.js';

const config = (s: TestServer, api: string, body: unknown, raw = false): Promise<Record<string, any>> =>
  s.call(`openconfigsvr/${api}`, body, { usersig: s.sig(ADMIN), ...(raw ? { raw: true } : {}) });
const setMute = (s: TestServer, body: Record<string, unknown>) => config(s, 'setnospeaking', body);
const getMute = async (s: TestServer, user: string): Promise<[number, number]> => {
  const r = await config(s, 'getnospeaking', { Get_Account: user });
  expectOk(r);
  return [r.C2CmsgNospeakingTime, r.GroupmsgNospeakingTime];
};

test('setnospeaking / getnospeaking: default unmuted, the remaining time counts down by the clock, runs out, 0 lifts it', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    assert.deepEqual(await getMute(s, 'alice'), [0, 0]);
    const r = await setMute(s, { Set_Account: 'alice', C2CmsgNospeakingTime: 7200, GroupmsgNospeakingTime: 60 });
    assert.deepEqual(r, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    assert.deepEqual(await getMute(s, 'alice'), [7200, 60]);
    assert.deepEqual(await getMute(s, 'bob'), [0, 0], 'only the account named');
    s.clock.advance(4000);
    assert.deepEqual(await getMute(s, 'alice'), [7196, 56], 'the time still remaining');
    s.clock.advance(500);
    assert.deepEqual(await getMute(s, 'alice'), [7196, 56], 'rounded up, never more than was set');
    s.clock.advance(60_000 - 4500);
    assert.deepEqual(await getMute(s, 'alice'), [7140, 0], 'the group mute ran out at 60 s');
    // An absent field leaves that mute as it is.
    expectOk(await setMute(s, { Set_Account: 'alice', GroupmsgNospeakingTime: 30 }));
    assert.deepEqual(await getMute(s, 'alice'), [7140, 30]);
    expectOk(await setMute(s, { Set_Account: 'alice', C2CmsgNospeakingTime: 0 }));
    assert.deepEqual(await getMute(s, 'alice'), [0, 30], '0 lifts the mute');
    // null counts as absent.
    expectOk(await setMute(s, { Set_Account: 'alice', C2CmsgNospeakingTime: null, GroupmsgNospeakingTime: 0 }));
    assert.deepEqual(await getMute(s, 'alice'), [0, 0]);
  });
});

test('4294967295 is permanent: reported as such whatever the clock does', async () => {
  await withServer(['alice'], async (s) => {
    expectOk(
      await setMute(s, { Set_Account: 'alice', C2CmsgNospeakingTime: MAX_U32, GroupmsgNospeakingTime: MAX_U32 - 1 }),
    );
    assert.deepEqual(await getMute(s, 'alice'), [MAX_U32, MAX_U32 - 1]);
    s.clock.advance(10 * 365 * 86400 * 1000);
    const [c2c, group] = await getMute(s, 'alice');
    assert.equal(c2c, MAX_U32, 'permanent');
    assert.equal(group, MAX_U32 - 1 - 10 * 365 * 86400, 'one second less is a duration');
  });
});

test('setnospeaking: every documented code, and a refused call writes nothing', async () => {
  await withServer(['alice'], async (s) => {
    const cases: Array<[unknown, number, string]> = [
      [{ C2CmsgNospeakingTime: 10 }, ErrorCode.SET_ACCOUNT_MISSING, 'Set_Account missing'],
      [{ Set_Account: null, C2CmsgNospeakingTime: 10 }, ErrorCode.SET_ACCOUNT_MISSING, 'Set_Account null'],
      [{ Set_Account: 7, C2CmsgNospeakingTime: 10 }, ErrorCode.SET_ACCOUNT_INVALID, 'Set_Account not a string'],
      [{ Set_Account: 'nobody', C2CmsgNospeakingTime: 10 }, ErrorCode.SET_ACCOUNT_INVALID, 'Set_Account unknown'],
      [{ Set_Account: '', C2CmsgNospeakingTime: 10 }, ErrorCode.SET_ACCOUNT_INVALID, 'Set_Account empty'],
      [{ Set_Account: 'alice' }, ErrorCode.NOSPEAKING_TIME_MISSING, 'neither time'],
      [
        { Set_Account: 'alice', C2CmsgNospeakingTime: null, GroupmsgNospeakingTime: null },
        ErrorCode.NOSPEAKING_TIME_MISSING,
        'both null',
      ],
      [{ Set_Account: 'alice', C2CmsgNospeakingTime: '10' }, ErrorCode.CONFIG_JSON_INVALID, 'time as a string'],
      [{ Set_Account: 'alice', C2CmsgNospeakingTime: -1 }, ErrorCode.CONFIG_JSON_INVALID, 'negative time'],
      [{ Set_Account: 'alice', C2CmsgNospeakingTime: MAX_U32 + 1 }, ErrorCode.CONFIG_JSON_INVALID, 'time over u32'],
      [{ Set_Account: 'alice', GroupmsgNospeakingTime: 1.5 }, ErrorCode.CONFIG_JSON_INVALID, 'fractional time'],
      [
        { Set_Account: 'alice', C2CmsgNospeakingTime: 10, GroupmsgNospeakingTime: true },
        ErrorCode.CONFIG_JSON_INVALID,
        'one bad time fails both',
      ],
    ];
    for (const [body, code, what] of cases) {
      const before = snapshot(s);
      expectFail(await setMute(s, body as Record<string, unknown>), code, what);
      assert.deepEqual(snapshot(s), before, `${what}: nothing written`);
    }
    for (const raw of ['{"Set_Account": ', 'not json', '[1]', '']) {
      expectFail(
        await config(s, 'setnospeaking', raw, true),
        ErrorCode.CONFIG_JSON_INVALID,
        `body ${JSON.stringify(raw)}`,
      );
    }
    assert.deepEqual(await getMute(s, 'alice'), [0, 0]);
  });
});

test('getnospeaking: every documented code', async () => {
  await withServer(['alice'], async (s) => {
    expectFail(await config(s, 'getnospeaking', {}), ErrorCode.GET_ACCOUNT_MISSING, 'missing');
    expectFail(
      await config(s, 'getnospeaking', { Get_Account: ['alice'] }),
      ErrorCode.GET_ACCOUNT_INVALID,
      'not a string',
    );
    expectFail(await config(s, 'getnospeaking', { Get_Account: 'nobody' }), ErrorCode.GET_ACCOUNT_INVALID, 'unknown');
    expectFail(
      await config(s, 'getnospeaking', { Get_Account: '__proto__' }),
      ErrorCode.GET_ACCOUNT_INVALID,
      'a prototype name',
    );
    expectFail(await config(s, 'getnospeaking', 'nope', true), ErrorCode.CONFIG_JSON_INVALID, 'not JSON');
  });
});

test('openconfigsvr: a non-admin gets 60010; the rate limit answers 60007 without executing', async () => {
  await withServer(['alice'], async (s) => {
    const asAlice = await s.call(
      'openconfigsvr/setnospeaking',
      { Set_Account: 'alice', C2CmsgNospeakingTime: 10 },
      { identifier: 'alice', usersig: s.sig('alice') },
    );
    expectFail(asAlice, ErrorCode.ADMIN_REQUIRED, 'not an admin');
    assert.deepEqual(await getMute(s, 'alice'), [0, 0]);
  });
  await withServer(
    ['alice'],
    async (s) => {
      expectOk(await setMute(s, { Set_Account: 'alice', C2CmsgNospeakingTime: 10 }));
      expectFail(
        await setMute(s, { Set_Account: 'alice', C2CmsgNospeakingTime: 20 }),
        60007,
        'second call in the second',
      );
      s.clock.advance(5000);
      assert.deepEqual(await getMute(s, 'alice'), [5, 0], 'the refused call did not execute');
    },
    { rateLimits: { 'openconfigsvr/setnospeaking': 1 } },
  );
});

test('a C2C-muted account: its client sends get 20012 and store nothing; REST sends go through; the mute runs out by the clock', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    expectOk(await setMute(s, { Set_Account: 'alice', C2CmsgNospeakingTime: 60 }));
    const alice = await WsClient.login(s, 'alice');
    const bob = await WsClient.login(s, 'bob');
    try {
      const before = snapshot(s);
      const refused = await alice.request('send', { to: 'bob', random: 1, body: text('while muted') });
      assert.equal(refused.code, ErrorCode.SENDER_MUTED, refused.message);
      assert.match(refused.message ?? '', /muted for another 60 s/);
      assert.deepEqual(snapshot(s), before, 'nothing stored, queued or enqueued');
      assert.deepEqual(
        (await events(s, 'bob')).filter((e) => e.kind === 'message'),
        [],
      );

      // Tencent: the REST send APIs do not check mutes.
      const rest = await send(s, 'alice', 'bob', 'sent by the admin as alice');
      // A second apart: within one second history orders by MsgSeq, which is random here.
      s.clock.advance(1000);
      // Bob may still answer: only alice is muted.
      assert.equal((await bob.request('send', { to: 'alice', random: 2, body: text('hi alice') })).code, 0);

      s.clock.advance(59_000);
      const after = await alice.request('send', { to: 'bob', random: 3, body: text('free again') });
      assert.equal(after.code, 0, after.message);
      const list = await history(s, 'bob', 'alice');
      assert.deepEqual(
        list.map((m) => m.MsgBody),
        [text('sent by the admin as alice'), text('hi alice'), text('free again')],
      );
      assert.equal(list[0]!.MsgKey, rest.MsgKey);
    } finally {
      await alice.close();
      await bob.close();
    }
  });
});

test('a group mute alone does not stop one-to-one sends (Parley has no groups)', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    expectOk(await setMute(s, { Set_Account: 'alice', GroupmsgNospeakingTime: MAX_U32 }));
    const alice = await WsClient.login(s, 'alice');
    try {
      assert.equal((await alice.request('send', { to: 'bob', random: 1, body: text('one to one') })).code, 0);
    } finally {
      await alice.close();
    }
  });
});

test('recall is not a send: the admin and the muted sender itself can still recall', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const alice = await WsClient.login(s, 'alice');
    try {
      const one = await alice.request('send', { to: 'bob', random: 1, body: text('one') });
      const two = await alice.request('send', { to: 'bob', random: 2, body: text('two') });
      expectOk(await setMute(s, { Set_Account: 'alice', C2CmsgNospeakingTime: MAX_U32 }));
      const own = await alice.request('recall', { to: 'bob', msgKey: one.data.message.msgKey });
      assert.equal(own.code, 0, own.message);
      const admin = await s.call('openim/admin_msgwithdraw', {
        From_Account: 'alice',
        To_Account: 'bob',
        MsgKey: two.data.message.msgKey,
      });
      expectOk(admin);
      assert.deepEqual(
        (await history(s, 'bob', 'alice')).map((m) => m.MsgFlagBits),
        [8, 8],
      );
      assert.equal(
        (await alice.request('send', { to: 'bob', random: 3, body: text('three') })).code,
        ErrorCode.SENDER_MUTED,
      );
    } finally {
      await alice.close();
    }
  });
});

test('account_delete lifts the mutes: a re-imported account starts unmuted', async () => {
  await withServer(['alice'], async (s) => {
    expectOk(await setMute(s, { Set_Account: 'alice', C2CmsgNospeakingTime: MAX_U32, GroupmsgNospeakingTime: 100 }));
    const del = await s.call('im_open_login_svc/account_delete', { DeleteItem: [{ UserID: 'alice' }] });
    assert.equal(del.ErrorCode, 0, del.ErrorInfo);
    expectFail(await config(s, 'getnospeaking', { Get_Account: 'alice' }), ErrorCode.GET_ACCOUNT_INVALID, 'deleted');
    assert.equal((await s.call('im_open_login_svc/account_import', { UserID: 'alice' })).ErrorCode, 0);
    assert.deepEqual(await getMute(s, 'alice'), [0, 0]);
  });
});
