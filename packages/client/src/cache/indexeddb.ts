// Browsers: IndexedDB, one database with three object stores keyed by app+user. A commit is one
// readwrite transaction, so the cursor and the state it produced land together or not at all.
// A recalled message's record is overwritten with its contentless form in that transaction.
import type { ConversationRecord } from '../conversation.js';
import type { MessageRecord } from '../message.js';
import { CACHE_FORMAT, scopeKey, type CacheCommit, type CacheData, type CacheScope, type ChatCache } from './types.js';

export interface IndexedDBCacheOptions {
  /** Database name; default "parley-chat". */
  dbName?: string;
  /** The IndexedDB factory; default globalThis.indexedDB. */
  indexedDB?: IDBFactory;
  /** The IDBKeyRange class that goes with it; default globalThis.IDBKeyRange. */
  IDBKeyRange?: typeof IDBKeyRange;
}

const META = 'meta';
const CONVERSATIONS = 'conversations';
const MESSAGES = 'messages';
const BY_SCOPE = 'scope';

interface MetaRow {
  scope: string;
  format: number;
  deviceId: string;
  cursor: number;
  syncedAt: number;
}

const done = (req: IDBRequest): Promise<unknown> =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });

const finished = (tx: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });

export class IndexedDBCache implements ChatCache {
  private readonly name: string;
  private readonly factory: IDBFactory | undefined;
  private readonly keyRange: typeof IDBKeyRange | undefined;
  private db: Promise<IDBDatabase> | undefined;

  constructor(options: IndexedDBCacheOptions = {}) {
    this.name = options.dbName ?? 'parley-chat';
    this.factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    this.keyRange = options.IDBKeyRange ?? (globalThis as { IDBKeyRange?: typeof IDBKeyRange }).IDBKeyRange;
  }

  private open(): Promise<IDBDatabase> {
    if (!this.db) {
      const factory = this.factory;
      if (!factory) return Promise.reject(new Error('IndexedDB is not available here; use MemoryCache or FileCache'));
      this.db = new Promise<IDBDatabase>((resolve, reject) => {
        const req = factory.open(this.name, 1);
        req.onupgradeneeded = () => {
          const db = req.result;
          db.createObjectStore(META, { keyPath: 'scope' });
          db.createObjectStore(CONVERSATIONS, { keyPath: ['scope', 'peer'] }).createIndex(BY_SCOPE, 'scope');
          db.createObjectStore(MESSAGES, { keyPath: ['scope', 'ID'] }).createIndex(BY_SCOPE, 'scope');
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    return this.db;
  }

  async load(scope: CacheScope): Promise<CacheData | undefined> {
    const db = await this.open();
    const key = scopeKey(scope);
    const tx = db.transaction([META, CONVERSATIONS, MESSAGES], 'readonly');
    const [meta, convs, msgs] = await Promise.all([
      done(tx.objectStore(META).get(key)) as Promise<MetaRow | undefined>,
      done(tx.objectStore(CONVERSATIONS).index(BY_SCOPE).getAll(key)) as Promise<
        Array<ConversationRecord & { scope?: string }>
      >,
      done(tx.objectStore(MESSAGES).index(BY_SCOPE).getAll(key)) as Promise<Array<MessageRecord & { scope?: string }>>,
    ]);
    await finished(tx);
    if (!meta || meta.format !== CACHE_FORMAT) return undefined;
    const strip = <T extends { scope?: string }>(r: T): Omit<T, 'scope'> => {
      const { scope: _scope, ...rest } = r;
      return rest;
    };
    return {
      format: CACHE_FORMAT,
      deviceId: meta.deviceId,
      cursor: meta.cursor,
      syncedAt: meta.syncedAt,
      conversations: convs.map(strip) as ConversationRecord[],
      messages: msgs.map(strip) as MessageRecord[],
    };
  }

  async commit(scope: CacheScope, c: CacheCommit): Promise<void> {
    const db = await this.open();
    const key = scopeKey(scope);
    const tx = db.transaction([META, CONVERSATIONS, MESSAGES], 'readwrite');
    const ok = finished(tx);
    const metaStore = tx.objectStore(META);
    const convStore = tx.objectStore(CONVERSATIONS);
    const msgStore = tx.objectStore(MESSAGES);
    if (c.reset) {
      convStore.delete(this.rangeOf(key));
      msgStore.delete(this.rangeOf(key));
    }
    const getMeta = metaStore.get(key);
    getMeta.onsuccess = () => {
      const old = getMeta.result as MetaRow | undefined;
      const row: MetaRow = {
        scope: key,
        format: CACHE_FORMAT,
        deviceId: c.deviceId ?? old?.deviceId ?? '',
        cursor: c.cursor ?? old?.cursor ?? 0,
        syncedAt: c.syncedAt ?? old?.syncedAt ?? 0,
      };
      metaStore.put(row);
    };
    for (const id of c.deletedMessages ?? []) msgStore.delete([key, id]);
    for (const peer of c.deletedConversations ?? []) convStore.delete([key, peer]);
    for (const r of c.conversations ?? []) convStore.put({ ...r, scope: key });
    for (const r of c.messages ?? []) msgStore.put({ ...r, scope: key });
    await ok;
  }

  async clear(scope: CacheScope): Promise<void> {
    const db = await this.open();
    const key = scopeKey(scope);
    const tx = db.transaction([META, CONVERSATIONS, MESSAGES], 'readwrite');
    const ok = finished(tx);
    tx.objectStore(META).delete(key);
    tx.objectStore(CONVERSATIONS).delete(this.rangeOf(key));
    tx.objectStore(MESSAGES).delete(this.rangeOf(key));
    await ok;
  }

  /** Every [scope, x] key of one scope: arrays sort after strings, so [scope, []] bounds them. */
  private rangeOf(key: string): IDBKeyRange {
    if (!this.keyRange) throw new Error('IDBKeyRange is not available here');
    return this.keyRange.bound([key], [key, []]);
  }

  async close(): Promise<void> {
    if (!this.db) return;
    const db = await this.db.catch(() => undefined);
    db?.close();
    this.db = undefined;
  }
}
