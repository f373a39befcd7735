// The account APIs of im_open_login_svc (spec §3.1–3.5) over HTTP: happy paths, every producible
// ErrorCode of each API's `errors` list, field validation (missing, wrong type, too long, bytes
// counted in UTF-8), and that a rejected call writes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, SDKAPPID, T0, withServer, type TestServer } from './helpers/server.js';
import { accountApis } from '../src/api/accounts.js';
import type { SqliteStore } from '../src/adapters/sqlite/sqlite-store.js';

const IMPORT = 'im_open_login_svc/account_import';
const MULTI = 'im_open_login_svc/multiaccount_import';
const DELETE = 'im_open_login_svc/account_delete';
const CHECK = 'im_open_login_svc/account_check';
const KICK = 'im_open_login_svc/kick';

const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };
const NOT_EXIST = 'Err_TLS_PT_Open_Login_Account_Not_Exist';

/** 32 bytes: the longest UserID. */
const ID32 = 'u'.repeat(32);
/** 33 bytes. */
const ID33 = 'u'.repeat(33);
/** 11 × '中' = 33 bytes in UTF-8 (11 characters). */
const CJK33 = '中'.repeat(11);
/** 10 × '中' + 'ab' = 32 bytes. */
const CJK32 = '中'.repeat(10) + 'ab';

async function statusOf(s: TestServer, ...ids: string[]): Promise<string[]> {
  const r = await s.call(CHECK, { CheckItem: ids.map((UserID) => ({ UserID })) });
  assert.equal(r.ErrorCode, 0, JSON.stringify(r));
  return r.ResultItem.map((i: { AccountStatus: string }) => i.AccountStatus);
}

function assertFail(r: Record<string, any>, code: number, what: string): void {
  assert.equal(r.ErrorCode, code, `${what}: ${JSON.stringify(r).slice(0, 300)}`);
  assert.equal(r.ActionStatus, 'FAIL', what);
  assert.ok(typeof r.ErrorInfo === 'string' && r.ErrorInfo.length > 0, `${what}: ErrorInfo is set`);
  assert.deepEqual(
    Object.keys(r).sort(),
    ['ActionStatus', 'ErrorCode', 'ErrorInfo'],
    `${what}: a failure carries the envelope only`,
  );
}

function profile(s: TestServer, userId: string): { nick: string | null; face_url: string | null } | undefined {
  return (s.parley.store as SqliteStore).db
    .prepare('SELECT nick, face_url FROM accounts WHERE app = ? AND user_id = ?')
    .get(SDKAPPID, userId) as { nick: string | null; face_url: string | null } | undefined;
}

function rowCount(s: TestServer): number {
  return (s.parley.store as SqliteStore).db
    .prepare('SELECT COUNT(*) FROM accounts WHERE app = ?')
    .pluck()
    .get(SDKAPPID) as number;
}

assert.equal(Buffer.byteLength(CJK33), 33);
assert.equal(Buffer.byteLength(CJK32), 32);

// ---- account_import -------------------------------------------------------------------------

test('account_import imports one account with Nick and FaceUrl', () =>
  withServer([], async (s) => {
    assert.deepEqual(await statusOf(s, 'alice'), ['NotImported']);
    assert.deepEqual(
      await s.call(IMPORT, { UserID: 'alice', Nick: 'Alice', FaceUrl: 'https://example.com/a.png' }),
      OK,
    );
    assert.deepEqual(await statusOf(s, 'alice'), ['Imported']);
    assert.deepEqual(profile(s, 'alice'), { nick: 'Alice', face_url: 'https://example.com/a.png' });
    assert.deepEqual(await s.call(IMPORT, { UserID: 'plain' }), OK);
    assert.deepEqual(profile(s, 'plain'), { nick: null, face_url: null });
  }));

test('account_import is idempotent: no duplicate, Nick/FaceUrl given again are updated, absent ones kept', () =>
  withServer([], async (s) => {
    const before = rowCount(s);
    assert.deepEqual(await s.call(IMPORT, { UserID: 'alice', Nick: 'Alice', FaceUrl: 'https://a/1.png' }), OK);
    assert.deepEqual(await s.call(IMPORT, { UserID: 'alice' }), OK);
    assert.equal(rowCount(s), before + 1);
    assert.deepEqual(profile(s, 'alice'), { nick: 'Alice', face_url: 'https://a/1.png' });
    assert.deepEqual(await s.call(IMPORT, { UserID: 'alice', Nick: 'Alice 2' }), OK);
    assert.deepEqual(profile(s, 'alice'), { nick: 'Alice 2', face_url: 'https://a/1.png' });
    assert.equal(rowCount(s), before + 1);
    assert.deepEqual(await statusOf(s, 'alice'), ['Imported']);
  }));

test('account_import accepts the legacy Identifier field; UserID wins when both are given', () =>
  withServer([], async (s) => {
    assert.deepEqual(await s.call(IMPORT, { Identifier: 'legacy', Nick: 'Old SDK' }), OK);
    assert.deepEqual(profile(s, 'legacy'), { nick: 'Old SDK', face_url: null });
    assert.deepEqual(await s.call(IMPORT, { UserID: 'new-name', Identifier: 'old-name' }), OK);
    assert.deepEqual(await statusOf(s, 'legacy', 'new-name', 'old-name'), ['Imported', 'Imported', 'NotImported']);
    assertFail(await s.call(IMPORT, { Identifier: ID33 }), 70402, 'legacy Identifier of 33 bytes');
    assertFail(await s.call(IMPORT, { Identifier: 7 }), 70402, 'legacy Identifier not a string');
  }));

test('account_import: UserID length is counted in UTF-8 bytes, at most 32', () =>
  withServer([], async (s) => {
    assert.deepEqual(await s.call(IMPORT, { UserID: ID32 }), OK);
    assert.deepEqual(await s.call(IMPORT, { UserID: CJK32 }), OK);
    assert.deepEqual(await s.call(IMPORT, { UserID: '中' }), OK);
    assertFail(await s.call(IMPORT, { UserID: ID33 }), 70402, '33 ASCII bytes');
    assertFail(await s.call(IMPORT, { UserID: CJK33 }), 70402, '11 × 中 = 33 bytes');
    assert.deepEqual(await statusOf(s, ID32, CJK32, '中', ID32.slice(0, 31) + 'x'), [
      'Imported',
      'Imported',
      'Imported',
      'NotImported',
    ]);
    const r = await s.call(CHECK, { CheckItem: [{ UserID: '中'.repeat(10) }] });
    assert.equal(r.ResultItem[0].AccountStatus, 'NotImported');
  }));

test('account_import: UserID missing or of the wrong type gets 70402', () =>
  withServer([], async (s) => {
    const before = rowCount(s);
    const bodies: Array<[string, unknown]> = [
      ['empty object', {}],
      ['UserID empty', { UserID: '' }],
      ['UserID null', { UserID: null }],
      ['UserID number', { UserID: 42 }],
      ['UserID array', { UserID: ['alice'] }],
      ['UserID object', { UserID: { id: 'alice' } }],
      ['UserID boolean', { UserID: true }],
      ['only Nick', { Nick: 'Nobody' }],
    ];
    for (const [what, body] of bodies) assertFail(await s.call(IMPORT, body), 70402, what);
    assert.equal(rowCount(s), before, 'nothing was written');
  }));

test('account_import: Nick or FaceUrl over 500 bytes (or not a string) gets 40601 and imports nothing', () =>
  withServer([], async (s) => {
    assert.deepEqual(await s.call(IMPORT, { UserID: 'n500', Nick: 'x'.repeat(500), FaceUrl: 'f'.repeat(500) }), OK);
    assert.deepEqual(await s.call(IMPORT, { UserID: 'cjk500', Nick: '中'.repeat(166) + 'xx' }), OK);
    assert.equal(profile(s, 'cjk500')?.nick, '中'.repeat(166) + 'xx');
    const bad: Array<[string, Record<string, unknown>]> = [
      ['Nick 501 bytes', { UserID: 'b1', Nick: 'x'.repeat(501) }],
      ['Nick 167 × 中 = 501 bytes', { UserID: 'b2', Nick: '中'.repeat(167) }],
      ['FaceUrl 501 bytes', { UserID: 'b3', FaceUrl: 'https://e/' + 'f'.repeat(491) }],
      ['Nick a number', { UserID: 'b4', Nick: 5 }],
      ['FaceUrl an object', { UserID: 'b5', FaceUrl: { url: 'x' } }],
    ];
    for (const [what, body] of bad) assertFail(await s.call(IMPORT, body), 40601, what);
    assert.deepEqual(await statusOf(s, 'b1', 'b2', 'b3', 'b4', 'b5'), [
      'NotImported',
      'NotImported',
      'NotImported',
      'NotImported',
      'NotImported',
    ]);
    // A rejected re-import leaves the existing profile as it was.
    assertFail(await s.call(IMPORT, { UserID: 'n500', Nick: 'y'.repeat(501) }), 40601, 'rejected update');
    assert.equal(profile(s, 'n500')?.nick, 'x'.repeat(500));
  }));

// ---- multiaccount_import --------------------------------------------------------------------

test('multiaccount_import imports every valid UserID and answers FailAccounts', () =>
  withServer([], async (s) => {
    assert.deepEqual(await s.call(MULTI, { Accounts: ['a', 'b', 'c'] }), { ...OK, FailAccounts: [] });
    assert.deepEqual(await statusOf(s, 'a', 'b', 'c'), ['Imported', 'Imported', 'Imported']);
    // Again, with an existing one and a duplicate: still no failures.
    assert.deepEqual(await s.call(MULTI, { Accounts: ['a', 'd', 'd'] }), { ...OK, FailAccounts: [] });
    assert.deepEqual(await statusOf(s, 'a', 'd'), ['Imported', 'Imported']);
  }));

test('multiaccount_import lists invalid UserIDs (33 bytes, 11 × 中, empty) in FailAccounts and imports the rest', () =>
  withServer([], async (s) => {
    const r = await s.call(MULTI, { Accounts: ['good1', ID33, '', CJK33, 'good2', CJK32] });
    assert.deepEqual(r, { ...OK, FailAccounts: [ID33, '', CJK33] });
    assert.deepEqual(await statusOf(s, 'good1', 'good2', CJK32), ['Imported', 'Imported', 'Imported']);
    const before = rowCount(s);
    assert.deepEqual(await s.call(MULTI, { Accounts: ['', ID33] }), { ...OK, FailAccounts: ['', ID33] });
    assert.equal(rowCount(s), before);
  }));

test('multiaccount_import takes 100 accounts; 101 get 70402 and import none', () =>
  withServer([], async (s) => {
    const hundred = Array.from({ length: 100 }, (_, i) => `h${i}`);
    assert.deepEqual(await s.call(MULTI, { Accounts: hundred }), { ...OK, FailAccounts: [] });
    assert.deepEqual(await statusOf(s, 'h0', 'h99'), ['Imported', 'Imported']);
    const before = rowCount(s);
    const tooMany = Array.from({ length: 101 }, (_, i) => `t${i}`);
    assertFail(await s.call(MULTI, { Accounts: tooMany }), 70402, '101 accounts');
    assert.equal(rowCount(s), before, 'a rejected batch leaves no account');
    assert.deepEqual(await statusOf(s, 't0', 't100'), ['NotImported', 'NotImported']);
  }));

test('multiaccount_import: Accounts missing, empty or of the wrong type gets 70402 and imports nothing', () =>
  withServer([], async (s) => {
    const before = rowCount(s);
    const bodies: Array<[string, unknown]> = [
      ['no Accounts', {}],
      ['Accounts null', { Accounts: null }],
      ['Accounts a string', { Accounts: 'alice' }],
      ['Accounts an object', { Accounts: { 0: 'alice' } }],
      ['Accounts empty', { Accounts: [] }],
      ['a number among strings', { Accounts: ['ok1', 5] }],
      ['an object among strings', { Accounts: ['ok2', { UserID: 'x' }] }],
      ['null among strings', { Accounts: ['ok3', null] }],
    ];
    for (const [what, body] of bodies) assertFail(await s.call(MULTI, body), 70402, what);
    assert.equal(rowCount(s), before);
    assert.deepEqual(await statusOf(s, 'ok1', 'ok2', 'ok3'), ['NotImported', 'NotImported', 'NotImported']);
  }));

// ---- account_delete -------------------------------------------------------------------------

test('account_delete deletes known accounts and answers 70107 per unknown one', () =>
  withServer([], async (s) => {
    await s.call(MULTI, { Accounts: ['a', 'b', 'keep'] });
    const r = await s.call(DELETE, { DeleteItem: [{ UserID: 'a' }, { UserID: 'nobody' }, { UserID: 'b' }] });
    assert.deepEqual(r, {
      ...OK,
      ResultItem: [
        { ResultCode: 0, ResultInfo: '', UserID: 'a' },
        { ResultCode: 70107, ResultInfo: NOT_EXIST, UserID: 'nobody' },
        { ResultCode: 0, ResultInfo: '', UserID: 'b' },
      ],
    });
    assert.deepEqual(await statusOf(s, 'a', 'b', 'keep', 'nobody'), [
      'NotImported',
      'NotImported',
      'Imported',
      'NotImported',
    ]);
    // Deleting again: both unknown now, and the top-level ErrorCode stays 0.
    const again = await s.call(DELETE, { DeleteItem: [{ UserID: 'a' }, { UserID: 'b' }] });
    assert.deepEqual(again, {
      ...OK,
      ResultItem: [
        { ResultCode: 70107, ResultInfo: NOT_EXIST, UserID: 'a' },
        { ResultCode: 70107, ResultInfo: NOT_EXIST, UserID: 'b' },
      ],
    });
    // A deleted account can be imported again.
    assert.deepEqual(await s.call(IMPORT, { UserID: 'a' }), OK);
    assert.deepEqual(await statusOf(s, 'a'), ['Imported']);
  }));

test('account_delete takes 100 items; 101 get 70402 and delete none', () =>
  withServer([], async (s) => {
    const ids = Array.from({ length: 101 }, (_, i) => `d${i}`);
    await s.call(MULTI, { Accounts: ids.slice(0, 100) });
    await s.call(IMPORT, { UserID: 'd100' });
    assertFail(await s.call(DELETE, { DeleteItem: ids.map((UserID) => ({ UserID })) }), 70402, '101 items');
    assert.deepEqual(await statusOf(s, 'd0', 'd100'), ['Imported', 'Imported']);
    const r = await s.call(DELETE, { DeleteItem: ids.slice(0, 100).map((UserID) => ({ UserID })) });
    assert.equal(r.ErrorCode, 0);
    assert.equal(r.ResultItem.length, 100);
    assert.ok(r.ResultItem.every((i: { ResultCode: number }) => i.ResultCode === 0));
    assert.deepEqual(await statusOf(s, 'd0', 'd99', 'd100'), ['NotImported', 'NotImported', 'Imported']);
  }));

test('account_delete: DeleteItem or an item missing, empty or of the wrong type gets 70402 and deletes nothing', () =>
  withServer([], async (s) => {
    await s.call(IMPORT, { UserID: 'keep' });
    const keep = { UserID: 'keep' };
    const bodies: Array<[string, unknown]> = [
      ['no DeleteItem', {}],
      ['DeleteItem a string', { DeleteItem: 'keep' }],
      ['DeleteItem an object', { DeleteItem: keep }],
      ['DeleteItem empty', { DeleteItem: [] }],
      ['item a string', { DeleteItem: [keep, 'x'] }],
      ['item null', { DeleteItem: [keep, null] }],
      ['item an array', { DeleteItem: [keep, ['x']] }],
      ['item without UserID', { DeleteItem: [keep, {}] }],
      ['item with a numeric UserID', { DeleteItem: [keep, { UserID: 1 }] }],
      ['item with an empty UserID', { DeleteItem: [keep, { UserID: '' }] }],
      ['item with a 33-byte UserID', { DeleteItem: [keep, { UserID: ID33 }] }],
      ['item with 11 × 中', { DeleteItem: [keep, { UserID: CJK33 }] }],
    ];
    for (const [what, body] of bodies) assertFail(await s.call(DELETE, body), 70402, what);
    assert.deepEqual(await statusOf(s, 'keep'), ['Imported']);
  }));

// ---- account_check --------------------------------------------------------------------------

test('account_check answers AccountStatus per item, in request order', () =>
  withServer([], async (s) => {
    await s.call(MULTI, { Accounts: ['alice', CJK32] });
    const r = await s.call(CHECK, {
      CheckItem: [{ UserID: 'nobody' }, { UserID: 'alice' }, { UserID: ADMIN }, { UserID: CJK32 }, { UserID: 'alice' }],
    });
    assert.deepEqual(r, {
      ...OK,
      ResultItem: [
        { UserID: 'nobody', ResultCode: 0, ResultInfo: '', AccountStatus: 'NotImported' },
        { UserID: 'alice', ResultCode: 0, ResultInfo: '', AccountStatus: 'Imported' },
        { UserID: ADMIN, ResultCode: 0, ResultInfo: '', AccountStatus: 'Imported' },
        { UserID: CJK32, ResultCode: 0, ResultInfo: '', AccountStatus: 'Imported' },
        { UserID: 'alice', ResultCode: 0, ResultInfo: '', AccountStatus: 'Imported' },
      ],
    });
  }));

test('account_check takes 100 items; 101 get 70402', () =>
  withServer([], async (s) => {
    const items = Array.from({ length: 101 }, (_, i) => ({ UserID: `c${i}` }));
    const r = await s.call(CHECK, { CheckItem: items.slice(0, 100) });
    assert.equal(r.ErrorCode, 0);
    assert.equal(r.ResultItem.length, 100);
    assert.equal(r.ResultItem[99].UserID, 'c99');
    assertFail(await s.call(CHECK, { CheckItem: items }), 70402, '101 items');
  }));

test('account_check: CheckItem or an item missing, empty or of the wrong type gets 70402', () =>
  withServer([], async (s) => {
    const ok = { UserID: 'alice' };
    const bodies: Array<[string, unknown]> = [
      ['no CheckItem', {}],
      ['CheckItem a string', { CheckItem: 'alice' }],
      ['CheckItem an object', { CheckItem: ok }],
      ['CheckItem empty', { CheckItem: [] }],
      ['item a string', { CheckItem: [ok, 'x'] }],
      ['item without UserID', { CheckItem: [ok, { Id: 'x' }] }],
      ['numeric UserID', { CheckItem: [ok, { UserID: 7 }] }],
      ['empty UserID', { CheckItem: [ok, { UserID: '' }] }],
      ['33-byte UserID', { CheckItem: [ok, { UserID: ID33 }] }],
      ['11 × 中', { CheckItem: [ok, { UserID: CJK33 }] }],
    ];
    for (const [what, body] of bodies) assertFail(await s.call(CHECK, body), 70402, what);
  }));

// ---- kick -----------------------------------------------------------------------------------

test('kick answers 0 for a known account and records when its sessions ended', () =>
  withServer([], async (s) => {
    await s.call(IMPORT, { UserID: 'alice' });
    assert.equal(await s.parley.store.kickedAt(SDKAPPID, 'alice'), undefined);
    assert.deepEqual(await s.call(KICK, { UserID: 'alice' }), OK);
    assert.equal(await s.parley.store.kickedAt(SDKAPPID, 'alice'), T0);
    s.clock.advance(5000);
    assert.deepEqual(await s.call(KICK, { UserID: 'alice' }), OK);
    assert.equal(await s.parley.store.kickedAt(SDKAPPID, 'alice'), T0 + 5);
    assert.deepEqual(await statusOf(s, 'alice'), ['Imported'], 'a kick does not delete the account');
  }));

test('kick of an unknown or deleted account gets 70107 and creates nothing', () =>
  withServer([], async (s) => {
    assertFail(await s.call(KICK, { UserID: 'ghost' }), 70107, 'never imported');
    assert.equal(await s.parley.store.kickedAt(SDKAPPID, 'ghost'), undefined);
    assert.deepEqual(await statusOf(s, 'ghost'), ['NotImported']);
    await s.call(IMPORT, { UserID: 'gone' });
    await s.call(DELETE, { DeleteItem: [{ UserID: 'gone' }] });
    assertFail(await s.call(KICK, { UserID: 'gone' }), 70107, 'deleted');
    assert.deepEqual(await statusOf(s, 'gone'), ['NotImported']);
  }));

test('kick: UserID missing, empty, of the wrong type or too long gets 70402', () =>
  withServer([], async (s) => {
    await s.call(IMPORT, { UserID: ID32 });
    const bodies: Array<[string, unknown]> = [
      ['no UserID', {}],
      ['empty', { UserID: '' }],
      ['number', { UserID: 1 }],
      ['array', { UserID: [ID32] }],
      ['33 bytes', { UserID: ID33 }],
      ['11 × 中', { UserID: CJK33 }],
    ];
    for (const [what, body] of bodies) assertFail(await s.call(KICK, body), 70402, what);
    assert.equal(await s.parley.store.kickedAt(SDKAPPID, ID32), undefined);
    assert.deepEqual(await s.call(KICK, { UserID: ID32 }), OK);
  }));

// ---- common to every account API ------------------------------------------------------------

test('every account API answers 70403 for a non-admin identifier and changes nothing', () =>
  withServer([], async (s) => {
    await s.call(MULTI, { Accounts: ['alice', 'bob'] });
    const sig = s.sig('alice');
    const calls: Array<[string, unknown]> = [
      [IMPORT, { UserID: 'carol' }],
      [MULTI, { Accounts: ['dave'] }],
      [DELETE, { DeleteItem: [{ UserID: 'bob' }] }],
      [CHECK, { CheckItem: [{ UserID: 'bob' }] }],
      [KICK, { UserID: 'bob' }],
    ];
    for (const [api, body] of calls)
      assertFail(await s.call(api, body, { identifier: 'alice', usersig: sig }), 70403, api);
    assert.deepEqual(await statusOf(s, 'bob', 'carol', 'dave'), ['Imported', 'NotImported', 'NotImported']);
    assert.equal(await s.parley.store.kickedAt(SDKAPPID, 'bob'), undefined);
  }));

test('every account API answers 70500 when the store fails, without leaking the cause', () =>
  withServer([], async (s) => {
    const store = s.parley.store as unknown as Record<string, unknown>;
    for (const m of [
      'importAccount',
      'importAccounts',
      'importAccountList',
      'deleteAccounts',
      'existingAccounts',
      'kickAccount',
    ]) {
      store[m] = async () => {
        throw new Error('injected store failure');
      };
    }
    const calls: Array<[string, unknown]> = [
      [IMPORT, { UserID: 'carol' }],
      [MULTI, { Accounts: ['dave'] }],
      [DELETE, { DeleteItem: [{ UserID: 'bob' }] }],
      [CHECK, { CheckItem: [{ UserID: 'bob' }] }],
      [KICK, { UserID: 'bob' }],
    ];
    for (const [api, body] of calls) {
      const r = await s.call(api, body);
      assertFail(r, 70500, api);
      assert.ok(!r.ErrorInfo.includes('injected'), 'the internal cause stays in the log');
    }
    await new Promise((r) => setImmediate(r));
    assert.ok(
      s.logs.some((l) => l.includes('injected store failure')),
      'the cause is logged',
    );
  }));

test('each account API declares the ErrorCodes these tests produce', () => {
  const declared = Object.fromEntries(accountApis.map((a) => [`${a.service}/${a.command}`, a.errors]));
  const produced: Record<string, number[]> = {
    [IMPORT]: [40601, 70402, 70403, 70500],
    [MULTI]: [70402, 70403, 70500],
    [DELETE]: [70107, 70402, 70403, 70500],
    [CHECK]: [70402, 70403, 70500],
    [KICK]: [70107, 70402, 70403, 70500],
  };
  assert.deepEqual(Object.keys(declared).sort(), Object.keys(produced).sort());
  for (const [api, codes] of Object.entries(produced)) assert.deepEqual([...declared[api]!].sort(), codes, api);
});
