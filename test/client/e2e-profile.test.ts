// Profiles through the SDK against a real server: getMyProfile, getUserProfile, updateMyProfile
// with Tencent's web SDK field names, the server's codes, and PROFILE_UPDATED on every device of
// the user (for changes made on a device and by the admin over REST), never on a peer's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatError, EVENT, TYPES, type UserProfile } from '@parley/client';
import { device, withDevices } from './helpers.js';

const T = { timeout: 60_000 };

const DEFAULTS = {
  nick: '',
  avatar: '',
  gender: TYPES.GENDER_UNKNOWN,
  selfSignature: '',
  allowType: TYPES.ALLOW_TYPE_NEED_CONFIRM,
  birthday: 0,
  location: '',
  language: 0,
  messageSettings: 0,
  adminForbidType: TYPES.FORBID_TYPE_NONE,
  level: 0,
  role: 0,
  lastUpdatedTime: 0,
  profileCustomField: [],
};

test('getMyProfile / getUserProfile read the profile the admin imported; unknown users are left out', T, () =>
  withDevices(async (s, track) => {
    await s.call('im_open_login_svc/multiaccount_import', {
      AccountList: [{ UserID: 'alice', Nick: 'Alice', FaceUrl: 'https://x/a.png' }, { UserID: 'bob' }],
    });
    await s.call('profile/portrait_set', {
      From_Account: 'bob',
      ProfileItem: [
        { Tag: 'Tag_Profile_IM_Level', Value: 5 },
        { Tag: 'Tag_Profile_Custom_Team', Value: 'red' },
      ],
    });
    const a = track(await device(s, 'alice'));
    const mine = await a.chat.getMyProfile();
    assert.equal(mine.code, 0);
    assert.deepEqual(mine.data, { ...DEFAULTS, userID: 'alice', nick: 'Alice', avatar: 'https://x/a.png' });
    const others = await a.chat.getUserProfile({ userIDList: ['bob', 'ghost'] });
    assert.deepEqual(others.data, [
      { ...DEFAULTS, userID: 'bob', level: 5, profileCustomField: [{ key: 'Tag_Profile_Custom_Team', value: 'red' }] },
    ]);
    assert.deepEqual((await a.chat.getUserProfile({ userIDList: [] })).data, []);
    await assert.rejects(a.chat.getUserProfile({ userIDList: 'bob' as unknown as string[] }), /Params validate failed/);
  }),
);

test(
  'updateMyProfile writes every field, resolves with the whole profile, and PROFILE_UPDATED reaches all my devices but not a peer',
  T,
  () =>
    withDevices(async (s, track) => {
      await s.call('im_open_login_svc/multiaccount_import', { Accounts: ['alice', 'bob'] });
      const a1 = track(await device(s, 'alice'));
      const a2 = track(await device(s, 'alice'));
      const b = track(await device(s, 'bob'));
      const change = {
        nick: 'Alice',
        avatar: 'https://x/a.png',
        gender: TYPES.GENDER_FEMALE,
        selfSignature: 'hi',
        allowType: TYPES.ALLOW_TYPE_DENY_ANY,
        birthday: 20000101,
        location: 'CN',
        language: 2,
        messageSettings: 1,
        adminForbidType: TYPES.FORBID_TYPE_SEND_OUT,
        level: 3,
        role: 4,
        profileCustomField: [{ key: 'Tag_Profile_Custom_Team', value: 'blue' }],
      };
      const r = await a1.chat.updateMyProfile(change);
      const expected: UserProfile = { ...DEFAULTS, ...change, userID: 'alice' };
      assert.deepEqual(r, { code: 0, data: expected });
      for (const d of [a1, a2]) {
        const e = await d.rec.waitFor(EVENT.PROFILE_UPDATED);
        assert.deepEqual(e.data, [expected]);
      }
      // The admin's change over REST reaches the devices too.
      await s.call('profile/portrait_set', {
        From_Account: 'alice',
        ProfileItem: [{ Tag: 'Tag_Profile_IM_Nick', Value: 'Al' }],
      });
      const byAdmin = await a2.rec.waitFor(EVENT.PROFILE_UPDATED, (e) => (e.data as UserProfile[])[0]!.nick === 'Al');
      assert.equal((byAdmin.data as UserProfile[])[0]!.level, 3, 'the push carries the whole profile');
      // bob reads the change, but is not pushed alice's profile.
      assert.equal((await b.chat.getUserProfile({ userIDList: ['alice'] })).data[0]!.nick, 'Al');
      assert.deepEqual(b.rec.all(EVENT.PROFILE_UPDATED), []);
    }),
);

test(
  "updateMyProfile: the server's codes reject a bad value and nothing changes; a wrong type fails validation",
  T,
  () =>
    withDevices(async (s, track) => {
      await s.call('im_open_login_svc/multiaccount_import', { AccountList: [{ UserID: 'alice', Nick: 'Alice' }] });
      const a = track(await device(s, 'alice'));
      const cases: Array<[Record<string, unknown>, number]> = [
        [{ nick: 'n'.repeat(501) }, 40601],
        [{ gender: 'Gender_Type_Other' }, 40605],
        [{ location: 'l'.repeat(17) }, 40605],
        [{ level: -1 }, 40610],
        [{ nick: 'ok', profileCustomField: [{ key: 'Tag_Profile_Custom_TooLongKey', value: 'x' }] }, 40009],
      ];
      for (const [change, code] of cases) {
        await assert.rejects(
          a.chat.updateMyProfile(change),
          (e: unknown) => e instanceof ChatError && e.code === code,
          JSON.stringify(change).slice(0, 60),
        );
      }
      assert.equal((await a.chat.getMyProfile()).data.nick, 'Alice', 'a rejected update writes nothing');
      await assert.rejects(a.chat.updateMyProfile({ level: '3' } as never), /Params validate failed/);
      await assert.rejects(a.chat.updateMyProfile({}), /Params validate failed/);
    }),
);
