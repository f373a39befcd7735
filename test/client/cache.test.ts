// The local caches: atomic commits (cursor with state), reset by a snapshot, and erasure: once a
// recalled message's record is committed, its content is gone from what is stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexedDB, IDBKeyRange } from 'fake-indexeddb';
import { FileCache, IndexedDBCache, MemoryCache, type ChatCache } from '@parley/client';
import type { MessageRecord } from '@parley/client/internal/message';
import { newConversationRecord } from '@parley/client/internal/conversation';

const scope = { sdkAppId: 1400000000, userId: 'bob' };
const other = { sdkAppId: 1400000000, userId: 'carol' };

function rec(ID: string, text: string, revoked = false): MessageRecord {
  return {
    ID,
    from: 'alice',
    to: 'bob',
    seq: 1,
    random: 2,
    time: 1700000000,
    clientTime: 1700000000,
    type: 'TIMTextElem',
    elements: revoked ? [] : [{ type: 'TIMTextElem', content: { text } }],
    cloudCustomData: revoked ? '' : `ccd:${text}`,
    revoked: revoked ? { by: 'alice' } : null,
    isPeerRead: false,
    isRead: false,
    needReadReceipt: false,
    isModified: false,
    version: 0,
    countsUnread: true,
    unreadCounted: !revoked,
    eventSeq: 1,
    onlineOnly: false,
  };
}

async function contract(cache: ChatCache, stored: () => string): Promise<void> {
  assert.equal(await cache.load(scope), undefined);
  const conv = { ...newConversationRecord('alice'), unread: 2, lastMessageID: 'm2' };
  await cache.commit(scope, {
    deviceId: 'dev-1',
    cursor: 2,
    syncedAt: 1700000000,
    conversations: [conv],
    messages: [rec('m1', 'hello'), rec('m2', 'TOP-SECRET-42')],
  });
  await cache.commit(other, { deviceId: 'dev-c', cursor: 9, syncedAt: 1, messages: [rec('c1', 'carol-only')] });
  let d = (await cache.load(scope))!;
  assert.equal(d.cursor, 2);
  assert.equal(d.deviceId, 'dev-1');
  assert.deepEqual(d.messages.map((m) => m.ID).sort(), ['m1', 'm2']);
  assert.equal(d.conversations[0]!.unread, 2);
  assert.ok(stored().includes('TOP-SECRET-42'));
  // The recall: the record rewritten without content, with the cursor that produced it.
  await cache.commit(scope, { cursor: 3, conversations: [{ ...conv, unread: 1 }], messages: [rec('m2', '', true)] });
  assert.equal(stored().includes('TOP-SECRET-42'), false, 'the recalled text is gone from storage');
  d = (await cache.load(scope))!;
  assert.equal(d.cursor, 3);
  assert.equal(d.conversations[0]!.unread, 1);
  const m2 = d.messages.find((m) => m.ID === 'm2')!;
  assert.deepEqual(m2.revoked, { by: 'alice' });
  assert.deepEqual(m2.elements, []);
  assert.equal(d.messages.find((m) => m.ID === 'm1')!.elements[0]!.content.text, 'hello');
  // A snapshot resets conversations and messages but keeps the deviceId.
  await cache.commit(scope, { reset: true, cursor: 50, messages: [rec('m9', 'fresh')] });
  d = (await cache.load(scope))!;
  assert.equal(d.deviceId, 'dev-1');
  assert.equal(d.cursor, 50);
  assert.deepEqual(
    d.messages.map((m) => m.ID),
    ['m9'],
  );
  assert.deepEqual(d.conversations, []);
  assert.equal((await cache.load(other))!.messages[0]!.ID, 'c1', 'other users are untouched');
  await cache.clear(scope);
  assert.equal(await cache.load(scope), undefined);
  assert.equal((await cache.load(other))!.cursor, 9);
  await cache.close?.();
}

test('MemoryCache keeps each app and user apart and erases on commit', async () => {
  const cache = new MemoryCache();
  await contract(cache, () => cache.dump(scope));
});

test('FileCache writes one file per user atomically, and the file bytes lose recalled text', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-filecache-'));
  try {
    const cache = new FileCache({ dir });
    const file = cache.fileOf(scope);
    await contract(cache, () => {
      try {
        return readFileSync(file, 'utf8');
      } catch {
        return '';
      }
    });
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary files are left behind',
    );
    // A fresh instance (a restarted process) reads what was written.
    await cache.commit(scope, { deviceId: 'dev-2', cursor: 7, syncedAt: 5, messages: [rec('x', 'persisted')] });
    const reloaded = await new FileCache(dir).load(scope);
    assert.equal(reloaded!.cursor, 7);
    assert.equal(reloaded!.messages[0]!.elements[0]!.content.text, 'persisted');
    // User IDs cannot escape the directory.
    assert.equal(cache.fileOf({ sdkAppId: 1, userId: '../../etc/x' }).startsWith(`${dir}/parley-1-`), true);
    assert.equal(cache.fileOf({ sdkAppId: 1, userId: '../../etc/x' }).includes('/../'), false);
    // A damaged file is ignored, not fatal.
    writeFileSync(cache.fileOf(scope), '{not json');
    assert.equal(await new FileCache(dir).load(scope), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('FileCache commits to one file land in order, the last one wins', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-filecache-'));
  try {
    const cache = new FileCache(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => cache.commit(scope, { cursor: i + 1, deviceId: 'd' })));
    const d = JSON.parse(readFileSync(cache.fileOf(scope), 'utf8'));
    assert.equal(d.cursor, 20);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('IndexedDBCache: one transaction per commit, reset by scope, erasure by overwrite', async () => {
  const cache = new IndexedDBCache({ indexedDB, IDBKeyRange, dbName: `parley-test-${process.pid}-${Date.now()}` });
  let last = '';
  const snapshot = async (): Promise<string> => JSON.stringify(await cache.load(scope));
  // The stored rows, read back through the API after every commit.
  const origCommit = cache.commit.bind(cache);
  cache.commit = async (s, c) => {
    await origCommit(s, c);
    last = await snapshot();
  };
  await contract(cache, () => last);
});
