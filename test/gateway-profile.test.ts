// The gateway's profile ops (docs/client-protocol.md): getProfiles and setProfile with hostile
// input (codes, not crashes), the Profile.CallbackPortraitSet of a client's own change, and
// portrait_set answering 40006 when the store fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer } from './helpers/server.js';
import { WsClient } from './helpers/ws.js';
import { withCallbacks } from './callbacks/helpers.js';

test('getProfiles / setProfile refuse malformed input with 40001 and keep the connection', () =>
  withServer(['alice'], async (s) => {
    const ws = await WsClient.login(s, 'alice');
    try {
      const bad: Array<[string, unknown]> = [
        ['getProfiles', {}],
        ['getProfiles', { userIds: [] }],
        ['getProfiles', { userIds: 'alice' }],
        ['getProfiles', { userIds: ['alice', 1] }],
        ['getProfiles', { userIds: Array.from({ length: 101 }, (_, i) => `u${i}`) }],
        ['setProfile', {}],
        ['setProfile', { items: [] }],
        ['setProfile', { items: [null] }],
        ['setProfile', { items: [{ tag: 'Tag_Profile_IM_Nick' }] }],
        ['setProfile', { items: [{ tag: 7, value: 'x' }] }],
        ['setProfile', { items: Array.from({ length: 101 }, () => ({ tag: 'Tag_Profile_IM_Nick', value: 'x' })) }],
      ];
      for (const [op, data] of bad) {
        const r = await ws.request(op, data);
        assert.equal(r.code, 40001, `${op} ${JSON.stringify(data).slice(0, 60)}: ${JSON.stringify(r).slice(0, 200)}`);
      }
      const unknownTag = await ws.request('setProfile', { items: [{ tag: '__proto__', value: 'x' }] });
      assert.equal(unknownTag.code, 40009);
      const ok = await ws.request('getProfiles', { userIds: ['alice', 'ghost'] });
      assert.equal(ok.code, 0);
      assert.deepEqual(
        ok.data.profiles.map((p: { userID: string }) => p.userID),
        ['alice'],
        'unknown users are left out',
      );
    } finally {
      await ws.close();
    }
  }));

test("a client's own change sends Profile.CallbackPortraitSet with itself as Operator_Account", async () => {
  await withCallbacks({ callback: { commands: ['Profile.CallbackPortraitSet'] } }, async ({ r, s }) => {
    const ws = await WsClient.login(s, 'alice', { platform: 'Android', deviceId: 'a1' });
    try {
      const ans = await ws.request('setProfile', { items: [{ tag: 'Tag_Profile_IM_SelfSignature', value: 'hello' }] });
      assert.equal(ans.code, 0);
      assert.deepEqual(ans.data.items, [{ tag: 'Tag_Profile_IM_SelfSignature', value: 'hello' }]);
      const [hit] = await r.waitForCommand('Profile.CallbackPortraitSet', 1);
      assert.equal(hit!.body.Operator_Account, 'alice');
      assert.equal(hit!.body.From_Account, 'alice');
      assert.deepEqual(hit!.body.ProfileItem, [{ Tag: 'Tag_Profile_IM_SelfSignature', Value: 'hello' }]);
      assert.equal(hit!.query.OptPlatform, 'Android');
    } finally {
      await ws.close();
    }
  });
});

test('portrait_set and portrait_get answer 40006 when the store fails, without leaking the cause', () =>
  withServer(['alice'], async (s) => {
    const store = s.parley.store as unknown as Record<string, unknown>;
    for (const m of ['profiles', 'writeProfile'])
      store[m] = async () => {
        throw new Error('injected store failure');
      };
    const set = await s.call('profile/portrait_set', {
      From_Account: 'alice',
      ProfileItem: [{ Tag: 'Tag_Profile_IM_Nick', Value: 'x' }],
    });
    const get = await s.call('profile/portrait_get', { To_Account: ['alice'], TagList: ['Tag_Profile_IM_Nick'] });
    for (const r of [set, get]) {
      assert.equal(r.ErrorCode, 40006, JSON.stringify(r));
      assert.equal(r.ErrorDisplay, '');
      assert.ok(!String(r.ErrorInfo).includes('injected'));
    }
  }));
