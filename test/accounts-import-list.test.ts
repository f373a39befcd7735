// multiaccount_import in its newer form, AccountList [{UserID, Nick, FaceUrl}] (one-to-one spec
// §1): both forms, exactly one of them, FailAccounts per entry, updates of existing accounts, and
// whole-request 70402 for malformed entries with nothing imported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, type TestServer } from './helpers/server.js';

const MULTI = 'im_open_login_svc/multiaccount_import';
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };

async function statusOf(s: TestServer, ...ids: string[]): Promise<string[]> {
  const r = await s.call('im_open_login_svc/account_check', { CheckItem: ids.map((UserID) => ({ UserID })) });
  return r.ResultItem.map((i: { AccountStatus: string }) => i.AccountStatus);
}

async function nickAndFace(s: TestServer, ...ids: string[]): Promise<Array<[unknown, unknown]>> {
  const r = await s.call('profile/portrait_get', {
    To_Account: ids,
    TagList: ['Tag_Profile_IM_Nick', 'Tag_Profile_IM_Image'],
  });
  assert.equal(r.ErrorCode, 0, JSON.stringify(r));
  return r.UserProfileItem.map((i: { ProfileItem: Array<{ Value: unknown }> }) => [
    i.ProfileItem[0]!.Value,
    i.ProfileItem[1]!.Value,
  ]);
}

test('AccountList imports accounts with their Nick and FaceUrl', () =>
  withServer([], async (s) => {
    const r = await s.call(MULTI, {
      AccountList: [{ UserID: 'alice', Nick: 'Alice', FaceUrl: 'https://x/a.png' }, { UserID: 'bob' }],
    });
    assert.deepEqual(r, { ...OK, FailAccounts: [] });
    assert.deepEqual(await statusOf(s, 'alice', 'bob'), ['Imported', 'Imported']);
    assert.deepEqual(await nickAndFace(s, 'alice', 'bob'), [
      ['Alice', 'https://x/a.png'],
      ['', ''],
    ]);
  }));

test('an existing account is updated with what its entry gives; an absent field stays; a repeated UserID ends with the later entry', () =>
  withServer([], async (s) => {
    await s.call(MULTI, { AccountList: [{ UserID: 'alice', Nick: 'Old', FaceUrl: 'https://x/old.png' }] });
    const r = await s.call(MULTI, {
      AccountList: [
        { UserID: 'alice', Nick: 'New' },
        { UserID: 'bob', Nick: 'b1' },
        { UserID: 'bob', Nick: 'b2', FaceUrl: 'f' },
      ],
    });
    assert.deepEqual(r, { ...OK, FailAccounts: [] });
    assert.deepEqual(await nickAndFace(s, 'alice', 'bob'), [
      ['New', 'https://x/old.png'],
      ['b2', 'f'],
    ]);
    // The old form leaves profiles alone.
    assert.deepEqual(await s.call(MULTI, { Accounts: ['alice', 'carol'] }), { ...OK, FailAccounts: [] });
    assert.deepEqual(await nickAndFace(s, 'alice', 'carol'), [
      ['New', 'https://x/old.png'],
      ['', ''],
    ]);
  }));

test('entries with a bad UserID or a Nick/FaceUrl over 500 bytes go to FailAccounts; the rest are imported', () =>
  withServer([], async (s) => {
    const r = await s.call(MULTI, {
      AccountList: [
        { UserID: 'ok1', Nick: 'n'.repeat(500) },
        { UserID: '' },
        { UserID: 'u'.repeat(33) },
        { UserID: 'long-nick', Nick: '中'.repeat(167) },
        { UserID: 'long-face', FaceUrl: 'f'.repeat(501) },
        { UserID: 'ok2', FaceUrl: 'f'.repeat(500) },
      ],
    });
    assert.deepEqual(r, { ...OK, FailAccounts: ['', 'u'.repeat(33), 'long-nick', 'long-face'] });
    assert.deepEqual(await statusOf(s, 'ok1', 'ok2', 'long-nick', 'long-face'), [
      'Imported',
      'Imported',
      'NotImported',
      'NotImported',
    ]);
  }));

test('70402: neither or both forms, over 100 entries, a malformed entry; nothing is imported', () =>
  withServer([], async (s) => {
    const hundred = Array.from({ length: 100 }, (_, i) => ({ UserID: `h${i}` }));
    assert.deepEqual(await s.call(MULTI, { AccountList: hundred }), { ...OK, FailAccounts: [] });
    const bodies: Array<[string, unknown]> = [
      ['neither', {}],
      ['both', { Accounts: ['x1'], AccountList: [{ UserID: 'x2' }] }],
      ['AccountList empty', { AccountList: [] }],
      ['AccountList not an array', { AccountList: { UserID: 'x1' } }],
      ['101 entries', { AccountList: [...hundred, { UserID: 'x1' }] }],
      ['an entry not an object', { AccountList: [{ UserID: 'x1' }, 'x2'] }],
      ['an entry without UserID', { AccountList: [{ UserID: 'x1' }, { Nick: 'n' }] }],
      ['a UserID not a string', { AccountList: [{ UserID: 'x1' }, { UserID: 7 }] }],
      ['a Nick not a string', { AccountList: [{ UserID: 'x1' }, { UserID: 'x2', Nick: 1 }] }],
      ['a FaceUrl not a string', { AccountList: [{ UserID: 'x1' }, { UserID: 'x2', FaceUrl: ['f'] }] }],
    ];
    for (const [what, body] of bodies) {
      const r = await s.call(MULTI, body);
      assert.equal(r.ErrorCode, 70402, `${what}: ${JSON.stringify(r)}`);
      assert.equal(r.ActionStatus, 'FAIL', what);
      assert.ok(r.ErrorInfo.length > 0, what);
    }
    assert.deepEqual(await statusOf(s, 'x1', 'x2'), ['NotImported', 'NotImported']);
  }));
