// Sessions through the SDK: readiness and the not-ready contract, login errors, logout, kicks,
// reconnects after a network drop or a server restart, and a persistent FileCache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import TencentCloudChat, { ChatError, EVENT, FileCache, TYPES, type Conversation, type Message } from '@parley/client';
import { SDKAPPID, startTestServer } from '../helpers/server.js';
import { device, importAccounts, portOf, relogin, Relay, sendText, untilEvent, withDevices } from './helpers.js';

const T = { timeout: 60_000 };

test('before login every API but the allowed few rejects with 2024 and emits ERROR; then login makes it ready', T, () =>
  withDevices(async (s, track) => {
    await importAccounts(s, 'alice');
    const d = track(await device(s, 'alice', { login: false }));
    assert.equal(d.chat.isReady(), false);
    assert.equal(d.chat.getLoginUser(), '');
    const created = d.chat.createTextMessage({
      to: 'bob',
      conversationType: TYPES.CONV_C2C,
      payload: { text: 'x' },
    }) as unknown as Promise<unknown>;
    await assert.rejects(created, (e: ChatError) => {
      assert.ok(e instanceof ChatError);
      assert.equal(e.code, 2024);
      assert.match(e.message, /createTextMessage/);
      assert.deepEqual(e.data, {});
      return true;
    });
    await assert.rejects(
      d.chat.getTotalUnreadMessageCount() as unknown as Promise<number>,
      (e: ChatError) => e.code === 2024,
    );
    await assert.rejects(d.chat.getConversationList(), (e: ChatError) => e.code === 2024);
    const errors = d.rec.all(EVENT.ERROR).map((e) => e.data as { code: number; message: string });
    assert.equal(errors.length, 3);
    assert.ok(errors.every((e) => e.code === 2024));
    // Missing arguments.
    await assert.rejects(d.chat.login({ userID: '', userSig: 'x' }), (e: ChatError) => e.code === 2002);
    await assert.rejects(d.chat.login({ userID: 'alice', userSig: '' }), (e: ChatError) => e.code === 2003);
    const noApp = TencentCloudChat.create({ SDKAppID: 0, serverURL: s.base, instanceName: 'no-app' });
    await assert.rejects(noApp.login({ userID: 'alice', userSig: 'x' }), (e: ChatError) => e.code === 2000);
    await noApp.destroy();
    // A bad UserSig: the server's code, and the not-ready reason becomes 3001.
    await assert.rejects(d.chat.login({ userID: 'alice', userSig: 'garbage' }), (e: ChatError) => e.code === 70003);
    await assert.rejects(d.chat.getConversationList(), (e: ChatError) => e.code === 3001);
    // A real login: the promise resolves before SDK_READY, which follows the first sync.
    const login = await d.chat.login({ userID: 'alice', userSig: s.sig('alice') });
    assert.deepEqual(login, { code: 0, data: { actionStatus: 'OK', errorCode: 0, errorInfo: '' } });
    await d.rec.waitFor(EVENT.SDK_READY);
    assert.equal(d.chat.isReady(), true);
    assert.equal(d.chat.getLoginUser(), 'alice');
    // Server-corrected: the test server's clock is frozen in 2023, far from this machine's.
    assert.ok(Math.abs(d.chat.getServerTime() - s.clock.nowMs() / 1000) < 3600);
    assert.equal(d.chat.getTotalUnreadMessageCount(), 0);
    const again = await d.chat.login({ userID: 'alice', userSig: s.sig('alice') });
    assert.equal(again.data.repeatLogin, true);
    // Validation when ready: a plain Error, thrown synchronously.
    assert.throws(
      () => d.chat.createTextMessage({ to: 'bob', conversationType: TYPES.CONV_C2C, payload: { text: '' } }),
      { message: 'Params validate failed.' },
    );
    assert.throws(
      () =>
        d.chat.createFaceMessage({
          to: 'bob',
          conversationType: TYPES.CONV_C2C,
          payload: { index: 'x' as unknown as number },
        }),
      { message: 'Params validate failed.' },
    );
    assert.throws(
      () => d.chat.createTextMessage({ to: 'g', conversationType: TYPES.CONV_GROUP, payload: { text: 'x' } }),
      (e: ChatError) => e.code === 2106,
    );
    await assert.rejects(d.chat.sendMessage({} as Message), (e: ChatError) => e.code === 2105);
    // Logout: SDK_NOT_READY, and calls reject with 3005.
    await d.chat.logout();
    await d.rec.waitFor(EVENT.SDK_NOT_READY);
    assert.equal(d.chat.isReady(), false);
    await assert.rejects(d.chat.getConversationList(), (e: ChatError) => e.code === 3005);
  }),
);

test('create is one instance per SDKAppID (and instanceName) until destroyed', T, async () => {
  const a = TencentCloudChat.create({ SDKAppID: 1400000111, serverURL: 'http://127.0.0.1:1' });
  assert.equal(TencentCloudChat.create({ SDKAppID: 1400000111, proxyServer: 'http://127.0.0.1:2' }), a);
  const named = TencentCloudChat.create({
    SDKAppID: 1400000111,
    serverURL: 'http://127.0.0.1:1',
    instanceName: 'second',
  });
  assert.notEqual(named, a);
  await a.destroy();
  assert.notEqual(TencentCloudChat.create({ SDKAppID: 1400000111, serverURL: 'http://127.0.0.1:1' }), a);
  await TencentCloudChat.create({ SDKAppID: 1400000111 }).destroy();
  await named.destroy();
  assert.equal(TencentCloudChat.TYPES.MSG_TEXT, 'TIMTextElem');
  assert.equal(TencentCloudChat.EVENT.MESSAGE_REVOKED, 'onMessageRevoked');
  assert.equal(typeof TencentCloudChat.VERSION, 'string');
});

test(
  'a REST kick: KICKED_OUT REST_API_Kick then SDK_NOT_READY on every device, no reconnect, a new UserSig logs in',
  T,
  () =>
    withDevices(async (s, track) => {
      await importAccounts(s, 'alice', 'bob');
      const b1 = track(await device(s, 'bob'));
      const b2 = track(await device(s, 'bob'));
      const a = track(await device(s, 'alice'));
      const r = await s.call('im_open_login_svc/kick', { UserID: 'bob' });
      assert.equal(r.ErrorCode, 0);
      for (const d of [b1, b2]) {
        const kicked = await d.rec.waitFor(EVENT.KICKED_OUT);
        assert.deepEqual(kicked.data, { type: TYPES.KICKED_OUT_REST_API });
        await d.rec.waitFor(EVENT.SDK_NOT_READY);
        const names = d.rec.log.map((x) => x.name);
        assert.ok(
          names.lastIndexOf(EVENT.KICKED_OUT) < names.lastIndexOf(EVENT.SDK_NOT_READY),
          'KICKED_OUT comes first',
        );
        assert.equal(d.chat.isReady(), false);
        await assert.rejects(d.chat.getConversationList(), (e: ChatError) => e.code === 3006);
      }
      // Meanwhile the rest of the system goes on; the kicked devices never tried to connect again.
      const m = await sendText(a, 'bob', 'while kicked');
      const online = await s.call('openim/query_online_status', { To_Account: ['bob'] });
      assert.equal(online.QueryResult[0].Status, 'Offline');
      for (const d of [b1, b2]) {
        const afterKick = d.rec.log.slice(d.rec.log.findIndex((x) => x.name === EVENT.KICKED_OUT));
        assert.equal(
          afterKick.some(
            (x) => x.name === EVENT.NET_STATE_CHANGE && (x.envelope.data as { state: string }).state === 'connecting',
          ),
          false,
        );
      }
      await relogin(s, b1);
      await untilEvent(b1.rec, [EVENT.MESSAGE_RECEIVED], () => b1.rec.receivedIDs().includes(m.ID));
      assert.equal(b1.chat.findMessage(m.ID)!.payload.text, 'while kicked');
    }),
);

test(
  'a network drop: NET_STATE_CHANGE disconnected → connecting → connected, then what was missed arrives once',
  T,
  () =>
    withDevices(async (s, track) => {
      await importAccounts(s, 'alice', 'bob');
      const relay = new Relay(portOf(s.base));
      const url = await relay.start();
      try {
        const a = track(await device(s, 'alice'));
        const b = track(await device(s, 'bob', { serverURL: url }));
        const before = await sendText(a, 'bob', 'before');
        await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().includes(before.ID));
        const mark = b.rec.mark();
        relay.cut();
        await b.rec.waitFor(
          EVENT.NET_STATE_CHANGE,
          (e) => (e.data as { state: string }).state === 'disconnected',
          mark,
        );
        const during = await sendText(a, 'bob', 'during');
        await b.rec.waitFor(EVENT.NET_STATE_CHANGE, (e) => (e.data as { state: string }).state === 'connected', mark);
        await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().includes(during.ID));
        const states = b.rec.log
          .slice(mark)
          .filter((x) => x.name === EVENT.NET_STATE_CHANGE)
          .map((x) => (x.envelope.data as { state: string }).state);
        assert.deepEqual(states.slice(0, 2), ['disconnected', 'connecting']);
        assert.equal(states.at(-1), 'connected');
        assert.equal(b.chat.isReady(), true, 'a drop does not make the SDK not ready');
        assert.equal(b.rec.all(EVENT.SDK_NOT_READY).length, 0);
        const after = await sendText(a, 'bob', 'after');
        await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().includes(after.ID));
        assert.deepEqual(b.rec.receivedIDs(), [before.ID, during.ID, after.ID]);
        assert.equal(b.chat.getTotalUnreadMessageCount(), 3);
      } finally {
        await relay.close();
      }
    }),
);

test(
  'a server restart between send and sync: the SDK reconnects to the new server and gets the message once',
  T,
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-client-restart-'));
    let s1 = await startTestServer({ dataDir });
    let s2: Awaited<ReturnType<typeof startTestServer>> | undefined;
    const relay = new Relay(portOf(s1.base));
    const url = await relay.start();
    const devices: Array<{ chat: { destroy(): Promise<void> } }> = [];
    try {
      await importAccounts(s1, 'alice', 'bob');
      const b = await device(s1, 'bob', { serverURL: url });
      devices.push(b);
      const a1 = await device(s1, 'alice');
      devices.push(a1);
      const first = await sendText(a1, 'bob', 'first');
      await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().includes(first.ID));
      await a1.chat.destroy();
      const mark = b.rec.mark();
      await s1.close();
      await b.rec.waitFor(EVENT.NET_STATE_CHANGE, (e) => (e.data as { state: string }).state === 'disconnected', mark);
      s2 = await startTestServer({ dataDir });
      relay.retarget(portOf(s2.base));
      // bob is still reconnecting when alice sends on the new server.
      const a2 = await device(s2, 'alice');
      devices.push(a2);
      const second = await sendText(a2, 'bob', 'second');
      await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().includes(second.ID));
      assert.deepEqual(b.rec.receivedIDs(), [first.ID, second.ID], 'nothing twice across the restart');
      assert.equal(b.chat.getTotalUnreadMessageCount(), 2);
    } finally {
      for (const d of devices) await d.chat.destroy();
      await relay.close();
      await s2?.close();
      await s1.close().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
      s1 = undefined as never;
    }
  },
);

test('a FileCache survives restarts of the app and of the server, and never keeps recalled content', T, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-client-data-'));
  const cacheDir = mkdtempSync(join(tmpdir(), 'parley-client-cache-'));
  const file = new FileCache(cacheDir).fileOf({ sdkAppId: SDKAPPID, userId: 'bob' });
  let s = await startTestServer({ dataDir });
  const open: Array<{ chat: { destroy(): Promise<void> } }> = [];
  try {
    await importAccounts(s, 'alice', 'bob');
    const a = await device(s, 'alice');
    open.push(a);
    let b = await device(s, 'bob', { cache: new FileCache(cacheDir) });
    open.push(b);
    const keep = await sendText(a, 'bob', 'KEEP-ME');
    const gone = await sendText(a, 'bob', 'SECRET-FILE-5');
    await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().includes(gone.ID));
    assert.ok(readFileSync(file, 'utf8').includes('SECRET-FILE-5'));
    const deviceId = (JSON.parse(readFileSync(file, 'utf8')) as { deviceId: string }).deviceId;
    await a.chat.revokeMessage(gone);
    await b.rec.waitFor(EVENT.MESSAGE_REVOKED);
    assert.equal(readFileSync(file, 'utf8').includes('SECRET-FILE-5'), false, 'the file bytes lost the recalled text');
    assert.ok(readFileSync(file, 'utf8').includes('KEEP-ME'));
    await b.chat.destroy();

    // The app restarts while offline; alice sends; then the server restarts too.
    const later = await sendText(a, 'bob', 'WHILE-AWAY');
    await a.chat.destroy();
    await s.close();
    s = await startTestServer({ dataDir });
    b = await device(s, 'bob', { cache: new FileCache(cacheDir) });
    open.push(b);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { deviceId: string };
    assert.equal(stored.deviceId, deviceId, 'the device keeps its deviceId');
    assert.equal(readFileSync(file, 'utf8').includes('SECRET-FILE-5'), false);
    await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().includes(later.ID));
    assert.deepEqual(b.rec.receivedIDs(), [later.ID], 'what was synced before is not delivered again');
    assert.equal(b.chat.findMessage(keep.ID)!.payload.text, 'KEEP-ME', 'held messages are loaded from the file');
    const held = b.chat.findMessage(gone.ID)!;
    assert.equal(held.isRevoked, true);
    assert.deepEqual(held.payload, { text: '' });
    const conv = ((await b.chat.getConversationList()).data.conversationList as Conversation[])[0]!;
    assert.equal(conv.lastMessage.messageForShow, 'WHILE-AWAY');
    assert.equal(conv.unreadCount, 2);
  } finally {
    for (const d of open) await d.chat.destroy();
    await s.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('a cache older than 7 days is rebuilt from a snapshot', T, () =>
  withDevices(async (s, track) => {
    await importAccounts(s, 'alice', 'bob');
    const a = track(await device(s, 'alice'));
    const cacheDir = mkdtempSync(join(tmpdir(), 'parley-client-stale-'));
    try {
      const b = track(await device(s, 'bob', { cache: new FileCache(cacheDir) }));
      const old = await sendText(a, 'bob', 'OLD-ONE');
      await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().includes(old.ID));
      await b.chat.logout();
      s.clock.advance(8 * 86400 * 1000);
      const fresh = await sendText(a, 'bob', 'FRESH-ONE');
      const from = await relogin(s, b);
      // The snapshot replaced the cache: the old message is no longer held, the new one is the last.
      assert.equal(b.chat.findMessage(old.ID), null);
      assert.equal(b.chat.findMessage(fresh.ID)!.payload.text, 'FRESH-ONE');
      const received = b.rec.log.slice(from).filter((x) => x.name === EVENT.MESSAGE_RECEIVED);
      assert.equal(received.length, 0, 'a snapshot reports state, not new messages');
      assert.equal(b.chat.getTotalUnreadMessageCount(), 2);
      const file = new FileCache(cacheDir).fileOf({ sdkAppId: SDKAPPID, userId: 'bob' });
      assert.equal(readFileSync(file, 'utf8').includes('OLD-ONE'), false);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }),
);

test('the same deviceId logging in elsewhere kicks the older session with multipleAccount', T, () =>
  withDevices(async (s, track) => {
    await importAccounts(s, 'bob');
    const cacheDir = mkdtempSync(join(tmpdir(), 'parley-client-dup-'));
    try {
      const b1 = track(await device(s, 'bob', { cache: new FileCache(cacheDir) }));
      // A second instance reading the same cache file uses the same deviceId.
      const b2 = track(await device(s, 'bob', { cache: new FileCache(cacheDir) }));
      const kicked = await b1.rec.waitFor(EVENT.KICKED_OUT);
      assert.deepEqual(kicked.data, { type: TYPES.KICKED_OUT_MULT_ACCOUNT });
      await b1.rec.waitFor(EVENT.SDK_NOT_READY);
      await assert.rejects(b1.chat.getConversationList(), (e: ChatError) => e.code === 3003);
      assert.equal(b2.chat.isReady(), true);
      assert.equal(b2.rec.all(EVENT.KICKED_OUT).length, 0);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }),
);
