// The embedded adapter: one SQLite file through better-sqlite3. better-sqlite3 is synchronous,
// so each port method runs its whole unit of work in one native transaction without yielding to
// the event loop: no other request can observe a half-written state, and one connection suffices.
import { msgKeyOf } from '@parley/protocol';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  AccountInput,
  AppId,
  ProfileWrite,
  StoredProfile,
  AppendResult,
  CallbackEntry,
  ConversationRecord,
  EventWrite,
  PendingCallback,
  HistoryPage,
  HistoryQuery,
  MessageRef,
  ModifyRequest,
  ModifyResult,
  NewMessage,
  OutboxEntry,
  ReadRequest,
  ReadResult,
  RecallAuditEntry,
  RecallRequest,
  RecallResult,
  Store,
  StoredMessage,
  MuteState,
  ReceiptRequest,
  ReceiptResult,
  UserEvent,
  UserEventKind,
  ConversationPageQuery,
  DeleteConversationRequest,
  DeleteMessagesRequest,
  DeleteMessagesResult,
  ExtensionPair,
  ExtensionState,
  ExtensionWrite,
  ExtensionWriteResult,
} from '../../ports/store.js';
import {
  SQL_COUNTS_UNREAD,
  SQL_NOT_ONLINE_ONLY,
  SQL_SENDER_ROAMS,
  SQL_WITH_RECEIPT,
  conversationPair,
  packFlags,
  isAfterCursor,
  isReadBy,
  storedMessageOf,
  toMessage,
  tombstoneOf,
  type MessageRow,
  SQL_HELD_BY_NOBODY,
  SQL_NOT_DELETED_BY_RECIPIENT,
  deletedBitsFor,
  deletedFor,
  isDeletedFor,
  isHeldByNobody,
  sqlNotDeletedFor,
  FLAG,
} from '../../ports/message-flags.js';
import { Checkpointer } from './checkpointer.js';
import { MIGRATIONS } from './migrations.js';

export interface SqliteOptions {
  /** File path, or ':memory:'. */
  filename: string;
  /** 'normal' (default) survives a process crash; 'full' also a power loss, at a cost per commit. */
  synchronous?: 'normal' | 'full';
  /**
   * After this many units of work, WAL checkpoints move to a worker thread (default 2000; a file
   * that sees little traffic never needs one). 0 starts it at once; -1 never.
   */
  checkpointWorkerAfter?: number;
}

interface ConversationRow {
  owner: string;
  peer: string;
  unread: number;
  read_time: number;
  read_id: number;
  last_msg_id: number | null;
  last_time: number;
  updated_at: number;
}

const MESSAGE_COLUMNS =
  'id, sender, recipient, seq, random, time, body, cloud_custom_data, offline_push_info, origin, flags, life_time, recalled_by, recalled_at';
const MAX_ID = Number.MAX_SAFE_INTEGER;
/** The writer's own automatic checkpoint, in pages of WAL: alone, and behind the checkpoint worker. */
const WRITER_CHECKPOINT_PAGES = 4000;
const BACKSTOP_CHECKPOINT_PAGES = 16000;
const CHECKPOINT_INTERVAL_MS = 200;
const BUSY_TIMEOUT_MS = 5000;
/** Bounds the memory of the known-accounts cache (it starts over when full). */
const KNOWN_ACCOUNTS_LIMIT = 200_000;
const accountKey = (app: AppId, userId: string): string => `${app}\u0000${userId}`;

export class SqliteStore implements Store {
  readonly db: Database.Database;
  private s!: ReturnType<SqliteStore['prepare']>;

  constructor(opts: SqliteOptions) {
    if (opts.filename !== ':memory:') mkdirSync(dirname(opts.filename), { recursive: true });
    this.db = new Database(opts.filename);
    // Only takes effect on a new file. 2 KiB pages: a send dirties a handful of pages in different
    // B-trees, and each is written whole to the WAL and again at checkpoint; halving the page
    // halves those bytes (docs/performance.md has the measurement).
    this.db.pragma('page_size = 2048');
    this.db.pragma('journal_mode = WAL');
    // The writer checkpoints by itself every 8 MiB of WAL instead of 2 (a page written by many
    // commits is copied once); once the checkpoint worker runs, only every 32 MiB, as a backstop.
    this.db.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
    this.filename = opts.filename;
    this.workerAfter = opts.filename === ':memory:' ? -1 : (opts.checkpointWorkerAfter ?? 2000);
    this.db.pragma(`synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    // A recall must erase content from the file, not just unlink it: zero freed space.
    this.db.pragma('secure_delete = ON');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Reads of the main file through a memory map, not a pread and a copy per page: recalls and
    // history pages touch pages all over a large file (address space only; the OS caches them).
    this.db.pragma('mmap_size = 1073741824');
  }

  async migrate(): Promise<void> {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db
        .transaction(() => {
          this.db.exec(MIGRATIONS[v]!);
          this.db.pragma(`user_version = ${v + 1}`);
        })
        .immediate();
    }
    this.s = this.prepare();
    this.savepointTx = this.db.transaction((work: () => unknown) => work());
    // A crash (kill -9) can leave the page images of recalled content in the WAL, where reopening
    // alone does not remove them: erase them before the server answers anything.
    if (this.filename !== ':memory:' && !this.truncateWal()) {
      throw new Error(
        `could not empty the WAL of ${this.filename} (erased content may remain in it): is another process reading the file?`,
      );
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    await this.checkpointer?.close();
    this.checkpointer = undefined;
    if (!this.db.open) return;
    // Writes already accepted are committed, not dropped.
    if (this.pending.length > 0) this.flush();
    try {
      this.checkpoint();
    } catch {
      // Closing anyway: SQLite checkpoints on the next open.
    }
    this.db.close();
  }

  /** Moves WAL content into the main file and truncates the WAL, so erased bytes leave the WAL too. */
  checkpoint(): void {
    if (this.db.open) this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /**
   * A TRUNCATE checkpoint that says whether it completed: SQLite answers `busy` instead of
   * throwing when a reader kept it from copying every frame, and then the WAL is not truncated.
   */
  private truncateWal(wait = true): boolean {
    if (!this.db.open) return true;
    // Without waiting, a reader elsewhere costs a retry a second later, not the event loop for
    // the whole busy timeout.
    if (!wait) this.db.pragma('busy_timeout = 0');
    try {
      const [r] = this.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number }>;
      return r !== undefined && r.busy === 0 && r.log <= 0;
    } catch {
      return false;
    } finally {
      if (!wait) this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  /** Checkpoints run by the checkpoint worker so far; undefined while it has not started. */
  get workerCheckpoints(): number | undefined {
    return this.checkpointer?.checkpoints;
  }

  private checkpointTimer: NodeJS.Timeout | undefined;
  private readonly filename: string;
  /** Units of work left before the checkpoint worker starts; -1: never. */
  private workerAfter: number;
  private checkpointer: Checkpointer | undefined;

  /** Counts units of work, and starts the checkpoint worker when the file turns out to be busy. */
  private countWork(units: number): void {
    if (this.workerAfter < 0) return;
    this.workerAfter -= units;
    if (this.workerAfter > 0) return;
    this.workerAfter = -1;
    this.checkpointer = new Checkpointer(this.filename, CHECKPOINT_INTERVAL_MS);
    this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
  }

  /**
   * After a recall, the erased content's old page images still sit in the WAL; a checkpoint
   * shortly after (batched, so a burst of recalls costs one) moves them out of it.
   */
  private scheduleCheckpoint(): void {
    if (this.checkpointTimer) return;
    this.checkpointTimer = setTimeout(() => {
      this.checkpointTimer = undefined;
      // A checkpoint kept from completing (a reader, the worker's own round) leaves the erased
      // bytes in the WAL: try again a second later rather than waiting for the next recall.
      if (this.checkpointer) {
        void this.checkpointer.truncate().then((done) => {
          if (!done && this.db.open) this.scheduleCheckpoint();
        });
      } else if (!this.truncateWal(false) && this.db.open) {
        this.scheduleCheckpoint();
      }
    }, 1000);
    this.checkpointTimer.unref();
  }

  private prepare() {
    const d = this.db;
    return {
      begin: d.prepare('BEGIN IMMEDIATE'),
      commit: d.prepare('COMMIT'),
      accountUpsert: d.prepare(`INSERT INTO accounts (app, user_id, nick, face_url, created_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (app, user_id) DO UPDATE SET nick = COALESCE(excluded.nick, nick), face_url = COALESCE(excluded.face_url, face_url)`),
      accountInsertIgnore: d.prepare(
        'INSERT INTO accounts (app, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      accountDelete: d.prepare('DELETE FROM accounts WHERE app = ? AND user_id = ?'),
      accountProfileDelete: d.prepare('DELETE FROM profile_fields WHERE app = ? AND user_id = ?'),
      accountProfile: d.prepare('SELECT nick, face_url FROM accounts WHERE app = ? AND user_id = ?'),
      profileFields: d.prepare('SELECT tag, str_value, int_value FROM profile_fields WHERE app = ? AND user_id = ?'),
      profileNickSet: d.prepare(
        'UPDATE accounts SET nick = COALESCE(?, nick), face_url = COALESCE(?, face_url) WHERE app = ? AND user_id = ?',
      ),
      profileFieldSet:
        d.prepare(`INSERT INTO profile_fields (app, user_id, tag, str_value, int_value) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (app, user_id, tag) DO UPDATE SET str_value = excluded.str_value, int_value = excluded.int_value`),
      // The offline queue belongs to the account: a later account of the same UserID restarts its
      // event seq at 1 and must neither collide with these rows (primary key) nor inherit them.
      accountEventsDelete: d.prepare('DELETE FROM events WHERE app = ? AND user_id = ?'),
      accountConversationsDelete: d.prepare('DELETE FROM conversations WHERE app = ? AND owner = ?'),
      accountExists: d.prepare('SELECT 1 FROM accounts WHERE app = ? AND user_id = ?').pluck(),
      accountKick: d.prepare('UPDATE accounts SET kicked_at = ? WHERE app = ? AND user_id = ?'),
      accountKickedAt: d.prepare('SELECT kicked_at FROM accounts WHERE app = ? AND user_id = ?').pluck(),
      accountMutesSet:
        d.prepare(`UPDATE accounts SET c2c_mute_until = COALESCE(?, c2c_mute_until), group_mute_until = COALESCE(?, group_mute_until)
        WHERE app = ? AND user_id = ?`),
      accountMutes: d.prepare('SELECT c2c_mute_until, group_mute_until FROM accounts WHERE app = ? AND user_id = ?'),
      accountBump: d.prepare(`UPDATE accounts SET event_seq = event_seq + ?, unread_total = MAX(0, unread_total + ?)
        WHERE app = ? AND user_id = ? RETURNING event_seq, unread_total`),
      nextSeq: d
        .prepare('UPDATE accounts SET event_seq = event_seq + 1 WHERE app = ? AND user_id = ? RETURNING event_seq')
        .pluck(),
      lastSeq: d.prepare('SELECT event_seq FROM accounts WHERE app = ? AND user_id = ?').pluck(),
      unreadTotal: d.prepare('SELECT unread_total FROM accounts WHERE app = ? AND user_id = ?').pluck(),
      unreadAdd: d.prepare('UPDATE accounts SET unread_total = MAX(0, unread_total + ?) WHERE app = ? AND user_id = ?'),

      // A message's identity, looked up through the conversation index (migration 3).
      msgByIdentity: d.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages
        WHERE app = ? AND user_lo = ? AND user_hi = ? AND time = ? AND seq = ? AND random = ? AND sender = ?`),
      msgById: d.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`),
      // No row back: the identity (app, sender, recipient, seq, random, time) is already stored.
      msgInsert: d
        .prepare(`INSERT INTO messages (app, user_lo, user_hi, sender, recipient, seq, random, time, body, cloud_custom_data,
        offline_push_info, origin, flags, life_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`)
        .pluck(),
      msgErase: d.prepare(
        `UPDATE messages SET body = '[]', cloud_custom_data = '', offline_push_info = NULL, recalled_by = ?, recalled_at = ? WHERE id = ?`,
      ),
      msgReceipt: d.prepare(`UPDATE messages SET flags = ${SQL_WITH_RECEIPT} WHERE id = ?`),
      msgAddFlags: d.prepare('UPDATE messages SET flags = flags | ? WHERE id = ?'),
      // Content nobody can see any more (one-sided deletes on both sides): erased, not a tombstone.
      msgEraseContent: d.prepare(
        `UPDATE messages SET body = '[]', cloud_custom_data = '', offline_push_info = NULL WHERE id = ?`,
      ),
      pairDeleteFor:
        d.prepare(`UPDATE messages SET flags = flags | (CASE WHEN sender = ? THEN ${FLAG.deletedBySender} ELSE 0 END)
        | (CASE WHEN recipient = ? THEN ${FLAG.deletedByRecipient} ELSE 0 END) WHERE app = ? AND user_lo = ? AND user_hi = ?`),
      pairEraseUnheld: d
        .prepare(`UPDATE messages SET body = '[]', cloud_custom_data = '', offline_push_info = NULL
        WHERE app = ? AND user_lo = ? AND user_hi = ? AND ${SQL_HELD_BY_NOBODY} AND (body <> '[]' OR cloud_custom_data <> '' OR offline_push_info IS NOT NULL)
        RETURNING id`)
        .pluck(),
      pairNewest: d.prepare(
        'SELECT time, id FROM messages WHERE app = ? AND user_lo = ? AND user_hi = ? ORDER BY time DESC, id DESC LIMIT 1',
      ),
      msgModify: d.prepare(
        'UPDATE messages SET body = COALESCE(?, body), cloud_custom_data = COALESCE(?, cloud_custom_data) WHERE id = ?',
      ),
      // Walk the conversation index backwards from the cursor; skip what the owner does not see
      // (online-only messages, and the sender's side of SyncOtherMachine 2 messages).
      historyPage: d.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages
        WHERE app = ? AND user_lo = ? AND user_hi = ? AND time >= ? AND time <= ? AND (time, seq, id) < (?, ?, ?)
          AND ${SQL_NOT_ONLINE_ONLY} AND (sender <> ? OR ${SQL_SENDER_ROAMS} OR sender = recipient) AND ${sqlNotDeletedFor('?')}
        ORDER BY time DESC, seq DESC, id DESC LIMIT ?`),
      maxMsgId: d.prepare('SELECT COALESCE(MAX(id), 0) FROM messages').pluck(),

      convGet: d.prepare(
        'SELECT owner, peer, unread, read_time, read_id, last_msg_id, last_time, updated_at FROM conversations WHERE app = ? AND owner = ? AND peer = ?',
      ),
      // One side of a conversation gets a message: created if new; unread + 1 when the message is
      // after the read cursor (not isReadBy: the comparisons below mirror it); last message when it
      // is not older than the current one. SET reads
      // the old row, and RETURNING gives the read cursor, which this statement never changes.
      convUpsert:
        d.prepare(`INSERT INTO conversations (app, owner, peer, updated_at, last_msg_id, last_time, unread) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (app, owner, peer) DO UPDATE SET
          unread = unread + (? AND (? > read_time OR (? = read_time AND ? > read_id))),
          last_msg_id = CASE WHEN ? AND last_time <= ? THEN ? ELSE last_msg_id END,
          updated_at = CASE WHEN ? AND last_time <= ? THEN MAX(updated_at, ?) ELSE updated_at END,
          last_time = CASE WHEN ? AND last_time <= ? THEN ? ELSE last_time END
        RETURNING read_time, read_id`),
      // A recalled message leaves the unread count if it is after the read cursor (mirrors isReadBy).
      convUnreadDropIfAfter: d
        .prepare(`UPDATE conversations SET unread = MAX(0, unread - 1)
        WHERE app = ? AND owner = ? AND peer = ? AND (? > read_time OR (? = read_time AND ? > read_id)) RETURNING 1`)
        .pluck(),
      convEnsure: d.prepare(
        'INSERT INTO conversations (app, owner, peer, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      convSetRead: d.prepare(
        'UPDATE conversations SET read_time = ?, read_id = ?, unread = ? WHERE app = ? AND owner = ? AND peer = ?',
      ),
      convPage:
        d.prepare(`SELECT owner, peer, unread, read_time, read_id, last_msg_id, last_time, updated_at FROM conversations
        WHERE app = ? AND owner = ? AND last_msg_id IS NOT NULL AND last_time <= ? ORDER BY last_time DESC, peer LIMIT ? OFFSET ?`),
      convForget:
        d.prepare(`UPDATE conversations SET last_msg_id = NULL, last_time = 0, unread = 0, read_time = ?, read_id = ?
        WHERE app = ? AND owner = ? AND peer = ?`),
      convList: d.prepare(
        'SELECT owner, peer, unread, read_time, read_id, last_msg_id, last_time, updated_at FROM conversations WHERE app = ? AND owner = ? AND last_msg_id IS NOT NULL ORDER BY updated_at DESC, peer LIMIT ?',
      ),
      // Messages from peer to owner after the read cursor that count as unread. Walks the
      // conversation index from the cursor on, so it costs the unread messages, not the history.
      countUnreadAfter: d
        .prepare(`SELECT COUNT(*) FROM messages WHERE app = ? AND user_lo = ? AND user_hi = ? AND time >= ?
        AND sender = ? AND ${SQL_COUNTS_UNREAD} AND ${SQL_NOT_DELETED_BY_RECIPIENT} AND recalled_by IS NULL AND (time > ? OR id > ?)`)
        .pluck(),

      eventInsert: d.prepare(
        'INSERT INTO events (app, user_id, seq, kind, message_id, data, at, expires_at, origin_device) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      // Message and extension events carry content: a recall takes them off the queues.
      eventsDropMessage: d.prepare("DELETE FROM events WHERE message_id = ? AND kind IN ('message', 'extension')"),
      // A one-sided delete: the owner's queued copies (as sent or as modified) of the message go.
      eventsDropForOwner: d.prepare(
        "DELETE FROM events WHERE app = ? AND user_id = ? AND message_id = ? AND kind IN ('message', 'modify')",
      ),
      eventsDropPairForOwner:
        d.prepare(`DELETE FROM events WHERE app = ? AND user_id = ? AND kind IN ('message', 'modify')
        AND message_id IN (SELECT id FROM messages WHERE app = ? AND user_lo = ? AND user_hi = ?)`),
      eventsAfter:
        d.prepare(`SELECT e.seq, e.kind, e.at, e.data, e.origin_device, e.message_id, ${MESSAGE_COLUMNS.split(', ')
          .map((c) => `m.${c} AS m_${c}`)
          .join(', ')}
        FROM events e LEFT JOIN messages m ON m.id = e.message_id
        WHERE e.app = ? AND e.user_id = ? AND e.seq > ? AND e.expires_at >= ? ORDER BY e.seq LIMIT ?`),

      outboxInsert:
        d.prepare(`INSERT INTO callback_outbox (app, command, order_key, message_id, body, query, created_at, next_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      // A recall also erases the content that pending callbacks carry (after-send: MsgBody and
      // CloudCustomData; after-extension: ExtensionList). json_replace touches only fields present.
      outboxErase:
        d.prepare(`UPDATE callback_outbox SET body = json_replace(body, '$.MsgBody', json('[]'), '$.CloudCustomData', '', '$.ExtensionList', json('[]'))
        WHERE message_id = ?`),

      extVersion: d.prepare('SELECT version, clear_seq FROM message_extension_versions WHERE message_id = ?'),
      extPairs: d.prepare(
        'SELECT ext_key AS key, ext_value AS value, seq FROM message_extensions WHERE message_id = ? ORDER BY seq, ext_key',
      ),
      extVersionPut: d.prepare(`INSERT INTO message_extension_versions (message_id, version, clear_seq) VALUES (?, ?, ?)
        ON CONFLICT (message_id) DO UPDATE SET version = excluded.version, clear_seq = excluded.clear_seq`),
      extPut: d.prepare(`INSERT INTO message_extensions (message_id, ext_key, ext_value, seq) VALUES (?, ?, ?, ?)
        ON CONFLICT (message_id, ext_key) DO UPDATE SET ext_value = excluded.ext_value, seq = excluded.seq`),
      extRemove: d.prepare('DELETE FROM message_extensions WHERE message_id = ? AND ext_key = ?'),
      extClear: d.prepare('DELETE FROM message_extensions WHERE message_id = ?'),
      extVersionDrop: d.prepare('DELETE FROM message_extension_versions WHERE message_id = ?'),
      outboxDue: d.prepare(`SELECT id, app, command, body, query, created_at, attempts FROM callback_outbox
        WHERE id IN (SELECT MIN(id) FROM callback_outbox GROUP BY order_key) AND next_at <= ? AND lease_until <= ?
        ORDER BY id LIMIT ?`),
      outboxLease: d.prepare('UPDATE callback_outbox SET lease_until = ? WHERE id = ?'),
      outboxDelete: d.prepare('DELETE FROM callback_outbox WHERE id = ?'),
      outboxRetry: d.prepare(
        'UPDATE callback_outbox SET next_at = ?, lease_until = 0, attempts = attempts + 1, last_error = ? WHERE id = ?',
      ),
      auditInsert: d.prepare(
        'INSERT INTO recall_audit (app, sender, recipient, msg_key, by_user, via, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      auditList: d.prepare(
        'SELECT sender, recipient, msg_key, by_user, via, at FROM recall_audit WHERE app = ? ORDER BY id DESC LIMIT ?',
      ),
    };
  }

  // ---- group commit ---------------------------------------------------------------------

  /** Runs work in a savepoint of the open transaction (made once: a wrapper per call costs). */
  private readonly savepoint = (work: () => unknown): unknown => this.savepointTx(work);
  private savepointTx!: (work: () => unknown) => unknown;

  private pending: Array<{ work: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }> = [];
  private flushScheduled = false;

  /**
   * Runs one unit of work in its own savepoint inside a transaction shared with the other units
   * that arrived in the same turn of the event loop, and resolves after the shared COMMIT: a
   * caller is answered only once its write is durable, as before, but a burst of concurrent
   * requests pays for one commit instead of one each. A unit that throws rolls back alone.
   */
  private write<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (!this.db.open) {
      for (const op of batch) op.reject(new Error('the database is closed'));
      return;
    }
    this.countWork(batch.length);
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.s.begin.run();
      for (const op of batch) {
        try {
          // Nested in the open transaction, better-sqlite3 makes this a savepoint.
          outcomes.push({ ok: true, value: this.savepoint(op.work) });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
      this.s.commit.run();
      this.checkpointer?.committed();
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const op of batch) op.reject(error);
      return;
    }
    batch.forEach((op, i) => {
      const o = outcomes[i]!;
      if (o.ok) op.resolve(o.value);
      else op.reject(o.error);
    });
  }

  // ---- accounts -------------------------------------------------------------------------

  async importAccount(app: AppId, a: AccountInput, now: number): Promise<void> {
    await this.write(() => {
      this.s.accountUpsert.run(app, a.userId, a.nick ?? null, a.faceUrl ?? null, now);
    });
  }

  async importAccounts(app: AppId, userIds: string[], now: number): Promise<void> {
    await this.write(() => {
      for (const id of userIds) this.s.accountInsertIgnore.run(app, id, now);
    });
  }

  async importAccountList(app: AppId, accounts: AccountInput[], now: number): Promise<void> {
    await this.write(() => {
      for (const a of accounts) this.s.accountUpsert.run(app, a.userId, a.nick ?? null, a.faceUrl ?? null, now);
    });
  }

  async deleteAccounts(app: AppId, userIds: string[]): Promise<string[]> {
    return this.write(() =>
      userIds.filter((id) => {
        this.knownAccounts.delete(accountKey(app, id));
        this.s.accountProfileDelete.run(app, id);
        this.s.accountEventsDelete.run(app, id);
        this.s.accountConversationsDelete.run(app, id);
        return this.s.accountDelete.run(app, id).changes > 0;
      }),
    );
  }

  // ---- profiles -------------------------------------------------------------------------

  async profiles(app: AppId, userIds: string[]): Promise<Map<string, StoredProfile>> {
    const out = new Map<string, StoredProfile>();
    for (const id of new Set(userIds)) {
      const a = this.s.accountProfile.get(app, id) as { nick: string | null; face_url: string | null } | undefined;
      if (!a) continue;
      const rows = this.s.profileFields.all(app, id) as Array<{
        tag: string;
        str_value: string | null;
        int_value: number | null;
      }>;
      out.set(id, {
        ...(a.nick !== null ? { nick: a.nick } : {}),
        ...(a.face_url !== null ? { faceUrl: a.face_url } : {}),
        fields: new Map(rows.map((r) => [r.tag, r.str_value ?? r.int_value ?? 0])),
      });
    }
    return out;
  }

  async writeProfile(app: AppId, w: ProfileWrite): Promise<boolean> {
    return this.write(() => {
      if (this.s.accountExists.get(app, w.userId) === undefined) return false;
      if (w.nick !== undefined || w.faceUrl !== undefined)
        this.s.profileNickSet.run(w.nick ?? null, w.faceUrl ?? null, app, w.userId);
      for (const [tag, v] of w.fields) {
        this.s.profileFieldSet.run(
          app,
          w.userId,
          tag,
          typeof v === 'string' ? v : null,
          typeof v === 'number' ? v : null,
        );
      }
      this.enqueue(app, w.callbacks, null);
      return true;
    });
  }

  /**
   * Accounts seen to exist, so that every send does not pay two reads for its From/To checks.
   * Sound because this connection is the file's only writer (the embedded mode: one process) and
   * deleteAccounts drops entries; only presence is cached, and a miss just reads the table.
   */
  private readonly knownAccounts = new Set<string>();

  async existingAccounts(app: AppId, userIds: string[]): Promise<Set<string>> {
    return new Set(
      userIds.filter((id) => {
        const key = accountKey(app, id);
        if (this.knownAccounts.has(key)) return true;
        if (this.s.accountExists.get(app, id) === undefined) return false;
        if (this.knownAccounts.size >= KNOWN_ACCOUNTS_LIMIT) this.knownAccounts.clear();
        this.knownAccounts.add(key);
        return true;
      }),
    );
  }

  async kickAccount(app: AppId, userId: string, at: number): Promise<boolean> {
    return this.write(() => this.s.accountKick.run(at, app, userId).changes > 0);
  }

  async kickedAt(app: AppId, userId: string): Promise<number | undefined> {
    return (this.s.accountKickedAt.get(app, userId) as number | null | undefined) ?? undefined;
  }

  async setMutes(app: AppId, userId: string, change: Partial<MuteState>): Promise<boolean> {
    return this.write(
      () => this.s.accountMutesSet.run(change.c2cUntil ?? null, change.groupUntil ?? null, app, userId).changes > 0,
    );
  }

  async mutesOf(app: AppId, userId: string): Promise<MuteState | undefined> {
    const r = this.s.accountMutes.get(app, userId) as { c2c_mute_until: number; group_mute_until: number } | undefined;
    return r ? { c2cUntil: r.c2c_mute_until, groupUntil: r.group_mute_until } : undefined;
  }

  // ---- messages -------------------------------------------------------------------------

  async appendMessage(app: AppId, m: NewMessage): Promise<AppendResult> {
    return this.write(() => this.append(app, m));
  }

  async appendMessages(app: AppId, ms: NewMessage[]): Promise<AppendResult[]> {
    return this.write(() => ms.map((m) => this.append(app, m)));
  }

  /**
   * One send in as few statements as the rules allow (a send is the hot path): the insert answers
   * whether it is a resend, each conversation side is one upsert, and each account's event seq
   * and unread total move in one update. The stored message is built from the input, not re-read.
   */
  private append(app: AppId, m: NewMessage): AppendResult {
    const [lo, hi] = conversationPair(m.from, m.to);
    const id = this.s.msgInsert.get(
      app,
      lo,
      hi,
      m.from,
      m.to,
      m.seq,
      m.random,
      m.time,
      JSON.stringify(m.body),
      m.cloudCustomData,
      m.offlinePushInfo ? JSON.stringify(m.offlinePushInfo) : null,
      m.origin,
      packFlags(m),
      m.lifeTime,
    ) as number | undefined;
    if (id === undefined) {
      // The identity is taken: a resend, answered with what was stored the first time.
      const existing = this.byIdentity(app, m.from, m.to, m)!;
      return { message: toMessage(existing), duplicate: true, recipientUnread: this.unreadOf(app, m.to) };
    }
    let recipientUnread: number | undefined;
    if (!m.onlineOnly) {
      // The recipient's side of the conversation: last message, and unread if after the read cursor.
      const cursor = this.upsertConversation(app, m.to, m.from, m, id, m.countsUnread);
      const unreadAdded = m.countsUnread && isAfterCursor(m.time, id, cursor) ? 1 : 0;
      const toEvents = m.deliverTo.includes(m.to);
      if (toEvents || unreadAdded) {
        const acc = this.bumpAccount(app, m.to, toEvents ? 1 : 0, unreadAdded);
        if (acc) {
          recipientUnread = acc.unread_total;
          if (toEvents)
            this.insertEvent(
              app,
              m.to,
              acc.event_seq,
              'message',
              id,
              null,
              m.time,
              m.queueUntil,
              m.originDevice ?? null,
            );
        }
      }
      // The sender's side, unless SyncOtherMachine 2 keeps it out of the sender's roaming.
      if (m.senderRoams && m.from !== m.to) this.upsertConversation(app, m.from, m.to, m, id, false);
      for (const user of m.deliverTo) {
        if (user !== m.to)
          this.appendEvent(app, user, 'message', id, null, m.time, m.queueUntil, m.originDevice ?? null);
      }
    }
    this.enqueue(app, m.callbacks, id);
    return {
      message: storedMessageOf(m, id),
      duplicate: false,
      recipientUnread: recipientUnread ?? this.unreadOf(app, m.to),
    };
  }

  /** Creates or advances owner's side of a conversation for message id; returns its read cursor (unchanged by this write). */
  private upsertConversation(
    app: AppId,
    owner: string,
    peer: string,
    m: NewMessage,
    id: number,
    countsUnread: boolean,
  ): { read_time: number; read_id: number } {
    const last = m.updatesLastMessage ? 1 : 0;
    const unread = countsUnread ? 1 : 0;
    return this.s.convUpsert.get(
      app,
      owner,
      peer,
      m.time,
      last ? id : null,
      last ? m.time : 0,
      unread,
      unread,
      m.time,
      m.time,
      id,
      last,
      m.time,
      id,
      last,
      m.time,
      m.time,
      last,
      m.time,
      m.time,
    ) as { read_time: number; read_id: number };
  }

  /** Advances a user's event seq and unread total together; undefined if the account is gone. */
  private bumpAccount(
    app: AppId,
    user: string,
    events: number,
    unread: number,
  ): { event_seq: number; unread_total: number } | undefined {
    return this.s.accountBump.get(events, unread, app, user) as { event_seq: number; unread_total: number } | undefined;
  }

  private insertEvent(
    app: AppId,
    user: string,
    seq: number,
    kind: UserEventKind,
    messageId: number | null,
    data: unknown,
    at: number,
    expiresAt: number,
    device: string | null,
  ): void {
    this.s.eventInsert.run(
      app,
      user,
      seq,
      kind,
      messageId,
      data === null ? null : JSON.stringify(data),
      at,
      expiresAt,
      device,
    );
  }

  private appendEvent(
    app: AppId,
    user: string,
    kind: UserEventKind,
    messageId: number | null,
    data: unknown,
    at: number,
    expiresAt: number,
    device: string | null,
  ): void {
    const seq = this.s.nextSeq.get(app, user) as number | undefined;
    if (seq === undefined) return; // the account was deleted: nobody to deliver to
    this.insertEvent(app, user, seq, kind, messageId, data, at, expiresAt, device);
  }

  /** Inserts an event the domain decided at the seq already taken for it. */
  private insertWrite(app: AppId, e: EventWrite, seq: number, messageId: number | null): void {
    this.insertEvent(app, e.user, seq, e.kind, messageId, e.payload, e.at, e.expiresAt, e.originDevice ?? null);
  }

  private appendWrite(app: AppId, e: EventWrite, messageId: number | null): void {
    this.appendEvent(app, e.user, e.kind, messageId, e.payload, e.at, e.expiresAt, e.originDevice ?? null);
  }

  private byIdentity(
    app: AppId,
    from: string,
    to: string,
    k: { seq: number; random: number; time: number },
  ): MessageRow | undefined {
    const [lo, hi] = conversationPair(from, to);
    return this.s.msgByIdentity.get(app, lo, hi, k.time, k.seq, k.random, from) as MessageRow | undefined;
  }

  private unreadOf(app: AppId, user: string): number {
    return (this.s.unreadTotal.get(app, user) as number | undefined) ?? 0;
  }

  async findImported(app: AppId, r: MessageRef): Promise<StoredMessage | undefined> {
    const row = this.byIdentity(app, r.from, r.to, r) ?? this.byIdentity(app, r.to, r.from, r);
    return row ? toMessage(row) : undefined;
  }

  async findMessage(app: AppId, r: MessageRef): Promise<StoredMessage | undefined> {
    const row = this.byIdentity(app, r.from, r.to, r);
    return row ? toMessage(row) : undefined;
  }

  async recallMessage(app: AppId, req: RecallRequest): Promise<RecallResult> {
    const result = await this.write(() => this.recall(app, req));
    if (result.outcome === 'recalled') this.scheduleCheckpoint();
    return result;
  }

  private recall(app: AppId, req: RecallRequest): RecallResult {
    const r = req.ref;
    const row = this.byIdentity(app, r.from, r.to, r);
    if (!row) return { outcome: 'not_found' };
    const before = toMessage(row);
    // Deleted by everyone who had it: its content is gone already, there is nothing to recall.
    if (isHeldByNobody(before)) return { outcome: 'not_found' };
    if (before.recalled) return { outcome: 'already_recalled', message: before };
    this.s.msgErase.run(req.by, req.at, row.id);
    // Off the offline queues: a device that has not synced it yet will never get the content.
    this.s.eventsDropMessage.run(row.id);
    // Counted unread (after the recipient's read cursor): it no longer counts.
    const unreadRemoved =
      req.uncountUnread &&
      !before.onlineOnly &&
      before.countsUnread &&
      !before.deletedBy?.recipient &&
      this.s.convUnreadDropIfAfter.get(app, r.to, r.from, row.time, row.time, row.id) !== undefined
        ? 1
        : 0;
    // The recipient's unread fix rides on its event's seq bump, as in a send.
    const toRecipient = req.events.find((e) => e.user === r.to);
    const acc =
      toRecipient || unreadRemoved ? this.bumpAccount(app, r.to, toRecipient ? 1 : 0, -unreadRemoved) : undefined;
    for (const e of req.events) {
      if (e !== toRecipient) this.appendWrite(app, e, row.id);
      else if (acc) this.insertWrite(app, e, acc.event_seq, row.id);
    }
    this.s.auditInsert.run(app, r.from, r.to, msgKeyOf(r), req.by, req.via, req.at);
    this.s.outboxErase.run(row.id);
    // Extension values are content too: gone with the body (only a message sent with extension
    // support can have any, so the others skip the two statements).
    if (before.supportExtension) {
      this.s.extClear.run(row.id);
      this.s.extVersionDrop.run(row.id);
    }
    this.enqueue(app, req.callbacks, null);
    return {
      outcome: 'recalled',
      message: tombstoneOf(before, req.by, req.at),
      recipientUnread: acc?.unread_total ?? this.unreadOf(app, r.to),
    };
  }

  async extensions(app: AppId, r: MessageRef): Promise<ExtensionState | undefined> {
    const row = this.byIdentity(app, r.from, r.to, r);
    if (!row) return undefined;
    const v = this.s.extVersion.get(row.id) as { version: number; clear_seq: number } | undefined;
    return {
      message: toMessage(row),
      version: v?.version ?? 0,
      clearSeq: v?.clear_seq ?? 0,
      pairs: this.s.extPairs.all(row.id) as ExtensionPair[],
    };
  }

  async writeExtensions(app: AppId, w: ExtensionWrite): Promise<ExtensionWriteResult> {
    return this.write((): ExtensionWriteResult => {
      const r = w.ref;
      const row = this.byIdentity(app, r.from, r.to, r);
      if (!row) return 'not_found';
      if (row.recalled_by !== null) return 'recalled';
      const v = this.s.extVersion.get(row.id) as { version: number; clear_seq: number } | undefined;
      if ((v?.version ?? 0) !== w.ifVersion) return 'moved';
      if (w.clear) this.s.extClear.run(row.id);
      for (const k of w.remove) this.s.extRemove.run(row.id, k);
      for (const p of w.set) this.s.extPut.run(row.id, p.key, p.value, w.version);
      this.s.extVersionPut.run(row.id, w.version, w.clear ? w.version : (v?.clear_seq ?? 0));
      for (const e of w.events) this.appendWrite(app, e, row.id);
      this.enqueue(app, w.callbacks, row.id);
      return 'written';
    });
  }

  async modifyMessage(app: AppId, req: ModifyRequest): Promise<ModifyResult> {
    return this.write((): ModifyResult => {
      const r = req.ref;
      const row = this.byIdentity(app, r.from, r.to, r);
      if (!row || isHeldByNobody(toMessage(row))) return { outcome: 'not_found' };
      if (row.recalled_by !== null) return { outcome: 'recalled' };
      this.s.msgModify.run(req.body ? JSON.stringify(req.body) : null, req.cloudCustomData ?? null, row.id);
      const before = toMessage(row);
      for (const e of req.events) if (!isDeletedFor(before, e.user)) this.appendWrite(app, e, row.id);
      return { outcome: 'modified', message: toMessage(this.s.msgById.get(row.id) as MessageRow) };
    });
  }

  async markReceipts(app: AppId, req: ReceiptRequest): Promise<ReceiptResult> {
    return this.write((): ReceiptResult => {
      const ids: number[] = [];
      for (const ref of req.refs) {
        const row = this.byIdentity(app, ref.from, ref.to, ref);
        if (!row) return { outcome: 'not_found', ref };
        if (row.recalled_by !== null) return { outcome: 'recalled', ref };
        ids.push(row.id);
      }
      for (const id of ids) this.s.msgReceipt.run(id);
      for (const e of req.events) this.appendWrite(app, e, null);
      this.enqueue(app, req.callbacks, null);
      return { outcome: 'marked' };
    });
  }

  async deleteMessages(app: AppId, req: DeleteMessagesRequest): Promise<DeleteMessagesResult> {
    const result = await this.write((): DeleteMessagesResult & { erased: boolean } => {
      const { owner } = req;
      const deleted: MessageRef[] = [];
      let unreadRemoved = 0;
      let erased = false;
      for (const ref of req.refs) {
        const row = this.byIdentity(app, ref.from, ref.to, ref);
        if (!row) continue;
        const m = toMessage(row);
        if (isDeletedFor(m, owner) || (m.from !== owner && m.to !== owner)) continue;
        this.s.msgAddFlags.run(deletedBitsFor(m, owner), row.id);
        this.s.eventsDropForOwner.run(app, owner, row.id);
        // Counted unread for the owner (its recipient): it no longer counts.
        if (
          m.to === owner &&
          !m.onlineOnly &&
          m.countsUnread &&
          !m.recalled &&
          this.s.convUnreadDropIfAfter.get(app, m.to, m.from, row.time, row.time, row.id) !== undefined
        )
          unreadRemoved++;
        if (isHeldByNobody(deletedFor(m, owner))) {
          this.eraseContent(row.id);
          erased = true;
        }
        deleted.push({ from: m.from, to: m.to, seq: m.seq, random: m.random, time: m.time });
      }
      if (unreadRemoved > 0) this.s.unreadAdd.run(-unreadRemoved, app, owner);
      if (deleted.length > 0) for (const e of req.eventsFor(deleted)) this.appendWrite(app, e, null);
      return { deleted, ownerUnread: this.unreadOf(app, owner), erased };
    });
    if (result.erased) this.scheduleCheckpoint();
    return { deleted: result.deleted, ownerUnread: result.ownerUnread };
  }

  /** Nobody holds the message any more: its content leaves the row, every queue and the outbox. */
  private eraseContent(id: number): void {
    this.s.msgEraseContent.run(id);
    this.s.eventsDropMessage.run(id);
    // Its extensions are content too.
    this.s.extClear.run(id);
    this.s.extVersionDrop.run(id);
    this.s.outboxErase.run(id);
  }

  async deleteConversation(app: AppId, req: DeleteConversationRequest): Promise<void> {
    const erased = await this.write((): boolean => {
      const { owner, peer } = req;
      const [lo, hi] = conversationPair(owner, peer);
      const conv = this.s.convGet.get(app, owner, peer) as ConversationRow | undefined;
      if (conv) {
        // Everything stored in the conversation so far becomes read: the newest message's (time, id).
        const newest = this.s.pairNewest.get(app, lo, hi) as { time: number; id: number } | undefined;
        const current = { time: conv.read_time, id: conv.read_id };
        const moved = newest !== undefined && !isReadBy(newest, current);
        const next = moved ? newest : current;
        this.s.convForget.run(next.time, next.id, app, owner, peer);
        if (conv.unread !== 0) this.s.unreadAdd.run(-conv.unread, app, owner);
        if (moved)
          for (const e of req.eventsIfReadMoved({ readTime: next.time, unread: 0 })) this.appendWrite(app, e, null);
      }
      let erasedAny = false;
      if (req.clearHistory) {
        this.s.pairDeleteFor.run(owner, owner, app, lo, hi);
        this.s.eventsDropPairForOwner.run(app, owner, app, lo, hi);
        for (const id of this.s.pairEraseUnheld.all(app, lo, hi) as number[]) {
          this.eraseContent(id);
          erasedAny = true;
        }
      }
      for (const e of req.events) this.appendWrite(app, e, null);
      return erasedAny;
    });
    if (erased) this.scheduleCheckpoint();
  }

  async conversationPage(app: AppId, q: ConversationPageQuery): Promise<ConversationRecord[]> {
    const rows = this.s.convPage.all(
      app,
      q.owner,
      q.before?.time ?? MAX_ID,
      q.limit,
      q.before?.skip ?? 0,
    ) as ConversationRow[];
    return rows.map((r) => this.toConversation(app, r));
  }

  async history(app: AppId, q: HistoryQuery): Promise<HistoryPage> {
    const [lo, hi] = conversationPair(q.owner, q.peer);
    const b = q.before ?? { time: q.maxTime, seq: MAX_ID, id: MAX_ID };
    const rows = this.s.historyPage.all(
      app,
      lo,
      hi,
      q.minTime,
      q.maxTime,
      b.time,
      b.seq,
      b.id,
      q.owner,
      q.owner,
      q.owner,
      q.limit + 1,
    ) as MessageRow[];
    const more = rows.length > q.limit;
    const own = this.s.convGet.get(app, q.owner, q.peer) as ConversationRow | undefined;
    const peer = this.s.convGet.get(app, q.peer, q.owner) as ConversationRow | undefined;
    return {
      messages: rows.slice(0, q.limit).map(toMessage),
      more,
      ownerRead: { time: own?.read_time ?? 0, id: own?.read_id ?? 0 },
      peerRead: { time: peer?.read_time ?? 0, id: peer?.read_id ?? 0 },
    };
  }

  async recallAudit(app: AppId, limit: number): Promise<RecallAuditEntry[]> {
    return (
      this.s.auditList.all(app, limit) as Array<{
        sender: string;
        recipient: string;
        msg_key: string;
        by_user: string;
        via: string;
        at: number;
      }>
    ).map((r) => ({
      from: r.sender,
      to: r.recipient,
      msgKey: r.msg_key,
      by: r.by_user,
      via: r.via as 'admin' | 'client',
      at: r.at,
    }));
  }

  // ---- conversations ----------------------------------------------------------------------

  async setRead(app: AppId, req: ReadRequest): Promise<ReadResult> {
    const { owner, peer } = req;
    return this.write((): ReadResult => {
      this.s.convEnsure.run(app, owner, peer, req.at);
      const conv = this.s.convGet.get(app, owner, peer) as ConversationRow;
      // 'stored': ids are handed out in storage order, so the highest one so far ends "stored so far".
      const candidate = {
        time: req.upTo.time,
        id: req.upTo.through === 'stored' ? (this.s.maxMsgId.get() as number) : MAX_ID,
      };
      const current = { time: conv.read_time, id: conv.read_id };
      const moved = !isReadBy(candidate, current);
      const next = moved ? candidate : current;
      const [lo, hi] = conversationPair(owner, peer);
      const unread = this.s.countUnreadAfter.get(app, lo, hi, next.time, peer, next.time, next.id) as number;
      this.s.convSetRead.run(next.time, next.id, unread, app, owner, peer);
      if (unread !== conv.unread) this.s.unreadAdd.run(unread - conv.unread, app, owner);
      if (moved) for (const e of req.eventsIfMoved({ readTime: next.time, unread })) this.appendWrite(app, e, null);
      this.enqueue(app, req.callbacks, null);
      return { unread, totalUnread: this.unreadOf(app, owner), readTime: next.time };
    });
  }

  async totalUnread(app: AppId, owner: string): Promise<number> {
    return this.unreadOf(app, owner);
  }

  async conversation(app: AppId, owner: string, peer: string): Promise<ConversationRecord | undefined> {
    const row = this.s.convGet.get(app, owner, peer) as ConversationRow | undefined;
    return row ? this.toConversation(app, row) : undefined;
  }

  async conversationSnapshot(
    app: AppId,
    owner: string,
    limit: number,
  ): Promise<{ lastSeq: number; conversations: ConversationRecord[] }> {
    // Synchronous reads on the one connection: no write can land between the two.
    const lastSeq = (this.s.lastSeq.get(app, owner) as number | undefined) ?? 0;
    return {
      lastSeq,
      conversations: (this.s.convList.all(app, owner, limit) as ConversationRow[]).map((r) =>
        this.toConversation(app, r),
      ),
    };
  }

  private toConversation(app: AppId, r: ConversationRow): ConversationRecord {
    const peerSide = this.s.convGet.get(app, r.peer, r.owner) as ConversationRow | undefined;
    const last = r.last_msg_id !== null ? (this.s.msgById.get(r.last_msg_id) as MessageRow | undefined) : undefined;
    const lastMessage = last ? toMessage(last) : undefined;
    return {
      owner: r.owner,
      peer: r.peer,
      lastTime: r.last_time,
      unread: r.unread,
      readTime: r.read_time,
      peerReadTime: peerSide?.read_time ?? 0,
      // A last message the owner deleted shows nothing of itself; the conversation keeps its time.
      ...(lastMessage && !isDeletedFor(lastMessage, r.owner) ? { lastMessage } : {}),
      updatedAt: r.updated_at,
    };
  }

  // ---- events -------------------------------------------------------------------------------

  async eventsAfter(app: AppId, userId: string, afterSeq: number, limit: number, now: number): Promise<UserEvent[]> {
    const rows = this.s.eventsAfter.all(app, userId, afterSeq, now, limit) as Array<Record<string, unknown>>;
    return rows.map((r) => {
      const ev: UserEvent = { seq: r.seq as number, kind: r.kind as UserEventKind, at: r.at as number };
      if (r.message_id !== null && r.m_id !== null) {
        const m: Record<string, unknown> = {};
        for (const c of MESSAGE_COLUMNS.split(', ')) m[c] = r[`m_${c}`];
        ev.message = toMessage(m as unknown as MessageRow);
      }
      if (r.data !== null) ev.data = JSON.parse(r.data as string);
      if (r.origin_device !== null) ev.originDevice = r.origin_device as string;
      return ev;
    });
  }

  async lastEventSeq(app: AppId, userId: string): Promise<number> {
    return (this.s.lastSeq.get(app, userId) as number | undefined) ?? 0;
  }

  // ---- callback outbox ----------------------------------------------------------------------

  /** Writes callbacks inside the caller's transaction, filling UnreadMsgNum as of this write. */
  private enqueue(app: AppId, entries: CallbackEntry[] | undefined, messageId: number | null): void {
    for (const e of entries ?? []) {
      const body = e.unreadOf !== undefined ? { ...e.body, UnreadMsgNum: this.unreadOf(app, e.unreadOf) } : e.body;
      this.s.outboxInsert.run(
        app,
        e.command,
        e.orderKey,
        messageId,
        JSON.stringify(body),
        JSON.stringify(e.query),
        e.at,
        e.at,
      );
    }
  }

  async enqueueCallbacks(app: AppId, entries: CallbackEntry[]): Promise<void> {
    await this.write(() => this.enqueue(app, entries, null));
  }

  async claimCallbacks(now: number, limit: number, leaseMs: number): Promise<PendingCallback[]> {
    return this.write(() => {
      const rows = this.s.outboxDue.all(now, now, limit) as Array<{
        id: number;
        app: number;
        command: string;
        body: string;
        query: string;
        created_at: number;
        attempts: number;
      }>;
      for (const r of rows) this.s.outboxLease.run(now + leaseMs, r.id);
      return rows.map((r) => ({
        id: r.id,
        app: r.app,
        command: r.command,
        body: JSON.parse(r.body),
        query: JSON.parse(r.query),
        createdAt: r.created_at,
        attempts: r.attempts,
      }));
    });
  }

  async callbackDelivered(id: number): Promise<void> {
    await this.write(() => this.s.outboxDelete.run(id));
  }

  async callbackFailed(id: number, nextAt: number, error: string): Promise<void> {
    await this.write(() => this.s.outboxRetry.run(nextAt, error.slice(0, 500), id));
  }

  async callbackGivenUp(id: number): Promise<void> {
    await this.write(() => this.s.outboxDelete.run(id));
  }

  async outboxOf(app: AppId): Promise<OutboxEntry[]> {
    const rows = this.db
      .prepare(
        'SELECT id, command, order_key, body, attempts, next_at, lease_until, last_error FROM callback_outbox WHERE app = ? ORDER BY id',
      )
      .all(app) as Array<{
      id: number;
      command: string;
      order_key: string;
      body: string;
      attempts: number;
      next_at: number;
      lease_until: number;
      last_error: string | null;
    }>;
    return rows.map((r) => ({
      id: r.id,
      command: r.command,
      orderKey: r.order_key,
      body: JSON.parse(r.body),
      attempts: r.attempts,
      nextAt: r.next_at,
      leaseUntil: r.lease_until,
      lastError: r.last_error,
    }));
  }
}
