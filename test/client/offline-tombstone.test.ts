// One behaviour for every device (docs/client-sdk.md, "Recall"): a device that was offline while a
// message was sent and recalled ends with the same conversation as the devices that saw both — the
// tombstone as the last message, the content nowhere — without counting it as unread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT, type Conversation } from '@parley/client';
import { device, importAccounts, relogin, sendText, untilEvent, withDevices } from './helpers.js';

test(
  'sent and recalled while a device was offline: its last message is the tombstone, as on the online device',
  { timeout: 60_000 },
  () =>
    withDevices(async (s, track) => {
      await importAccounts(s, 'alice', 'bob');
      const a = track(await device(s, 'alice'));
      const online = track(await device(s, 'bob'));
      const offline = track(await device(s, 'bob'));
      const first = await sendText(a, 'bob', 'before');
      await untilEvent(offline.rec, [EVENT.MESSAGE_RECEIVED], () => offline.rec.receivedIDs().includes(first.ID));
      await offline.chat.logout();
      s.clock.advance(1000);
      const m = await sendText(a, 'bob', 'SECRET-GONE');
      await untilEvent(online.rec, [EVENT.MESSAGE_RECEIVED], () => online.rec.receivedIDs().includes(m.ID));
      await a.chat.revokeMessage(m);
      await online.rec.waitFor(EVENT.MESSAGE_REVOKED, () => true);
      const from = await relogin(s, offline);
      await offline.rec.waitFor(EVENT.MESSAGE_REVOKED, () => true, from);
      const last = async (d: typeof online) =>
        ((await d.chat.getConversationList()).data.conversationList as Conversation[]).find(
          (c) => c.conversationID === 'C2Calice',
        )!.lastMessage;
      const [seenOnline, seenOffline] = [await last(online), await last(offline)];
      assert.equal(seenOffline.isRevoked, true, "the tombstone is the offline device's last message");
      assert.equal(seenOffline.revoker, 'alice');
      assert.deepEqual(
        [seenOffline.isRevoked, seenOffline.lastTime, seenOffline.revoker, seenOffline.fromAccount],
        [seenOnline.isRevoked, seenOnline.lastTime, seenOnline.revoker, seenOnline.fromAccount],
        'both devices show the same last message',
      );
      assert.equal(offline.chat.getTotalUnreadMessageCount(), online.chat.getTotalUnreadMessageCount());
      assert.equal(offline.chat.getTotalUnreadMessageCount(), 1, 'only "before" counts');
      assert.equal(offline.stored().includes('SECRET-GONE'), false);
      assert.equal(JSON.stringify(seenOffline).includes('SECRET-GONE'), false);
    }),
);
