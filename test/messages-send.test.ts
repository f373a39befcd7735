// sendmsg, batchsendmsg, importmsg (spec §4.1–4.3, §5; decisions in shared/spec/README.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, T0, withServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';
import type { BusNotice } from '../src/ports/bus.js';
import {
  BAD_JSON,
  MAX_U32,
  app,
  call,
  db,
  events,
  expectFail,
  expectOk,
  expectRejected,
  history,
  messageCount,
  messageEvents,
  send,
  snapshot,
  unread,
} from './helpers/messages.js';
import { text } from './helpers/rest.js';

// ---- samples ------------------------------------------------------------------------------

/** One valid element of every type of §5, with the fields REST senders must give. */
const ELEMENTS: Record<string, Record<string, unknown>> = {
  TIMTextElem: { Text: 'hello world' },
  TIMLocationElem: { Desc: 'Shenzhen', Latitude: 22.546866, Longitude: 113.934486 },
  TIMFaceElem: { Index: 1, Data: 'content' },
  TIMCustomElem: { Data: 'message', Desc: 'notification', Ext: 'url', Sound: 'dingdong.aiff' },
  TIMSoundElem: { Url: 'https://example.com/a.mp3', UUID: '305c0201', Size: 62351, Second: 1, Download_Flag: 2 },
  TIMImageElem: {
    UUID: '1853095_D61040894AC3DE44CDFFFB3EC7EB720F',
    ImageFormat: 1,
    ImageInfoArray: [
      { Type: 1, Size: 1853095, Width: 2448, Height: 3264, URL: 'https://example.com/img/1' },
      { Type: 2, Size: 2565240, Width: 0, Height: 0, URL: 'https://example.com/img/2' },
      { Type: 3, Size: 12535, Width: 150, Height: 200, URL: 'https://example.com/img/3' },
    ],
  },
  TIMFileElem: {
    Url: 'https://example.com/f.txt',
    UUID: 'file-uuid',
    FileSize: 1773552,
    FileName: 'file:///tmp/f.txt',
    Download_Flag: 2,
  },
  TIMVideoFileElem: {
    VideoUrl: 'https://example.com/v.mp4',
    VideoUUID: 'video-uuid',
    VideoSize: 1194603,
    VideoSecond: 5,
    VideoFormat: 'mp4',
    VideoDownloadFlag: 2,
    ThumbUrl: 'https://example.com/t.jpg',
    ThumbUUID: 'thumb-uuid',
    ThumbSize: 13907,
    ThumbWidth: 720,
    ThumbHeight: 1280,
    ThumbFormat: 'JPG',
    ThumbDownloadFlag: 2,
  },
  TIMRelayElem: {
    Title: 'Chat history of alice and bob',
    MsgNum: 2,
    CompatibleText: 'upgrade to see merged messages',
    AbstractList: ['alice: hi', 'bob: hello'],
    MsgList: [
      {
        From_Account: 'alice',
        To_Account: 'bob',
        MsgSeq: 1,
        MsgRandom: 2,
        MsgTimeStamp: T0 - 10,
        MsgBody: text('hi'),
        CloudCustomData: '',
      },
      {
        From_Account: 'bob',
        To_Account: 'alice',
        MsgSeq: 2,
        MsgRandom: 3,
        MsgTimeStamp: T0 - 5,
        MsgBody: text('hello'),
        CloudCustomData: '',
      },
    ],
  },
};
const el = (type: string, content: unknown = ELEMENTS[type]) => ({ MsgType: type, MsgContent: content });

/** MsgBody values that must be refused, with their codes (shared by every API that stores a body). */
const BAD_BODIES: Array<[string, unknown, number]> = [
  ['not an array (string)', 'hello', 90007],
  ['not an array (object)', { MsgType: 'TIMTextElem', MsgContent: { Text: 'a' } }, 90007],
  ['not an array (number)', 5, 90007],
  ['empty array', [], 90002],
  ['element is a string', ['hello'], 90002],
  ['element is an array', [[]], 90002],
  ['element without MsgContent', [{ MsgType: 'TIMTextElem' }], 90002],
  ['element without MsgType', [{ MsgContent: { Text: 'a' } }], 90002],
  ['MsgType not a string', [{ MsgType: 1, MsgContent: { Text: 'a' } }], 90002],
  ['MsgContent an array', [{ MsgType: 'TIMTextElem', MsgContent: ['a'] }], 90002],
  ['unknown MsgType', [el('TIMNopeElem', { Text: 'a' })], 90002],
  ['lower-case MsgType', [el('timtextelem', { Text: 'a' })], 90002],
  ['two TIMCustomElem', [el('TIMCustomElem', { Data: '1' }), el('TIMCustomElem', { Data: '2' })], 90002],
  ['a valid element then a bad one', [el('TIMTextElem'), 'x'], 90002],
  ['TIMTextElem without Text', [el('TIMTextElem', {})], 90010],
  ['TIMTextElem Text a number', [el('TIMTextElem', { Text: 5 })], 90010],
  [
    'TIMLocationElem Latitude a string',
    [el('TIMLocationElem', { Desc: 'x', Latitude: '22.5', Longitude: 113.9 })],
    90010,
  ],
  ['TIMLocationElem without Longitude', [el('TIMLocationElem', { Desc: 'x', Latitude: 22.5 })], 90010],
  ['TIMFaceElem Index a string', [el('TIMFaceElem', { Index: '1' })], 90010],
  ['TIMCustomElem Data a number', [el('TIMCustomElem', { Data: 5 })], 90010],
  ['TIMSoundElem without UUID', [el('TIMSoundElem', { Url: 'u', Download_Flag: 2 })], 90010],
  ['TIMImageElem ImageInfoArray not an array', [el('TIMImageElem', { UUID: 'u', ImageInfoArray: {} })], 90010],
  [
    'TIMImageElem ImageInfoArray item Width a string',
    [el('TIMImageElem', { UUID: 'u', ImageInfoArray: [{ Type: 1, Width: '1' }] })],
    90010,
  ],
  ['TIMFileElem FileName a number', [el('TIMFileElem', { UUID: 'u', FileName: 5 })], 90010],
  ['TIMVideoFileElem without ThumbUUID', [el('TIMVideoFileElem', { VideoUUID: 'v' })], 90010],
  ['TIMRelayElem MsgNum a string', [el('TIMRelayElem', { MsgNum: '2' })], 90010],
];

/** A request body whose JSON is exactly `bytes` long, by padding a text element. */
function bodyOfSize(base: Record<string, unknown>, bytes: number): Record<string, unknown> {
  const make = (n: number) => ({ ...base, MsgBody: text('x'.repeat(n)) });
  const n = bytes - Buffer.byteLength(JSON.stringify(make(0)));
  const b = make(n);
  assert.equal(Buffer.byteLength(JSON.stringify(b)), bytes);
  return b;
}

const USERS = ['alice', 'bob', 'carol', 'dave'];
const conversation = (s: TestServer, owner: string, peer: string) => s.parley.store.conversation(app(s), owner, peer);

// ---- sendmsg ------------------------------------------------------------------------------

test('sendmsg answers MsgTime and MsgKey "{MsgSeq}_{MsgRandom}_{MsgTime}" and stores every field both users see', async () => {
  await withServer(USERS, async (s) => {
    s.clock.advance(1500); // T0 + 1.5 s: MsgTime is whole seconds of the server clock
    const r = await call(s, 'sendmsg', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgSeq: 7,
      MsgRandom: 99,
      MsgBody: text('hi bob'),
      CloudCustomData: 'cloud data',
    });
    assert.deepEqual(r, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0, MsgTime: T0 + 1, MsgKey: `7_99_${T0 + 1}` });
    const expected = {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgSeq: 7,
      MsgRandom: 99,
      MsgTimeStamp: T0 + 1,
      MsgFlagBits: 0,
      IsPeerRead: 0,
      MsgKey: `7_99_${T0 + 1}`,
      MsgBody: text('hi bob'),
      CloudCustomData: 'cloud data',
    };
    assert.deepEqual(await history(s, 'bob', 'alice'), [expected]);
    assert.deepEqual(await history(s, 'alice', 'bob'), [expected]);
    // Nobody else's conversation holds it.
    assert.deepEqual(await history(s, 'carol', 'alice'), []);
    assert.deepEqual(await history(s, 'carol', 'bob'), []);
    assert.equal((await unread(s, 'bob', ['alice'])).perPeer.alice, 1);
    assert.equal((await unread(s, 'alice')).total, 0, 'the sender has nothing unread');
    const stored = (await events(s, 'bob')).find((e) => e.kind === 'message')!.message!;
    assert.equal(stored.origin, 'sendmsg');
    assert.equal(stored.lifeTime, 604800, 'MsgLifeTime defaults to 7 days');
    assert.equal(stored.needReadReceipt, false);
    assert.equal(stored.supportExtension, false);
    assert.equal(stored.offlinePushInfo, undefined);
  });
});

test('sendmsg without CloudCustomData stores "" and without From_Account sends as the admin', async () => {
  await withServer(USERS, async (s) => {
    const r = await call(s, 'sendmsg', { To_Account: 'bob', MsgSeq: 1, MsgRandom: 2, MsgBody: text('from the admin') });
    expectOk(r);
    const [m] = await history(s, 'bob', ADMIN);
    assert.equal(m!.From_Account, ADMIN);
    assert.equal(m!.To_Account, 'bob');
    assert.equal(m!.CloudCustomData, '');
    assert.equal(m!.MsgKey, r.MsgKey);
    assert.deepEqual(await history(s, 'bob', 'alice'), []);
  });
});

test("sendmsg SyncOtherMachine 1, 2 and absent as seen in both users' history and event queues", async () => {
  await withServer(USERS, async (s) => {
    // 2 first, alone in a new conversation: the sender gets no conversation at all.
    const two = await send(s, 'alice', 'bob', 'sync 2', { SyncOtherMachine: 2, MsgSeq: 2 });
    assert.equal(
      await conversation(s, 'alice', 'bob'),
      undefined,
      'SyncOtherMachine 2 leaves the sender without the conversation',
    );
    assert.equal((await conversation(s, 'bob', 'alice'))?.lastMessage?.seq, 2);
    s.clock.advance(1000);
    const absent = await send(s, 'alice', 'bob', 'sync absent', { MsgSeq: 3 });
    s.clock.advance(1000);
    const one = await send(s, 'alice', 'bob', 'sync 1', { SyncOtherMachine: 1, MsgSeq: 1 });

    const keys = (list: Array<{ MsgKey: string }>) => list.map((m) => m.MsgKey);
    assert.deepEqual(
      keys(await history(s, 'bob', 'alice')),
      [two.MsgKey, absent.MsgKey, one.MsgKey],
      'the recipient has all three',
    );
    assert.deepEqual(
      keys(await history(s, 'alice', 'bob')),
      [absent.MsgKey, one.MsgKey],
      "the sender's roaming lacks the SyncOtherMachine 2 message",
    );
    // Offline queues: the recipient gets every message; the sender's devices only the SyncOtherMachine 1 one.
    assert.deepEqual(await messageEvents(s, 'bob'), [two.MsgKey, absent.MsgKey, one.MsgKey]);
    assert.deepEqual(await messageEvents(s, 'alice'), [one.MsgKey]);
  });
});

test('sendmsg MsgLifeTime 0 is pushed to online devices only: no history, no unread, no offline event, no conversation', async () => {
  await withServer(USERS, async (s) => {
    const notices: BusNotice[] = [];
    s.parley.services.bus.subscribe((n) => notices.push(n));
    const r = await send(s, 'alice', 'bob', 'online only', {
      MsgLifeTime: 0,
      MsgSeq: 5,
      MsgRandom: 6,
      SyncOtherMachine: 1,
    });
    assert.equal(r.MsgKey, `5_6_${T0}`);
    assert.deepEqual(await history(s, 'bob', 'alice'), []);
    assert.deepEqual(await history(s, 'alice', 'bob'), []);
    assert.equal((await unread(s, 'bob')).total, 0);
    assert.deepEqual(await events(s, 'bob'), []);
    assert.deepEqual(await events(s, 'alice'), []);
    assert.equal(await conversation(s, 'bob', 'alice'), undefined);
    const online = notices.filter((n) => n.kind === 'online-message');
    assert.deepEqual(
      online.map((n) => n.user).sort(),
      ['alice', 'bob'],
      'pushed to the online devices of both (SyncOtherMachine 1)',
    );
    for (const n of online) assert.deepEqual(n.kind === 'online-message' && n.message.body, text('online only'));
    // A normal message afterwards is unaffected.
    await send(s, 'alice', 'bob', 'stored');
    assert.equal((await history(s, 'bob', 'alice')).length, 1);
  });
});

test('sendmsg MsgLifeTime bounds the offline queue (clamped at 604800) but not the history', async () => {
  await withServer(USERS, async (s) => {
    const short = await send(s, 'alice', 'bob', 'short', { MsgLifeTime: 100, MsgSeq: 1 });
    const long = await send(s, 'alice', 'bob', 'long', { MsgLifeTime: 10_000_000, MsgSeq: 2 });
    const dflt = await send(s, 'alice', 'bob', 'default', { MsgSeq: 3 });
    const lifeTimes = (await events(s, 'bob')).map((e) => e.message!.lifeTime);
    assert.deepEqual(lifeTimes, [100, 604800, 604800], 'a lifetime over 7 days is clamped to 604800');
    s.clock.set((T0 + 100) * 1000);
    assert.deepEqual(await messageEvents(s, 'bob'), [short.MsgKey, long.MsgKey, dflt.MsgKey]);
    s.clock.set((T0 + 101) * 1000);
    assert.deepEqual(
      await messageEvents(s, 'bob'),
      [long.MsgKey, dflt.MsgKey],
      'a 100 s message leaves the offline queue after 100 s',
    );
    s.clock.set((T0 + 604800) * 1000);
    assert.deepEqual(await messageEvents(s, 'bob'), [long.MsgKey, dflt.MsgKey]);
    s.clock.set((T0 + 604801) * 1000);
    assert.deepEqual(await messageEvents(s, 'bob'), [], 'the clamped message expires with the 7-day one');
    assert.equal((await history(s, 'bob', 'alice')).length, 3, 'offline retention does not remove history');
  });
});

test('sendmsg without MsgSeq gets a random u32 MsgSeq, and MsgKey and history agree on it', async () => {
  await withServer(USERS, async (s) => {
    const keys: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await call(s, 'sendmsg', {
        From_Account: 'alice',
        To_Account: 'bob',
        MsgRandom: 42,
        MsgBody: text(`m${i}`),
      });
      expectOk(r);
      const m = /^(\d+)_42_(\d+)$/.exec(r.MsgKey);
      assert.ok(m, r.MsgKey);
      assert.ok(Number(m[1]) <= MAX_U32);
      assert.equal(Number(m[2]), T0);
      keys.push(r.MsgKey);
    }
    assert.ok(new Set(keys).size >= 5, `random MsgSeq values repeat: ${keys.join(' ')}`);
    const list = await history(s, 'bob', 'alice');
    assert.equal(list.length, 6, 'same MsgRandom and second but different MsgSeq: six messages');
    for (const m of list) assert.equal(m.MsgKey, `${m.MsgSeq}_42_${T0}`);
    assert.deepEqual(list.map((m) => m.MsgKey).sort(), [...keys].sort());
  });
});

test('sendmsg resent with the same sender, recipient, MsgSeq and MsgRandom in the same second is stored once', async () => {
  await withServer(USERS, async (s) => {
    s.clock.advance(200);
    const body = { From_Account: 'alice', To_Account: 'bob', MsgSeq: 11, MsgRandom: 22 };
    const first = await call(s, 'sendmsg', { ...body, MsgBody: text('original') });
    expectOk(first);
    s.clock.advance(700); // still the same second
    const again = await call(s, 'sendmsg', { ...body, MsgBody: text('retry with other content') });
    assert.deepEqual(again, first, 'the resend gets the same answer');
    const list = await history(s, 'bob', 'alice');
    assert.equal(list.length, 1);
    assert.deepEqual(list[0]!.MsgBody, text('original'), 'the first copy stays');
    assert.equal((await unread(s, 'bob')).total, 1, 'counted unread once');
    assert.deepEqual(await messageEvents(s, 'bob'), [first.MsgKey], 'queued once');
    // Any difference makes it another message.
    const other = [
      await call(s, 'sendmsg', { ...body, To_Account: 'carol', MsgBody: text('to carol') }),
      await call(s, 'sendmsg', { ...body, From_Account: 'carol', MsgBody: text('from carol') }),
      await call(s, 'sendmsg', { ...body, MsgRandom: 23, MsgBody: text('other random') }),
      await call(s, 'sendmsg', { ...body, MsgSeq: 12, MsgBody: text('other seq') }),
    ];
    other.forEach(expectOk);
    s.clock.advance(100); // the next second
    const later = await call(s, 'sendmsg', { ...body, MsgBody: text('next second') });
    expectOk(later);
    assert.notEqual(later.MsgKey, first.MsgKey);
    assert.equal(later.MsgKey, `11_22_${T0 + 1}`);
    assert.equal((await history(s, 'bob', 'alice')).length, 4);
    assert.equal((await unread(s, 'bob')).total, 5);
    assert.equal(messageCount(s), 6);
  });
});

test('sendmsg SendMsgControl NoUnread: delivered and in history but not counted unread', async () => {
  await withServer(USERS, async (s) => {
    const quiet = await send(s, 'alice', 'bob', 'quiet', { SendMsgControl: ['NoUnread'] });
    assert.equal((await unread(s, 'bob', ['alice'])).perPeer.alice, 0);
    assert.equal((await conversation(s, 'bob', 'alice'))!.unread, 0);
    assert.deepEqual(await messageEvents(s, 'bob'), [quiet.MsgKey]);
    assert.equal((await history(s, 'bob', 'alice')).length, 1);
    await send(s, 'alice', 'bob', 'loud');
    const u = await unread(s, 'bob', ['alice']);
    assert.equal(u.total, 1);
    assert.equal(u.perPeer.alice, 1);
  });
});

test("sendmsg SendMsgControl NoLastMsg leaves both users' conversation last message as it was", async () => {
  await withServer(USERS, async (s) => {
    const first = await send(s, 'alice', 'bob', 'first', { MsgSeq: 1 });
    s.clock.advance(1000);
    await send(s, 'alice', 'bob', 'silent', { MsgSeq: 2, SendMsgControl: ['NoLastMsg'] });
    for (const [o, p] of [
      ['bob', 'alice'],
      ['alice', 'bob'],
    ] as const) {
      const c = await conversation(s, o, p);
      assert.equal(c!.lastMessage!.seq, 1, `${o}'s conversation keeps the earlier last message`);
      assert.deepEqual(c!.lastMessage!.body, text('first'));
    }
    assert.equal((await history(s, 'bob', 'alice')).length, 2, 'the message itself is stored');
    assert.equal((await unread(s, 'bob')).total, 2, 'NoLastMsg alone still counts unread');
    // A NoLastMsg message in a new conversation: the conversation exists without a last message.
    await send(s, 'carol', 'dave', 'hidden', { SendMsgControl: ['NoLastMsg', 'NoUnread', 'WithMuteNotifications'] });
    assert.equal((await conversation(s, 'dave', 'carol'))!.lastMessage, undefined);
    s.clock.advance(1000);
    const third = await send(s, 'alice', 'bob', 'third', { MsgSeq: 3 });
    assert.equal((await conversation(s, 'bob', 'alice'))!.lastMessage!.seq, 3);
    assert.equal((await conversation(s, 'alice', 'bob'))!.lastMessage!.time, third.MsgTime);
    assert.equal(first.MsgTime, T0);
  });
});

test('sendmsg stores OfflinePushInfo, IsNeedReadReceipt and SupportMessageExtension with the message', async () => {
  await withServer(USERS, async (s) => {
    const push = {
      PushFlag: 0,
      Title: 'title',
      Desc: 'push text',
      Ext: '{"k":"v"}',
      AndroidInfo: { Sound: 'a.mp3', HuaWeiChannelID: 'c', VIVOClassification: 1 },
      ApnsInfo: {
        Sound: 'b.aiff',
        BadgeMode: 1,
        Title: 't',
        SubTitle: 's',
        Image: 'https://example.com/i',
        MutableContent: 1,
      },
    };
    await send(s, 'alice', 'bob', 'full', {
      OfflinePushInfo: push,
      IsNeedReadReceipt: 1,
      SupportMessageExtension: 1,
      ForbidCallbackControl: ['ForbidBeforeSendMsgCallback', 'ForbidAfterSendMsgCallback'],
    });
    await send(s, 'alice', 'bob', 'flags off', {
      IsNeedReadReceipt: 0,
      SupportMessageExtension: 0,
      OfflinePushInfo: { PushFlag: 1 },
    });
    const [full, off] = (await events(s, 'bob')).map((e) => e.message!);
    assert.deepEqual(full!.offlinePushInfo, push);
    assert.equal(full!.needReadReceipt, true);
    assert.equal(full!.supportExtension, true);
    assert.deepEqual(off!.offlinePushInfo, { PushFlag: 1 });
    assert.equal(off!.needReadReceipt, false);
    assert.equal(off!.supportExtension, false);
  });
});

test('sendmsg accepts every element type of §5, alone and combined in order', async () => {
  await withServer(USERS, async (s) => {
    const types = Object.keys(ELEMENTS);
    assert.equal(types.length, 9);
    for (const t of types) {
      const r = await call(s, 'sendmsg', {
        From_Account: 'alice',
        To_Account: 'bob',
        MsgRandom: 1,
        MsgSeq: types.indexOf(t),
        MsgBody: [el(t)],
      });
      assert.equal(r.ErrorCode, 0, `${t}: ${r.ErrorInfo}`);
    }
    // Several elements in one message, one TIMCustomElem among them.
    const combined = types.map((t) => el(t));
    const r = await call(s, 'sendmsg', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgRandom: 1,
      MsgSeq: 100,
      MsgBody: combined,
    });
    expectOk(r);
    const list = await history(s, 'bob', 'alice');
    assert.deepEqual(
      list.map((m) => m.MsgBody),
      [...types.map((t) => [el(t)]), combined],
      'bodies come back as sent, in order',
    );
    // Optional fields may be left out.
    const minimal = [
      el('TIMCustomElem', {}),
      el('TIMFaceElem', { Index: 0 }),
      el('TIMRelayElem', {}),
      el('TIMImageElem', { UUID: 'u', ImageInfoArray: [] }),
    ];
    expectOk(
      await call(s, 'sendmsg', {
        From_Account: 'alice',
        To_Account: 'bob',
        MsgRandom: 1,
        MsgSeq: 101,
        MsgBody: minimal,
      }),
    );
  });
});

test('sendmsg refuses each malformed field with its code and writes nothing', async () => {
  await withServer(USERS, async (s) => {
    await send(s, 'alice', 'bob', 'an earlier message'); // so "nothing written" compares against a non-empty store
    const ok = { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: text('x') };
    const cases: Array<[string, Record<string, unknown>, number]> = [
      ['To_Account missing', { ...ok, To_Account: undefined }, 90003],
      ['To_Account not a string', { ...ok, To_Account: ['bob'] }, 90003],
      ['To_Account empty', { ...ok, To_Account: '' }, 90003],
      ['To_Account unknown', { ...ok, To_Account: 'ghost' }, 90012],
      ['From_Account unknown', { ...ok, From_Account: 'ghost' }, 90008],
      ['From_Account not a string', { ...ok, From_Account: 7 }, 90008],
      ['From_Account over 32 bytes', { ...ok, From_Account: 'a'.repeat(33) }, 90008],
      ['both unknown', { ...ok, From_Account: 'ghost', To_Account: 'ghost2' }, 90008],
      ['MsgRandom missing', { ...ok, MsgRandom: undefined }, 90005],
      ['MsgRandom a string', { ...ok, MsgRandom: '1' }, 90005],
      ['MsgRandom negative', { ...ok, MsgRandom: -1 }, 90005],
      ['MsgRandom over u32', { ...ok, MsgRandom: MAX_U32 + 1 }, 90005],
      ['MsgSeq a string', { ...ok, MsgSeq: '1' }, 90004],
      ['MsgSeq fractional', { ...ok, MsgSeq: 1.5 }, 90004],
      ['MsgSeq negative', { ...ok, MsgSeq: -1 }, 90004],
      ['MsgSeq over u32', { ...ok, MsgSeq: MAX_U32 + 1 }, 90004],
      ['MsgLifeTime a string', { ...ok, MsgLifeTime: '60' }, 90044],
      ['MsgLifeTime fractional', { ...ok, MsgLifeTime: 1.5 }, 90044],
      ['MsgLifeTime negative', { ...ok, MsgLifeTime: -1 }, 90026],
      ['SyncOtherMachine 0', { ...ok, SyncOtherMachine: 0 }, 90031],
      ['SyncOtherMachine 3', { ...ok, SyncOtherMachine: 3 }, 90031],
      ['SyncOtherMachine a string', { ...ok, SyncOtherMachine: '1' }, 90031],
      ['MsgBody missing', { ...ok, MsgBody: undefined }, 90007],
      ['CloudCustomData a number', { ...ok, CloudCustomData: 5 }, 90010],
      ['CloudCustomData an object', { ...ok, CloudCustomData: { a: 1 } }, 90010],
      ['OfflinePushInfo a string', { ...ok, OfflinePushInfo: 'push' }, 90043],
      ['OfflinePushInfo an array', { ...ok, OfflinePushInfo: [] }, 90043],
      ['OfflinePushInfo.PushFlag a string', { ...ok, OfflinePushInfo: { PushFlag: '1' } }, 90043],
      ['OfflinePushInfo.PushFlag 2', { ...ok, OfflinePushInfo: { PushFlag: 2 } }, 90043],
      ['OfflinePushInfo.Desc a number', { ...ok, OfflinePushInfo: { Desc: 5 } }, 90043],
      ['OfflinePushInfo.AndroidInfo a string', { ...ok, OfflinePushInfo: { AndroidInfo: 'x' } }, 90043],
      ['OfflinePushInfo.ApnsInfo an array', { ...ok, OfflinePushInfo: { ApnsInfo: [] } }, 90043],
      ['SendMsgControl a string', { ...ok, SendMsgControl: 'NoUnread' }, 90010],
      ['ForbidCallbackControl a string', { ...ok, ForbidCallbackControl: 'ForbidBeforeSendMsgCallback' }, 90010],
      ['IsNeedReadReceipt 2', { ...ok, IsNeedReadReceipt: 2 }, 90010],
      ['SupportMessageExtension a string', { ...ok, SupportMessageExtension: '1' }, 90010],
      ...BAD_BODIES.map(([what, body, code]): [string, Record<string, unknown>, number] => [
        `MsgBody ${what}`,
        { ...ok, MsgBody: body },
        code,
      ]),
    ];
    for (const [what, body, code] of cases) await expectRejected(s, 'sendmsg', body, code, what);
    for (const raw of BAD_JSON) await expectRejected(s, 'sendmsg', raw, 90001, `body ${JSON.stringify(raw)}`);
    // A valid signature of a non-admin identifier.
    const before = snapshot(s);
    expectFail(
      await s.call('openim/sendmsg', ok, { identifier: 'alice', usersig: s.sig('alice') }),
      90009,
      'non-admin',
    );
    assert.deepEqual(snapshot(s), before);
    assert.equal(messageCount(s), 1);
  });
});

test('sendmsg takes up to 12 KB of request JSON; one byte more is 93000', async () => {
  await withServer(USERS, async (s) => {
    const base = { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgSeq: 1 };
    expectOk(await call(s, 'sendmsg', bodyOfSize(base, 12 * 1024)));
    await expectRejected(s, 'sendmsg', bodyOfSize({ ...base, MsgSeq: 2 }, 12 * 1024 + 1), 93000, '12 KB + 1');
    await expectRejected(s, 'sendmsg', bodyOfSize({ ...base, MsgSeq: 3 }, 100 * 1024), 93000, '100 KB');
    // Multi-byte text counts in bytes, not characters: 5000 × "中" is 15000 bytes.
    await expectRejected(s, 'sendmsg', { ...base, MsgSeq: 4, MsgBody: text('中'.repeat(5000)) }, 93000, 'CJK text');
    const list = await history(s, 'bob', 'alice');
    assert.equal(list.length, 1);
    assert.equal(list[0]!.MsgSeq, 1);
  });
});

// ---- batchsendmsg -------------------------------------------------------------------------

test('batchsendmsg stores one copy per recipient under one MsgKey', async () => {
  await withServer(USERS, async (s) => {
    s.clock.advance(3000);
    const r = await call(s, 'batchsendmsg', {
      From_Account: 'alice',
      To_Account: ['bob', 'carol', 'dave', 'bob'],
      MsgSeq: 5,
      MsgRandom: 6,
      MsgBody: text('to all'),
      CloudCustomData: 'cc',
    });
    assert.deepEqual(r, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0, MsgKey: `5_6_${T0 + 3}` });
    for (const u of ['bob', 'carol', 'dave']) {
      const expected: unknown[] = [
        {
          From_Account: 'alice',
          To_Account: u,
          MsgSeq: 5,
          MsgRandom: 6,
          MsgTimeStamp: T0 + 3,
          MsgFlagBits: 0,
          IsPeerRead: 0,
          MsgKey: r.MsgKey,
          MsgBody: text('to all'),
          CloudCustomData: 'cc',
        },
      ];
      assert.deepEqual(await history(s, u, 'alice'), expected, `${u}'s copy`);
      assert.deepEqual(await history(s, 'alice', u), expected, `alice's view of the copy to ${u}`);
      assert.equal((await unread(s, u)).total, 1, `${u} has one unread (a repeated recipient gets one copy)`);
      assert.deepEqual(await messageEvents(s, u), [r.MsgKey]);
      assert.equal((await events(s, u))[0]!.message!.origin, 'batchsendmsg');
    }
    assert.equal(messageCount(s), 3);
    assert.deepEqual(await messageEvents(s, 'alice'), [], "no SyncOtherMachine: the sender's devices get nothing");
  });
});

test('batchsendmsg without MsgSeq gives all copies the same random MsgSeq; without From_Account the admin sends', async () => {
  await withServer(USERS, async (s) => {
    const r = await call(s, 'batchsendmsg', { To_Account: ['bob', 'carol'], MsgRandom: 77, MsgBody: text('hi') });
    expectOk(r);
    const m = /^(\d+)_77_(\d+)$/.exec(r.MsgKey);
    assert.ok(m);
    const bob = (await history(s, 'bob', ADMIN))[0]!;
    const carol = (await history(s, 'carol', ADMIN))[0]!;
    assert.equal(bob.MsgSeq, Number(m[1]));
    assert.equal(carol.MsgSeq, Number(m[1]));
    assert.equal(bob.From_Account, ADMIN);
    const r2 = await call(s, 'batchsendmsg', {
      To_Account: ['bob', 'carol'],
      MsgRandom: 77,
      MsgBody: text('hi again'),
    });
    expectOk(r2);
    assert.notEqual(r2.MsgKey, r.MsgKey, 'a second batch draws another MsgSeq');
  });
});

test('batchsendmsg with unknown recipients answers SomeError, ErrorCode 0 and an ErrorList, and delivers to the others', async () => {
  await withServer(USERS, async (s) => {
    const r = await call(s, 'batchsendmsg', {
      From_Account: 'alice',
      To_Account: ['bob', 'ghost1', 'carol', 'ghost2'],
      MsgRandom: 1,
      MsgSeq: 2,
      MsgBody: text('x'),
    });
    assert.deepEqual(r, {
      ActionStatus: 'SomeError',
      ErrorInfo: '',
      ErrorCode: 0,
      MsgKey: `2_1_${T0}`,
      ErrorList: [
        { To_Account: 'ghost1', ErrorCode: 70107 },
        { To_Account: 'ghost2', ErrorCode: 70107 },
      ],
    });
    assert.equal((await history(s, 'bob', 'alice')).length, 1);
    assert.equal((await history(s, 'carol', 'alice')).length, 1);
    assert.equal(messageCount(s), 2);
    assert.equal(
      (await s.parley.store.existingAccounts(app(s), ['ghost1'])).size,
      0,
      'unknown recipients are not created',
    );
  });
});

test('batchsendmsg SyncOtherMachine, MsgLifeTime 0 and NoUnread apply to every copy', async () => {
  await withServer(USERS, async (s) => {
    const two = await call(s, 'batchsendmsg', {
      From_Account: 'alice',
      To_Account: ['bob', 'carol'],
      MsgRandom: 1,
      MsgSeq: 1,
      SyncOtherMachine: 2,
      MsgBody: text('2'),
    });
    const one = await call(s, 'batchsendmsg', {
      From_Account: 'alice',
      To_Account: ['bob', 'carol'],
      MsgRandom: 1,
      MsgSeq: 2,
      SyncOtherMachine: 1,
      MsgBody: text('1'),
    });
    const zero = await call(s, 'batchsendmsg', {
      From_Account: 'alice',
      To_Account: ['bob', 'carol'],
      MsgRandom: 1,
      MsgSeq: 3,
      MsgLifeTime: 0,
      MsgBody: text('0'),
    });
    const quiet = await call(s, 'batchsendmsg', {
      From_Account: 'alice',
      To_Account: ['bob', 'carol'],
      MsgRandom: 1,
      MsgSeq: 4,
      SendMsgControl: ['NoUnread'],
      MsgBody: text('q'),
    });
    [two, one, zero, quiet].forEach(expectOk);
    for (const u of ['bob', 'carol']) {
      assert.deepEqual(
        (await history(s, u, 'alice')).map((m) => m.MsgKey),
        [two.MsgKey, one.MsgKey, quiet.MsgKey],
        `${u} sees all but the online-only copy`,
      );
      assert.deepEqual(
        (await history(s, 'alice', u)).map((m) => m.MsgKey),
        [one.MsgKey, quiet.MsgKey],
        `alice's view with ${u}`,
      );
      assert.equal(
        (await unread(s, u)).total,
        2,
        `${u}: SyncOtherMachine 1 and 2 count, NoUnread and online-only do not`,
      );
    }
    assert.deepEqual(
      await messageEvents(s, 'alice'),
      [one.MsgKey, one.MsgKey],
      "each SyncOtherMachine 1 copy reaches the sender's devices",
    );
  });
});

test('batchsendmsg takes 500 recipients; 501 is 90011 and writes nothing', async () => {
  const users = Array.from({ length: 501 }, (_, i) => `u${i}`);
  await withServer(['alice', ...users], async (s) => {
    await expectRejected(
      s,
      'batchsendmsg',
      { From_Account: 'alice', To_Account: users, MsgRandom: 1, MsgBody: text('x') },
      90011,
      '501 recipients',
    );
    const r = await call(s, 'batchsendmsg', {
      From_Account: 'alice',
      To_Account: users.slice(0, 500),
      MsgRandom: 1,
      MsgBody: text('x'),
    });
    expectOk(r);
    assert.equal(messageCount(s), 500);
    assert.equal((await history(s, 'u499', 'alice'))[0]!.MsgKey, r.MsgKey);
    assert.deepEqual(await history(s, 'u500', 'alice'), []);
  });
});

test('batchsendmsg refuses each malformed field with its code and writes nothing', async () => {
  await withServer(USERS, async (s) => {
    await send(s, 'alice', 'bob', 'an earlier message');
    const ok = { From_Account: 'alice', To_Account: ['bob', 'carol'], MsgRandom: 1, MsgBody: text('x') };
    const cases: Array<[string, Record<string, unknown>, number]> = [
      ['all recipients unknown', { ...ok, To_Account: ['ghost1', 'ghost2'] }, 90012],
      ['From_Account unknown', { ...ok, From_Account: 'ghost' }, 90008],
      ['From_Account not a string', { ...ok, From_Account: ['alice'] }, 90008],
      ['To_Account missing', { ...ok, To_Account: undefined }, 90003],
      ['To_Account a string', { ...ok, To_Account: 'bob' }, 90003],
      ['To_Account empty', { ...ok, To_Account: [] }, 90003],
      ['To_Account holds a number', { ...ok, To_Account: ['bob', 5] }, 90003],
      ['To_Account holds ""', { ...ok, To_Account: ['bob', ''] }, 90003],
      ['MsgRandom missing', { ...ok, MsgRandom: undefined }, 90005],
      ['MsgSeq a string', { ...ok, MsgSeq: 'x' }, 90004],
      ['MsgSeq over u32', { ...ok, MsgSeq: MAX_U32 + 1 }, 90004],
      ['MsgLifeTime a string', { ...ok, MsgLifeTime: '1' }, 90044],
      ['MsgLifeTime negative', { ...ok, MsgLifeTime: -5 }, 90026],
      ['SyncOtherMachine 5', { ...ok, SyncOtherMachine: 5 }, 90031],
      ['MsgBody missing', { ...ok, MsgBody: undefined }, 90007],
      ['CloudCustomData a number', { ...ok, CloudCustomData: 1 }, 90010],
      ['OfflinePushInfo a number', { ...ok, OfflinePushInfo: 1 }, 90043],
      ['SendMsgControl holds a number', { ...ok, SendMsgControl: [1] }, 90010],
      ...BAD_BODIES.map(([what, body, code]): [string, Record<string, unknown>, number] => [
        `MsgBody ${what}`,
        { ...ok, MsgBody: body },
        code,
      ]),
    ];
    for (const [what, body, code] of cases) await expectRejected(s, 'batchsendmsg', body, code, what);
    for (const raw of BAD_JSON) await expectRejected(s, 'batchsendmsg', raw, 90001, `body ${JSON.stringify(raw)}`);
    const before = snapshot(s);
    expectFail(
      await s.call('openim/batchsendmsg', ok, { identifier: 'alice', usersig: s.sig('alice') }),
      90009,
      'non-admin',
    );
    assert.deepEqual(snapshot(s), before);
  });
});

test('batchsendmsg: a message over 12 KB is 93000 whatever the recipients; the recipient list comes on top', async () => {
  const users = Array.from({ length: 300 }, (_, i) => `recipient-number-${String(i).padStart(4, '0')}`);
  await withServer(['alice', ...users], async (s) => {
    const small = { From_Account: 'alice', To_Account: users.slice(0, 1), MsgRandom: 1 };
    // Without To_Account the message is just over 12 KB.
    const over = bodyOfSize({ From_Account: 'alice', MsgRandom: 1 }, 12 * 1024 + 1);
    await expectRejected(s, 'batchsendmsg', { ...over, To_Account: users.slice(0, 2) }, 93000, 'message of 12 KB + 1');
    await expectRejected(s, 'batchsendmsg', { ...small, MsgBody: text('y'.repeat(13 * 1024)) }, 93000, '13 KB text');
    // A message of exactly 12 KB to 300 recipients (about 8 KB of UserIDs) is accepted.
    const exact = bodyOfSize({ From_Account: 'alice', MsgRandom: 2 }, 12 * 1024);
    const r = await call(s, 'batchsendmsg', { ...exact, To_Account: users });
    expectOk(r);
    assert.equal(messageCount(s), 300);
  });
});

// ---- importmsg ----------------------------------------------------------------------------

test('importmsg SyncFromOldSystem 2 stores history as read, at its own time, without pushing', async () => {
  await withServer(USERS, async (s) => {
    const old = T0 - 86400;
    const r = await call(s, 'importmsg', {
      SyncFromOldSystem: 2,
      From_Account: 'alice',
      To_Account: 'bob',
      MsgSeq: 3,
      MsgRandom: 4,
      MsgTimeStamp: old,
      MsgBody: text('from the old system'),
      CloudCustomData: 'imported cc',
    });
    assert.deepEqual(r, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    const expected = {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgSeq: 3,
      MsgRandom: 4,
      MsgTimeStamp: old,
      MsgFlagBits: 0,
      IsPeerRead: 1,
      MsgKey: `3_4_${old}`,
      MsgBody: text('from the old system'),
      CloudCustomData: 'imported cc',
    };
    assert.deepEqual(await history(s, 'bob', 'alice'), [expected]);
    assert.deepEqual(await history(s, 'alice', 'bob'), [expected]);
    assert.equal((await unread(s, 'bob')).total, 0);
    assert.deepEqual(await events(s, 'bob'), [], 'history is not pushed');
    assert.deepEqual(await events(s, 'alice'), []);
    const conv = await conversation(s, 'bob', 'alice');
    assert.equal(conv!.lastMessage!.time, old, 'the conversation is updated');
    assert.equal(conv!.lastMessage!.origin, 'importmsg');
  });
});

test('importmsg SyncFromOldSystem 5 is unread and pushed to the recipient', async () => {
  await withServer(USERS, async (s) => {
    expectOk(
      await call(s, 'importmsg', {
        SyncFromOldSystem: 5,
        From_Account: 'alice',
        To_Account: 'bob',
        MsgSeq: 1,
        MsgRandom: 2,
        MsgTimeStamp: T0 - 60,
        MsgBody: text('rt'),
      }),
    );
    const [m] = await history(s, 'bob', 'alice');
    assert.equal(m!.IsPeerRead, 0);
    assert.equal(m!.CloudCustomData, '');
    assert.equal((await unread(s, 'bob', ['alice'])).perPeer.alice, 1);
    assert.deepEqual(await messageEvents(s, 'bob'), [`1_2_${T0 - 60}`]);
    assert.deepEqual(await events(s, 'alice'), []);
  });
});

test('importmsg places messages by their time among sent ones; an older import does not become the last message', async () => {
  await withServer(USERS, async (s) => {
    s.clock.set((T0 + 100) * 1000);
    const sent = await send(s, 'alice', 'bob', 'sent now', { MsgSeq: 1 });
    for (const [t, seq] of [
      [T0 + 50, 9],
      [T0 + 150, 2],
      [T0 + 10, 5],
    ] as const) {
      expectOk(
        await call(s, 'importmsg', {
          SyncFromOldSystem: 2,
          From_Account: 'bob',
          To_Account: 'alice',
          MsgSeq: seq,
          MsgRandom: 1,
          MsgTimeStamp: t,
          MsgBody: text(`at ${t}`),
        }),
      );
    }
    assert.deepEqual(
      (await history(s, 'alice', 'bob')).map((m) => m.MsgTimeStamp),
      [T0 + 10, T0 + 50, T0 + 100, T0 + 150],
    );
    assert.equal((await conversation(s, 'alice', 'bob'))!.lastMessage!.time, T0 + 150);
    expectOk(
      await call(s, 'importmsg', {
        SyncFromOldSystem: 2,
        From_Account: 'bob',
        To_Account: 'alice',
        MsgSeq: 3,
        MsgRandom: 1,
        MsgTimeStamp: T0 + 1,
        MsgBody: text('older'),
      }),
    );
    assert.equal(
      (await conversation(s, 'alice', 'bob'))!.lastMessage!.time,
      T0 + 150,
      'an older import leaves the last message',
    );
    assert.equal(sent.MsgTime, T0 + 100);
  });
});

test('importmsg de-duplicates by (MsgSeq, MsgRandom, MsgTimeStamp) in either direction and never overwrites', async () => {
  await withServer(USERS, async (s) => {
    const base = {
      SyncFromOldSystem: 5,
      From_Account: 'alice',
      To_Account: 'bob',
      MsgSeq: 8,
      MsgRandom: 9,
      MsgTimeStamp: T0 - 5,
    };
    expectOk(await call(s, 'importmsg', { ...base, MsgBody: text('first'), CloudCustomData: 'one' }));
    const before = snapshot(s);
    expectOk(await call(s, 'importmsg', { ...base, MsgBody: text('second'), CloudCustomData: 'two' }));
    expectOk(await call(s, 'importmsg', { ...base, SyncFromOldSystem: 2, MsgBody: text('third') }));
    expectOk(
      await call(s, 'importmsg', { ...base, From_Account: 'bob', To_Account: 'alice', MsgBody: text('reversed') }),
    );
    assert.deepEqual(snapshot(s), before, 'duplicates write nothing, not even events or unread');
    const list = await history(s, 'bob', 'alice');
    assert.equal(list.length, 1);
    assert.deepEqual(list[0]!.MsgBody, text('first'));
    assert.equal(list[0]!.CloudCustomData, 'one');
    // Any of the three numbers different: another message. Another pair of users: another message.
    for (const change of [{ MsgSeq: 80 }, { MsgRandom: 90 }, { MsgTimeStamp: T0 - 6 }, { To_Account: 'carol' }]) {
      expectOk(await call(s, 'importmsg', { ...base, ...change, MsgBody: text('new') }));
    }
    assert.equal(messageCount(s), 5);
    // A sent message with the same numbers counts as a duplicate for a later import too.
    s.clock.set(T0 * 1000);
    const sent = await send(s, 'carol', 'dave', 'sent', { MsgSeq: 1, MsgRandom: 1 });
    expectOk(
      await call(s, 'importmsg', {
        ...base,
        From_Account: 'dave',
        To_Account: 'carol',
        MsgSeq: 1,
        MsgRandom: 1,
        MsgTimeStamp: T0,
        MsgBody: text('imp'),
      }),
    );
    assert.deepEqual(
      (await history(s, 'dave', 'carol')).map((m) => m.MsgKey),
      [sent.MsgKey],
    );
  });
});

test('importmsg without MsgSeq draws a random one', async () => {
  await withServer(USERS, async (s) => {
    for (let i = 0; i < 4; i++) {
      expectOk(
        await call(s, 'importmsg', {
          SyncFromOldSystem: 2,
          From_Account: 'alice',
          To_Account: 'bob',
          MsgRandom: 5,
          MsgTimeStamp: T0 - 1,
          MsgBody: text(`${i}`),
        }),
      );
    }
    const list = await history(s, 'bob', 'alice');
    assert.equal(list.length, 4, 'not de-duplicated against each other');
    assert.ok(new Set(list.map((m) => m.MsgSeq)).size >= 3);
    for (const m of list) assert.ok(Number.isInteger(m.MsgSeq) && m.MsgSeq >= 0 && m.MsgSeq <= MAX_U32);
  });
});

test('importmsg refuses each malformed field with its code and writes nothing', async () => {
  await withServer(USERS, async (s) => {
    await send(s, 'alice', 'bob', 'an earlier message');
    const ok = {
      SyncFromOldSystem: 2,
      From_Account: 'alice',
      To_Account: 'bob',
      MsgRandom: 1,
      MsgTimeStamp: T0 - 10,
      MsgBody: text('x'),
    };
    const cases: Array<[string, Record<string, unknown>, number]> = [
      ['SyncFromOldSystem missing', { ...ok, SyncFromOldSystem: undefined }, 90030],
      ['SyncFromOldSystem a string', { ...ok, SyncFromOldSystem: '2' }, 90030],
      ['SyncFromOldSystem 1', { ...ok, SyncFromOldSystem: 1 }, 90030],
      ['SyncFromOldSystem 3', { ...ok, SyncFromOldSystem: 3 }, 90030],
      ['SyncFromOldSystem 0', { ...ok, SyncFromOldSystem: 0 }, 90030],
      ['MsgTimeStamp missing', { ...ok, MsgTimeStamp: undefined }, 90006],
      ['MsgTimeStamp a string', { ...ok, MsgTimeStamp: String(T0) }, 90006],
      ['MsgTimeStamp fractional', { ...ok, MsgTimeStamp: T0 + 0.5 }, 90006],
      ['MsgTimeStamp negative', { ...ok, MsgTimeStamp: -1 }, 90006],
      ['MsgTimeStamp over u32', { ...ok, MsgTimeStamp: MAX_U32 + 1 }, 90006],
      ['From_Account missing', { ...ok, From_Account: undefined }, 90008],
      ['From_Account unknown', { ...ok, From_Account: 'ghost' }, 90008],
      ['To_Account missing', { ...ok, To_Account: undefined }, 90003],
      ['To_Account a number', { ...ok, To_Account: 1 }, 90003],
      ['To_Account unknown', { ...ok, To_Account: 'ghost' }, 90012],
      ['MsgRandom missing', { ...ok, MsgRandom: undefined }, 90005],
      ['MsgRandom fractional', { ...ok, MsgRandom: 0.5 }, 90005],
      ['MsgSeq negative', { ...ok, MsgSeq: -1 }, 90004],
      ['MsgBody missing', { ...ok, MsgBody: undefined }, 90007],
      ['CloudCustomData an array', { ...ok, CloudCustomData: [] }, 90010],
      ...BAD_BODIES.map(([what, body, code]): [string, Record<string, unknown>, number] => [
        `MsgBody ${what}`,
        { ...ok, MsgBody: body },
        code,
      ]),
    ];
    for (const [what, body, code] of cases) await expectRejected(s, 'importmsg', body, code, what);
    for (const raw of BAD_JSON) await expectRejected(s, 'importmsg', raw, 90001, `body ${JSON.stringify(raw)}`);
    await expectRejected(s, 'importmsg', bodyOfSize(ok, 12 * 1024 + 1), 93000, '12 KB + 1');
    expectOk(await call(s, 'importmsg', bodyOfSize({ ...ok, MsgSeq: 1 }, 12 * 1024)));
    const before = snapshot(s);
    expectFail(
      await s.call('openim/importmsg', ok, { identifier: 'alice', usersig: s.sig('alice') }),
      90009,
      'non-admin',
    );
    assert.deepEqual(snapshot(s), before);
    assert.equal(messageCount(s), 2);
  });
});

// ---- atomicity ----------------------------------------------------------------------------

test('a failure inside the store (91000) leaves nothing half-written: sendmsg, batchsendmsg, importmsg', async () => {
  await withServer(USERS, async (s) => {
    await send(s, 'alice', 'bob', 'an earlier message');
    // Fail the write of carol's copy, and of any event for dave, from inside the transaction.
    db(
      s,
    ).exec(`CREATE TRIGGER fail_carol BEFORE INSERT ON messages WHEN NEW.recipient = 'carol' BEGIN SELECT RAISE(ABORT, 'injected'); END;
      CREATE TRIGGER fail_dave BEFORE INSERT ON events WHEN NEW.user_id = 'dave' BEGIN SELECT RAISE(ABORT, 'injected'); END;`);
    // bob's copy is written first, then carol's fails: bob's must go too.
    await expectRejected(
      s,
      'batchsendmsg',
      { From_Account: 'alice', To_Account: ['bob', 'carol'], MsgRandom: 1, MsgBody: text('batch') },
      91000,
      'batch with a failing copy',
    );
    await expectRejected(
      s,
      'batchsendmsg',
      { From_Account: 'alice', To_Account: ['bob', 'dave'], MsgRandom: 1, MsgBody: text('batch') },
      91000,
      'batch with a failing event',
    );
    // The message row is written before dave's event fails.
    await expectRejected(
      s,
      'sendmsg',
      { From_Account: 'alice', To_Account: 'dave', MsgRandom: 1, MsgBody: text('x') },
      91000,
      'send with a failing event',
    );
    await expectRejected(
      s,
      'importmsg',
      {
        SyncFromOldSystem: 5,
        From_Account: 'alice',
        To_Account: 'dave',
        MsgRandom: 1,
        MsgTimeStamp: T0,
        MsgBody: text('x'),
      },
      91000,
      'import with a failing event',
    );
    db(s).exec('DROP TRIGGER fail_carol; DROP TRIGGER fail_dave;');
    // Nothing is left that would make the retry a "duplicate".
    const r = await call(s, 'batchsendmsg', {
      From_Account: 'alice',
      To_Account: ['bob', 'carol', 'dave'],
      MsgRandom: 1,
      MsgSeq: 1,
      MsgBody: text('batch'),
    });
    expectOk(r);
    assert.equal(messageCount(s), 4);
    assert.equal((await unread(s, 'bob')).total, 2);
  });
});
