// v4/profile/portrait_get and portrait_set (one-to-one spec §5) over HTTP: standard and custom
// tags, defaults, every ErrorCode of both tables that REST can produce, all-or-nothing writes,
// ErrorDisplay on every answer, and Nick/FaceUrl shared with account_import / multiaccount_import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, type TestServer } from './helpers/server.js';
import { profileApis } from '../src/api/profiles.js';

const GET = 'profile/portrait_get';
const SET = 'profile/portrait_set';
const OK = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0, ErrorDisplay: '' };

const STANDARD_TAGS = [
  'Tag_Profile_IM_Nick',
  'Tag_Profile_IM_Gender',
  'Tag_Profile_IM_BirthDay',
  'Tag_Profile_IM_Location',
  'Tag_Profile_IM_SelfSignature',
  'Tag_Profile_IM_AllowType',
  'Tag_Profile_IM_Language',
  'Tag_Profile_IM_Image',
  'Tag_Profile_IM_AdminForbidType',
  'Tag_Profile_IM_Level',
  'Tag_Profile_IM_Role',
];

function assertFail(r: Record<string, any>, code: number, what: string): void {
  assert.equal(r.ErrorCode, code, `${what}: ${JSON.stringify(r).slice(0, 300)}`);
  assert.equal(r.ActionStatus, 'FAIL', what);
  assert.ok(typeof r.ErrorInfo === 'string' && r.ErrorInfo.length > 0, `${what}: ErrorInfo is set`);
  assert.equal(r.ErrorDisplay, '', `${what}: ErrorDisplay is always present`);
}

async function profileOf(s: TestServer, user: string, tags: string[]): Promise<Record<string, unknown>> {
  const r = await s.call(GET, { To_Account: [user], TagList: tags });
  assert.equal(r.ErrorCode, 0, JSON.stringify(r));
  return Object.fromEntries(
    r.UserProfileItem[0].ProfileItem.map((i: { Tag: string; Value: unknown }) => [i.Tag, i.Value]),
  );
}

test('portrait_get: a profile never set reads as the defaults, in TagList order', () =>
  withServer(['alice'], async (s) => {
    const tags = [...STANDARD_TAGS].reverse().concat('Tag_Profile_Custom_Hobby');
    const r = await s.call(GET, { To_Account: ['alice'], TagList: tags });
    assert.deepEqual(r, {
      ...OK,
      UserProfileItem: [
        {
          To_Account: 'alice',
          ResultCode: 0,
          ResultInfo: '',
          ProfileItem: tags.map((Tag) => ({
            Tag,
            Value:
              (
                {
                  Tag_Profile_IM_Gender: 'Gender_Type_Unknown',
                  Tag_Profile_IM_AllowType: 'AllowType_Type_NeedConfirm',
                  Tag_Profile_IM_AdminForbidType: 'AdminForbid_Type_None',
                  Tag_Profile_IM_BirthDay: 0,
                  Tag_Profile_IM_Language: 0,
                  Tag_Profile_IM_Level: 0,
                  Tag_Profile_IM_Role: 0,
                } as Record<string, unknown>
              )[Tag] ?? '',
          })),
        },
      ],
    });
  }));

test('portrait_set then portrait_get: every standard field and a custom one; the later of a repeated tag wins', () =>
  withServer(['alice', 'bob'], async (s) => {
    const items = [
      { Tag: 'Tag_Profile_IM_Nick', Value: 'first' },
      { Tag: 'Tag_Profile_IM_Nick', Value: 'Alice 中' },
      { Tag: 'Tag_Profile_IM_Gender', Value: 'Gender_Type_Female' },
      { Tag: 'Tag_Profile_IM_BirthDay', Value: 20190419 },
      { Tag: 'Tag_Profile_IM_Location', Value: '1234567890123456' },
      { Tag: 'Tag_Profile_IM_SelfSignature', Value: 's'.repeat(500) },
      { Tag: 'Tag_Profile_IM_AllowType', Value: 'AllowType_Type_DenyAny' },
      { Tag: 'Tag_Profile_IM_Language', Value: 4294967295 },
      { Tag: 'Tag_Profile_IM_Image', Value: 'https://example.com/a.png' },
      { Tag: 'Tag_Profile_IM_AdminForbidType', Value: 'AdminForbid_Type_SendOut' },
      { Tag: 'Tag_Profile_IM_Level', Value: 7 },
      { Tag: 'Tag_Profile_IM_Role', Value: 0 },
      { Tag: 'Tag_Profile_Custom_Hobby', Value: 'chess' },
    ];
    assert.deepEqual(await s.call(SET, { From_Account: 'alice', ProfileItem: items }), OK);
    const p = await profileOf(s, 'alice', [...STANDARD_TAGS, 'Tag_Profile_Custom_Hobby']);
    assert.deepEqual(p, {
      Tag_Profile_IM_Nick: 'Alice 中',
      Tag_Profile_IM_Gender: 'Gender_Type_Female',
      Tag_Profile_IM_BirthDay: 20190419,
      Tag_Profile_IM_Location: '1234567890123456',
      Tag_Profile_IM_SelfSignature: 's'.repeat(500),
      Tag_Profile_IM_AllowType: 'AllowType_Type_DenyAny',
      Tag_Profile_IM_Language: 4294967295,
      Tag_Profile_IM_Image: 'https://example.com/a.png',
      Tag_Profile_IM_AdminForbidType: 'AdminForbid_Type_SendOut',
      Tag_Profile_IM_Level: 7,
      Tag_Profile_IM_Role: 0,
      Tag_Profile_Custom_Hobby: 'chess',
    });
    // A later set touches only the fields it names; bob's profile is his own.
    assert.deepEqual(
      await s.call(SET, { From_Account: 'alice', ProfileItem: [{ Tag: 'Tag_Profile_IM_Level', Value: 8 }] }),
      OK,
    );
    assert.deepEqual(await profileOf(s, 'alice', ['Tag_Profile_IM_Level', 'Tag_Profile_IM_Nick']), {
      Tag_Profile_IM_Level: 8,
      Tag_Profile_IM_Nick: 'Alice 中',
    });
    assert.deepEqual(await profileOf(s, 'bob', ['Tag_Profile_IM_Level', 'Tag_Profile_IM_Nick']), {
      Tag_Profile_IM_Level: 0,
      Tag_Profile_IM_Nick: '',
    });
  }));

test('Nick/FaceUrl of account_import and multiaccount_import are Tag_Profile_IM_Nick/Image; portrait_set changes what they stored', () =>
  withServer([], async (s) => {
    await s.call('im_open_login_svc/account_import', { UserID: 'alice', Nick: 'Al', FaceUrl: 'https://a/1.png' });
    await s.call('im_open_login_svc/multiaccount_import', {
      AccountList: [
        { UserID: 'bob', Nick: 'Bo' },
        { UserID: 'carol', FaceUrl: 'https://c/1.png' },
      ],
    });
    const tags = ['Tag_Profile_IM_Nick', 'Tag_Profile_IM_Image'];
    const r = await s.call(GET, { To_Account: ['alice', 'bob', 'carol'], TagList: tags });
    assert.deepEqual(
      r.UserProfileItem.map((i: any) => i.ProfileItem.map((p: any) => p.Value)),
      [
        ['Al', 'https://a/1.png'],
        ['Bo', ''],
        ['', 'https://c/1.png'],
      ],
    );
    await s.call(SET, {
      From_Account: 'bob',
      ProfileItem: [{ Tag: 'Tag_Profile_IM_Image', Value: 'https://b/2.png' }],
    });
    assert.deepEqual(await profileOf(s, 'bob', tags), {
      Tag_Profile_IM_Nick: 'Bo',
      Tag_Profile_IM_Image: 'https://b/2.png',
    });
  }));

test('portrait_get: unknown accounts get ResultCode 40003 and Fail_Account when another exists; 40003 when none does', () =>
  withServer(['alice'], async (s) => {
    const r = await s.call(GET, { To_Account: ['ghost', 'alice'], TagList: ['Tag_Profile_IM_Nick'] });
    assert.equal(r.ErrorCode, 0);
    assert.equal(r.ErrorDisplay, '');
    assert.deepEqual(r.Fail_Account, ['ghost']);
    assert.equal(r.UserProfileItem[0].To_Account, 'ghost');
    assert.equal(r.UserProfileItem[0].ResultCode, 40003);
    assert.equal(r.UserProfileItem[0].ProfileItem, undefined);
    assert.deepEqual(r.UserProfileItem[1], {
      To_Account: 'alice',
      ProfileItem: [{ Tag: 'Tag_Profile_IM_Nick', Value: '' }],
      ResultCode: 0,
      ResultInfo: '',
    });
    const ok = await s.call(GET, { To_Account: ['alice'], TagList: ['Tag_Profile_IM_Nick'] });
    assert.equal(ok.Fail_Account, undefined, 'no Fail_Account when everyone succeeded');
    assertFail(
      await s.call(GET, { To_Account: ['ghost', 'phantom'], TagList: ['Tag_Profile_IM_Nick'] }),
      40003,
      'nobody exists',
    );
  }));

test('portrait_get: 40001, 40002, 40004, 40009', () =>
  withServer(['alice'], async (s) => {
    const hundred = Array.from({ length: 100 }, (_, i) => (i === 0 ? 'alice' : `nobody${i}`));
    const big = await s.call(GET, { To_Account: hundred, TagList: ['Tag_Profile_IM_Nick'] });
    assert.equal(big.ErrorCode, 0);
    assert.equal(big.UserProfileItem.length, 100);
    const cases: Array<[string, unknown, number]> = [
      ['To_Account missing', { TagList: ['Tag_Profile_IM_Nick'] }, 40002],
      ['To_Account empty', { To_Account: [], TagList: ['Tag_Profile_IM_Nick'] }, 40002],
      ['101 accounts', { To_Account: [...hundred, 'x'], TagList: ['Tag_Profile_IM_Nick'] }, 40001],
      ['a number in To_Account', { To_Account: ['alice', 1], TagList: ['Tag_Profile_IM_Nick'] }, 40001],
      ['TagList missing', { To_Account: ['alice'] }, 40001],
      ['TagList empty', { To_Account: ['alice'], TagList: [] }, 40001],
      ['a number in TagList', { To_Account: ['alice'], TagList: ['Tag_Profile_IM_Nick', 3] }, 40001],
      ['unknown standard tag', { To_Account: ['alice'], TagList: ['Tag_Profile_IM_Nope'] }, 40009],
      ['custom tag of 9 letters', { To_Account: ['alice'], TagList: ['Tag_Profile_Custom_Abcdefghi'] }, 40009],
      ['custom tag with a digit', { To_Account: ['alice'], TagList: ['Tag_Profile_Custom_Ab1'] }, 40009],
      ['prototype name as tag', { To_Account: ['alice'], TagList: ['__proto__'] }, 40009],
    ];
    for (const [what, body, code] of cases) assertFail(await s.call(GET, body), code, what);
    assertFail(await s.call(GET, '{"To_Account":', { raw: true }), 40001, 'body not JSON');
    assertFail(
      await s.call(
        GET,
        { To_Account: ['alice'], TagList: ['Tag_Profile_IM_Nick'] },
        { identifier: 'alice', usersig: s.sig('alice') },
      ),
      40004,
      'non-admin',
    );
  }));

test('portrait_set: every ErrorCode, and a rejected request writes nothing', () =>
  withServer(['alice'], async (s) => {
    const good = { Tag: 'Tag_Profile_IM_Nick', Value: 'changed' };
    const set = (item: unknown) => ({ From_Account: 'alice', ProfileItem: [good, item] });
    const cases: Array<[string, unknown, number]> = [
      ['From_Account missing', { ProfileItem: [good] }, 40001],
      ['From_Account a number', { From_Account: 5, ProfileItem: [good] }, 40001],
      ['ProfileItem missing', { From_Account: 'alice' }, 40001],
      ['ProfileItem empty', { From_Account: 'alice', ProfileItem: [] }, 40001],
      ['ProfileItem an object', { From_Account: 'alice', ProfileItem: good }, 40001],
      ['101 items', { From_Account: 'alice', ProfileItem: Array.from({ length: 101 }, () => good) }, 40001],
      ['an item without Tag', set({ Value: 'x' }), 40001],
      ['an item with a number Tag', set({ Tag: 1, Value: 'x' }), 40001],
      ['an item without Value', set({ Tag: 'Tag_Profile_IM_Nick' }), 40001],
      ['unknown account', { From_Account: 'ghost', ProfileItem: [good] }, 40003],
      ['unknown tag', set({ Tag: 'Tag_Profile_IM_Nope', Value: 'x' }), 40009],
      ['bad custom tag', set({ Tag: 'Tag_Profile_Custom_', Value: 'x' }), 40009],
      ['string over 500 bytes', set({ Tag: 'Tag_Profile_IM_SelfSignature', Value: '中'.repeat(167) }), 40601],
      ['custom over 500 bytes', set({ Tag: 'Tag_Profile_Custom_Note', Value: 'n'.repeat(501) }), 40601],
      ['Location over 16 bytes', set({ Tag: 'Tag_Profile_IM_Location', Value: 'l'.repeat(17) }), 40605],
      ['Gender not one of its values', set({ Tag: 'Tag_Profile_IM_Gender', Value: 'Gender_Type_Other' }), 40605],
      ['AllowType not one of its values', set({ Tag: 'Tag_Profile_IM_AllowType', Value: 'allow' }), 40605],
      ['AdminForbidType not one of its values', set({ Tag: 'Tag_Profile_IM_AdminForbidType', Value: '' }), 40605],
      ['Level a string', set({ Tag: 'Tag_Profile_IM_Level', Value: '3' }), 40610],
      ['Level negative', set({ Tag: 'Tag_Profile_IM_Level', Value: -1 }), 40610],
      ['BirthDay over u32', set({ Tag: 'Tag_Profile_IM_BirthDay', Value: 4294967296 }), 40610],
      ['Role a fraction', set({ Tag: 'Tag_Profile_IM_Role', Value: 1.5 }), 40610],
      ['Nick a number', set({ Tag: 'Tag_Profile_IM_Nick', Value: 1 }), 40610],
      ['custom a number', set({ Tag: 'Tag_Profile_Custom_Hobby', Value: 1 }), 40610],
    ];
    for (const [what, body, code] of cases) assertFail(await s.call(SET, body), code, what);
    assertFail(await s.call(SET, 'not json', { raw: true }), 40001, 'body not JSON');
    assertFail(
      await s.call(
        SET,
        { From_Account: 'alice', ProfileItem: [good] },
        { identifier: 'alice', usersig: s.sig('alice') },
      ),
      40004,
      'non-admin',
    );
    assert.deepEqual(
      await profileOf(s, 'alice', ['Tag_Profile_IM_Nick']),
      { Tag_Profile_IM_Nick: '' },
      'nothing was written',
    );
  }));

test('account_delete deletes the profile: a re-imported UserID starts with defaults', () =>
  withServer([], async (s) => {
    await s.call('im_open_login_svc/account_import', { UserID: 'alice', Nick: 'Al' });
    await s.call(SET, {
      From_Account: 'alice',
      ProfileItem: [
        { Tag: 'Tag_Profile_IM_Level', Value: 9 },
        { Tag: 'Tag_Profile_Custom_Hobby', Value: 'go' },
      ],
    });
    await s.call('im_open_login_svc/account_delete', { DeleteItem: [{ UserID: 'alice' }] });
    await s.call('im_open_login_svc/account_import', { UserID: 'alice' });
    assert.deepEqual(
      await profileOf(s, 'alice', ['Tag_Profile_IM_Nick', 'Tag_Profile_IM_Level', 'Tag_Profile_Custom_Hobby']),
      { Tag_Profile_IM_Nick: '', Tag_Profile_IM_Level: 0, Tag_Profile_Custom_Hobby: '' },
    );
  }));

test("each profile API declares the ErrorCodes these tests produce (beyond the family's 40001/40004/40006)", () => {
  const declared = Object.fromEntries(profileApis.map((a) => [`${a.service}/${a.command}`, [...a.errors].sort()]));
  assert.deepEqual(declared, {
    [GET]: [40001, 40002, 40003, 40009],
    [SET]: [40001, 40003, 40009, 40601, 40605, 40610],
  });
});
