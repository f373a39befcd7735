// The storage contract: one suite that every Store adapter must pass, so SQLite and PostgreSQL
// (and whatever comes next) mean the same thing. An adapter's test file calls storeContract with
// a factory that returns a fresh, migrated, empty store; each test gets its own and closes it.
// Tests speak only the port's words (src/ports/store.ts): nothing here knows a table or a column.
import { msgKeyOf } from '@parley/protocol';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MsgElement } from '@parley/protocol';
import { isReadBy } from '../../src/ports/message-flags.js';
import {
  EVENT_RETENTION_SECONDS,
  deleteConversationRequest,
  deleteMessagesRequest,
  modifyRequest,
  readRequest,
  receiptEvents,
  recallRequest,
} from '../../src/domain/message-events.js';
import type {
  CallbackEntry,
  EventWrite,
  MessageOrigin,
  MessageRef,
  NewMessage,
  ReadMark,
  ReadOutcome,
  Store,
  StoredMessage,
  UserEvent,
} from '../../src/ports/store.js';
import { text } from '../helpers/rest.js';
import { extensionContract } from './contract-extensions.js';

export type ContractStore = Store & { close(): Promise<void> };

export const APP = 1400000001;
export const OTHER_APP = 1400000002;
/** 2023-11-14T22:13:20Z */
export const T = 1700000000;
const WEEK = 7 * 86400;
const ALL_TIME = { minTime: 0, maxTime: 4294967295 };

export { text };

let seqCounter = 1000;
/** A plain sendmsg from → to at time T (override anything); a fresh MsgSeq each call. */
export function msg(from: string, to: string, o: Partial<NewMessage> = {}): NewMessage {
  const time = o.time ?? T;
  const lifeTime = o.lifeTime ?? WEEK;
  return {
    from,
    to,
    seq: seqCounter++,
    random: 4242,
    time,
    body: text(`${from} to ${to}`),
    cloudCustomData: '',
    origin: 'sendmsg',
    senderRoams: true,
    onlineOnly: false,
    countsUnread: true,
    updatesLastMessage: true,
    markRead: false,
    needReadReceipt: false,
    supportExtension: false,
    lifeTime,
    queueUntil: time + lifeTime,
    deliverTo: [to],
    ...o,
  };
}

export const refOf = (m: MessageRef): MessageRef => ({
  from: m.from,
  to: m.to,
  seq: m.seq,
  random: m.random,
  time: m.time,
});
const keyOf = (m: MessageRef) => ({ seq: m.seq, random: m.random, time: m.time });
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const seqs = (events: UserEvent[]): number[] => events.map((e) => e.seq);
const ids = (ms: StoredMessage[]): number[] => ms.map((m) => m.id);
const history = (s: Store, owner: string, peer: string, limit = 100, app = APP) =>
  s.history(app, { owner, peer, ...ALL_TIME, limit });
/** The units of work come from the domain's builders, as the message service makes them. */
const modifyOf = ({ ref, ...change }: { ref: MessageRef; body?: MsgElement[]; cloudCustomData?: string }, at: number) =>
  modifyRequest(ref, change, at);
const conversations = async (s: Store, app: number, owner: string, limit: number) =>
  (await s.conversationSnapshot(app, owner, limit)).conversations;

/** Milliseconds: callback times are in ms. */
const MS = T * 1000;
let callbackCounter = 0;
/** An after-callback entry; body.n tells entries apart. */
function callback(o: Partial<CallbackEntry> = {}): CallbackEntry & { body: { n?: number } } {
  return {
    command: 'C2C.CallbackAfterSendMsg',
    orderKey: 'key',
    body: { CallbackCommand: 'C2C.CallbackAfterSendMsg', n: ++callbackCounter },
    query: { ClientIP: '10.0.0.1', OptPlatform: 'RESTAPI' },
    at: MS,
    ...o,
  };
}
const nOf = (p: { body: Record<string, unknown> }) => p.body.n;

/** What a NewMessage must read back as. */
function storedForm(m: NewMessage, id: number): StoredMessage {
  return {
    id,
    from: m.from,
    to: m.to,
    seq: m.seq,
    random: m.random,
    time: m.time,
    body: m.body,
    cloudCustomData: m.cloudCustomData,
    ...(m.offlinePushInfo ? { offlinePushInfo: m.offlinePushInfo } : {}),
    origin: m.origin,
    senderRoams: m.senderRoams,
    onlineOnly: m.onlineOnly,
    countsUnread: m.countsUnread,
    needReadReceipt: m.needReadReceipt,
    supportExtension: m.supportExtension,
    preRead: m.markRead,
    receiptRead: false,
    lifeTime: m.lifeTime,
  };
}

/** The tombstone a recall leaves of a stored message. */
function tombstone(m: StoredMessage, by: string, at: number): StoredMessage {
  const { offlinePushInfo: _gone, ...rest } = m;
  return { ...rest, body: [], cloudCustomData: '', recalled: { by, at } };
}

export function storeContract(name: string, make: () => Promise<ContractStore>): void {
  /** A test with a fresh store holding alice, bob and carol in APP. */
  const it = (title: string, fn: (s: ContractStore) => Promise<void>) =>
    test(title, async () => {
      const s = await make();
      try {
        await s.importAccounts(APP, ['alice', 'bob', 'carol'], T);
        await fn(s);
      } finally {
        await s.close();
      }
    });

  describe(`Store contract: ${name}`, () => {
    // ---- schema ------------------------------------------------------------------------------

    it('migrate() again is a no-op that keeps every row', async (s) => {
      const r = await s.appendMessage(APP, msg('alice', 'bob'));
      await s.migrate();
      assert.deepEqual(await s.existingAccounts(APP, ['alice', 'bob', 'carol']), new Set(['alice', 'bob', 'carol']));
      assert.deepEqual(await s.findMessage(APP, refOf(r.message)), r.message);
      assert.equal(await s.lastEventSeq(APP, 'bob'), 1);
      assert.equal(await s.totalUnread(APP, 'bob'), 1);
    });

    // ---- accounts ----------------------------------------------------------------------------

    it('importAccount creates an account, and importing it again keeps its data', async (s) => {
      assert.deepEqual(await s.existingAccounts(APP, ['dave']), new Set());
      await s.importAccount(APP, { userId: 'dave', nick: 'Dave' }, T);
      assert.deepEqual(await s.existingAccounts(APP, ['dave']), new Set(['dave']));
      await s.appendMessage(APP, msg('alice', 'dave'));
      assert.equal(await s.kickAccount(APP, 'dave', T + 3), true);
      await s.importAccount(APP, { userId: 'dave', nick: 'David', faceUrl: 'https://example.com/d.png' }, T + 9);
      await s.importAccount(APP, { userId: 'dave' }, T + 10);
      assert.equal(await s.totalUnread(APP, 'dave'), 1);
      assert.equal(await s.lastEventSeq(APP, 'dave'), 1);
      assert.equal(await s.kickedAt(APP, 'dave'), T + 3);
      assert.equal((await s.eventsAfter(APP, 'dave', 0, 10, T)).length, 1);
    });

    it('importAccounts is idempotent, takes repeats, keeps existing data', async (s) => {
      await s.appendMessage(APP, msg('alice', 'bob'));
      await s.importAccounts(APP, ['dave', 'bob', 'dave', 'erin'], T + 1);
      await s.importAccounts(APP, ['dave', 'erin'], T + 2);
      assert.deepEqual(
        await s.existingAccounts(APP, ['bob', 'dave', 'erin', 'frank']),
        new Set(['bob', 'dave', 'erin']),
      );
      assert.equal(await s.totalUnread(APP, 'bob'), 1);
      assert.equal(await s.lastEventSeq(APP, 'bob'), 1);
    });

    it('importAccounts is all or nothing', async (s) => {
      // A null UserID violates the schema; the valid one before it must not stay behind.
      await assert.rejects(s.importAccounts(APP, ['dave', null as unknown as string], T));
      assert.deepEqual(await s.existingAccounts(APP, ['dave']), new Set());
    });

    it('existingAccounts reports exactly the accounts that exist', async (s) => {
      assert.deepEqual(await s.existingAccounts(APP, ['carol', 'nobody', 'alice']), new Set(['carol', 'alice']));
      assert.deepEqual(await s.existingAccounts(APP, []), new Set());
      assert.deepEqual(await s.existingAccounts(APP, ['ALICE']), new Set(), 'UserIDs are case-sensitive');
    });

    it('deleteAccounts deletes those that exist and returns them in request order', async (s) => {
      assert.deepEqual(await s.deleteAccounts(APP, ['carol', 'nobody', 'alice']), ['carol', 'alice']);
      assert.deepEqual(await s.existingAccounts(APP, ['alice', 'bob', 'carol']), new Set(['bob']));
      assert.deepEqual(await s.deleteAccounts(APP, ['alice']), []);
      assert.equal(await s.kickAccount(APP, 'alice', T), false);
      assert.equal(await s.lastEventSeq(APP, 'alice'), 0);
    });

    it('an account seen to exist, then deleted, is reported missing; imported again, it exists', async (s) => {
      // Looked up several times first, so an adapter that remembers existing accounts has done so.
      for (let i = 0; i < 3; i++)
        assert.deepEqual(await s.existingAccounts(APP, ['bob', 'alice']), new Set(['bob', 'alice']));
      assert.deepEqual(await s.deleteAccounts(APP, ['bob']), ['bob']);
      assert.deepEqual(await s.existingAccounts(APP, ['bob', 'alice']), new Set(['alice']));
      await s.importAccounts(APP, ['bob'], T + 1);
      assert.deepEqual(await s.existingAccounts(APP, ['bob']), new Set(['bob']));
      assert.deepEqual(await s.existingAccounts(OTHER_APP, ['bob']), new Set(), 'another app never shares the answer');
    });

    it('an account deleted and imported again starts a fresh event sequence', async (s) => {
      for (let i = 0; i < 3; i++) await s.appendMessage(APP, msg('alice', 'bob'));
      assert.equal(await s.lastEventSeq(APP, 'bob'), 3);
      await s.deleteAccounts(APP, ['bob']);
      assert.equal(await s.lastEventSeq(APP, 'bob'), 0);
      assert.deepEqual(await s.eventsAfter(APP, 'bob', 0, 10, T), [], 'a deleted account has no offline queue');
      await s.importAccounts(APP, ['bob'], T + 1);
      // Sending to the new account must work (its seq 1 must not collide with the old account's).
      const r = await s.appendMessage(APP, msg('alice', 'bob', { time: T + 2 }));
      assert.equal(r.duplicate, false);
      const events = await s.eventsAfter(APP, 'bob', 0, 10, T + 2);
      assert.deepEqual(seqs(events), [1]);
      assert.deepEqual(events[0]!.message, r.message);
      assert.equal(await s.lastEventSeq(APP, 'bob'), 1);
    });

    it('kickAccount records when sessions were invalidated; unknown accounts are not kicked', async (s) => {
      assert.equal(await s.kickedAt(APP, 'alice'), undefined);
      assert.equal(await s.kickAccount(APP, 'nobody', T), false);
      assert.equal(await s.kickedAt(APP, 'nobody'), undefined);
      assert.equal(await s.kickAccount(APP, 'alice', T + 5), true);
      assert.equal(await s.kickedAt(APP, 'alice'), T + 5);
      assert.equal(await s.kickedAt(APP, 'bob'), undefined);
      assert.equal(await s.kickAccount(APP, 'alice', T + 9), true);
      assert.equal(await s.kickedAt(APP, 'alice'), T + 9);
    });

    // ---- append ------------------------------------------------------------------------------

    it('appendMessage stores every field and queues a message event for each user of deliverTo', async (s) => {
      const m = msg('alice', 'bob', {
        body: [...text('hi'), { MsgType: 'TIMCustomElem', MsgContent: { Data: '{"z":1,"a":2}', Desc: 'd' } }],
        cloudCustomData: 'cloud',
        offlinePushInfo: { PushFlag: 0, Title: 'title', Ext: 'x' },
        origin: 'client',
        needReadReceipt: true,
        supportExtension: true,
        deliverTo: ['bob', 'alice'],
        originDevice: 'web-1',
      });
      const r = await s.appendMessage(APP, m);
      assert.equal(r.duplicate, false);
      assert.equal(r.recipientUnread, 1);
      assert.ok(
        Number.isSafeInteger(r.message.id) && r.message.id > 0,
        `id ${String(r.message.id)} is a positive integer`,
      );
      assert.deepEqual(r.message, storedForm(m, r.message.id));
      assert.deepEqual(
        Object.keys(r.message.body[1]!.MsgContent),
        ['Data', 'Desc'],
        'MsgContent keys keep their order',
      );
      assert.deepEqual(await s.findMessage(APP, refOf(m)), r.message);
      const expected: UserEvent = { seq: 1, kind: 'message', at: T, message: r.message, originDevice: 'web-1' };
      assert.deepEqual(await s.eventsAfter(APP, 'bob', 0, 10, T), [expected]);
      assert.deepEqual(await s.eventsAfter(APP, 'alice', 0, 10, T), [expected]);
      assert.equal(await s.totalUnread(APP, 'bob'), 1);
      assert.equal(await s.totalUnread(APP, 'alice'), 0, 'the sender has nothing unread');
      assert.deepEqual(await s.eventsAfter(APP, 'carol', 0, 10, T), []);
    });

    it('a message without OfflinePushInfo or origin device stores none', async (s) => {
      const r = await s.appendMessage(APP, msg('alice', 'bob'));
      assert.equal('offlinePushInfo' in r.message, false);
      assert.equal('recalled' in r.message, false);
      const [ev] = await s.eventsAfter(APP, 'bob', 0, 10, T);
      assert.equal(ev && 'originDevice' in ev, false);
      assert.equal(ev && 'data' in ev, false);
    });

    it('appending the same identity again is a duplicate that writes nothing', async (s) => {
      const first = await s.appendMessage(APP, msg('alice', 'bob', { seq: 7, random: 8 }));
      const again = await s.appendMessage(
        APP,
        msg('alice', 'bob', {
          seq: 7,
          random: 8,
          body: text('other'),
          cloudCustomData: 'other',
          deliverTo: ['bob', 'alice'],
        }),
      );
      assert.equal(again.duplicate, true);
      assert.deepEqual(again.message, first.message, 'the earlier copy, not the new content');
      assert.equal(again.recipientUnread, 1);
      assert.equal(await s.lastEventSeq(APP, 'bob'), 1);
      assert.equal(await s.lastEventSeq(APP, 'alice'), 0);
      assert.deepEqual(ids((await history(s, 'bob', 'alice')).messages), [first.message.id]);
      assert.equal((await s.conversation(APP, 'bob', 'alice'))?.unread, 1);
    });

    it('the identity is the direction and all three MsgKey numbers', async (s) => {
      const base = msg('alice', 'bob', { seq: 1, random: 2, time: T });
      const variants = [
        base,
        msg('bob', 'alice', { seq: 1, random: 2, time: T }),
        msg('alice', 'bob', { seq: 9, random: 2, time: T }),
        msg('alice', 'bob', { seq: 1, random: 9, time: T }),
        msg('alice', 'bob', { seq: 1, random: 2, time: T + 1 }),
        msg('alice', 'carol', { seq: 1, random: 2, time: T }),
      ];
      const results = [];
      for (const v of variants) results.push(await s.appendMessage(APP, v));
      assert.deepEqual(
        results.map((r) => r.duplicate),
        [false, false, false, false, false, false],
      );
      assert.equal(new Set(results.map((r) => r.message.id)).size, variants.length);
    });

    it('findMessage is exact; findImported matches either direction', async (s) => {
      const ab = (await s.appendMessage(APP, msg('alice', 'bob', { seq: 1, random: 2, time: T }))).message;
      const k = keyOf(ab);
      assert.deepEqual(await s.findMessage(APP, { from: 'alice', to: 'bob', ...k }), ab);
      assert.equal(await s.findMessage(APP, { from: 'bob', to: 'alice', ...k }), undefined);
      assert.equal(await s.findMessage(APP, { from: 'alice', to: 'bob', ...k, random: 3 }), undefined);
      assert.deepEqual(await s.findImported(APP, { from: 'bob', to: 'alice', ...k }), ab);
      assert.deepEqual(await s.findImported(APP, { from: 'alice', to: 'bob', ...k }), ab);
      assert.equal(await s.findImported(APP, { from: 'alice', to: 'carol', ...k }), undefined);
      assert.equal(await s.findImported(APP, { from: 'alice', to: 'bob', ...k, time: T + 1 }), undefined);
      // With the same key in both directions, the direction asked for wins.
      const ba = (await s.appendMessage(APP, msg('bob', 'alice', { seq: 1, random: 2, time: T }))).message;
      assert.deepEqual(await s.findImported(APP, { from: 'bob', to: 'alice', ...k }), ba);
      assert.deepEqual(await s.findImported(APP, { from: 'alice', to: 'bob', ...k }), ab);
    });

    it('appendMessages stores one copy per message, in order, and spots duplicates', async (s) => {
      const earlier = await s.appendMessage(APP, msg('alice', 'carol', { seq: 5, random: 6 }));
      const batch = [
        msg('alice', 'bob', { seq: 5, random: 6 }),
        msg('alice', 'carol', { seq: 5, random: 6 }),
        msg('alice', 'bob', { seq: 5, random: 6 }),
      ];
      const results = await s.appendMessages(APP, batch);
      assert.deepEqual(
        results.map((r) => [r.message.to, r.duplicate, r.recipientUnread]),
        [
          ['bob', false, 1],
          ['carol', true, 1],
          ['bob', true, 1],
        ],
      );
      assert.deepEqual(results[1]!.message, earlier.message);
      assert.deepEqual(results[2]!.message, results[0]!.message);
      assert.deepEqual(results[0]!.message, storedForm(batch[0]!, results[0]!.message.id));
      assert.equal(await s.lastEventSeq(APP, 'bob'), 1);
      assert.equal(await s.lastEventSeq(APP, 'carol'), 1);
      assert.deepEqual(await s.appendMessages(APP, []), []);
    });

    it('appendMessages is all or nothing', async (s) => {
      const good = msg('alice', 'bob');
      // A message the schema refuses (no origin), after one that was fine.
      const bad = msg('alice', 'carol', { origin: null as unknown as MessageOrigin });
      await assert.rejects(s.appendMessages(APP, [good, bad]));
      assert.equal(await s.findMessage(APP, refOf(good)), undefined);
      assert.equal(await s.totalUnread(APP, 'bob'), 0);
      assert.equal(await s.lastEventSeq(APP, 'bob'), 0);
      assert.equal(await s.conversation(APP, 'bob', 'alice'), undefined);
      assert.deepEqual(await conversations(s, APP, 'alice', 10), []);
      // And the store is still usable: the same message now goes through.
      assert.equal((await s.appendMessages(APP, [good]))[0]!.duplicate, false);
      assert.equal(await s.lastEventSeq(APP, 'bob'), 1);
    });

    it('an online-only message is stored but has no history, unread, conversation or queue', async (s) => {
      // onlineOnly alone decides it, whatever the other fields say.
      const m = msg('alice', 'bob', { onlineOnly: true, lifeTime: 0, queueUntil: T, deliverTo: ['bob', 'alice'] });
      const r = await s.appendMessage(APP, m);
      assert.equal(r.duplicate, false);
      assert.equal(r.recipientUnread, 0);
      assert.equal((await s.findMessage(APP, refOf(m)))?.onlineOnly, true);
      assert.deepEqual((await history(s, 'bob', 'alice')).messages, []);
      assert.deepEqual((await history(s, 'alice', 'bob')).messages, []);
      assert.equal(await s.conversation(APP, 'bob', 'alice'), undefined);
      assert.equal(await s.conversation(APP, 'alice', 'bob'), undefined);
      assert.deepEqual(await s.eventsAfter(APP, 'bob', 0, 10, T), []);
      assert.equal(await s.lastEventSeq(APP, 'bob'), 0);
      assert.equal(await s.totalUnread(APP, 'bob'), 0);
      assert.equal((await s.setRead(APP, readRequest('bob', 'alice', undefined, T))).unread, 0);
    });

    it('a NoUnread message is delivered and kept but not counted', async (s) => {
      const r = await s.appendMessage(APP, msg('alice', 'bob', { countsUnread: false }));
      assert.equal(r.recipientUnread, 0);
      assert.equal(r.message.countsUnread, false);
      assert.equal((await s.conversation(APP, 'bob', 'alice'))?.unread, 0);
      assert.deepEqual(ids((await history(s, 'bob', 'alice')).messages), [r.message.id]);
      assert.equal(await s.lastEventSeq(APP, 'bob'), 1);
      // A later recount (setRead from an older cursor) must not count it either.
      assert.equal((await s.setRead(APP, readRequest('bob', 'alice', T - 1, T))).unread, 0);
    });

    it('a NoLastMsg message leaves the last message as it was', async (s) => {
      const first = await s.appendMessage(APP, msg('alice', 'bob', { time: T }));
      await s.appendMessage(APP, msg('alice', 'bob', { time: T + 1, updatesLastMessage: false }));
      for (const [owner, peer] of [
        ['bob', 'alice'],
        ['alice', 'bob'],
      ] as const) {
        const c = await s.conversation(APP, owner, peer);
        assert.deepEqual(c?.lastMessage, first.message, `${owner}'s side`);
        assert.equal(c?.updatedAt, T);
      }
      // A conversation with only NoLastMsg messages exists but is not listed.
      const only = await s.appendMessage(APP, msg('carol', 'bob', { time: T + 2, updatesLastMessage: false }));
      assert.equal(only.recipientUnread, 3, 'still counted as unread');
      const c = await s.conversation(APP, 'bob', 'carol');
      assert.equal(c?.unread, 1);
      assert.equal(c?.lastMessage, undefined);
      assert.deepEqual(
        (await conversations(s, APP, 'bob', 10)).map((x) => x.peer),
        ['alice'],
      );
    });

    it('an import marked read (SyncFromOldSystem 2) is pre-read, uncounted and not queued', async (s) => {
      const r = await s.appendMessage(
        APP,
        msg('alice', 'bob', { origin: 'importmsg', countsUnread: false, markRead: true, deliverTo: [] }),
      );
      assert.equal(r.message.preRead, true);
      assert.equal(r.message.origin, 'importmsg');
      assert.equal(r.recipientUnread, 0);
      assert.equal(await s.lastEventSeq(APP, 'bob'), 0);
      assert.deepEqual((await s.conversation(APP, 'bob', 'alice'))?.lastMessage, r.message);
      const plain = await s.appendMessage(APP, msg('alice', 'bob'));
      assert.equal(plain.message.preRead, false);
    });

    it("SyncOtherMachine 2 keeps a message out of the sender's roaming only", async (s) => {
      const hidden = await s.appendMessage(APP, msg('alice', 'bob', { senderRoams: false }));
      const shown = await s.appendMessage(APP, msg('bob', 'alice', { time: T + 1 }));
      assert.deepEqual(ids((await history(s, 'alice', 'bob')).messages), [shown.message.id]);
      assert.deepEqual(ids((await history(s, 'bob', 'alice')).messages), [shown.message.id, hidden.message.id]);
      assert.equal((await s.conversation(APP, 'bob', 'alice'))?.unread, 1);
      // The sender's side of the conversation only knows the message bob sent.
      assert.deepEqual((await s.conversation(APP, 'alice', 'bob'))?.lastMessage, shown.message);
      // Had alice not heard from bob, she would have no conversation at all.
      await s.appendMessage(APP, msg('alice', 'carol', { senderRoams: false }));
      assert.equal(await s.conversation(APP, 'alice', 'carol'), undefined);
      assert.ok(await s.conversation(APP, 'carol', 'alice'));
      // To oneself, the sender is the recipient: it stays visible.
      const self = await s.appendMessage(APP, msg('alice', 'alice', { senderRoams: false }));
      assert.deepEqual(ids((await history(s, 'alice', 'alice')).messages), [self.message.id]);
    });

    // ---- history -----------------------------------------------------------------------------

    it('history is newest first by (time, seq, id), pages with limit, more and before', async (s) => {
      const add = async (m: NewMessage) => (await s.appendMessage(APP, m)).message;
      // Stored out of order on purpose: the order must come from (time, seq, id), not arrival.
      const newest = await add(msg('bob', 'alice', { time: T + 2, seq: 1 }));
      const lowSeq = await add(msg('alice', 'bob', { time: T, seq: 5 }));
      const highSeq = await add(msg('alice', 'bob', { time: T, seq: 9 }));
      const tieFirst = await add(msg('alice', 'bob', { time: T + 1, seq: 3, random: 1 }));
      const tieSecond = await add(msg('bob', 'alice', { time: T + 1, seq: 3, random: 2 }));
      await add(msg('alice', 'carol', { time: T + 1 }));
      const order = [newest, tieSecond, tieFirst, highSeq, lowSeq].map((m) => m.id);
      for (const [owner, peer] of [
        ['alice', 'bob'],
        ['bob', 'alice'],
      ] as const) {
        const all = await history(s, owner, peer);
        assert.deepEqual(ids(all.messages), order, `${owner}'s view`);
        assert.equal(all.more, false);
      }
      const page1 = await s.history(APP, { owner: 'alice', peer: 'bob', ...ALL_TIME, limit: 2 });
      assert.deepEqual(ids(page1.messages), order.slice(0, 2));
      assert.equal(page1.more, true);
      const last1 = page1.messages[1]!;
      const page2 = await s.history(APP, {
        owner: 'alice',
        peer: 'bob',
        ...ALL_TIME,
        limit: 2,
        before: { time: last1.time, seq: last1.seq, id: last1.id },
      });
      assert.deepEqual(ids(page2.messages), order.slice(2, 4));
      assert.equal(page2.more, true);
      const last2 = page2.messages[1]!;
      const page3 = await s.history(APP, {
        owner: 'alice',
        peer: 'bob',
        ...ALL_TIME,
        limit: 1,
        before: { time: last2.time, seq: last2.seq, id: last2.id },
      });
      assert.deepEqual(ids(page3.messages), order.slice(4));
      assert.equal(page3.more, false, 'a page that takes exactly the rest has no more');
      const none = await s.history(APP, {
        owner: 'alice',
        peer: 'bob',
        ...ALL_TIME,
        limit: 5,
        before: { time: lowSeq.time, seq: lowSeq.seq, id: lowSeq.id },
      });
      assert.deepEqual(none.messages, []);
      assert.equal(none.more, false);
    });

    it('history keeps to [minTime, maxTime], both ends included', async (s) => {
      const at: Record<number, number> = {};
      for (const dt of [0, 1, 2, 3])
        at[dt] = (await s.appendMessage(APP, msg('alice', 'bob', { time: T + dt }))).message.id;
      const page = await s.history(APP, { owner: 'bob', peer: 'alice', minTime: T + 1, maxTime: T + 2, limit: 10 });
      assert.deepEqual(ids(page.messages), [at[2], at[1]]);
      assert.equal(page.more, false);
      const capped = await s.history(APP, { owner: 'bob', peer: 'alice', minTime: T + 1, maxTime: T + 3, limit: 2 });
      assert.deepEqual(ids(capped.messages), [at[3], at[2]]);
      assert.equal(capped.more, true, 'T+1 is still in range');
    });

    it("history reports both users' read cursors", async (s) => {
      const before = await history(s, 'alice', 'bob');
      assert.deepEqual(before.ownerRead, { time: 0, id: 0 });
      assert.deepEqual(before.peerRead, { time: 0, id: 0 });
      const m1 = (await s.appendMessage(APP, msg('alice', 'bob', { time: T }))).message;
      const m2 = (await s.appendMessage(APP, msg('alice', 'bob', { time: T + 1 }))).message;
      const reply = (await s.appendMessage(APP, msg('bob', 'alice', { time: T + 2 }))).message;
      await s.setRead(APP, readRequest('bob', 'alice', T, T + 5));
      await s.setRead(APP, readRequest('alice', 'bob', undefined, T + 5));
      const seenByAlice = await history(s, 'alice', 'bob');
      const seenByBob = await history(s, 'bob', 'alice');
      assert.deepEqual(seenByAlice.ownerRead, seenByBob.peerRead);
      assert.deepEqual(seenByAlice.peerRead, seenByBob.ownerRead);
      assert.equal(seenByBob.ownerRead.time, T);
      assert.equal(isReadBy(m1, seenByBob.ownerRead), true);
      assert.equal(isReadBy(m2, seenByBob.ownerRead), false);
      assert.equal(isReadBy(reply, seenByAlice.ownerRead), true);
    });

    // ---- recall ------------------------------------------------------------------------------

    it('recall erases the content for good and leaves a tombstone', async (s) => {
      const m = msg('alice', 'bob', {
        body: text('secret'),
        cloudCustomData: 'secret cloud',
        offlinePushInfo: { Title: 'secret push' },
      });
      const stored = (await s.appendMessage(APP, m)).message;
      const r = await s.recallMessage(
        APP,
        recallRequest({ ref: refOf(m), by: 'administrator', via: 'admin', at: T + 10 }),
      );
      assert.equal(r.outcome, 'recalled');
      const expected = tombstone(stored, 'administrator', T + 10);
      assert.deepEqual(r.outcome === 'recalled' && r.message, expected);
      assert.deepEqual(await s.findMessage(APP, refOf(m)), expected);
      assert.deepEqual((await history(s, 'bob', 'alice')).messages, [expected]);
      assert.deepEqual((await history(s, 'alice', 'bob')).messages, [expected]);
      assert.deepEqual((await s.conversation(APP, 'bob', 'alice'))?.lastMessage, expected);
      assert.deepEqual((await conversations(s, APP, 'alice', 10))[0]?.lastMessage, expected);
    });

    it('recall drops the message from the offline queues and appends a recall event for both users', async (s) => {
      const m = msg('alice', 'bob', { body: text('secret'), deliverTo: ['bob', 'alice'] });
      await s.appendMessage(APP, m);
      const other = (await s.appendMessage(APP, msg('carol', 'bob'))).message;
      await s.recallMessage(APP, recallRequest({ ref: refOf(m), by: 'alice', via: 'client', at: T + 10 }));
      const notice = { from: 'alice', to: 'bob', msgKey: msgKeyOf(m), by: 'alice', via: 'client', at: T + 10 };
      const bobs = await s.eventsAfter(APP, 'bob', 0, 10, T + 10);
      assert.deepEqual(
        bobs.map((e) => [e.seq, e.kind]),
        [
          [2, 'message'],
          [3, 'recall'],
        ],
      );
      assert.deepEqual(bobs[0]!.message, other);
      assert.deepEqual(bobs[1]!.data, notice);
      assert.equal(bobs[1]!.at, T + 10);
      const alices = await s.eventsAfter(APP, 'alice', 0, 10, T + 10);
      assert.deepEqual(
        alices.map((e) => [e.seq, e.kind]),
        [[2, 'recall']],
      );
      assert.deepEqual(alices[0]!.data, notice);
      for (const e of [...bobs, ...alices]) {
        assert.ok(!JSON.stringify(e).includes('secret'), `event ${e.seq} ${e.kind} carries no recalled content`);
      }
      // Recall notices are kept for the retention period, then expire.
      assert.equal((await s.eventsAfter(APP, 'alice', 0, 10, T + 10 + EVENT_RETENTION_SECONDS)).length, 1);
      assert.equal((await s.eventsAfter(APP, 'alice', 0, 10, T + 11 + EVENT_RETENTION_SECONDS)).length, 0);
    });

    it('recall takes a message off the unread counts only while it was unread', async (s) => {
      const m1 = msg('alice', 'bob', { time: T });
      const m2 = msg('alice', 'bob', { time: T + 1 });
      const quiet = msg('alice', 'bob', { time: T + 2, countsUnread: false });
      for (const m of [m1, m2, quiet]) await s.appendMessage(APP, m);
      await s.appendMessage(APP, msg('carol', 'bob'));
      assert.equal(await s.totalUnread(APP, 'bob'), 3);
      const r2 = await s.recallMessage(
        APP,
        recallRequest({ ref: refOf(m2), by: 'administrator', via: 'admin', at: T + 10 }),
      );
      assert.equal(r2.outcome === 'recalled' && r2.recipientUnread, 2);
      assert.equal((await s.conversation(APP, 'bob', 'alice'))?.unread, 1);
      const rq = await s.recallMessage(
        APP,
        recallRequest({ ref: refOf(quiet), by: 'administrator', via: 'admin', at: T + 10 }),
      );
      assert.equal(rq.outcome === 'recalled' && rq.recipientUnread, 2, 'an uncounted message changes nothing');
      await s.setRead(APP, readRequest('bob', 'alice', undefined, T + 20));
      assert.equal(await s.totalUnread(APP, 'bob'), 1);
      // m1 was read: recalling it must not count it off again (never below zero, never carol's).
      const r1 = await s.recallMessage(
        APP,
        recallRequest({ ref: refOf(m1), by: 'administrator', via: 'admin', at: T + 30 }),
      );
      assert.equal(r1.outcome === 'recalled' && r1.recipientUnread, 1);
      assert.equal((await s.conversation(APP, 'bob', 'alice'))?.unread, 0);
      assert.equal((await s.conversation(APP, 'bob', 'carol'))?.unread, 1);
      assert.equal(await s.totalUnread(APP, 'bob'), 1);
    });

    it('recall outcomes: not_found, then recalled once, then already_recalled', async (s) => {
      const m = (await s.appendMessage(APP, msg('alice', 'bob'))).message;
      const req = (ref: MessageRef, at = T + 10) => ({ ref, by: 'administrator', via: 'admin' as const, at });
      assert.deepEqual(await s.recallMessage(APP, recallRequest(req({ ...refOf(m), random: m.random + 1 }))), {
        outcome: 'not_found',
      });
      assert.deepEqual(
        await s.recallMessage(APP, recallRequest(req({ ...refOf(m), from: 'bob', to: 'alice' }))),
        { outcome: 'not_found' },
        'the direction is part of the identity',
      );
      assert.equal((await s.recallMessage(APP, recallRequest(req(refOf(m))))).outcome, 'recalled');
      const seqBob = await s.lastEventSeq(APP, 'bob');
      const again = await s.recallMessage(APP, recallRequest(req(refOf(m), T + 20)));
      assert.deepEqual(again, { outcome: 'already_recalled', message: tombstone(m, 'administrator', T + 10) });
      assert.equal(await s.lastEventSeq(APP, 'bob'), seqBob, 'a second recall appends nothing');
      assert.equal((await s.recallAudit(APP, 10)).length, 1);
    });

    it('recall writes an audit row; the log is newest first, limited and per app', async (s) => {
      const m1 = msg('alice', 'bob');
      const m2 = msg('bob', 'carol');
      await s.appendMessages(APP, [m1, m2]);
      assert.deepEqual(await s.recallAudit(APP, 10), []);
      await s.recallMessage(APP, recallRequest({ ref: refOf(m1), by: 'administrator', via: 'admin', at: T + 1 }));
      await s.recallMessage(APP, recallRequest({ ref: refOf(m2), by: 'bob', via: 'client', at: T + 2 }));
      const e1 = { from: 'alice', to: 'bob', msgKey: msgKeyOf(m1), by: 'administrator', via: 'admin', at: T + 1 };
      const e2 = { from: 'bob', to: 'carol', msgKey: msgKeyOf(m2), by: 'bob', via: 'client', at: T + 2 };
      assert.deepEqual(await s.recallAudit(APP, 10), [e2, e1]);
      assert.deepEqual(await s.recallAudit(APP, 1), [e2]);
      assert.deepEqual(await s.recallAudit(OTHER_APP, 10), []);
    });

    it('recalling a message to oneself appends one recall event', async (s) => {
      const m = msg('alice', 'alice');
      await s.appendMessage(APP, m);
      assert.equal(await s.totalUnread(APP, 'alice'), 1);
      const r = await s.recallMessage(APP, recallRequest({ ref: refOf(m), by: 'alice', via: 'client', at: T + 1 }));
      assert.equal(r.outcome === 'recalled' && r.recipientUnread, 0);
      assert.deepEqual(
        (await s.eventsAfter(APP, 'alice', 0, 10, T + 1)).map((e) => [e.seq, e.kind]),
        [[2, 'recall']],
      );
    });

    // ---- modify ------------------------------------------------------------------------------

    it('modify changes the body and/or CloudCustomData and notifies both users', async (s) => {
      const m = msg('alice', 'bob', { cloudCustomData: 'c1' });
      const stored = (await s.appendMessage(APP, m)).message;
      const r1 = await s.modifyMessage(APP, modifyOf({ ref: refOf(m), body: text('edited') }, T + 5));
      assert.deepEqual(r1, { outcome: 'modified', message: { ...stored, body: text('edited') } });
      const r2 = await s.modifyMessage(APP, modifyOf({ ref: refOf(m), cloudCustomData: 'c2' }, T + 6));
      const now = { ...stored, body: text('edited'), cloudCustomData: 'c2' };
      assert.deepEqual(r2, { outcome: 'modified', message: now });
      assert.deepEqual(await s.findMessage(APP, refOf(m)), now);
      const notice = { from: 'alice', to: 'bob', msgKey: msgKeyOf(m) };
      for (const user of ['bob', 'alice']) {
        const modifies = (await s.eventsAfter(APP, user, 0, 10, T + 6)).filter((e) => e.kind === 'modify');
        // Each notice carries the message as stored now, so a device that syncs late gets the latest.
        assert.deepEqual(
          modifies.map((e) => [e.at, e.data, e.message]),
          [
            [T + 5, notice, now],
            [T + 6, notice, now],
          ],
          user,
        );
      }
      assert.equal(await s.totalUnread(APP, 'bob'), 1, 'an edit is not a new unread message');
    });

    it('modify refuses unknown and recalled messages', async (s) => {
      const m = msg('alice', 'bob');
      await s.appendMessage(APP, m);
      assert.deepEqual(
        await s.modifyMessage(APP, modifyOf({ ref: { ...refOf(m), seq: m.seq + 1 }, body: text('x') }, T + 1)),
        { outcome: 'not_found' },
      );
      await s.recallMessage(APP, recallRequest({ ref: refOf(m), by: 'alice', via: 'client', at: T + 2 }));
      const seq = await s.lastEventSeq(APP, 'bob');
      assert.deepEqual(
        await s.modifyMessage(
          APP,
          modifyOf({ ref: refOf(m), body: text('back from the dead'), cloudCustomData: 'x' }, T + 3),
        ),
        { outcome: 'recalled' },
      );
      const after = await s.findMessage(APP, refOf(m));
      assert.deepEqual([after?.body, after?.cloudCustomData], [[], '']);
      assert.equal(await s.lastEventSeq(APP, 'bob'), seq);
    });

    // ---- read cursors and unread counts --------------------------------------------------------

    it("setRead with a time marks the peer's messages up to that time read", async (s) => {
      for (const dt of [0, 1, 2]) await s.appendMessage(APP, msg('alice', 'bob', { time: T + dt }));
      await s.appendMessage(APP, msg('bob', 'alice', { time: T + 1 }));
      assert.equal(await s.totalUnread(APP, 'bob'), 3);
      const r = await s.setRead(APP, readRequest('bob', 'alice', T + 1, T + 100));
      assert.deepEqual(r, { unread: 1, totalUnread: 1, readTime: T + 1 });
      const mine = await s.conversation(APP, 'bob', 'alice');
      assert.deepEqual([mine?.unread, mine?.readTime], [1, T + 1]);
      assert.equal((await s.conversation(APP, 'alice', 'bob'))?.peerReadTime, T + 1);
      assert.equal(await s.totalUnread(APP, 'alice'), 1, 'the other side is untouched');
      // The owner's devices learn the cursor; the peer gets a read receipt.
      const data = { owner: 'bob', peer: 'alice', readTime: T + 1, unread: 1 };
      for (const user of ['bob', 'alice']) {
        const reads = (await s.eventsAfter(APP, user, 0, 10, T + 100)).filter((e) => e.kind === 'read');
        assert.deepEqual(
          reads.map((e) => [e.at, e.data]),
          [[T + 100, data]],
          user,
        );
      }
    });

    it('the read cursor never moves back', async (s) => {
      for (const dt of [0, 1, 2]) await s.appendMessage(APP, msg('alice', 'bob', { time: T + dt }));
      assert.equal((await s.setRead(APP, readRequest('bob', 'alice', T + 1, T + 50))).unread, 1);
      const seqBob = await s.lastEventSeq(APP, 'bob');
      const seqAlice = await s.lastEventSeq(APP, 'alice');
      for (const late of [T, T + 1]) {
        assert.deepEqual(await s.setRead(APP, readRequest('bob', 'alice', late, T + 60)), {
          unread: 1,
          totalUnread: 1,
          readTime: T + 1,
        });
      }
      // "Now" at a time before the cursor does not move it back either.
      assert.deepEqual(await s.setRead(APP, readRequest('bob', 'alice', undefined, T)), {
        unread: 1,
        totalUnread: 1,
        readTime: T + 1,
      });
      assert.equal(await s.lastEventSeq(APP, 'bob'), seqBob, 'a cursor that did not move is not announced');
      assert.equal(await s.lastEventSeq(APP, 'alice'), seqAlice);
      assert.deepEqual(await s.setRead(APP, readRequest('bob', 'alice', T + 2, T + 70)), {
        unread: 0,
        totalUnread: 0,
        readTime: T + 2,
      });
      assert.equal(await s.lastEventSeq(APP, 'bob'), seqBob + 1);
    });

    it('setRead without a time reads everything stored so far, not what arrives later that second', async (s) => {
      const early = (await s.appendMessage(APP, msg('alice', 'bob', { time: T - 1 }))).message;
      const sameSecond = (await s.appendMessage(APP, msg('alice', 'bob', { time: T }))).message;
      assert.deepEqual(await s.setRead(APP, readRequest('bob', 'alice', undefined, T)), {
        unread: 0,
        totalUnread: 0,
        readTime: T,
      });
      // Later within the same second: unread, though its time equals the read time.
      const later = await s.appendMessage(APP, msg('alice', 'bob', { time: T }));
      assert.equal(later.recipientUnread, 1);
      assert.equal((await s.conversation(APP, 'bob', 'alice'))?.unread, 1);
      const cursor = (await history(s, 'bob', 'alice')).ownerRead;
      assert.deepEqual(
        [early, sameSecond, later.message].map((m) => isReadBy(m, cursor)),
        [true, true, false],
      );
      // Something stored now with an older time (an import) is already behind the cursor.
      const old = await s.appendMessage(APP, msg('alice', 'bob', { time: T - 5, origin: 'importmsg' }));
      assert.equal(old.recipientUnread, 1);
      // Reading "now" again in the same second takes in the later message too.
      assert.deepEqual(await s.setRead(APP, readRequest('bob', 'alice', undefined, T)), {
        unread: 0,
        totalUnread: 0,
        readTime: T,
      });
      assert.equal(isReadBy(later.message, (await history(s, 'bob', 'alice')).ownerRead), true);
      assert.equal((await s.appendMessage(APP, msg('alice', 'bob', { time: T + 1 }))).recipientUnread, 1);
    });

    it('setRead recounts what is unread: not recalled, NoUnread or online-only messages', async (s) => {
      const counted = msg('alice', 'bob', { time: T });
      const recalled = msg('alice', 'bob', { time: T + 1 });
      for (const m of [
        counted,
        recalled,
        msg('alice', 'bob', { time: T + 2, countsUnread: false }),
        msg('alice', 'bob', { time: T + 3, onlineOnly: true, lifeTime: 0, deliverTo: [] }),
      ]) {
        await s.appendMessage(APP, m);
      }
      await s.appendMessage(APP, msg('bob', 'alice', { time: T + 4 }));
      await s.recallMessage(APP, recallRequest({ ref: refOf(recalled), by: 'alice', via: 'client', at: T + 5 }));
      assert.deepEqual(await s.setRead(APP, readRequest('bob', 'alice', T - 1, T + 6)), {
        unread: 1,
        totalUnread: 1,
        readTime: T - 1,
      });
    });

    it('setRead on a conversation without messages creates it, with nothing unread and unlisted', async (s) => {
      assert.deepEqual(await s.setRead(APP, readRequest('bob', 'carol', undefined, T)), {
        unread: 0,
        totalUnread: 0,
        readTime: T,
      });
      const c = await s.conversation(APP, 'bob', 'carol');
      assert.deepEqual(c, {
        owner: 'bob',
        peer: 'carol',
        lastTime: 0,
        unread: 0,
        readTime: T,
        peerReadTime: 0,
        updatedAt: T,
      });
      assert.deepEqual(await conversations(s, APP, 'bob', 10), []);
    });

    it("totalUnread sums the owner's conversations", async (s) => {
      await s.importAccounts(APP, ['dave'], T);
      for (let i = 0; i < 2; i++) await s.appendMessage(APP, msg('alice', 'bob'));
      for (let i = 0; i < 3; i++) await s.appendMessage(APP, msg('carol', 'bob'));
      await s.appendMessage(APP, msg('bob', 'alice'));
      assert.equal(await s.totalUnread(APP, 'bob'), 5);
      assert.equal(await s.totalUnread(APP, 'alice'), 1);
      assert.equal(await s.totalUnread(APP, 'dave'), 0);
      assert.equal(await s.totalUnread(APP, 'nobody'), 0);
      assert.equal((await s.setRead(APP, readRequest('bob', 'carol', undefined, T))).totalUnread, 2);
      assert.equal(await s.totalUnread(APP, 'bob'), 2);
      const listed = await conversations(s, APP, 'bob', 10);
      assert.equal(
        listed.reduce((n, c) => n + c.unread, 0),
        2,
      );
    });

    // ---- conversations -----------------------------------------------------------------------

    it('conversations are ordered by last change, ties by peer, and carry the last message', async (s) => {
      await s.importAccounts(APP, ['dave', 'Zed'], T);
      const last: Record<string, StoredMessage> = {};
      for (const [peer, dt] of [
        ['alice', 1],
        ['carol', 3],
        ['dave', 2],
        ['Zed', 3],
        ['alice', 0],
      ] as const) {
        const r = await s.appendMessage(APP, msg(peer, 'bob', { time: T + dt }));
        if (!last[peer] || last[peer]!.time <= r.message.time) last[peer] = r.message;
      }
      const list = await conversations(s, APP, 'bob', 10);
      // Ties on time go by peer in code-unit order: "Zed" < "carol".
      assert.deepEqual(
        list.map((c) => [c.peer, c.updatedAt]),
        [
          ['Zed', T + 3],
          ['carol', T + 3],
          ['dave', T + 2],
          ['alice', T + 1],
        ],
      );
      for (const c of list) {
        assert.equal(c.owner, 'bob');
        assert.deepEqual(c.lastMessage, last[c.peer], c.peer);
        assert.equal(c.unread, c.peer === 'alice' ? 2 : 1, c.peer);
      }
      assert.deepEqual(
        (await conversations(s, APP, 'bob', 2)).map((c) => c.peer),
        ['Zed', 'carol'],
      );
      // The senders see their side too, with nothing unread.
      const alices = await conversations(s, APP, 'alice', 10);
      assert.deepEqual(
        alices.map((c) => [c.peer, c.unread, c.lastMessage?.id]),
        [['bob', 0, last.alice!.id]],
      );
      assert.deepEqual(await conversations(s, APP, 'nobody', 10), []);
      assert.equal(await s.conversation(APP, 'alice', 'carol'), undefined);
    });

    it('the last message is the latest by time, not the latest stored', async (s) => {
      const newer = (await s.appendMessage(APP, msg('alice', 'bob', { time: T + 5 }))).message;
      await s.appendMessage(APP, msg('bob', 'alice', { time: T + 1, origin: 'importmsg' }));
      for (const [owner, peer] of [
        ['bob', 'alice'],
        ['alice', 'bob'],
      ] as const) {
        const c = await s.conversation(APP, owner, peer);
        assert.deepEqual([c?.lastMessage, c?.updatedAt], [newer, T + 5], owner);
      }
      const sameTime = (await s.appendMessage(APP, msg('bob', 'alice', { time: T + 5 }))).message;
      assert.deepEqual(
        (await s.conversation(APP, 'alice', 'bob'))?.lastMessage,
        sameTime,
        'the later of equal times wins',
      );
    });

    it("conversation() tells the peer's read time", async (s) => {
      await s.appendMessage(APP, msg('alice', 'bob', { time: T }));
      await s.appendMessage(APP, msg('bob', 'alice', { time: T + 1 }));
      await s.setRead(APP, readRequest('bob', 'alice', T, T + 2));
      const alices = await s.conversation(APP, 'alice', 'bob');
      assert.deepEqual([alices?.readTime, alices?.peerReadTime, alices?.unread], [0, T, 1]);
      const bobs = await s.conversation(APP, 'bob', 'alice');
      assert.deepEqual([bobs?.readTime, bobs?.peerReadTime, bobs?.unread], [T, 0, 0]);
    });

    // ---- events ------------------------------------------------------------------------------

    it('eventsAfter returns events oldest first, after a seq, up to a limit', async (s) => {
      const sent: StoredMessage[] = [];
      for (let i = 0; i < 5; i++)
        sent.push((await s.appendMessage(APP, msg(i % 2 ? 'alice' : 'carol', 'bob', { time: T + 5 - i }))).message);
      assert.deepEqual(seqs(await s.eventsAfter(APP, 'bob', 0, 10, T)), [1, 2, 3, 4, 5]);
      const page = await s.eventsAfter(APP, 'bob', 2, 2, T);
      assert.deepEqual(
        page.map((e) => [e.seq, e.message?.id, e.at]),
        [
          [3, sent[2]!.id, T + 3],
          [4, sent[3]!.id, T + 2],
        ],
      );
      assert.deepEqual(await s.eventsAfter(APP, 'bob', 5, 10, T), []);
      assert.equal(await s.lastEventSeq(APP, 'bob'), 5);
      assert.equal(await s.lastEventSeq(APP, 'nobody'), 0);
      assert.deepEqual(await s.eventsAfter(APP, 'nobody', 0, 10, T), []);
    });

    it('expired offline messages are skipped; the queue keeps the rest', async (s) => {
      const short = (await s.appendMessage(APP, msg('alice', 'bob', { lifeTime: 10, queueUntil: T + 10 }))).message;
      const long = (await s.appendMessage(APP, msg('alice', 'bob', { lifeTime: 1000, queueUntil: T + 1000 }))).message;
      assert.deepEqual(
        (await s.eventsAfter(APP, 'bob', 0, 10, T + 10)).map((e) => [e.seq, e.message?.id]),
        [
          [1, short.id],
          [2, long.id],
        ],
        'delivered until queueUntil inclusive',
      );
      assert.deepEqual(
        (await s.eventsAfter(APP, 'bob', 0, 10, T + 11)).map((e) => [e.seq, e.message?.id]),
        [[2, long.id]],
      );
      assert.deepEqual(await s.eventsAfter(APP, 'bob', 0, 10, T + 1001), []);
      // Expiry hides events from the queue; the history keeps the messages.
      assert.equal((await history(s, 'bob', 'alice')).messages.length, 2);
    });

    it("each user's seq rises by one per event, across every kind of event", async (s) => {
      const m = msg('alice', 'bob', { deliverTo: ['bob', 'alice'] });
      await s.appendMessage(APP, m); // bob 1, alice 1
      await s.appendMessage(APP, msg('bob', 'alice')); // alice 2
      await s.setRead(APP, readRequest('bob', 'alice', undefined, T + 1)); // bob 2, alice 3
      await s.modifyMessage(APP, modifyOf({ ref: refOf(m), cloudCustomData: 'x' }, T + 2)); // bob 3, alice 4
      await s.recallMessage(APP, recallRequest({ ref: refOf(m), by: 'alice', via: 'client', at: T + 3 })); // bob 4, alice 5 (drops bob 1, alice 1)
      await s.appendMessage(APP, msg('carol', 'bob')); // bob 5
      const bobs = await s.eventsAfter(APP, 'bob', 0, 20, T + 3);
      const alices = await s.eventsAfter(APP, 'alice', 0, 20, T + 3);
      assert.deepEqual(
        bobs.map((e) => [e.seq, e.kind]),
        [
          [2, 'read'],
          [3, 'modify'],
          [4, 'recall'],
          [5, 'message'],
        ],
      );
      assert.deepEqual(
        alices.map((e) => [e.seq, e.kind]),
        [
          [2, 'message'],
          [3, 'read'],
          [4, 'modify'],
          [5, 'recall'],
        ],
      );
      assert.deepEqual(
        [await s.lastEventSeq(APP, 'bob'), await s.lastEventSeq(APP, 'alice'), await s.lastEventSeq(APP, 'carol')],
        [5, 5, 0],
      );
    });

    it('conversationSnapshot is the conversation list with the last seq it reflects', async (s) => {
      await s.appendMessage(APP, msg('alice', 'bob', { time: T }));
      await s.appendMessage(APP, msg('carol', 'bob', { time: T + 1 }));
      await s.setRead(APP, readRequest('bob', 'alice', undefined, T + 2));
      const snap = await s.conversationSnapshot(APP, 'bob', 10);
      assert.equal(snap.lastSeq, 3);
      assert.deepEqual(
        snap.conversations.map((c) => [c.peer, c.unread]),
        [
          ['carol', 1],
          ['alice', 0],
        ],
      );
      assert.deepEqual(
        (await s.conversationSnapshot(APP, 'bob', 1)).conversations.map((c) => c.peer),
        ['carol'],
      );
      assert.deepEqual(await s.conversationSnapshot(APP, 'nobody', 10), { lastSeq: 0, conversations: [] });
      assert.deepEqual(await s.conversationSnapshot(OTHER_APP, 'bob', 10), { lastSeq: 0, conversations: [] });
    });

    // ---- callback outbox ---------------------------------------------------------------------

    it("a message's after-callbacks are written with it, and only when it is new", async (s) => {
      await s.appendMessage(APP, msg('carol', 'bob'));
      const body = {
        CallbackCommand: 'C2C.CallbackAfterSendMsg',
        From_Account: 'alice',
        To_Account: 'bob',
        MsgBody: text('hi'),
        CloudCustomData: 'cc',
        UnreadMsgNum: 0,
      };
      const entry = callback({ orderKey: 'c2c:alice:bob', body, unreadOf: 'bob' });
      const m = msg('alice', 'bob', { callbacks: [entry] });
      await s.appendMessage(APP, m);
      assert.equal((await s.appendMessage(APP, m)).duplicate, true);
      const claimed = await s.claimCallbacks(MS, 10, 60_000);
      assert.equal(claimed.length, 1, 'the duplicate wrote no second callback');
      const [p] = claimed;
      // UnreadMsgNum is the recipient's total as of this write: carol's message and this one.
      assert.deepEqual(p, {
        id: p!.id,
        app: APP,
        command: entry.command,
        body: { ...body, UnreadMsgNum: 2 },
        query: entry.query,
        createdAt: MS,
        attempts: 0,
      });
      assert.deepEqual(Object.keys(p!.body), Object.keys(body), 'the body keeps its key order');
    });

    it('a batch that fails writes none of its callbacks', async (s) => {
      const good = msg('alice', 'bob', { callbacks: [callback()] });
      const bad = msg('alice', 'carol', {
        origin: null as unknown as MessageOrigin,
        callbacks: [callback({ orderKey: 'other' })],
      });
      await assert.rejects(s.appendMessages(APP, [good, bad]));
      assert.deepEqual(await s.claimCallbacks(MS, 10, 60_000), []);
    });

    it('recall erases the content pending callbacks carry, and writes its own callback', async (s) => {
      const key = 'c2c:alice:bob';
      const sendBody = {
        CallbackCommand: 'C2C.CallbackAfterSendMsg',
        MsgBody: text('secret'),
        CloudCustomData: 'secret',
        From_Account: 'alice',
      };
      const m = msg('alice', 'bob', {
        body: text('secret'),
        cloudCustomData: 'secret',
        callbacks: [callback({ orderKey: key, body: sendBody })],
      });
      await s.appendMessage(APP, m);
      const keptBody = { MsgBody: text('kept'), CloudCustomData: 'kept' };
      await s.appendMessage(
        APP,
        msg('alice', 'carol', { callbacks: [callback({ orderKey: 'c2c:alice:carol', body: keptBody })] }),
      );
      const withdraw = callback({
        command: 'C2C.CallbackAfterMsgWithDraw',
        orderKey: key,
        body: { CallbackCommand: 'C2C.CallbackAfterMsgWithDraw', MsgKey: msgKeyOf(m) },
      });
      const recall = (ref: MessageRef) =>
        s.recallMessage(APP, recallRequest({ ref, by: 'alice', via: 'client', at: T + 1, callbacks: [withdraw] }));
      assert.equal((await recall({ ...refOf(m), seq: m.seq + 1 })).outcome, 'not_found');
      assert.equal((await recall(refOf(m))).outcome, 'recalled');
      assert.equal((await recall(refOf(m))).outcome, 'already_recalled');
      const heads = await s.claimCallbacks(MS, 10, 60_000);
      const erased = {
        CallbackCommand: 'C2C.CallbackAfterSendMsg',
        MsgBody: [],
        CloudCustomData: '',
        From_Account: 'alice',
      };
      assert.deepEqual(
        heads.map((p) => [p.command, p.body]),
        [
          ['C2C.CallbackAfterSendMsg', erased],
          ['C2C.CallbackAfterSendMsg', keptBody],
        ],
      );
      assert.deepEqual(Object.keys(heads[0]!.body), Object.keys(sendBody), 'erasure keeps the key order');
      for (const p of heads) await s.callbackDelivered(p.id);
      // Only the recall that happened wrote a callback, queued behind the send on its key.
      assert.deepEqual(
        (await s.claimCallbacks(MS, 10, 60_000)).map((p) => [p.command, p.body]),
        [[withdraw.command, withdraw.body]],
      );
    });

    it("setRead writes its callback with the owner's unread count as of the read", async (s) => {
      await s.appendMessage(APP, msg('alice', 'bob'));
      await s.appendMessage(APP, msg('carol', 'bob'));
      const entry = callback({
        command: 'C2C.CallbackAfterMsgReport',
        orderKey: 'c2c:bob:alice',
        unreadOf: 'bob',
        body: {
          CallbackCommand: 'C2C.CallbackAfterMsgReport',
          Report_Account: 'bob',
          Peer_Account: 'alice',
          UnreadMsgNum: 0,
        },
      });
      await s.setRead(APP, readRequest('bob', 'alice', undefined, T, [entry]));
      const claimed = await s.claimCallbacks(MS, 10, 60_000);
      assert.deepEqual(
        claimed.map((p) => [p.command, p.body]),
        [[entry.command, { ...entry.body, UnreadMsgNum: 1 }]],
      );
    });

    it('claimCallbacks hands out the oldest due entry of each key, leased, in id order', async (s) => {
      const a1 = callback({ orderKey: 'A', at: 1000 });
      const b1 = callback({ orderKey: 'B', at: 1000 });
      const a2 = callback({ orderKey: 'A', at: 1000 });
      const c1 = callback({ orderKey: 'C', at: 3000 });
      await s.enqueueCallbacks(APP, [a1, b1, a2, c1]);
      let got = await s.claimCallbacks(1000, 10, 100);
      assert.deepEqual(got.map(nOf), [a1.body.n, b1.body.n], 'a2 waits for a1; c1 is not due');
      assert.ok(got[0]!.id < got[1]!.id);
      assert.deepEqual(await s.claimCallbacks(1000, 10, 100), [], 'leased entries are not handed out again');
      assert.deepEqual(await s.claimCallbacks(1099, 10, 100), []);
      // A lapsed lease (a dispatcher that died mid-delivery): handed out again, not yet an attempt.
      got = await s.claimCallbacks(1101, 10, 100);
      assert.deepEqual(
        got.map((p) => [nOf(p), p.attempts]),
        [
          [a1.body.n, 0],
          [b1.body.n, 0],
        ],
      );
      await s.callbackDelivered(got[0]!.id);
      await s.callbackFailed(got[1]!.id, 2000, 'HTTP 500');
      got = await s.claimCallbacks(1101, 10, 100);
      assert.deepEqual(got.map(nOf), [a2.body.n], 'a2 is next on A; b1 waits for its retry time');
      await s.callbackGivenUp(got[0]!.id);
      assert.deepEqual(await s.claimCallbacks(1999, 10, 100), []);
      got = await s.claimCallbacks(3000, 10, 100);
      assert.deepEqual(
        got.map((p) => [nOf(p), p.attempts, p.createdAt]),
        [
          [b1.body.n, 1, 1000],
          [c1.body.n, 0, 3000],
        ],
      );
      // The limit takes the oldest.
      await s.enqueueCallbacks(APP, [callback({ orderKey: 'D', at: 3000 }), callback({ orderKey: 'E', at: 3000 })]);
      const [d1] = await s.claimCallbacks(3000, 1, 100);
      assert.equal(d1?.body.n, callbackCounter - 1);
      for (const p of [...got, d1!]) await s.callbackDelivered(p.id);
      assert.deepEqual((await s.claimCallbacks(5000, 10, 100)).map(nOf), [callbackCounter]);
    });

    it('callbacks of every app are claimed together, each with its app', async (s) => {
      const mine = callback({ orderKey: 'x' });
      const theirs = callback({ orderKey: 'y' });
      await s.enqueueCallbacks(APP, [mine]);
      await s.enqueueCallbacks(OTHER_APP, [theirs]);
      assert.deepEqual(
        (await s.claimCallbacks(MS, 10, 100)).map((p) => [p.app, nOf(p)]),
        [
          [APP, mine.body.n],
          [OTHER_APP, theirs.body.n],
        ],
      );
    });

    it('enqueueCallbacks is all or nothing', async (s) => {
      await assert.rejects(
        s.enqueueCallbacks(APP, [callback({ orderKey: 'x' }), callback({ orderKey: null as unknown as string })]),
      );
      assert.deepEqual(await s.claimCallbacks(MS, 10, 100), []);
    });

    // ---- apps ----------------------------------------------------------------------------------

    it("the same UserIDs in two apps never see each other's data", async (s) => {
      const m = msg('alice', 'bob', { seq: 1, random: 1, deliverTo: ['bob', 'alice'] });
      const inApp = (await s.appendMessage(APP, m)).message;
      await s.kickAccount(APP, 'alice', T + 1);
      await s.recallMessage(
        APP,
        recallRequest({ ref: refOf(msg('alice', 'bob', { seq: 99 })), by: 'x', via: 'admin', at: T }),
      ); // not_found, writes nothing
      await s.setRead(APP, readRequest('bob', 'carol', undefined, T));

      // OTHER_APP has no accounts yet, and nothing of APP's.
      assert.deepEqual(await s.existingAccounts(OTHER_APP, ['alice', 'bob', 'carol']), new Set());
      await s.importAccounts(OTHER_APP, ['alice', 'bob', 'dave'], T);
      assert.deepEqual(await s.existingAccounts(APP, ['dave']), new Set());
      assert.equal(await s.findMessage(OTHER_APP, refOf(m)), undefined);
      assert.equal(await s.findImported(OTHER_APP, refOf(m)), undefined);
      assert.equal(await s.findImported(OTHER_APP, { from: 'alice', to: 'bob', ...keyOf(m) }), undefined);
      assert.deepEqual((await history(s, 'bob', 'alice', 10, OTHER_APP)).messages, []);
      assert.equal(await s.totalUnread(OTHER_APP, 'bob'), 0);
      assert.equal(await s.conversation(OTHER_APP, 'bob', 'alice'), undefined);
      assert.equal(await s.conversation(OTHER_APP, 'bob', 'carol'), undefined);
      assert.deepEqual(await conversations(s, OTHER_APP, 'bob', 10), []);
      assert.deepEqual(await s.eventsAfter(OTHER_APP, 'bob', 0, 10, T), []);
      assert.equal(await s.lastEventSeq(OTHER_APP, 'bob'), 0);
      assert.equal(await s.kickedAt(OTHER_APP, 'alice'), undefined);
      assert.deepEqual(
        await s.recallMessage(OTHER_APP, recallRequest({ ref: refOf(m), by: 'x', via: 'admin', at: T })),
        { outcome: 'not_found' },
      );
      assert.deepEqual(await s.modifyMessage(OTHER_APP, modifyOf({ ref: refOf(m), body: text('x') }, T)), {
        outcome: 'not_found',
      });

      // The same identity in OTHER_APP is a message of its own; what happens to it stays there.
      const other = await s.appendMessage(OTHER_APP, { ...m, body: text('other app') });
      assert.equal(other.duplicate, false);
      assert.notEqual(other.message.id, inApp.id);
      assert.equal(other.recipientUnread, 1);
      assert.equal(
        (await s.recallMessage(OTHER_APP, recallRequest({ ref: refOf(m), by: 'x', via: 'admin', at: T + 2 }))).outcome,
        'recalled',
      );
      await s.setRead(OTHER_APP, readRequest('bob', 'alice', undefined, T + 3));
      await s.deleteAccounts(OTHER_APP, ['alice']);
      assert.deepEqual(await s.recallAudit(APP, 10), []);
      assert.equal((await s.recallAudit(OTHER_APP, 10)).length, 1);

      // APP is as it was.
      assert.deepEqual(await s.findMessage(APP, refOf(m)), inApp);
      assert.deepEqual(await s.existingAccounts(APP, ['alice', 'bob']), new Set(['alice', 'bob']));
      assert.equal(await s.totalUnread(APP, 'bob'), 1);
      assert.equal((await s.conversation(APP, 'bob', 'alice'))?.readTime, 0);
      assert.deepEqual(
        (await s.eventsAfter(APP, 'bob', 0, 10, T)).map((e) => [e.seq, e.kind]),
        [
          [1, 'message'],
          [2, 'read'],
        ],
      );
      assert.equal(await s.lastEventSeq(APP, 'alice'), 1);
      assert.equal(await s.kickedAt(APP, 'alice'), T + 1);
      assert.deepEqual(ids((await history(s, 'bob', 'alice')).messages), [inApp.id]);
    });

    // ---- concurrency ---------------------------------------------------------------------------
    // Units of work started together. An adapter with one connection serializes them; a pooled
    // one runs them at once. Either way the invariants must hold.

    it('50 concurrent appends to one user get seqs 1..50 without gaps', async (s) => {
      const senders = range(0, 9).map((i) => `sender${i}`);
      await s.importAccounts(APP, senders, T);
      const batch = range(0, 49).map((i) => msg(senders[i % 10]!, 'bob', { deliverTo: ['bob', senders[i % 10]!] }));
      const results = await Promise.all(batch.map((m) => s.appendMessage(APP, m)));
      assert.ok(results.every((r) => !r.duplicate));
      const events = await s.eventsAfter(APP, 'bob', 0, 100, T);
      assert.deepEqual(seqs(events), range(1, 50));
      assert.deepEqual(new Set(events.map((e) => e.message?.id)), new Set(results.map((r) => r.message.id)));
      assert.equal(await s.lastEventSeq(APP, 'bob'), 50);
      assert.equal(await s.totalUnread(APP, 'bob'), 50);
      assert.deepEqual(
        results.map((r) => r.recipientUnread).sort((a, b) => a - b),
        range(1, 50),
        'each write saw the one before it',
      );
      for (const u of senders) assert.deepEqual(seqs(await s.eventsAfter(APP, u, 0, 100, T)), range(1, 5), u);
    });

    it('concurrent sends of one message store it once', async (s) => {
      const m = msg('alice', 'bob', { deliverTo: ['bob', 'alice'] });
      const results = await Promise.all(range(1, 20).map(() => s.appendMessage(APP, m)));
      assert.equal(results.filter((r) => !r.duplicate).length, 1);
      assert.equal(new Set(results.map((r) => r.message.id)).size, 1);
      assert.ok(results.every((r) => r.recipientUnread === 1));
      assert.equal(await s.lastEventSeq(APP, 'bob'), 1);
      assert.equal(await s.lastEventSeq(APP, 'alice'), 1);
      assert.equal((await history(s, 'bob', 'alice')).messages.length, 1);
    });

    it('concurrent recalls of one message: exactly one recalled, the rest already_recalled', async (s) => {
      const m = msg('alice', 'bob');
      await s.appendMessage(APP, m);
      const results = await Promise.all(
        range(1, 10).map((i) =>
          s.recallMessage(APP, recallRequest({ ref: refOf(m), by: `admin${i}`, via: 'admin', at: T + i })),
        ),
      );
      const outcomes = results.map((r) => r.outcome).sort();
      assert.deepEqual(outcomes, ['already_recalled', ...Array<string>(8).fill('already_recalled'), 'recalled']);
      const winner = results.find((r) => r.outcome === 'recalled')!;
      for (const r of results) {
        if (r.outcome === 'already_recalled')
          assert.deepEqual(r.message.recalled, winner.outcome === 'recalled' && winner.message.recalled);
      }
      assert.equal(await s.totalUnread(APP, 'bob'), 0);
      assert.equal((await s.recallAudit(APP, 10)).length, 1);
      assert.deepEqual(
        (await s.eventsAfter(APP, 'bob', 0, 10, T + 10)).map((e) => e.kind),
        ['recall'],
      );
      assert.deepEqual(
        (await s.eventsAfter(APP, 'alice', 0, 10, T + 10)).map((e) => e.kind),
        ['recall'],
      );
    });

    it('concurrent synced sends in both directions all commit with gapless seqs', async (s) => {
      // Each send touches both users: the classic lock-order deadlock if an adapter is careless.
      const work = range(1, 40).map((i) =>
        i % 2
          ? msg('alice', 'bob', { deliverTo: ['bob', 'alice'] })
          : msg('bob', 'alice', { deliverTo: ['alice', 'bob'] }),
      );
      await Promise.all(work.map((m) => s.appendMessage(APP, m)));
      assert.deepEqual(seqs(await s.eventsAfter(APP, 'alice', 0, 100, T)), range(1, 40));
      assert.deepEqual(seqs(await s.eventsAfter(APP, 'bob', 0, 100, T)), range(1, 40));
      assert.equal(await s.totalUnread(APP, 'alice'), 20);
      assert.equal(await s.totalUnread(APP, 'bob'), 20);
    });

    it('concurrent claims never hand out one callback twice, nor two of one key', async (s) => {
      const keys = range(1, 8).map((k) => `key${k}`);
      await s.enqueueCallbacks(
        APP,
        range(0, 39).map((i) => callback({ orderKey: keys[i % 8]!, at: 1000 })),
      );
      const claims = await Promise.all(range(1, 6).map(() => s.claimCallbacks(1000, 5, 60_000)));
      const all = claims.flat();
      assert.equal(new Set(all.map((p) => p.id)).size, all.length, 'no callback twice');
      assert.equal(all.length, 8, "each key's oldest entry, once");
      assert.deepEqual(
        all.map(nOf).sort((a, b) => Number(a) - Number(b)),
        range(callbackCounter - 39, callbackCounter - 32),
      );
    });

    it('a conversation snapshot plus the events after its seq counts every message once', async (s) => {
      // Snapshots taken while sends commit: each must see exactly the messages of its lastSeq.
      for (let i = 0; i < 5; i++) await s.appendMessage(APP, msg('alice', 'bob'));
      const work: Array<Promise<unknown>> = [];
      const snapshots: Array<ReturnType<Store['conversationSnapshot']>> = [];
      for (let i = 0; i < 40; i++) {
        work.push(s.appendMessage(APP, msg('alice', 'bob')));
        if (i % 4 === 3) snapshots.push(s.conversationSnapshot(APP, 'bob', 10));
      }
      await Promise.all(work);
      for (const snap of await Promise.all(snapshots)) {
        const inSnapshot = snap.conversations.find((c) => c.peer === 'alice')?.unread ?? 0;
        const later = (await s.eventsAfter(APP, 'bob', snap.lastSeq, 100, T)).filter(
          (e) => e.kind === 'message',
        ).length;
        assert.equal(inSnapshot + later, 45, `snapshot at seq ${snap.lastSeq}`);
        assert.equal(snap.lastSeq, inSnapshot, 'every message so far was one event');
      }
    });

    it('concurrent sends, reads and recalls leave unread equal to what is really unread', async (s) => {
      const first = range(1, 20).map(() => msg('alice', 'bob', { time: T }));
      for (const m of first) await s.appendMessage(APP, m);
      const more = range(1, 10).map(() => msg('alice', 'bob', { time: T }));
      await Promise.all([
        ...more.map((m) => s.appendMessage(APP, m)),
        ...range(1, 5).map(() => s.setRead(APP, readRequest('bob', 'alice', undefined, T))),
        ...first
          .slice(0, 10)
          .map((m, i) => s.recallMessage(APP, recallRequest({ ref: refOf(m), by: 'alice', via: 'client', at: T + i }))),
        ...more
          .slice(0, 3)
          .map((m) => s.recallMessage(APP, recallRequest({ ref: refOf(m), by: 'alice', via: 'client', at: T }))),
      ]);
      const page = await history(s, 'bob', 'alice');
      const really = page.messages.filter((m) => !m.recalled && !isReadBy(m, page.ownerRead)).length;
      const conv = await s.conversation(APP, 'bob', 'alice');
      assert.equal(conv?.unread, really);
      assert.equal(await s.totalUnread(APP, 'bob'), really);
      // And a read now settles it to zero.
      assert.deepEqual(await s.setRead(APP, readRequest('bob', 'alice', undefined, T)), {
        unread: 0,
        totalUnread: 0,
        readTime: T,
      });
    });

    // ---- the store writes the events it is given, and decides none ---------------------------

    /** A recall notice for user, as the domain would word it, with an expiry of its own. */
    const recallEvent = (user: string, m: MessageRef, at: number, expiresAt: number): EventWrite => ({
      kind: 'recall',
      payload: { from: m.from, to: m.to, msgKey: msgKeyOf(m), by: 'administrator', via: 'admin', at },
      user,
      at,
      expiresAt,
    });

    it('recallMessage appends exactly the events given, in order, with their expiries, referencing the message', async (s) => {
      const m = msg('alice', 'bob');
      await s.appendMessage(APP, m);
      const toCarol = recallEvent('carol', m, T + 5, T + 6);
      const toBob = recallEvent('bob', m, T + 5, T + 100);
      const r = await s.recallMessage(APP, {
        ref: refOf(m),
        by: 'administrator',
        via: 'admin',
        at: T + 5,
        uncountUnread: true,
        events: [toCarol, toBob],
      });
      assert.equal(r.outcome, 'recalled');
      const carols = await s.eventsAfter(APP, 'carol', 0, 10, T + 6);
      assert.deepEqual(
        carols.map((e) => [e.seq, e.kind, e.at, e.data]),
        [[1, 'recall', T + 5, toCarol.payload]],
      );
      assert.deepEqual(
        carols[0]!.message,
        r.outcome === 'recalled' && r.message,
        'the event references the recalled message',
      );
      assert.equal((await s.eventsAfter(APP, 'carol', 0, 10, T + 7)).length, 0, 'it expires when the domain said');
      assert.equal(await s.lastEventSeq(APP, 'alice'), 0, 'no event the domain did not ask for');
      // bob's send event went with the recall; his recall event is the one given.
      assert.deepEqual(
        (await s.eventsAfter(APP, 'bob', 0, 10, T + 7)).map((e) => [e.seq, e.kind, e.data]),
        [[2, 'recall', toBob.payload]],
      );
    });

    it('recallMessage leaves the unread counts alone unless asked to uncount', async (s) => {
      const m = msg('alice', 'bob');
      await s.appendMessage(APP, m);
      const r = await s.recallMessage(APP, {
        ref: refOf(m),
        by: 'administrator',
        via: 'admin',
        at: T + 1,
        uncountUnread: false,
        events: [],
      });
      assert.deepEqual(r.outcome === 'recalled' && r.recipientUnread, 1);
      assert.equal((await s.conversation(APP, 'bob', 'alice'))?.unread, 1);
      assert.equal(await s.totalUnread(APP, 'bob'), 1);
      assert.equal(await s.lastEventSeq(APP, 'bob'), 1, 'no recall event was given');
    });

    it('modifyMessage appends exactly the events given; none for a message it does not modify', async (s) => {
      const m = msg('alice', 'bob');
      await s.appendMessage(APP, m);
      const event: EventWrite = {
        kind: 'modify',
        payload: { from: 'alice', to: 'bob', msgKey: msgKeyOf(m) },
        user: 'carol',
        at: T + 3,
        expiresAt: T + 4,
      };
      assert.equal(
        (await s.modifyMessage(APP, { ref: refOf(m), cloudCustomData: 'new', events: [event] })).outcome,
        'modified',
      );
      assert.deepEqual(
        (await s.eventsAfter(APP, 'carol', 0, 10, T)).map((e) => [e.kind, e.at, e.data, e.message?.cloudCustomData]),
        [['modify', T + 3, event.payload, 'new']],
      );
      assert.equal(await s.lastEventSeq(APP, 'alice'), 0);
      assert.equal(
        (await s.modifyMessage(APP, { ref: { ...refOf(m), seq: m.seq + 1 }, body: text('x'), events: [event] }))
          .outcome,
        'not_found',
      );
      assert.equal(await s.lastEventSeq(APP, 'carol'), 1, 'not_found writes no event');
    });

    it('setRead asks for the events only when the cursor moved, with where it now is', async (s) => {
      await s.appendMessage(APP, msg('alice', 'bob', { time: T }));
      await s.appendMessage(APP, msg('alice', 'bob', { time: T + 2 }));
      const asked: ReadOutcome[] = [];
      const read = (time: number, through: ReadMark['through']) =>
        s.setRead(APP, {
          owner: 'bob',
          peer: 'alice',
          upTo: { time, through },
          at: T + 10,
          eventsIfMoved: (o) => {
            asked.push(o);
            return [
              {
                kind: 'read',
                payload: { owner: 'bob', peer: 'alice', ...o },
                user: 'carol',
                at: T + 10,
                expiresAt: T + 11,
              },
            ];
          },
        });
      assert.deepEqual(await read(T, 'second'), { unread: 1, totalUnread: 1, readTime: T });
      assert.deepEqual(
        await read(T - 5, 'second'),
        { unread: 1, totalUnread: 1, readTime: T },
        'the cursor does not move back',
      );
      assert.deepEqual(
        await read(T, 'second'),
        { unread: 1, totalUnread: 1, readTime: T },
        'nor stays put with an event',
      );
      assert.deepEqual(await read(T + 2, 'stored'), { unread: 0, totalUnread: 0, readTime: T + 2 });
      assert.deepEqual(asked, [
        { readTime: T, unread: 1 },
        { readTime: T + 2, unread: 0 },
      ]);
      assert.deepEqual(
        (await s.eventsAfter(APP, 'carol', 0, 10, T)).map((e) => e.data),
        asked.map((o) => ({ owner: 'bob', peer: 'alice', ...o })),
      );
      assert.equal(
        await s.lastEventSeq(APP, 'bob'),
        2,
        'only the two sends: the read events went where the domain said',
      );
    });

    // ---- U+0000 in free text and in looked-up IDs ---------------------------------------------

    const NUL = '\u0000';

    it('a message whose CloudCustomData and text hold U+0000 round-trips through append, history and events, and recall erases it', async (s) => {
      const m = msg('alice', 'bob', { body: text(`a${NUL}b`), cloudCustomData: `x${NUL}y${NUL}`, deliverTo: ['bob'] });
      const r = await s.appendMessage(APP, m);
      assert.equal(r.message.cloudCustomData, `x${NUL}y${NUL}`);
      assert.deepEqual(r.message, storedForm(m, r.message.id));
      assert.deepEqual(await s.findMessage(APP, refOf(m)), r.message);
      assert.deepEqual((await history(s, 'bob', 'alice')).messages, [r.message]);
      assert.deepEqual((await s.eventsAfter(APP, 'bob', 0, 10, T))[0]?.message, r.message);
      const modified = await s.modifyMessage(APP, modifyOf({ ref: refOf(m), cloudCustomData: `z${NUL}` }, T + 1));
      assert.equal(modified.outcome === 'modified' && modified.message.cloudCustomData, `z${NUL}`);
      const recalled = await s.recallMessage(
        APP,
        recallRequest({ ref: refOf(m), by: 'alice', via: 'client', at: T + 2 }),
      );
      assert.equal(recalled.outcome, 'recalled');
      const stone = await s.findMessage(APP, refOf(m));
      assert.deepEqual([stone?.body, stone?.cloudCustomData], [[], '']);
      for (const e of await s.eventsAfter(APP, 'bob', 0, 10, T))
        assert.ok(!JSON.stringify(e).includes('\\u0000'), `event ${e.seq} keeps no content`);
    });

    // ---- one-sided delete and the conversation list ----------------------------------------------

    /** Both directions of each message's key, as the domain asks. */
    const bothWays = (ms: MessageRef[]): MessageRef[] =>
      ms.flatMap((m) => [refOf(m), { ...refOf(m), from: m.to, to: m.from }]);
    const deleteFor = (s: Store, owner: string, peer: string, ms: MessageRef[], at = T + 5) =>
      s.deleteMessages(APP, deleteMessagesRequest(owner, peer, bothWays(ms), at));

    it('deleteMessages hides messages from the owner only, drops them from its queue and unread, and tells its devices', async (s) => {
      const m1 = msg('alice', 'bob', { time: T, deliverTo: ['bob', 'alice'] });
      const m2 = msg('alice', 'bob', { time: T + 1 });
      const m3 = msg('bob', 'alice', { time: T + 2 });
      for (const m of [m1, m2, m3]) await s.appendMessage(APP, m);
      assert.equal(await s.totalUnread(APP, 'bob'), 2);
      const r = await deleteFor(s, 'bob', 'alice', [m1, m3, msg('alice', 'bob')]);
      assert.deepEqual(r, { deleted: [refOf(m1), refOf(m3)], ownerUnread: 1 }, 'a key naming nothing is skipped');
      assert.deepEqual(
        (await history(s, 'bob', 'alice')).messages.map((m) => m.seq),
        [m2.seq],
      );
      assert.deepEqual(
        (await history(s, 'alice', 'bob')).messages.map((m) => m.seq),
        [m3.seq, m2.seq, m1.seq],
      );
      assert.equal((await s.conversation(APP, 'bob', 'alice'))?.unread, 1);
      assert.equal(await s.totalUnread(APP, 'alice'), 1, "the peer's unread is untouched");
      const bobs = await s.eventsAfter(APP, 'bob', 0, 10, T);
      assert.deepEqual(
        bobs.map((e) => [e.kind, e.message?.seq]),
        [
          ['message', m2.seq],
          ['delete', undefined],
        ],
      );
      assert.deepEqual(bobs[1]!.data, {
        owner: 'bob',
        peer: 'alice',
        messages: [
          { from: 'alice', to: 'bob', msgKey: msgKeyOf(m1) },
          { from: 'bob', to: 'alice', msgKey: msgKeyOf(m3) },
        ],
      });
      assert.deepEqual(
        (await s.eventsAfter(APP, 'alice', 0, 10, T)).map((e) => e.kind),
        ['message', 'message'],
        "alice's queue keeps m1 and m3",
      );
      // The message records which side deleted it.
      assert.deepEqual((await s.findMessage(APP, refOf(m1)))?.deletedBy, { sender: false, recipient: true });
      // Again: nothing left to delete, no event.
      assert.deepEqual(await deleteFor(s, 'bob', 'alice', [m1]), { deleted: [], ownerUnread: 1 });
      assert.equal((await s.eventsAfter(APP, 'bob', 0, 10, T)).length, 2);
      // A later read recounts without it.
      assert.equal((await s.setRead(APP, readRequest('bob', 'alice', T - 1, T + 6))).unread, 1);
    });

    it('deleteMessages erases content nobody holds: both sides deleted, or the only side that had it', async (s) => {
      const shared = msg('alice', 'bob', {
        body: text('shared secret'),
        cloudCustomData: 'cloud secret',
        offlinePushInfo: { Title: 'push secret' },
        deliverTo: ['bob', 'alice'],
        callbacks: [
          callback({
            body: {
              CallbackCommand: 'C2C.CallbackAfterSendMsg',
              MsgBody: text('shared secret'),
              CloudCustomData: 'cloud secret',
            },
          }),
        ],
      });
      const unsynced = msg('alice', 'bob', { body: text('unsynced secret'), senderRoams: false });
      const online = msg('alice', 'bob', { body: text('online secret'), onlineOnly: true, lifeTime: 0, deliverTo: [] });
      for (const m of [shared, unsynced, online]) await s.appendMessage(APP, m);
      await deleteFor(s, 'alice', 'bob', [shared]);
      assert.ok(
        JSON.stringify(await s.outboxOf(APP)).includes('shared secret'),
        'a pending callback still carries it while bob holds it',
      );
      assert.deepEqual((await s.findMessage(APP, refOf(shared)))?.body, text('shared secret'), 'bob still holds it');
      await deleteFor(s, 'bob', 'alice', [shared, unsynced, online]);
      for (const m of [shared, unsynced, online]) {
        const stored = await s.findMessage(APP, refOf(m));
        assert.ok(stored, 'the row stays (identity, dedup)');
        assert.deepEqual(
          [stored.body, stored.cloudCustomData, stored.offlinePushInfo, stored.recalled],
          [[], '', undefined, undefined],
          `seq ${m.seq} erased, not a tombstone`,
        );
      }
      for (const user of ['alice', 'bob']) {
        for (const e of await s.eventsAfter(APP, user, 0, 10, T))
          assert.ok(!JSON.stringify(e).includes('secret'), `${user} event ${e.kind} keeps no content`);
      }
      const outbox = await s.outboxOf(APP);
      assert.equal(outbox.length, 1, 'the callback is still due');
      assert.ok(!JSON.stringify(outbox).includes('secret'), 'its content is erased');
      // Nothing is left to recall or modify.
      assert.deepEqual(
        await s.recallMessage(APP, recallRequest({ ref: refOf(shared), by: 'administrator', via: 'admin', at: T + 9 })),
        { outcome: 'not_found' },
      );
      assert.deepEqual(await s.modifyMessage(APP, modifyOf({ ref: refOf(unsynced), body: text('new') }, T + 9)), {
        outcome: 'not_found',
      });
    });

    it('deleteMessages of a message still held by one side keeps it recallable; recall does not uncount it twice', async (s) => {
      const m = msg('alice', 'bob', { body: text('secret') });
      const other = msg('alice', 'bob', { time: T + 1 });
      for (const x of [m, other]) await s.appendMessage(APP, x);
      await deleteFor(s, 'bob', 'alice', [m]);
      assert.equal(await s.totalUnread(APP, 'bob'), 1);
      const r = await s.recallMessage(
        APP,
        recallRequest({ ref: refOf(m), by: 'administrator', via: 'admin', at: T + 9 }),
      );
      assert.equal(r.outcome, 'recalled');
      assert.equal(await s.totalUnread(APP, 'bob'), 1);
      assert.equal((await s.conversation(APP, 'bob', 'alice'))?.unread, 1);
      assert.deepEqual(
        (await history(s, 'bob', 'alice')).messages.map((x) => x.seq),
        [other.seq],
      );
      assert.deepEqual(
        (await history(s, 'alice', 'bob')).messages.map((x) => [x.seq, x.body]),
        [
          [other.seq, other.body],
          [m.seq, []],
        ],
      );
    });

    it('a modify after a one-sided delete reaches only the party that still holds the message', async (s) => {
      const m = msg('alice', 'bob', { deliverTo: ['bob', 'alice'] });
      await s.appendMessage(APP, m);
      await deleteFor(s, 'bob', 'alice', [m]);
      const r = await s.modifyMessage(APP, modifyOf({ ref: refOf(m), body: text('edited secret') }, T + 6));
      assert.equal(r.outcome, 'modified');
      assert.deepEqual(
        (await s.eventsAfter(APP, 'bob', 0, 10, T)).map((e) => e.kind),
        ['delete'],
        'bob gets no content back',
      );
      assert.deepEqual(
        (await s.eventsAfter(APP, 'alice', 0, 10, T)).map((e) => e.kind),
        ['message', 'modify'],
      );
    });

    it('a last message the owner deleted is not shown; the conversation stays listed with its time', async (s) => {
      const m = msg('alice', 'bob', { time: T + 3, body: text('last secret') });
      await s.appendMessage(APP, m);
      await deleteFor(s, 'bob', 'alice', [m]);
      const c = await s.conversation(APP, 'bob', 'alice');
      assert.equal(c?.lastMessage, undefined);
      assert.equal(c?.lastTime, T + 3);
      assert.deepEqual(
        (await s.conversationPage(APP, { owner: 'bob', limit: 10 })).map((x) => [x.peer, x.lastTime]),
        [['alice', T + 3]],
      );
      assert.equal((await s.conversation(APP, 'alice', 'bob'))?.lastMessage?.seq, m.seq, 'the sender still sees it');
    });

    it('deleteConversation: unlisted, unread 0 and read, history kept; back with the next message counting only that', async (s) => {
      const m1 = msg('alice', 'bob', { time: T });
      const m2 = msg('alice', 'bob', { time: T + 1 });
      for (const m of [m1, m2]) await s.appendMessage(APP, m);
      await s.appendMessage(APP, msg('carol', 'bob', { time: T + 2 }));
      await s.deleteConversation(APP, deleteConversationRequest('bob', 'alice', false, T + 5));
      assert.deepEqual(
        (await s.conversationPage(APP, { owner: 'bob', limit: 10 })).map((c) => c.peer),
        ['carol'],
      );
      assert.deepEqual(
        (await conversations(s, APP, 'bob', 10)).map((c) => c.peer),
        ['carol'],
      );
      assert.equal(await s.totalUnread(APP, 'bob'), 1);
      assert.equal((await history(s, 'bob', 'alice')).messages.length, 2);
      const bobs = await s.eventsAfter(APP, 'bob', 0, 10, T);
      assert.deepEqual(
        bobs.slice(-2).map((e) => [e.kind, e.data]),
        [
          ['read', { owner: 'bob', peer: 'alice', readTime: T + 1, unread: 0 }],
          ['conversation_delete', { owner: 'bob', peer: 'alice', clearHistory: false }],
        ],
      );
      assert.deepEqual(
        (await s.eventsAfter(APP, 'alice', 0, 10, T)).map((e) => e.kind),
        ['read'],
        'the peer hears of the read only',
      );
      assert.deepEqual((await history(s, 'alice', 'bob')).peerRead, {
        time: T + 1,
        id: (await s.findMessage(APP, refOf(m2)))!.id,
      });
      const m3 = msg('alice', 'bob', { time: T + 6 });
      await s.appendMessage(APP, m3);
      assert.deepEqual(
        (await s.conversationPage(APP, { owner: 'bob', limit: 10 })).map((c) => [c.peer, c.lastTime, c.unread]),
        [
          ['alice', T + 6, 1],
          ['carol', T + 2, 1],
        ],
      );
      // Recalling an old message does not disturb the new count.
      await s.recallMessage(APP, recallRequest({ ref: refOf(m1), by: 'administrator', via: 'admin', at: T + 7 }));
      assert.equal((await s.conversation(APP, 'bob', 'alice'))?.unread, 1);
      assert.equal(await s.totalUnread(APP, 'bob'), 2);
      // A conversation that does not exist: only the event.
      await s.deleteConversation(APP, deleteConversationRequest('carol', 'alice', false, T + 8));
      assert.deepEqual(
        (await s.eventsAfter(APP, 'carol', 0, 10, T)).map((e) => e.kind),
        ['conversation_delete'],
      );
    });

    it('deleteConversation with clearHistory hides every message of the pair from the owner and erases what nobody holds', async (s) => {
      const kept = msg('alice', 'bob', { body: text('alice keeps'), deliverTo: ['bob', 'alice'] });
      const only = msg('alice', 'bob', { body: text('bob only secret'), senderRoams: false, time: T + 1 });
      const reply = msg('bob', 'alice', { body: text('reply'), time: T + 2 });
      for (const m of [kept, only, reply]) await s.appendMessage(APP, m);
      await s.deleteConversation(APP, deleteConversationRequest('bob', 'alice', true, T + 5));
      assert.deepEqual((await history(s, 'bob', 'alice')).messages, []);
      assert.deepEqual(
        (await history(s, 'alice', 'bob')).messages.map((m) => m.seq),
        [reply.seq, kept.seq],
      );
      assert.deepEqual((await s.findMessage(APP, refOf(only)))?.body, [], 'erased');
      assert.deepEqual((await s.findMessage(APP, refOf(kept)))?.body, text('alice keeps'));
      assert.deepEqual(
        (await s.eventsAfter(APP, 'bob', 0, 10, T)).filter((e) => e.kind === 'message'),
        [],
        "bob's queue holds none",
      );
      assert.equal((await s.eventsAfter(APP, 'alice', 0, 10, T)).filter((e) => e.kind === 'message').length, 2);
      assert.equal(await s.totalUnread(APP, 'bob'), 0);
    });

    it('conversationPage: newest lastTime first, then by peer; before skips within a time', async (s) => {
      await s.importAccounts(APP, ['dave', 'erin'], T);
      await s.appendMessage(APP, msg('bob', 'alice', { time: T + 1 }));
      await s.appendMessage(APP, msg('carol', 'alice', { time: T + 2 }));
      await s.appendMessage(APP, msg('dave', 'alice', { time: T + 2 }));
      await s.appendMessage(APP, msg('erin', 'alice', { time: T + 3, updatesLastMessage: false }));
      const page = async (q: { before?: { time: number; skip: number }; limit: number }) =>
        (await s.conversationPage(APP, { owner: 'alice', ...q })).map((c) => [c.peer, c.lastTime]);
      assert.deepEqual(
        await page({ limit: 10 }),
        [
          ['carol', T + 2],
          ['dave', T + 2],
          ['bob', T + 1],
        ],
        'NoLastMsg-only conversations are not listed',
      );
      assert.deepEqual(await page({ limit: 1 }), [['carol', T + 2]]);
      assert.deepEqual(await page({ before: { time: T + 2, skip: 1 }, limit: 10 }), [
        ['dave', T + 2],
        ['bob', T + 1],
      ]);
      assert.deepEqual(await page({ before: { time: T + 2, skip: 2 }, limit: 10 }), [['bob', T + 1]]);
      assert.deepEqual(
        await s.conversationPage(APP, { owner: 'alice', limit: 10 }).then((cs) => cs.every((c) => c.owner === 'alice')),
        true,
      );
      assert.deepEqual(await s.conversationPage(OTHER_APP, { owner: 'alice', limit: 10 }), []);
    });

    it('an account whose Nick and FaceUrl hold U+0000 is stored', async (s) => {
      await s.importAccount(APP, { userId: 'dave', nick: `D${NUL}ave`, faceUrl: `https://example.com/${NUL}` }, T);
      await s.importAccount(APP, { userId: 'dave', nick: `again${NUL}` }, T + 1);
      assert.deepEqual(await s.existingAccounts(APP, ['dave']), new Set(['dave']));
    });

    it('a UserID holding U+0000 is found nowhere, and asking does not fail', async (s) => {
      const odd = `bob${NUL}`;
      await s.appendMessage(APP, msg('alice', 'bob'));
      assert.deepEqual(await s.existingAccounts(APP, [odd, 'bob']), new Set(['bob']));
      assert.deepEqual(await history(s, odd, 'alice'), {
        messages: [],
        more: false,
        ownerRead: { time: 0, id: 0 },
        peerRead: { time: 0, id: 0 },
      });
      assert.deepEqual((await history(s, 'alice', odd)).messages, []);
      assert.equal(await s.totalUnread(APP, odd), 0);
      assert.equal(await s.conversation(APP, odd, 'alice'), undefined);
      assert.deepEqual(await s.eventsAfter(APP, odd, 0, 10, T), []);
      assert.equal(await s.lastEventSeq(APP, odd), 0);
      assert.equal(await s.findMessage(APP, { ...refOf(msg('alice', odd)) }), undefined);
      assert.equal(await s.kickAccount(APP, odd, T), false);
    });

    // ---- profiles (h13a) -----------------------------------------------------------------------

    it('importAccountList creates and updates in order; an absent Nick/FaceUrl stays; all or nothing', async (s) => {
      await s.importAccount(APP, { userId: 'dave', nick: 'Old', faceUrl: 'old.png' }, T);
      await s.importAccountList(
        APP,
        [
          { userId: 'dave', nick: 'New' },
          { userId: 'erin', faceUrl: 'e1' },
          { userId: 'erin', nick: 'Erin', faceUrl: 'e2' },
        ],
        T + 1,
      );
      const p = await s.profiles(APP, ['dave', 'erin']);
      assert.deepEqual(p.get('dave'), { nick: 'New', faceUrl: 'old.png', fields: new Map() });
      assert.deepEqual(p.get('erin'), { nick: 'Erin', faceUrl: 'e2', fields: new Map() });
      await assert.rejects(s.importAccountList(APP, [{ userId: 'frank' }, { userId: null as unknown as string }], T));
      assert.deepEqual(await s.existingAccounts(APP, ['frank']), new Set(), 'a failed list imports nobody');
    });

    it('profiles reads only accounts that exist; a profile never written has no nick, avatar or fields', async (s) => {
      const p = await s.profiles(APP, ['alice', 'nobody', 'alice', `bob${NUL}`]);
      assert.deepEqual([...p.keys()], ['alice']);
      assert.deepEqual(p.get('alice'), { fields: new Map() });
      assert.deepEqual(await s.profiles(OTHER_APP, ['alice']), new Map(), 'another app has its own accounts');
    });

    it('writeProfile sets nick, avatar and fields (strings with U+0000, integers up to u32), keeps the rest, writes its callbacks', async (s) => {
      const cb = callback({ command: 'Profile.CallbackPortraitSet', orderKey: 'profile:alice' });
      assert.equal(
        await s.writeProfile(APP, {
          userId: 'alice',
          nick: `Al${NUL}ice`,
          fields: new Map<string, string | number>([
            ['Tag_Profile_IM_Level', 4294967295],
            ['Tag_Profile_Custom_Hobby', `c${NUL}中`],
          ]),
          callbacks: [cb],
        }),
        true,
      );
      assert.equal(
        await s.writeProfile(APP, {
          userId: 'alice',
          faceUrl: 'a.png',
          fields: new Map<string, string | number>([
            ['Tag_Profile_IM_Level', 0],
            ['Tag_Profile_IM_Gender', ''],
          ]),
        }),
        true,
      );
      assert.deepEqual((await s.profiles(APP, ['alice'])).get('alice'), {
        nick: `Al${NUL}ice`,
        faceUrl: 'a.png',
        fields: new Map<string, string | number>([
          ['Tag_Profile_Custom_Hobby', `c${NUL}中`],
          ['Tag_Profile_IM_Gender', ''],
          ['Tag_Profile_IM_Level', 0],
        ]),
      });
      assert.deepEqual((await s.profiles(APP, ['bob'])).get('bob'), { fields: new Map() }, "bob's profile is his own");
      assert.deepEqual(
        (await s.outboxOf(APP)).map((e) => e.body),
        [cb.body],
        'the callback is written with the change',
      );
    });

    it('writeProfile of an unknown account writes nothing, callbacks included', async (s) => {
      assert.equal(
        await s.writeProfile(APP, {
          userId: 'ghost',
          nick: 'G',
          fields: new Map([['Tag_Profile_IM_Role', 1]]),
          callbacks: [callback()],
        }),
        false,
      );
      assert.equal(await s.writeProfile(APP, { userId: `alice${NUL}`, nick: 'G', fields: new Map() }), false);
      assert.deepEqual(await s.existingAccounts(APP, ['ghost']), new Set());
      assert.deepEqual(await s.outboxOf(APP), []);
    });

    it('deleteAccounts deletes the profile: the UserID imported again starts empty', async (s) => {
      await s.writeProfile(APP, {
        userId: 'bob',
        nick: 'Bob',
        faceUrl: 'b.png',
        fields: new Map([['Tag_Profile_IM_Role', 3]]),
      });
      await s.deleteAccounts(APP, ['bob']);
      assert.deepEqual(await s.profiles(APP, ['bob']), new Map());
      await s.importAccounts(APP, ['bob'], T + 1);
      assert.deepEqual((await s.profiles(APP, ['bob'])).get('bob'), { fields: new Map() });
    });

    // ---- global mutes and read receipts --------------------------------------------------------

    it('setMutes / mutesOf: none by default; each mute set alone; unknown accounts; per app; gone with the account', async (s) => {
      assert.deepEqual(await s.mutesOf(APP, 'alice'), { c2cUntil: 0, groupUntil: 0 });
      assert.equal(await s.setMutes(APP, 'alice', { c2cUntil: T + 60 }), true);
      assert.deepEqual(await s.mutesOf(APP, 'alice'), { c2cUntil: T + 60, groupUntil: 0 });
      assert.equal(await s.setMutes(APP, 'alice', { groupUntil: Number.MAX_SAFE_INTEGER }), true);
      assert.deepEqual(
        await s.mutesOf(APP, 'alice'),
        { c2cUntil: T + 60, groupUntil: Number.MAX_SAFE_INTEGER },
        'the largest safe integer round-trips',
      );
      assert.equal(await s.setMutes(APP, 'alice', { c2cUntil: 0 }), true);
      assert.deepEqual(await s.mutesOf(APP, 'alice'), { c2cUntil: 0, groupUntil: Number.MAX_SAFE_INTEGER });
      assert.deepEqual(await s.mutesOf(APP, 'bob'), { c2cUntil: 0, groupUntil: 0 }, 'one account only');
      assert.equal(await s.setMutes(APP, 'nobody', { c2cUntil: T }), false);
      assert.equal(await s.mutesOf(APP, 'nobody'), undefined);
      assert.equal(await s.setMutes(APP, `bob${NUL}`, { c2cUntil: T }), false);
      assert.equal(await s.mutesOf(APP, `bob${NUL}`), undefined);
      assert.equal(await s.setMutes(OTHER_APP, 'alice', { c2cUntil: T }), false, 'apps do not share accounts');
      await s.deleteAccounts(APP, ['alice']);
      assert.equal(await s.mutesOf(APP, 'alice'), undefined);
      await s.importAccounts(APP, ['alice'], T + 1);
      assert.deepEqual(
        await s.mutesOf(APP, 'alice'),
        { c2cUntil: 0, groupUntil: 0 },
        'a re-imported account starts unmuted',
      );
    });

    it('markReceipts marks exactly the refs, appends the events and enqueues the callbacks; unread counts stay', async (s) => {
      const a = (await s.appendMessage(APP, msg('alice', 'bob'))).message;
      const b = (await s.appendMessage(APP, msg('alice', 'bob'))).message;
      const seqBefore = await s.lastEventSeq(APP, 'alice');
      const events = receiptEvents({ from: 'alice', reader: 'bob', msgKeys: [msgKeyOf(a)], at: T + 5 });
      const r = await s.markReceipts(APP, { refs: [refOf(a)], events, callbacks: [callback({ orderKey: 'receipt' })] });
      assert.deepEqual(r, { outcome: 'marked' });
      assert.equal((await s.findMessage(APP, refOf(a)))?.receiptRead, true);
      assert.equal((await s.findMessage(APP, refOf(b)))?.receiptRead, false);
      assert.deepEqual(
        (await history(s, 'alice', 'bob')).messages.map((m) => m.receiptRead),
        [false, true],
      );
      const after = await s.eventsAfter(APP, 'alice', seqBefore, 10, T);
      assert.deepEqual(
        after.map((e) => [e.seq, e.kind, e.at, e.data, e.message]),
        [
          [
            seqBefore + 1,
            'receipt',
            T + 5,
            { from: 'alice', reader: 'bob', msgKeys: [msgKeyOf(a)], at: T + 5 },
            undefined,
          ],
        ],
      );
      assert.equal(await s.totalUnread(APP, 'bob'), 2, 'a receipt is not a read mark');
      assert.deepEqual(
        (await s.outboxOf(APP)).map((o) => o.orderKey),
        ['receipt'],
      );
      // Again: still marked, the events appended again.
      assert.deepEqual(await s.markReceipts(APP, { refs: [refOf(a), refOf(b)], events }), { outcome: 'marked' });
      assert.equal((await s.findMessage(APP, refOf(b)))?.receiptRead, true);
      assert.equal(await s.lastEventSeq(APP, 'alice'), seqBefore + 2);
    });

    it('markReceipts is all or nothing: a missing or recalled ref writes nothing and is named; a recall keeps the mark on the tombstone', async (s) => {
      const a = (await s.appendMessage(APP, msg('alice', 'bob'))).message;
      const gone = (await s.appendMessage(APP, msg('alice', 'bob'))).message;
      await s.recallMessage(APP, recallRequest({ ref: refOf(gone), by: 'admin', via: 'admin', at: T + 1 }));
      const missing = { ...refOf(a), seq: a.seq + 100000 };
      const seqBefore = await s.lastEventSeq(APP, 'alice');
      const events = receiptEvents({ from: 'alice', reader: 'bob', msgKeys: [msgKeyOf(a)], at: T + 2 });
      const cb = [callback()];
      assert.deepEqual(await s.markReceipts(APP, { refs: [refOf(a), missing, refOf(gone)], events, callbacks: cb }), {
        outcome: 'not_found',
        ref: missing,
      });
      assert.deepEqual(await s.markReceipts(APP, { refs: [refOf(a), refOf(gone)], events, callbacks: cb }), {
        outcome: 'recalled',
        ref: refOf(gone),
      });
      assert.deepEqual(
        await s.markReceipts(APP, { refs: [{ ...refOf(a), from: 'bob', to: 'alice' }], events }),
        { outcome: 'not_found', ref: { ...refOf(a), from: 'bob', to: 'alice' } },
        'the other direction is another message',
      );
      assert.deepEqual(
        await s.markReceipts(OTHER_APP, { refs: [refOf(a)], events }),
        { outcome: 'not_found', ref: refOf(a) },
        'another app',
      );
      assert.deepEqual(await s.markReceipts(APP, { refs: [{ ...refOf(a), to: `bob${NUL}` }], events }), {
        outcome: 'not_found',
        ref: { ...refOf(a), to: `bob${NUL}` },
      });
      assert.equal((await s.findMessage(APP, refOf(a)))?.receiptRead, false, 'nothing marked');
      assert.equal(await s.lastEventSeq(APP, 'alice'), seqBefore, 'no event');
      assert.deepEqual(await s.outboxOf(APP), [], 'no callback');

      assert.deepEqual(await s.markReceipts(APP, { refs: [refOf(a)], events }), { outcome: 'marked' });
      await s.recallMessage(APP, recallRequest({ ref: refOf(a), by: 'admin', via: 'admin', at: T + 3 }));
      const stone = await s.findMessage(APP, refOf(a));
      assert.deepEqual([stone?.recalled?.at, stone?.body, stone?.receiptRead], [T + 3, [], true]);
    });
    extensionContract(make, { APP, T, msg, refOf });
  });
}
