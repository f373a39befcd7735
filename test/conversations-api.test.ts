// recentcontact/get_list and recentcontact/delete (spec one-to-one-more §4): who and when only,
// paging, recall interplay, every error code, deletes with and without the history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, T0, withServer, type TestServer } from './helpers/server.js';
import { MAX_U32, call, events, expectOk, history, send, snapshot, unread } from './helpers/messages.js';
import { unique } from './helpers/rest.js';

const rc = (s: TestServer, api: string, body: unknown): Promise<Record<string, any>> =>
  s.call(`recentcontact/${api}`, body, { usersig: s.sig(ADMIN) });
const rcRaw = (s: TestServer, api: string, raw: string): Promise<Record<string, any>> =>
  s.call(`recentcontact/${api}`, raw, { usersig: s.sig(ADMIN), raw: true });

const list = (s: TestServer, owner: string, cursor: Record<string, number> = {}) =>
  rc(s, 'get_list', {
    From_Account: owner,
    TimeStamp: 0,
    StartIndex: 0,
    TopTimeStamp: 0,
    TopStartIndex: 0,
    AssistFlags: 7,
    ...cursor,
  });

function expectRcOk(r: Record<string, any>): void {
  assert.equal(r.ErrorCode, 0, `expected success, got ${r.ErrorCode} ${r.ErrorInfo}`);
  assert.equal(r.ActionStatus, 'OK');
  assert.equal(r.ErrorDisplay, '', 'recentcontact answers carry ErrorDisplay');
}

async function expectRcRejected(s: TestServer, api: string, body: unknown, code: number, what: string): Promise<void> {
  const before = snapshot(s);
  const r = typeof body === 'string' ? await rcRaw(s, api, body) : await rc(s, api, body);
  assert.equal(r.ErrorCode, code, `${api} ${what}: got ${r.ErrorCode} ${r.ErrorInfo}`);
  assert.equal(r.ActionStatus, 'FAIL');
  assert.ok(typeof r.ErrorInfo === 'string' && r.ErrorInfo.length > 0, `${what}: ErrorInfo explains`);
  assert.equal(r.ErrorDisplay, '', `${what}: ErrorDisplay on a failure too`);
  assert.equal(r.SessionItem, undefined);
  assert.deepEqual(snapshot(s), before, `${api} ${what}: a failed call wrote something`);
}

/** Every page of owner's list, following the cursors until CompleteFlag 1. */
async function allPages(s: TestServer, owner: string): Promise<Array<Record<string, any>>> {
  const items: Array<Record<string, any>> = [];
  let cursor = { TimeStamp: 0, StartIndex: 0 };
  for (let i = 0; i < 100; i++) {
    const r = await list(s, owner, cursor);
    expectRcOk(r);
    items.push(...r.SessionItem);
    if (r.CompleteFlag === 1) return items;
    assert.ok(r.SessionItem.length > 0, 'an incomplete page holds something');
    cursor = { TimeStamp: r.TimeStamp, StartIndex: r.StartIndex };
  }
  throw new Error('the list never completed');
}

test('get_list: who, when and the pin flag, newest first; membership follows the roaming view', async () => {
  await withServer(['alice', 'bob', 'carol', 'dave', 'erin'], async (s) => {
    await send(s, 'bob', 'alice', 'hi alice');
    s.clock.advance(2000);
    const c = await send(s, 'alice', 'carol', 'hi carol', { SyncOtherMachine: 1 });
    s.clock.advance(2000);
    // Not in alice's view: SyncOtherMachine 2, online-only, NoLastMsg.
    await send(s, 'alice', 'dave', 'unsynced', { SyncOtherMachine: 2 });
    await send(s, 'alice', 'erin', 'online only', { MsgLifeTime: 0, SyncOtherMachine: 1 });
    await send(s, 'erin', 'alice', 'no last', { SendMsgControl: ['NoLastMsg'] });
    const r = await list(s, 'alice');
    expectRcOk(r);
    assert.deepEqual(r.SessionItem, [
      { Type: 1, To_Account: 'carol', MsgTime: c.MsgTime, TopFlag: 0 },
      { Type: 1, To_Account: 'bob', MsgTime: T0, TopFlag: 0 },
    ]);
    assert.equal(r.CompleteFlag, 1);
    assert.equal(r.TopTimeStamp, 0);
    assert.equal(r.TopStartIndex, 0);
    // dave does have the conversation: received messages always enter the view.
    const d = await list(s, 'dave');
    assert.deepEqual(
      d.SessionItem.map((i: any) => i.To_Account),
      ['alice'],
    );
    // An absent cursor counts as 0.
    const bare = await rc(s, 'get_list', { From_Account: 'alice' });
    expectRcOk(bare);
    assert.deepEqual(bare.SessionItem, r.SessionItem);
  });
});

test('get_list pages: 100 at most per page, every conversation exactly once, even when many share a second', async () => {
  const peers = Array.from({ length: 230 }, (_, i) => `p${String(i).padStart(3, '0')}`);
  await withServer(['owner', ...peers], async (s) => {
    for (const [i, p] of peers.entries()) {
      await send(s, p, 'owner', `m${i}`);
      if (i % 50 === 49) s.clock.advance(1000); // groups of 50 share one second
    }
    const first = await list(s, 'owner');
    expectRcOk(first);
    assert.equal(first.SessionItem.length, 100);
    assert.equal(first.CompleteFlag, 0);
    const items = await allPages(s, 'owner');
    assert.equal(items.length, peers.length);
    assert.deepEqual(new Set(items.map((i) => i.To_Account)), new Set(peers), 'each conversation once');
    const times = items.map((i) => i.MsgTime as number);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first',
    );
  });
});

test('get_list after a recall of the last message: still listed, same MsgTime, nothing of the content in the answer', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const secret = unique('recalled-last');
    const cloud = unique('recalled-cloud');
    await send(s, 'alice', 'bob', 'earlier');
    s.clock.advance(3000);
    const last = await send(s, 'alice', 'bob', secret, { CloudCustomData: cloud, SyncOtherMachine: 1 });
    const before = await list(s, 'bob');
    s.clock.advance(1000);
    expectOk(await call(s, 'admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: last.MsgKey }));
    for (const owner of ['bob', 'alice']) {
      const res = await s.post(
        'recentcontact/get_list',
        { From_Account: owner, TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0, AssistFlags: 7 },
        { usersig: s.sig(ADMIN) },
      );
      const raw = Buffer.from(await res.text(), 'utf8');
      assert.equal(raw.includes(Buffer.from(secret)), false, `${owner}: the recalled text is not in the answer`);
      assert.equal(raw.includes(Buffer.from(cloud)), false, `${owner}: nor its CloudCustomData`);
      const r = JSON.parse(raw.toString('utf8'));
      assert.deepEqual(r.SessionItem, [
        { Type: 1, To_Account: owner === 'bob' ? 'alice' : 'bob', MsgTime: last.MsgTime, TopFlag: 0 },
      ]);
    }
    assert.deepEqual((await list(s, 'bob')).SessionItem, before.SessionItem, 'recall changes nothing in the list');
  });
});

test('recentcontact/delete without ClearRamble: leaves the list, unread 0, history kept, peer untouched, comes back with the next message', async () => {
  await withServer(['alice', 'bob', 'carol'], async (s) => {
    const a = await send(s, 'alice', 'bob', 'one');
    await send(s, 'alice', 'bob', 'two');
    await send(s, 'carol', 'bob', 'from carol');
    assert.deepEqual(await unread(s, 'bob', ['alice', 'carol']), { total: 3, perPeer: { alice: 2, carol: 1 } });
    s.clock.advance(1000);
    const r = await rc(s, 'delete', { From_Account: 'bob', Type: 1, To_Account: 'alice' });
    expectRcOk(r);
    assert.deepEqual(r, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0, ErrorDisplay: '' });
    assert.deepEqual(
      (await list(s, 'bob')).SessionItem.map((i: any) => i.To_Account),
      ['carol'],
    );
    assert.deepEqual(await unread(s, 'bob', ['alice', 'carol']), { total: 1, perPeer: { alice: 0, carol: 1 } });
    assert.equal((await history(s, 'bob', 'alice')).length, 2, 'history kept');
    assert.deepEqual(
      (await list(s, 'alice')).SessionItem.map((i: any) => i.To_Account),
      ['bob'],
      "the peer's list is untouched",
    );
    // bob's devices hear of it.
    const ev = (await events(s, 'bob')).filter((e) => e.kind === 'conversation_delete');
    assert.deepEqual(
      ev.map((e) => e.data),
      [{ owner: 'bob', peer: 'alice', clearHistory: false }],
    );
    // The next message brings it back, counting only itself.
    s.clock.advance(1000);
    const next = await send(s, 'alice', 'bob', 'three');
    assert.deepEqual((await list(s, 'bob')).SessionItem[0], {
      Type: 1,
      To_Account: 'alice',
      MsgTime: next.MsgTime,
      TopFlag: 0,
    });
    assert.equal((await unread(s, 'bob', ['alice'])).perPeer.alice, 1);
    // A recall of an old message does not touch the new count.
    expectOk(await call(s, 'admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: a.MsgKey }));
    assert.deepEqual(await unread(s, 'bob', ['alice']), { total: 2, perPeer: { alice: 1 } });
    // Deleting a conversation that does not exist is OK.
    expectRcOk(await rc(s, 'delete', { From_Account: 'alice', Type: 1, To_Account: 'carol', ClearRamble: 0 }));
  });
});

test('recentcontact/delete with ClearRamble 1: the history leaves that side only; what nobody holds is erased', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const unsynced = unique('unsynced');
    const kept = unique('kept');
    await send(s, 'alice', 'bob', kept, { SyncOtherMachine: 1 });
    const u = await send(s, 'alice', 'bob', unsynced, { SyncOtherMachine: 2 });
    await send(s, 'bob', 'alice', 'reply');
    expectRcOk(await rc(s, 'delete', { From_Account: 'bob', Type: 1, To_Account: 'alice', ClearRamble: 1 }));
    assert.deepEqual(await history(s, 'bob', 'alice'), [], "nothing left on bob's side");
    const aliceSide = await history(s, 'alice', 'bob');
    assert.equal(aliceSide.length, 2, 'alice keeps what she had');
    assert.deepEqual((await list(s, 'bob')).SessionItem, []);
    assert.equal((await unread(s, 'bob')).total, 0);
    // The SyncOtherMachine 2 message was only bob's: erased from storage, not hidden.
    const rows = snapshot(s).messages!.join('\n');
    assert.equal(rows.includes(unsynced), false, 'erased');
    assert.equal(rows.includes(kept), true, 'alice still holds this one');
    // Nothing is left to recall of it.
    const r = await call(s, 'admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: u.MsgKey });
    assert.equal(r.ErrorCode, 20022);
    assert.deepEqual(
      (await events(s, 'bob')).filter((e) => e.kind === 'message').length,
      0,
      "bob's queue no longer holds them",
    );
  });
});

test('recentcontact error codes: 50001 unknown, 50002 parameters and body, 50003 not an admin', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    await send(s, 'alice', 'bob', 'x');
    await expectRcRejected(s, 'get_list', { From_Account: 'nobody' }, 50001, 'unknown From_Account');
    await expectRcRejected(s, 'get_list', {}, 50002, 'From_Account missing');
    await expectRcRejected(s, 'get_list', { From_Account: 7 }, 50002, 'From_Account not a string');
    for (const f of ['TimeStamp', 'StartIndex', 'TopTimeStamp', 'TopStartIndex', 'AssistFlags']) {
      await expectRcRejected(s, 'get_list', { From_Account: 'alice', [f]: -1 }, 50002, `${f} negative`);
      await expectRcRejected(s, 'get_list', { From_Account: 'alice', [f]: '1' }, 50002, `${f} a string`);
    }
    await expectRcRejected(s, 'get_list', 'not json', 50002, 'body not JSON');
    await expectRcRejected(s, 'delete', 'not json', 50002, 'body not JSON');
    await expectRcRejected(s, 'delete', { From_Account: 'alice', To_Account: 'bob' }, 50002, 'Type missing');
    await expectRcRejected(s, 'delete', { From_Account: 'alice', Type: 3, To_Account: 'bob' }, 50002, 'Type 3');
    await expectRcRejected(s, 'delete', { From_Account: 'alice', Type: 2, ToGroupid: 'g' }, 50002, 'Type 2');
    await expectRcRejected(s, 'delete', { From_Account: 'alice', Type: 1 }, 50002, 'Type 1 without To_Account');
    await expectRcRejected(
      s,
      'delete',
      { From_Account: 'alice', Type: 1, To_Account: 'bob', ClearRamble: 2 },
      50002,
      'ClearRamble 2',
    );
    await expectRcRejected(
      s,
      'delete',
      { From_Account: 'nobody', Type: 1, To_Account: 'bob' },
      50001,
      'unknown From_Account',
    );
    await expectRcRejected(
      s,
      'delete',
      { From_Account: 'alice', Type: 1, To_Account: 'nobody' },
      50001,
      'unknown To_Account',
    );
    // Shape before lookup: a bad field is 50002 even when the account is unknown.
    await expectRcRejected(
      s,
      'delete',
      { From_Account: 'nobody', Type: 1, To_Account: 'bob', ClearRamble: 5 },
      50002,
      'bad ClearRamble, unknown user',
    );
    const notAdmin = await s.call(
      'recentcontact/get_list',
      { From_Account: 'alice' },
      { identifier: 'alice', usersig: s.sig('alice') },
    );
    assert.equal(notAdmin.ErrorCode, 50003);
    assert.equal(notAdmin.ErrorDisplay, '');
    const notAdminDelete = await s.call(
      'recentcontact/delete',
      { From_Account: 'alice', Type: 1, To_Account: 'bob' },
      { identifier: 'alice', usersig: s.sig('alice') },
    );
    assert.equal(notAdminDelete.ErrorCode, 50003);
    assert.equal((await list(s, 'alice')).SessionItem.length, 1, 'nothing was deleted');
  });
});

test('get_list MsgTime is a u32 cursor: an out-of-range TimeStamp is 50002', async () => {
  await withServer(['alice'], async (s) => {
    await expectRcRejected(
      s,
      'get_list',
      { From_Account: 'alice', TimeStamp: MAX_U32 + 1 },
      50002,
      'TimeStamp beyond u32',
    );
  });
});
