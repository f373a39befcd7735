// admin_getroammsg (spec §4.4): paging backwards, bounds, size cap, IsPeerRead, per-user views.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T0, withServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';
import {
  BAD_JSON,
  MAX_U32,
  call,
  expectFail,
  expectOk,
  expectRejected,
  history,
  roam,
  send,
  snapshot,
  walk,
  type RoamMsg,
} from './helpers/messages.js';
import { text } from './helpers/rest.js';

const CAP = 13 * 1024;

interface Sent {
  key: string;
  time: number;
  seq: number;
  n: number;
}

/** Sends one message and records what history must show for it. */
async function sendOne(
  s: TestServer,
  from: string,
  to: string,
  seq: number,
  n: number,
  body = `message ${n}`,
): Promise<Sent> {
  const r = await call(s, 'sendmsg', {
    From_Account: from,
    To_Account: to,
    MsgSeq: seq,
    MsgRandom: 1000 + n,
    MsgBody: text(body),
  });
  expectOk(r);
  return { key: r.MsgKey, time: r.MsgTime, seq, n };
}

/** History order: time, then MsgSeq, then arrival. */
const historyOrder = (list: Sent[]): string[] =>
  [...list].sort((a, b) => a.time - b.time || a.seq - b.seq || a.n - b.n).map((m) => m.key);

const historyOrderTexts = (list: Sent[]): string[] =>
  [...list].sort((a, b) => a.time - b.time || a.seq - b.seq || a.n - b.n).map((m) => `m${m.n}`);

function assertNoLossNoRepeat(got: RoamMsg[], expected: string[], what: string): void {
  const keys = got.map((m) => m.MsgKey);
  assert.equal(new Set(keys).size, keys.length, `${what}: a message came twice`);
  assert.equal(keys.length, expected.length, `${what}: ${expected.length - keys.length} messages missing`);
  assert.deepEqual(keys, expected, `${what}: order`);
}

test('350 messages in one second, both directions, equal MsgSeqs too: every page walk returns each exactly once, in order', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    s.clock.advance(400);
    const sent: Sent[] = [];
    for (let n = 0; n < 350; n++) {
      // MsgSeq out of arrival order, with repeats (n % 97), so order within the second is by MsgSeq then arrival.
      const seq = (n * 37) % 97;
      sent.push(await sendOne(s, n % 3 === 0 ? 'bob' : 'alice', n % 3 === 0 ? 'alice' : 'bob', seq, n));
    }
    assert.ok(
      sent.every((m) => m.time === T0),
      'all in one second',
    );
    const expected = historyOrder(sent);
    for (const [op, peer] of [
      ['alice', 'bob'],
      ['bob', 'alice'],
    ] as const) {
      for (const maxCnt of [1000, 100, 33, 7]) {
        const w = await walk(s, op, peer, { MaxCnt: maxCnt });
        assertNoLossNoRepeat(w.all, expected, `${op}'s view, MaxCnt ${maxCnt}`);
        assert.ok(w.pages.length >= Math.ceil(350 / maxCnt), 'several pages');
        // Pages walk backwards: each page is older than the one before.
        for (let i = 1; i < w.pages.length; i++) {
          const newer = w.pages[i - 1]!.msgs,
            older = w.pages[i]!.msgs;
          assert.ok(expected.indexOf(older.at(-1)!.MsgKey) < expected.indexOf(newer[0]!.MsgKey));
        }
      }
    }
    // The first page is the newest messages.
    const first = await roam(s, 'alice', 'bob', { MaxCnt: 10 });
    assert.equal(first.Complete, 0);
    assert.deepEqual(
      first.MsgList.map((m: RoamMsg) => m.MsgKey),
      expected.slice(-10),
    );
  });
});

test('messages across seconds: time orders before MsgSeq, and walks with any MaxCnt lose nothing', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const sent: Sent[] = [];
    let n = 0;
    for (let sec = 0; sec < 30; sec++) {
      s.clock.set((T0 + sec * 7) * 1000 + 999);
      // Fewer per second at times, MsgSeq falling as time rises.
      for (let k = 0; k < 1 + (sec % 4) * 3; k++)
        sent.push(await sendOne(s, k % 2 ? 'alice' : 'bob', k % 2 ? 'bob' : 'alice', 10_000 - sec * 100 - k, n++));
    }
    // Also messages whose MsgSeq collide across seconds and within a second.
    s.clock.set((T0 + 300) * 1000);
    for (let k = 0; k < 5; k++) sent.push(await sendOne(s, 'alice', 'bob', 1, n++));
    const expected = historyOrder(sent);
    for (const maxCnt of [1, 2, 5, 13, 1000]) {
      const w = await walk(s, 'bob', 'alice', { MaxCnt: maxCnt });
      assertNoLossNoRepeat(w.all, expected, `MaxCnt ${maxCnt}`);
      if (maxCnt < expected.length) {
        for (const p of w.pages.slice(0, -1))
          assert.equal(p.msgs.length, maxCnt, 'small pages are full until the last');
      }
    }
  });
});

test('alice→bob and bob→alice sharing one MsgKey in one second: no page walk loses or repeats either', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const sent: Sent[] = [];
    let n = 0;
    const add = async (from: string, seq: number, random: number, extra: Record<string, unknown> = {}) => {
      const to = from === 'alice' ? 'bob' : 'alice';
      const r = await call(s, 'sendmsg', {
        From_Account: from,
        To_Account: to,
        MsgSeq: seq,
        MsgRandom: random,
        MsgBody: text(`m${n}`),
        ...extra,
      });
      expectOk(r);
      if (!(extra.SyncOtherMachine === 2)) sent.push({ key: r.MsgKey, time: r.MsgTime, seq, n });
      n++;
    };
    await add('alice', 0, 5);
    await add('alice', 1, 1); // twin A
    await add('bob', 1, 2); // same second and MsgSeq, between the twins
    await add('alice', 1, 3);
    await add('bob', 1, 1); // twin B: the same MsgKey as twin A
    await add('bob', 2, 5);
    await add('alice', 3, 7); // another pair
    await add('bob', 3, 8);
    await add('bob', 3, 7);
    await add('alice', 4, 1);
    const keys = sent.map((m) => m.key);
    assert.equal(keys[1], keys[4], 'the twins share a MsgKey');
    const expected = historyOrder(sent);
    for (const [op, peer] of [
      ['alice', 'bob'],
      ['bob', 'alice'],
    ] as const) {
      for (const maxCnt of [1, 2, 3, 4, 5, 100]) {
        // A page that is nothing but a twin group runs past MaxCnt to keep the walk whole.
        const w = await walk(s, op, peer, { MaxCnt: maxCnt }, 3);
        assert.deepEqual(
          w.all.map((m) => m.MsgKey),
          expected,
          `${op}, MaxCnt ${maxCnt}`,
        );
        assert.deepEqual(
          w.all.map((m) => (m.MsgBody[0] as { MsgContent: { Text: string } }).MsgContent.Text),
          historyOrderTexts(sent),
          `${op}, MaxCnt ${maxCnt}: each message once`,
        );
      }
    }
    // With room above the group, a page ends above it rather than running past MaxCnt.
    // (Newest six would end on twin B, whose key also names twin A four places further down.)
    const p = await roam(s, 'alice', 'bob', { MaxCnt: 6 });
    assert.equal(p.Complete, 0);
    assert.deepEqual(
      p.MsgList.map((m: RoamMsg) => m.MsgKey),
      expected.slice(-5),
    );
    // Hidden twin: alice's own SyncOtherMachine 2 message shares a key with a message she sees.
    await add('alice', 9, 9, { SyncOtherMachine: 2 });
    await add('bob', 9, 10);
    await add('bob', 9, 9);
    for (const maxCnt of [1, 2, 3]) {
      const w = await walk(s, 'alice', 'bob', { MaxCnt: maxCnt }, 3);
      assert.deepEqual(
        w.all.map((m) => m.MsgKey),
        historyOrder(sent),
        `hidden twin, MaxCnt ${maxCnt}`,
      );
    }
  });
});

test('MinTime and MaxTime bound the history inclusively, also while paging', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const sent: Sent[] = [];
    for (let sec = 0; sec < 10; sec++) {
      s.clock.set((T0 + sec) * 1000);
      for (let k = 0; k < 3; k++) sent.push(await sendOne(s, 'alice', 'bob', k, sec * 3 + k));
    }
    const inRange = (lo: number, hi: number) => historyOrder(sent.filter((m) => m.time >= lo && m.time <= hi));
    const whole = await walk(s, 'alice', 'bob', { MaxCnt: 1000, MinTime: T0 + 3, MaxTime: T0 + 6 });
    assertNoLossNoRepeat(whole.all, inRange(T0 + 3, T0 + 6), 'one page');
    assert.equal(whole.all.length, 12);
    const paged = await walk(s, 'alice', 'bob', { MaxCnt: 2, MinTime: T0 + 3, MaxTime: T0 + 6 });
    assertNoLossNoRepeat(paged.all, inRange(T0 + 3, T0 + 6), 'pages of 2');
    assertNoLossNoRepeat(
      (await walk(s, 'bob', 'alice', { MaxCnt: 4, MinTime: T0 + 9, MaxTime: T0 + 9 })).all,
      inRange(T0 + 9, T0 + 9),
      'one second',
    );
    assertNoLossNoRepeat(
      (await walk(s, 'bob', 'alice', { MaxCnt: 4, MinTime: 0, MaxTime: T0 })).all,
      inRange(0, T0),
      'up to T0',
    );
    // A page that ends exactly at the bound is complete.
    const exact = await roam(s, 'alice', 'bob', { MaxCnt: 3, MinTime: T0 + 9, MaxTime: T0 + 9 });
    assert.equal(exact.Complete, 1);
    assert.equal(exact.MsgCnt, 3);
    // Empty ranges.
    for (const [lo, hi] of [
      [T0 + 20, T0 + 30],
      [T0 + 6, T0 + 5],
      [0, T0 - 1],
    ]) {
      const r = await roam(s, 'alice', 'bob', { MinTime: lo, MaxTime: hi });
      assert.deepEqual(
        r,
        {
          ActionStatus: 'OK',
          ErrorInfo: '',
          ErrorCode: 0,
          Complete: 1,
          MsgCnt: 0,
          LastMsgTime: 0,
          LastMsgKey: '',
          MsgList: [],
        },
        `range ${lo}..${hi}`,
      );
    }
  });
});

test('MaxCnt limits a page: Complete 0 while older messages remain, 1 once the page reaches the oldest', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const sent: Sent[] = [];
    for (let n = 0; n < 6; n++) {
      s.clock.set((T0 + n) * 1000);
      sent.push(await sendOne(s, 'alice', 'bob', 1, n));
    }
    const p1 = await roam(s, 'alice', 'bob', { MaxCnt: 4 });
    assert.equal(p1.Complete, 0);
    assert.equal(p1.MsgCnt, 4);
    assert.deepEqual(
      p1.MsgList.map((m: RoamMsg) => m.MsgTimeStamp),
      [T0 + 2, T0 + 3, T0 + 4, T0 + 5],
    );
    assert.equal(p1.LastMsgTime, T0 + 2);
    assert.equal(p1.LastMsgKey, sent[2]!.key);
    const p2 = await roam(s, 'alice', 'bob', { MaxCnt: 2, MaxTime: p1.LastMsgTime, LastMsgKey: p1.LastMsgKey });
    assert.equal(p2.Complete, 1, 'exactly the two remaining: complete');
    assert.deepEqual(
      p2.MsgList.map((m: RoamMsg) => m.MsgKey),
      [sent[0]!.key, sent[1]!.key],
    );
    assert.equal(p2.LastMsgKey, sent[0]!.key);
    const all = await roam(s, 'alice', 'bob', { MaxCnt: 6 });
    assert.equal(all.Complete, 1);
    assert.equal(all.MsgCnt, 6);
    // An empty LastMsgKey or null is the same as none.
    for (const LastMsgKey of ['', null]) {
      const r = await roam(s, 'alice', 'bob', { MaxCnt: 6, LastMsgKey });
      assert.equal(r.MsgCnt, 6, `LastMsgKey ${JSON.stringify(LastMsgKey)}`);
    }
  });
});

test('an answer stays under 13 KB, counted in bytes (CJK text and escapes too), and is filled up to it', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const sent: Sent[] = [];
    let n = 0;
    // ASCII, 3-byte CJK and escaped characters; different sizes.
    for (let k = 0; k < 40; k++) sent.push(await sendOne(s, 'alice', 'bob', n, n++, 'a'.repeat(100 + k * 37)));
    for (let k = 0; k < 40; k++) sent.push(await sendOne(s, 'bob', 'alice', n, n++, '中文'.repeat(150 + k * 11)));
    for (let k = 0; k < 20; k++) sent.push(await sendOne(s, 'alice', 'bob', n, n++, '"\\\n'.repeat(200)));
    s.clock.advance(1000);
    // Messages of almost 12 KB each: no two fit one answer.
    for (let k = 0; k < 3; k++) sent.push(await sendOne(s, 'bob', 'alice', n, n++, '中'.repeat(3900)));
    const expected = historyOrder(sent);
    const w = await walk(s, 'alice', 'bob', { MaxCnt: 1000 });
    assertNoLossNoRepeat(w.all, expected, 'size-capped pages');
    for (const p of w.pages) {
      if (p.msgs.length > 1) assert.ok(p.bytes <= CAP, `a page of ${p.msgs.length} messages is ${p.bytes} bytes`);
      else assert.equal(p.msgs.length, 1);
    }
    // The cap cuts pages near it, not far below: a cut page could not take its next (older) message.
    for (let i = 0; i < w.pages.length - 1; i++) {
      const next = w.pages[i + 1]!.msgs.at(-1)!;
      const nextBytes = Buffer.byteLength(JSON.stringify(next)) + 1;
      assert.ok(w.pages[i]!.bytes + nextBytes > CAP - 200, `page ${i} (${w.pages[i]!.bytes} bytes) was cut early`);
    }
    // The three big ones come one per page.
    assert.deepEqual(
      w.pages.slice(0, 3).map((p) => p.msgs.length),
      [1, 1, 1],
    );
    assert.ok(w.pages[0]!.bytes > 11_700);
  });
});

test("IsPeerRead tells whether the recipient has read the message, in both users' views", async () => {
  await withServer(['alice', 'bob', 'carol'], async (s) => {
    const a1 = await sendOne(s, 'alice', 'bob', 1, 1);
    s.clock.advance(1000);
    const a2 = await sendOne(s, 'alice', 'bob', 2, 2);
    const b1 = await sendOne(s, 'bob', 'alice', 3, 3);
    s.clock.advance(1000);
    const a3 = await sendOne(s, 'alice', 'bob', 4, 4);
    const flags = async (op: string, peer: string) =>
      Object.fromEntries((await history(s, op, peer)).map((m) => [m.MsgKey, m.IsPeerRead]));
    const none = { [a1.key]: 0, [a2.key]: 0, [b1.key]: 0, [a3.key]: 0 };
    assert.deepEqual(await flags('alice', 'bob'), none);
    assert.deepEqual(await flags('bob', 'alice'), none);
    // bob reads up to T0 + 1: alice's first two messages.
    expectOk(
      await call(s, 'admin_set_msg_read', {
        Report_Account: 'bob',
        Peer_Account: 'alice',
        MsgReadTime: String(T0 + 1),
      }),
    );
    const bobRead = { [a1.key]: 1, [a2.key]: 1, [b1.key]: 0, [a3.key]: 0 };
    assert.deepEqual(await flags('alice', 'bob'), bobRead);
    assert.deepEqual(await flags('bob', 'alice'), bobRead);
    // alice reads everything: only bob's message is from bob.
    expectOk(await call(s, 'admin_set_msg_read', { Report_Account: 'alice', Peer_Account: 'bob' }));
    const both = { ...bobRead, [b1.key]: 1 };
    assert.deepEqual(await flags('alice', 'bob'), both);
    assert.deepEqual(await flags('bob', 'alice'), both);
    // Another conversation is untouched.
    const c = await sendOne(s, 'carol', 'bob', 5, 5);
    assert.deepEqual(await flags('bob', 'carol'), { [c.key]: 0 });
  });
});

test('each user sees the conversation from their side: SyncOtherMachine 2 and online-only messages', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const normal = await send(s, 'alice', 'bob', 'normal', { MsgSeq: 1 });
    const notMine = await send(s, 'alice', 'bob', "not in alice's history", { MsgSeq: 2, SyncOtherMachine: 2 });
    await send(s, 'alice', 'bob', 'online only', { MsgSeq: 3, MsgLifeTime: 0 });
    const reply = await send(s, 'bob', 'alice', 'reply, SyncOtherMachine 2', { MsgSeq: 4, SyncOtherMachine: 2 });
    assert.deepEqual(
      (await history(s, 'bob', 'alice')).map((m) => m.MsgKey),
      [normal.MsgKey, notMine.MsgKey],
      'bob lacks his own SyncOtherMachine 2 reply',
    );
    assert.deepEqual(
      (await history(s, 'alice', 'bob')).map((m) => m.MsgKey),
      [normal.MsgKey, reply.MsgKey],
    );
    // Walking in small pages across a hidden message loses nothing visible.
    const w = await walk(s, 'alice', 'bob', { MaxCnt: 1 });
    assert.deepEqual(
      w.all.map((m) => m.MsgKey),
      [normal.MsgKey, reply.MsgKey],
    );
  });
});

test('admin_getroammsg refuses bad requests with 90001, 90003, 90008 and 90009', async () => {
  await withServer(['alice', 'bob', 'carol'], async (s) => {
    const m = await send(s, 'alice', 'bob', 'x', { MsgSeq: 1, MsgRandom: 2 });
    const other = await send(s, 'alice', 'carol', 'y', { MsgSeq: 3, MsgRandom: 4 });
    const ok = { Operator_Account: 'alice', Peer_Account: 'bob', MaxCnt: 10, MinTime: 0, MaxTime: MAX_U32 };
    expectOk(await call(s, 'admin_getroammsg', { ...ok, LastMsgKey: m.MsgKey }));
    const cases: Array<[string, Record<string, unknown>, number]> = [
      ['Operator_Account missing', { ...ok, Operator_Account: undefined }, 90008],
      ['Operator_Account unknown', { ...ok, Operator_Account: 'ghost' }, 90008],
      ['Operator_Account a number', { ...ok, Operator_Account: 5 }, 90008],
      ['Peer_Account missing', { ...ok, Peer_Account: undefined }, 90003],
      ['Peer_Account unknown', { ...ok, Peer_Account: 'ghost' }, 90003],
      ['Peer_Account an array', { ...ok, Peer_Account: ['bob'] }, 90003],
      ['MaxCnt missing', { ...ok, MaxCnt: undefined }, 90001],
      ['MaxCnt 0', { ...ok, MaxCnt: 0 }, 90001],
      ['MaxCnt negative', { ...ok, MaxCnt: -1 }, 90001],
      ['MaxCnt a string', { ...ok, MaxCnt: '10' }, 90001],
      ['MaxCnt fractional', { ...ok, MaxCnt: 2.5 }, 90001],
      ['MinTime missing', { ...ok, MinTime: undefined }, 90001],
      ['MinTime negative', { ...ok, MinTime: -1 }, 90001],
      ['MinTime a string', { ...ok, MinTime: '0' }, 90001],
      ['MaxTime missing', { ...ok, MaxTime: undefined }, 90001],
      ['MaxTime a string', { ...ok, MaxTime: 'now' }, 90001],
      ['MaxTime fractional', { ...ok, MaxTime: T0 + 0.5 }, 90001],
      ['LastMsgKey a number', { ...ok, LastMsgKey: 5 }, 90001],
      ['LastMsgKey malformed', { ...ok, LastMsgKey: 'abc' }, 90001],
      ['LastMsgKey with two parts', { ...ok, LastMsgKey: '1_2' }, 90001],
      ['LastMsgKey with four parts', { ...ok, LastMsgKey: `1_2_${T0}_4` }, 90001],
      ['LastMsgKey over u32', { ...ok, LastMsgKey: `4294967296_2_${T0}` }, 90001],
      ['LastMsgKey negative', { ...ok, LastMsgKey: `-1_2_${T0}` }, 90001],
      ['LastMsgKey of no message', { ...ok, LastMsgKey: `1_2_${T0 + 1}` }, 90001],
      ['LastMsgKey of another conversation', { ...ok, LastMsgKey: other.MsgKey }, 90001],
    ];
    for (const [what, body, code] of cases) await expectRejected(s, 'admin_getroammsg', body, code, what);
    for (const raw of BAD_JSON) await expectRejected(s, 'admin_getroammsg', raw, 90001, `body ${JSON.stringify(raw)}`);
    const before = snapshot(s);
    expectFail(
      await s.call('openim/admin_getroammsg', ok, { identifier: 'alice', usersig: s.sig('alice') }),
      90009,
      'non-admin',
    );
    assert.deepEqual(snapshot(s), before);
    // The other side of the conversation accepts the same key.
    expectOk(
      await call(s, 'admin_getroammsg', {
        ...ok,
        Operator_Account: 'bob',
        Peer_Account: 'alice',
        LastMsgKey: m.MsgKey,
      }),
    );
  });
});
