// The storage contract for message extensions (extensions, writeExtensions, and what a recall
// does to them), run by storeContract on every adapter. Port words only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { msgKeyOf } from '@parley/protocol';
import { EVENT_RETENTION_SECONDS, recallRequest } from '../../src/domain/message-events.js';
import type {
  CallbackEntry,
  EventWrite,
  ExtensionNotice,
  ExtensionWrite,
  MessageRef,
  NewMessage,
  Store,
} from '../../src/ports/store.js';

type Make = () => Promise<Store & { close(): Promise<void> }>;

export function extensionContract(
  make: Make,
  o: {
    APP: number;
    T: number;
    msg: (from: string, to: string, o?: Partial<NewMessage>) => NewMessage;
    refOf: (m: MessageRef) => MessageRef;
  },
): void {
  const { APP, T, msg, refOf } = o;
  const it = (title: string, fn: (s: Store) => Promise<void>) =>
    test(title, async () => {
      const s = await make();
      try {
        await s.importAccounts(APP, ['alice', 'bob', 'carol'], T);
        await fn(s);
      } finally {
        await s.close();
      }
    });

  const notice = (ref: MessageRef, seq: number, extensions: ExtensionNotice['extensions']): ExtensionNotice => ({
    from: ref.from,
    to: ref.to,
    msgKey: msgKeyOf(ref),
    operation: 'set',
    seq,
    extensions,
  });
  const events = (ref: MessageRef, n: ExtensionNotice): EventWrite[] =>
    [ref.to, ref.from].map((user) => ({
      kind: 'extension',
      payload: n,
      user,
      at: T,
      expiresAt: T + EVENT_RETENTION_SECONDS,
    }));
  /** A write of `set` at version ifVersion + 1, with its events. */
  const write = (ref: MessageRef, ifVersion: number, change: Partial<ExtensionWrite> = {}): ExtensionWrite => {
    const set = change.set ?? [];
    return {
      ref,
      ifVersion,
      version: ifVersion + 1,
      clear: false,
      set,
      remove: [],
      events: events(
        ref,
        notice(
          ref,
          ifVersion + 1,
          set.map((p) => ({ ...p, seq: ifVersion + 1 })),
        ),
      ),
      ...change,
    };
  };

  it('extensions: a message without any reads version 0, clear 0, no pairs; no message reads undefined', async (s) => {
    const m = (await s.appendMessage(APP, msg('alice', 'bob', { supportExtension: true }))).message;
    const st = await s.extensions(APP, refOf(m));
    assert.deepEqual(st, { message: m, version: 0, clearSeq: 0, pairs: [] });
    assert.equal(await s.extensions(APP, { ...refOf(m), seq: m.seq + 1 }), undefined);
    assert.equal(
      await s.extensions(APP, { ...refOf(m), from: 'bob', to: 'alice' }),
      undefined,
      'the direction is part of the identity',
    );
  });

  it('writeExtensions sets, overwrites, removes and clears; pairs read back lowest seq first', async (s) => {
    const m = (await s.appendMessage(APP, msg('alice', 'bob', { supportExtension: true }))).message;
    const ref = refOf(m);
    assert.equal(
      await s.writeExtensions(
        APP,
        write(ref, 0, {
          set: [
            { key: 'k2', value: 'b' },
            { key: 'k1', value: 'a' },
          ],
        }),
      ),
      'written',
    );
    assert.equal(
      await s.writeExtensions(
        APP,
        write(ref, 1, {
          set: [
            { key: 'k3', value: 'c' },
            { key: 'k2', value: 'B\u0000ü' },
          ],
        }),
      ),
      'written',
    );
    let st = (await s.extensions(APP, ref))!;
    assert.equal(st.version, 2);
    assert.deepEqual(st.pairs, [
      { key: 'k1', value: 'a', seq: 1 },
      { key: 'k2', value: 'B\u0000ü', seq: 2 },
      { key: 'k3', value: 'c', seq: 2 },
    ]);
    assert.equal(await s.writeExtensions(APP, write(ref, 2, { remove: ['k1', 'nothing'] })), 'written');
    st = (await s.extensions(APP, ref))!;
    assert.deepEqual(
      st.pairs.map((p) => p.key),
      ['k2', 'k3'],
    );
    assert.equal(st.clearSeq, 0);
    assert.equal(await s.writeExtensions(APP, write(ref, 3, { clear: true })), 'written');
    st = (await s.extensions(APP, ref))!;
    assert.deepEqual([st.version, st.clearSeq, st.pairs], [4, 4, []]);
    assert.equal(await s.writeExtensions(APP, write(ref, 4, { set: [{ key: 'k1', value: 'again' }] })), 'written');
    st = (await s.extensions(APP, ref))!;
    assert.deepEqual(
      [st.version, st.clearSeq, st.pairs],
      [5, 4, [{ key: 'k1', value: 'again', seq: 5 }]],
      'a later set keeps the clear',
    );
  });

  it('writeExtensions applies nothing when the version moved, the message is unknown or recalled', async (s) => {
    const m = (await s.appendMessage(APP, msg('alice', 'bob', { supportExtension: true }))).message;
    const ref = refOf(m);
    await s.writeExtensions(APP, write(ref, 0, { set: [{ key: 'k', value: 'v1' }] }));
    const seqBob = await s.lastEventSeq(APP, 'bob');
    assert.equal(await s.writeExtensions(APP, write(ref, 0, { set: [{ key: 'k', value: 'stale' }] })), 'moved');
    assert.equal(
      await s.writeExtensions(APP, write({ ...ref, random: ref.random + 1 }, 0, { set: [{ key: 'k', value: 'x' }] })),
      'not_found',
    );
    assert.deepEqual((await s.extensions(APP, ref))!.pairs, [{ key: 'k', value: 'v1', seq: 1 }]);
    assert.equal(await s.lastEventSeq(APP, 'bob'), seqBob, 'a refused write appends no event');
    await s.recallMessage(APP, recallRequest({ ref, by: 'alice', via: 'client', at: T + 1 }));
    assert.equal(await s.writeExtensions(APP, write(ref, 0, { set: [{ key: 'k', value: 'after' }] })), 'recalled');
  });

  it('writeExtensions appends its events to both users, carrying the notice, and writes its callbacks', async (s) => {
    const m = (await s.appendMessage(APP, msg('alice', 'bob', { supportExtension: true }))).message;
    const ref = refOf(m);
    const cb: CallbackEntry = {
      command: 'C2C.CallbackAfterC2CMsgExtension',
      orderKey: 'c2c:alice:bob',
      body: { ExtensionList: [{ Key: 'k', Value: 'v', Seq: 1 }] },
      query: {},
      at: T * 1000,
    };
    await s.writeExtensions(APP, write(ref, 0, { set: [{ key: 'k', value: 'v' }], callbacks: [cb] }));
    for (const user of ['alice', 'bob']) {
      const evs = (await s.eventsAfter(APP, user, 0, 10, T)).filter((e) => e.kind === 'extension');
      assert.equal(evs.length, 1, `${user} gets one extension event`);
      assert.deepEqual(evs[0]!.data, notice(ref, 1, [{ key: 'k', value: 'v', seq: 1 }]));
    }
    assert.deepEqual(
      (await s.outboxOf(APP)).map((e) => [e.command, e.body]),
      [[cb.command, cb.body]],
    );
  });

  it('recall erases the extensions: pairs, version, extension events and the values pending callbacks carry', async (s) => {
    const m = (await s.appendMessage(APP, msg('alice', 'bob', { supportExtension: true }))).message;
    const ref = refOf(m);
    const cb: CallbackEntry = {
      command: 'C2C.CallbackAfterC2CMsgExtension',
      orderKey: 'c2c:alice:bob',
      query: {},
      at: T * 1000,
      body: {
        CallbackCommand: 'C2C.CallbackAfterC2CMsgExtension',
        ExtensionList: [{ Key: 'vote', Value: 'secret-choice', Seq: 1 }],
        Seq: 1,
      },
    };
    await s.writeExtensions(APP, write(ref, 0, { set: [{ key: 'vote', value: 'secret-choice' }], callbacks: [cb] }));
    const r = await s.recallMessage(APP, recallRequest({ ref, by: 'alice', via: 'client', at: T + 1 }));
    assert.equal(r.outcome, 'recalled');
    const st = (await s.extensions(APP, ref))!;
    assert.deepEqual([st.version, st.clearSeq, st.pairs], [0, 0, []], 'no pair and no version survive the recall');
    for (const user of ['alice', 'bob']) {
      const evs = await s.eventsAfter(APP, user, 0, 10, T + 1);
      assert.deepEqual(
        evs.filter((e) => e.kind === 'extension'),
        [],
        `${user}'s queue holds no extension event`,
      );
      assert.ok(!JSON.stringify(evs).includes('secret-choice'), `${user}'s events carry no value`);
    }
    const outbox = await s.outboxOf(APP);
    assert.deepEqual(
      outbox.map((e) => e.body),
      [{ CallbackCommand: 'C2C.CallbackAfterC2CMsgExtension', ExtensionList: [], Seq: 1 }],
      'the pending callback keeps its fields (in order) but carries no value',
    );
    assert.deepEqual(Object.keys(outbox[0]!.body), Object.keys(cb.body));
  });

  it('extensions of one message leave every other message alone, also on recall', async (s) => {
    const a = (await s.appendMessage(APP, msg('alice', 'bob', { supportExtension: true }))).message;
    const b = (await s.appendMessage(APP, msg('alice', 'bob', { supportExtension: true }))).message;
    await s.writeExtensions(APP, write(refOf(a), 0, { set: [{ key: 'k', value: 'a' }] }));
    await s.writeExtensions(APP, write(refOf(b), 0, { set: [{ key: 'k', value: 'b' }] }));
    await s.recallMessage(APP, recallRequest({ ref: refOf(a), by: 'alice', via: 'client', at: T + 1 }));
    assert.deepEqual((await s.extensions(APP, refOf(b)))!.pairs, [{ key: 'k', value: 'b', seq: 1 }]);
    assert.equal((await s.extensions(APP, refOf(b)))!.version, 1);
  });
}
