// State.StateChange (spec §6.7): Login (Register), Logout (Unregister), Disconnect (LinkClose) of
// gateway sessions, EventTime in milliseconds, OptPlatform of the client, KickedDevice when a
// login pushes out an older session of the same platform.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T0 } from '../helpers/server.js';
import { WsClient, baseQuery, withCallbacks, type Hit } from './helpers.js';

const STATE = 'State.StateChange';

const info = (h: Hit) => ({ ...h.body.Info, kicked: h.body.KickedDevice });

test('login, logout and a dropped connection each send State.StateChange with Action and Reason', async () => {
  await withCallbacks({ callback: { commands: [STATE] } }, async ({ r, s }) => {
    const alice = await WsClient.login(s, 'alice', { platform: 'Web', deviceId: 'w1' });
    const [login] = await r.waitForCommand(STATE, 1);
    assert.deepEqual(login!.body, {
      CallbackCommand: STATE,
      EventTime: T0 * 1000,
      Info: { Action: 'Login', To_Account: 'alice', Reason: 'Register' },
    });
    assert.deepEqual(login!.query, baseQuery(STATE, 'Web'));

    s.clock.advance(1234);
    const out = await alice.request('logout', {});
    assert.equal(out.code, 0);
    assert.equal((await alice.closed).code, 1000);
    const [, logout] = await r.waitForCommand(STATE, 2);
    assert.deepEqual(logout!.body, {
      CallbackCommand: STATE,
      EventTime: T0 * 1000 + 1234,
      Info: { Action: 'Logout', To_Account: 'alice', Reason: 'Unregister' },
    });

    const bob = await WsClient.login(s, 'bob', { platform: 'Android', deviceId: 'b1' });
    s.clock.advance(1);
    bob.ws.terminate();
    const hits = await r.waitForCommand(STATE, 4);
    assert.deepEqual(
      hits.slice(2).map((h) => [h.query.OptPlatform, h.body.EventTime, info(h)]),
      [
        ['Android', T0 * 1000 + 1234, { Action: 'Login', To_Account: 'bob', Reason: 'Register', kicked: undefined }],
        [
          'Android',
          T0 * 1000 + 1235,
          { Action: 'Disconnect', To_Account: 'bob', Reason: 'LinkClose', kicked: undefined },
        ],
      ],
    );
  });
});

test('OptPlatform names the client platform; State.StateChange spells iPhone as IOS', async () => {
  await withCallbacks({ callback: { commands: [STATE] } }, async ({ r, s }) => {
    const expected: Array<[string, string]> = [
      ['iPhone', 'IOS'],
      ['iPad', 'iPad'],
      ['PC', 'Windows'],
      ['Mac', 'Mac'],
      ['Android', 'Android'],
      ['Web', 'Web'],
    ];
    const clients: WsClient[] = [];
    try {
      for (const [platform] of expected)
        clients.push(await WsClient.login(s, 'alice', { platform, deviceId: `dev-${platform}` }));
      const hits = await r.waitForCommand(STATE, expected.length);
      assert.deepEqual(
        hits.map((h) => h.query.OptPlatform),
        expected.map((e) => e[1]),
      );
      assert.ok(hits.every((h) => h.body.Info.Action === 'Login' && h.body.KickedDevice === undefined));
    } finally {
      for (const c of clients) await c.close();
    }
  });
});

test('a login that kicks an older session of the same platform carries KickedDevice', async () => {
  await withCallbacks({ callback: { commands: [STATE] }, app: { maxDevicesPerPlatform: 1 } }, async ({ r, s }) => {
    const first = await WsClient.login(s, 'alice', { platform: 'Web', deviceId: 'tab-1' });
    await r.waitForCommand(STATE, 1);
    const phone = await WsClient.login(s, 'alice', { platform: 'Android', deviceId: 'phone' });
    await r.waitForCommand(STATE, 2);
    // Another Web device: the limit is one per platform, so tab-1 goes; the phone stays.
    const second = await WsClient.login(s, 'alice', { platform: 'Web', deviceId: 'tab-2' });
    const kicked = await first.next((f) => f.op === 'kicked', 'the kick notice');
    assert.equal(kicked.data.reason, 'multipleAccount');
    const [, , login] = await r.waitForCommand(STATE, 3);
    assert.deepEqual(login!.body, {
      CallbackCommand: STATE,
      EventTime: T0 * 1000,
      Info: { Action: 'Login', To_Account: 'alice', Reason: 'Register' },
      KickedDevice: [{ Platform: 'Web' }],
    });
    assert.deepEqual(login!.query, baseQuery(STATE, 'Web'));

    // The same device logging in again replaces its own session: also a kick.
    const again = await WsClient.login(s, 'alice', { platform: 'Android', deviceId: 'phone' });
    const logins = await r.waitFor(
      2,
      (h) => h.body.Info?.Action === 'Login' && h.body.KickedDevice !== undefined,
      'the second kicking login',
    );
    assert.deepEqual(logins[1]!.body.KickedDevice, [{ Platform: 'Android' }]);
    assert.equal(logins[1]!.query.OptPlatform, 'Android');
    await Promise.all([first.closed, phone.closed]);
    await second.close();
    await again.close();
  });
});
