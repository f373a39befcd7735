// Profile.CallbackPortraitSet (one-to-one spec §8.1): after a successful portrait_set, through the
// durable outbox, with the fields written; not for a rejected set, nor for Nick/FaceUrl written by
// account_import / multiaccount_import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, T0 } from '../helpers/server.js';
import { baseQuery, outbox, withCallbacks } from './helpers.js';

const PORTRAIT = 'Profile.CallbackPortraitSet';
const SET = 'profile/portrait_set';

test('portrait_set sends Profile.CallbackPortraitSet with Operator_Account, From_Account, EventTime (ms) and the fields written', async () => {
  await withCallbacks({ callback: { commands: [PORTRAIT] } }, async ({ r, s }) => {
    // Not for import (spec decision), nor for a rejected set.
    await s.call('im_open_login_svc/account_import', { UserID: 'carol', Nick: 'C' });
    await s.call('im_open_login_svc/multiaccount_import', { AccountList: [{ UserID: 'dave', Nick: 'D' }] });
    const bad = await s.call(SET, {
      From_Account: 'alice',
      ProfileItem: [{ Tag: 'Tag_Profile_IM_Level', Value: 'x' }],
    });
    assert.equal(bad.ErrorCode, 40610);
    const ghost = await s.call(SET, {
      From_Account: 'ghost',
      ProfileItem: [{ Tag: 'Tag_Profile_IM_Level', Value: 1 }],
    });
    assert.equal(ghost.ErrorCode, 40003);

    s.clock.advance(500);
    const ok = await s.call(SET, {
      From_Account: 'alice',
      ProfileItem: [
        { Tag: 'Tag_Profile_IM_Nick', Value: 'Alice' },
        { Tag: 'Tag_Profile_IM_Level', Value: 3 },
        { Tag: 'Tag_Profile_Custom_Hobby', Value: 'go' },
      ],
    });
    assert.equal(ok.ErrorCode, 0);
    const [hit] = await r.waitForCommand(PORTRAIT, 1);
    assert.deepEqual(hit!.body, {
      CallbackCommand: PORTRAIT,
      Operator_Account: ADMIN,
      From_Account: 'alice',
      EventTime: T0 * 1000 + 500,
      ProfileItem: [
        { Tag: 'Tag_Profile_IM_Nick', Value: 'Alice' },
        { Tag: 'Tag_Profile_IM_Level', Value: 3 },
        { Tag: 'Tag_Profile_Custom_Hobby', Value: 'go' },
      ],
    });
    assert.deepEqual(hit!.query, baseQuery(PORTRAIT));
    assert.equal(
      r.hits.filter((h) => h.command === PORTRAIT).length,
      1,
      'one callback: none for the imports or the rejected sets',
    );
  });
});

test('Profile.CallbackPortraitSet is not sent when the app has not enabled it', async () => {
  await withCallbacks({ callback: { commands: ['C2C.CallbackAfterSendMsg'] } }, async ({ s }) => {
    const ok = await s.call(SET, { From_Account: 'alice', ProfileItem: [{ Tag: 'Tag_Profile_IM_Role', Value: 1 }] });
    assert.equal(ok.ErrorCode, 0);
    assert.deepEqual(
      (await outbox(s)).filter((e) => e.command === PORTRAIT),
      [],
    );
  });
});
