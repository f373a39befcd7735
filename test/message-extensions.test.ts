// set_key_values / get_key_values (spec §7, §10): versions, every ErrorCode of their tables, the
// limits, the events both users get, and a recall erasing the extensions for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@parley/protocol';
import { ADMIN, withServer, type TestServer } from './helpers/server.js';
import { app, events, send, snapshot, expectFail, expectOk, call } from './helpers/messages.js';
import { inDatabaseFiles } from './helpers/files.js';
import { unique } from './helpers/rest.js';
import { defaultRegistry } from '../src/api/index.js';
import type { SqliteStore } from '../src/adapters/sqlite/sqlite-store.js';

const SVC = 'openim_msg_ext_http_svc';
const ext = (
  s: TestServer,
  api: 'set_key_values' | 'get_key_values',
  body: unknown,
  o: { raw?: boolean; identifier?: string } = {},
) =>
  s.call(`${SVC}/${api}`, body, {
    usersig: s.sig(o.identifier ?? ADMIN),
    ...(o.identifier ? { identifier: o.identifier } : {}),
    ...(o.raw ? { raw: true } : {}),
  });
const set = (
  s: TestServer,
  key: string,
  op: number,
  list?: Array<{ Key: string; Value: string; Seq?: number }>,
  from = 'alice',
  to = 'bob',
) =>
  ext(s, 'set_key_values', {
    From_Account: from,
    To_Account: to,
    MsgKey: key,
    OperateType: op,
    ...(list ? { ExtensionList: list } : {}),
  });
const get = (s: TestServer, key: string, extra: Record<string, unknown> = {}, from = 'alice', to = 'bob') =>
  ext(s, 'get_key_values', { From_Account: from, To_Account: to, MsgKey: key, ...extra });
const extensible = async (s: TestServer, body = 'vote?') =>
  (await send(s, 'alice', 'bob', body, { SupportMessageExtension: 1 })).MsgKey;

/** A call that must fail with `code` and leave every table as it was. */
async function rejected(
  s: TestServer,
  run: () => Promise<Record<string, any>>,
  code: number,
  what: string,
): Promise<void> {
  const before = snapshot(s);
  const r = await run();
  expectFail(r, code, what);
  assert.equal(r.ExtensionList, undefined, `${what}: no ExtensionList on a failure`);
  assert.deepEqual(snapshot(s), before, `${what}: nothing written`);
}

test('set then get: one version per request, pairs sorted by Seq, deletes and clears as documented', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const key = await extensible(s);
    let r = await set(s, key, 1, [
      { Key: 'k1', Value: 'a' },
      { Key: 'k2', Value: 'b' },
    ]);
    expectOk(r);
    assert.deepEqual(r.ExtensionList, [
      { ErrorCode: 0, Extension: { Key: 'k1', Value: 'a', Seq: 1 } },
      { ErrorCode: 0, Extension: { Key: 'k2', Value: 'b', Seq: 1 } },
    ]);
    expectOk(await set(s, key, 1, [{ Key: 'k3', Value: 'c' }]));
    r = await get(s, key);
    expectOk(r);
    // Tencent's sample: k1, k2 at Seq 1, k3 at Seq 2, LatestSeq 2.
    assert.deepEqual(r.ExtensionList, [
      { Key: 'k1', Value: 'a', Seq: 1 },
      { Key: 'k2', Value: 'b', Seq: 1 },
      { Key: 'k3', Value: 'c', Seq: 2 },
    ]);
    assert.deepEqual([r.CompleteFlag, r.LatestSeq, r.ClearSeq], [1, 2, 0]);
    assert.deepEqual((await get(s, key, { StartSeq: 2 })).ExtensionList, [{ Key: 'k3', Value: 'c', Seq: 2 }]);

    r = await set(s, key, 2, [
      { Key: 'k1', Value: '' },
      { Key: 'never-set', Value: '' },
    ]);
    assert.deepEqual(
      r.ExtensionList,
      [
        { ErrorCode: 0, Extension: { Key: 'k1', Value: '', Seq: 3 } },
        { ErrorCode: 0, Extension: { Key: 'never-set', Value: '', Seq: 3 } },
      ],
      'deleting a key that does not exist is a success',
    );
    r = await get(s, key);
    assert.deepEqual(
      r.ExtensionList.map((p: { Key: string }) => p.Key),
      ['k2', 'k3'],
      'deleted keys are not returned',
    );
    assert.equal(r.LatestSeq, 3, 'LatestSeq is the version of the last change, a delete included');

    r = await set(s, key, 3);
    expectOk(r);
    assert.deepEqual(r.ExtensionList, []);
    r = await get(s, key);
    assert.deepEqual([r.ExtensionList, r.LatestSeq, r.ClearSeq, r.CompleteFlag], [[], 4, 4, 1]);
  });
});

test("the admin's Seq is never checked; a client's stale Seq fails its item with 23001 and writes nothing of it", async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const key = await extensible(s);
    expectOk(await set(s, key, 1, [{ Key: 'like', Value: '1' }]));
    const r = await set(s, key, 1, [{ Key: 'like', Value: '2', Seq: 0 }]);
    assert.deepEqual(
      r.ExtensionList,
      [{ ErrorCode: 0, Extension: { Key: 'like', Value: '2', Seq: 2 } }],
      'REST is the admin: a stale Seq still writes',
    );
    // A client caller (the gateway's, through the same service): Seq must be the key's current one.
    const [k] = key.split('_').map(Number);
    const ref = {
      from: 'alice',
      to: 'bob',
      seq: k!,
      random: Number(key.split('_')[1]),
      time: Number(key.split('_')[2]),
    };
    const user = { kind: 'user' as const, userId: 'bob' };
    const res = await s.parley.services.extensions.change(
      app(s),
      ref,
      'set',
      [
        { key: 'like', value: 'stale', seq: 1 },
        { key: 'new', value: 'x', seq: 0 },
      ],
      user,
    );
    assert.deepEqual(res, [
      { errorCode: ErrorCode.EXT_SEQ_CONFLICT, extension: { key: 'like', value: '2', seq: 2 } },
      { errorCode: 0, extension: { key: 'new', value: 'x', seq: 3 } },
    ]);
    const all = await s.parley.services.extensions.change(
      app(s),
      ref,
      'set',
      [{ key: 'like', value: 'stale', seq: 1 }],
      user,
    );
    assert.equal(all[0]!.errorCode, ErrorCode.EXT_SEQ_CONFLICT);
    assert.equal((await get(s, key)).LatestSeq, 3, 'a request whose every item conflicts changes no version');
    const fresh = await s.parley.services.extensions.change(
      app(s),
      ref,
      'set',
      [{ key: 'like', value: 'current', seq: 2 }],
      user,
    );
    assert.deepEqual(fresh, [{ errorCode: 0, extension: { key: 'like', value: 'current', seq: 4 } }]);
  });
});

test('10004: every malformed request is refused before anything is looked up or written', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const key = await extensible(s);
    const base = { From_Account: 'alice', To_Account: 'bob', MsgKey: key };
    const cases: Array<[string, 'set_key_values' | 'get_key_values', unknown]> = [
      ['body not JSON', 'set_key_values', '{"To_Account":'],
      ['To_Account missing', 'set_key_values', { MsgKey: key, OperateType: 3 }],
      ['To_Account not a string', 'get_key_values', { ...base, To_Account: 7 }],
      ['MsgKey missing', 'get_key_values', { To_Account: 'bob' }],
      ['MsgKey not of the MsgKey form', 'set_key_values', { ...base, MsgKey: 'abc', OperateType: 3 }],
      ['OperateType 4', 'set_key_values', { ...base, OperateType: 4, ExtensionList: [{ Key: 'k', Value: 'v' }] }],
      ['OperateType missing', 'set_key_values', { ...base, ExtensionList: [{ Key: 'k', Value: 'v' }] }],
      ['ExtensionList missing for a set', 'set_key_values', { ...base, OperateType: 1 }],
      ['ExtensionList missing for a delete', 'set_key_values', { ...base, OperateType: 2 }],
      [
        'ExtensionList not an array',
        'set_key_values',
        { ...base, OperateType: 1, ExtensionList: { Key: 'k', Value: 'v' } },
      ],
      ['ExtensionList empty', 'set_key_values', { ...base, OperateType: 1, ExtensionList: [] }],
      [
        '21 pairs',
        'set_key_values',
        {
          ...base,
          OperateType: 1,
          ExtensionList: Array.from({ length: 21 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
        },
      ],
      ['an item without Value', 'set_key_values', { ...base, OperateType: 1, ExtensionList: [{ Key: 'k' }] }],
      [
        'an item whose Key is not a string',
        'set_key_values',
        { ...base, OperateType: 1, ExtensionList: [{ Key: 1, Value: 'v' }] },
      ],
      [
        'a key of 101 bytes',
        'set_key_values',
        { ...base, OperateType: 1, ExtensionList: [{ Key: 'k'.repeat(101), Value: 'v' }] },
      ],
      [
        'a value of 1001 bytes',
        'set_key_values',
        { ...base, OperateType: 1, ExtensionList: [{ Key: 'k', Value: 'é'.repeat(500) + 'x' }] },
      ],
      ['StartSeq negative', 'get_key_values', { ...base, StartSeq: -1 }],
      ['StartSeq not an integer', 'get_key_values', { ...base, StartSeq: 1.5 }],
    ];
    for (const [what, api, body] of cases) {
      await rejected(
        s,
        () => ext(s, api, body, { raw: typeof body === 'string' }),
        ErrorCode.EXT_INVALID_PARAMETER,
        what,
      );
    }
    // Limits are inclusive: 20 pairs, a 100-byte key and a 1000-byte value are fine.
    expectOk(
      await set(
        s,
        key,
        1,
        Array.from({ length: 20 }, (_, i) => ({ Key: i === 0 ? 'k'.repeat(100) : `k${i}`, Value: 'v'.repeat(1000) })),
      ),
    );
    // A malformed request naming no message is still 10004 (shape before lookup).
    await rejected(
      s,
      () => set(s, '1_2_3', 9, [{ Key: 'k', Value: 'v' }], 'alice', 'nobody'),
      ErrorCode.EXT_INVALID_PARAMETER,
      'shape first',
    );
  });
});

test('10004: a set that would leave more than 300 pairs is refused whole', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const key = await extensible(s);
    for (let b = 0; b < 15; b++)
      expectOk(
        await set(
          s,
          key,
          1,
          Array.from({ length: 20 }, (_, i) => ({ Key: `k${b * 20 + i}`, Value: 'v' })),
        ),
      );
    expectOk(await set(s, key, 1, [{ Key: 'k0', Value: 'overwrite keeps 300' }]));
    await rejected(
      s,
      () =>
        set(s, key, 1, [
          { Key: 'k1', Value: 'x' },
          { Key: 'one-too-many', Value: 'v' },
        ]),
      ErrorCode.EXT_INVALID_PARAMETER,
      '301 pairs',
    );
    // 300 pairs, 20 per Seq but Seq 1 (19: k0 moved to Seq 16): a page ends on a whole Seq.
    const first = await get(s, key);
    assert.equal(first.CompleteFlag, 0);
    assert.equal(first.ExtensionList.length, 199, 'Seq 1 to 10; the Seq 11 group would not fit whole');
    const lastSeq = first.ExtensionList[198].Seq;
    assert.equal(lastSeq, 10);
    const rest = await get(s, key, { StartSeq: lastSeq + 1 });
    assert.equal(rest.CompleteFlag, 1);
    const keys = new Set([...first.ExtensionList, ...rest.ExtensionList].map((p: { Key: string }) => p.Key));
    assert.equal(keys.size, 300, 'two pages hold every pair once');
    assert.equal(first.ExtensionList.length + rest.ExtensionList.length, 300);
  });
});

test('23002: a message sent without SupportMessageExtension has no extensions', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const plain = (await send(s, 'alice', 'bob', 'no extensions')).MsgKey;
    await rejected(s, () => set(s, plain, 1, [{ Key: 'k', Value: 'v' }]), ErrorCode.EXT_NOT_SUPPORTED, 'set');
    await rejected(s, () => get(s, plain), ErrorCode.EXT_NOT_SUPPORTED, 'get');
  });
});

test('23004: no such message, the two users swapped, an unknown sender, or a recalled message', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const key = await extensible(s);
    const [seq, random, time] = key.split('_').map(Number) as [number, number, number];
    for (const [what, k, from, to] of [
      ['another MsgSeq', `${seq + 1}_${random}_${time}`, 'alice', 'bob'],
      ['the users swapped', key, 'bob', 'alice'],
      ['a sender that does not exist', key, 'nobody', 'bob'],
    ] as const) {
      await rejected(
        s,
        () => set(s, k, 1, [{ Key: 'k', Value: 'v' }], from, to),
        ErrorCode.EXT_MESSAGE_NOT_FOUND,
        `set: ${what}`,
      );
      await rejected(s, () => get(s, k, {}, from, to), ErrorCode.EXT_MESSAGE_NOT_FOUND, `get: ${what}`);
    }
    // Absent From_Account is the admin: alice's message is not the admin's.
    await rejected(
      s,
      () => ext(s, 'get_key_values', { To_Account: 'bob', MsgKey: key }),
      ErrorCode.EXT_MESSAGE_NOT_FOUND,
      'From_Account absent',
    );
  });
});

test('recall erases the extensions: 23004 afterwards, no value in the database file or any event', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const key = await extensible(s);
    const secret = unique('ballot');
    expectOk(await set(s, key, 1, [{ Key: 'vote', Value: secret }]));
    assert.ok(inDatabaseFiles(s, secret), 'the scan finds a stored value');
    expectOk(await call(s, 'admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: key }));
    await rejected(s, () => get(s, key), ErrorCode.EXT_MESSAGE_NOT_FOUND, 'get after recall');
    await rejected(
      s,
      () => set(s, key, 1, [{ Key: 'vote', Value: 'again' }]),
      ErrorCode.EXT_MESSAGE_NOT_FOUND,
      'set after recall',
    );
    await rejected(s, () => set(s, key, 3), ErrorCode.EXT_MESSAGE_NOT_FOUND, 'clear after recall');
    (s.parley.store as unknown as SqliteStore).checkpoint();
    assert.equal(inDatabaseFiles(s, secret), false, 'the value is gone from the database files');
    for (const u of ['alice', 'bob']) {
      const evs = await events(s, u);
      assert.equal(
        evs.some((e) => e.kind === 'extension'),
        false,
        `${u}: the extension event left the queue`,
      );
      assert.equal(JSON.stringify(evs).includes(secret), false);
    }
  });
});

test("both users' devices get an extension event with the change; a failed call appends none", async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const key = await extensible(s);
    expectOk(await set(s, key, 1, [{ Key: 'like', Value: 'bob' }]));
    expectOk(await set(s, key, 2, [{ Key: 'like', Value: '' }]));
    expectOk(await set(s, key, 3));
    for (const u of ['alice', 'bob']) {
      const evs = (await events(s, u)).filter((e) => e.kind === 'extension');
      assert.deepEqual(
        evs.map((e) => e.data),
        [
          {
            from: 'alice',
            to: 'bob',
            msgKey: key,
            operation: 'set',
            seq: 1,
            extensions: [{ key: 'like', value: 'bob', seq: 1 }],
          },
          {
            from: 'alice',
            to: 'bob',
            msgKey: key,
            operation: 'delete',
            seq: 2,
            extensions: [{ key: 'like', value: '', seq: 2 }],
          },
          { from: 'alice', to: 'bob', msgKey: key, operation: 'clear', seq: 3, extensions: [] },
        ],
        u,
      );
    }
  });
});

test('23003: at most 200 changes a minute on one message; other messages and the next minute are free', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const key = await extensible(s);
    const other = await extensible(s, 'other');
    for (let i = 0; i < 200; i++) expectOk(await set(s, key, 1, [{ Key: 'n', Value: String(i) }]));
    await rejected(
      s,
      () => set(s, key, 1, [{ Key: 'n', Value: 'over' }]),
      ErrorCode.EXT_TOO_FREQUENT,
      '201st in a minute',
    );
    expectOk(await get(s, key));
    expectOk(await set(s, other, 1, [{ Key: 'n', Value: 'fine' }]));
    s.clock.advance(60_000);
    expectOk(await set(s, key, 1, [{ Key: 'n', Value: 'next minute' }]));
  });
});

test('60010 for a caller that is not an app admin; 10002 when storage fails, nothing written', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const key = await extensible(s);
    const r = await ext(
      s,
      'get_key_values',
      { From_Account: 'alice', To_Account: 'bob', MsgKey: key },
      { identifier: 'alice' },
    );
    expectFail(r, ErrorCode.ADMIN_REQUIRED, 'not an admin');
    const store = s.parley.store as unknown as { writeExtensions: unknown };
    const real = store.writeExtensions;
    store.writeExtensions = async () => {
      throw new Error('disk on fire');
    };
    try {
      expectFail(await set(s, key, 1, [{ Key: 'k', Value: 'v' }]), ErrorCode.EXT_INTERNAL_ERROR, 'storage failure');
    } finally {
      store.writeExtensions = real;
    }
    assert.deepEqual((await get(s, key)).ExtensionList, []);
  });
});

test('limits declared like the other APIs: 200/s, body caps answered with 10004, 60007 when over the rate', async () => {
  const reg = defaultRegistry();
  for (const c of ['set_key_values', 'get_key_values']) {
    const d = reg.get(SVC, c)!;
    assert.equal(d.rateLimit, 200, c);
    assert.ok(d.maxBodyBytes! > 0, c);
  }
  await withServer(
    ['alice', 'bob'],
    async (s) => {
      const key = await extensible(s);
      const big = JSON.stringify({
        From_Account: 'alice',
        To_Account: 'bob',
        MsgKey: key,
        OperateType: 1,
        ExtensionList: [{ Key: 'k', Value: 'v' }],
        pad: 'x'.repeat(70_000),
      });
      await rejected(
        s,
        () => ext(s, 'set_key_values', big, { raw: true }),
        ErrorCode.EXT_INVALID_PARAMETER,
        'body over the cap',
      );
      expectOk(await get(s, key));
      expectOk(await get(s, key));
      expectFail(await get(s, key), ErrorCode.RATE_LIMITED, 'third call in a second');
    },
    { rateLimits: { [`${SVC}/get_key_values`]: 2 } },
  );
});
