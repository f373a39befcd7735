// The networked adapter: PostgreSQL through a `pg` Pool, for several Parley nodes sharing one
// database. Same schema meaning and same semantics as the SQLite adapter; what differs is that
// units of work here really do run at the same time, on several connections and several nodes.
//
// Concurrency model (READ COMMITTED, the PostgreSQL default):
// - Every write unit of work runs in BEGIN/COMMIT on one pooled client and first locks the
//   accounts rows of every user it will touch, in one fixed order (user_id, byte order). Those
//   locks serialize everything that concerns a user: the per-user event seq, the unread counters,
//   the conversation rows and read cursors between two users, a message's recall. Taking them in
//   one order means two units of work never wait on each other in a cycle; should a deadlock or
//   serialization failure still happen (say, around an account being deleted), the unit of work is
//   rolled back and run again.
// - The per-user seq is `UPDATE accounts SET event_seq = event_seq + 1 ... RETURNING`, in the same
//   transaction as the event insert. The row lock is held to COMMIT, so a user's events commit in
//   seq order: a device that has synced up to seq n never later finds a new event below n.
// - Duplicate sends meet at the unique message identity: INSERT ... ON CONFLICT DO NOTHING waits
//   for a concurrent insert of the same identity and then yields to it.
// - A recall (and a modify) reads the message row FOR UPDATE and decides on recalled_by only then,
//   so of two racing recalls exactly one is 'recalled' and the other 'already_recalled'.
// - The callback outbox is claimed with FOR UPDATE SKIP LOCKED plus a lease: several nodes'
//   dispatchers claim side by side and never take the same entry, nor two of one order key.
// - Multi-statement reads (history, conversationSnapshot) run in one REPEATABLE READ READ ONLY
//   transaction: one snapshot.
//
// Erasure: an UPDATE leaves the old row version (with the content) as a dead tuple until VACUUM
// reclaims it, and the WAL holds it until recycled; autovacuum does the former. Unlike SQLite's
// secure_delete, nothing here zeroes it at commit time.
import { msgKeyOf } from '@parley/protocol';
import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import type {
  AccountInput,
  AppId,
  ProfileWrite,
  StoredProfile,
  AppendResult,
  CallbackEntry,
  ConversationRecord,
  EventWrite,
  HistoryPage,
  PendingCallback,
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
  toMessage,
  SQL_HELD_BY_NOBODY,
  SQL_NOT_DELETED_BY_RECIPIENT,
  deletedBitsFor,
  deletedFor,
  isDeletedFor,
  isHeldByNobody,
  sqlNotDeletedFor,
  FLAG,
  type MessageRow,
} from '../../ports/message-flags.js';
import { MIGRATIONS } from './migrations.js';

export interface PostgresOptions {
  /** postgres://user:password@host:port/database */
  connectionString: string;
  /**
   * Schema holding Parley's tables (created by migrate() when missing). Every pooled connection
   * gets search_path set to it. Default: the server's search_path (normally "public").
   */
  schema?: string;
  /** Pool size per node (default 10). */
  maxConnections?: number;
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

const MESSAGE_COLUMN_LIST = [
  'id',
  'sender',
  'recipient',
  'seq',
  'random',
  'time',
  'body',
  'cloud_custom_data',
  'offline_push_info',
  'origin',
  'flags',
  'life_time',
  'recalled_by',
  'recalled_at',
] as const;
const MESSAGE_COLUMNS = MESSAGE_COLUMN_LIST.join(', ');
/** The message columns of alias m, renamed m_<column>, for joins. */
const JOINED_MESSAGE_COLUMNS = MESSAGE_COLUMN_LIST.map((c) => `m.${c} AS m_${c}`).join(', ');
const MAX_ID = Number.MAX_SAFE_INTEGER;

/** Retried SQLSTATEs: serialization_failure, deadlock_detected. The whole unit of work reruns. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/** First key of the two-int advisory lock migrate() takes: "PRLY". The second is the schema's hash. */
const MIGRATION_LOCK_CLASS = 0x50524c59;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

// int8 (BIGINT, COUNT(*)) arrives as a string by default, since it may exceed 2^53. Every value
// this schema holds fits a double exactly, so parse to number, and refuse loudly if one ever
// does not, rather than round. Set per pool, not globally, so other pg users in the process keep
// their own parsing.
const INT8_OID = 20;
function parseInt8(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${v} is beyond Number.MAX_SAFE_INTEGER`);
  return n;
}
// BYTEA columns here hold UTF-8 text that may contain U+0000 (migration 3), so they read back as
// strings; writes bind them with utf8().
const BYTEA_OID = 17;
const parseBytea = pg.types.getTypeParser(BYTEA_OID, 'text') as (v: string) => Buffer;
const parseUtf8Bytea = (v: string): string => parseBytea(v).toString('utf8');
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    format === 'binary'
      ? pg.types.getTypeParser(oid, format)
      : oid === INT8_OID
        ? parseInt8
        : oid === BYTEA_OID
          ? parseUtf8Bytea
          : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Free text for a BYTEA column: its UTF-8 bytes, U+0000 included. */
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
/** Free text for a nullable BYTEA column. */
const utf8OrNull = (s: string | undefined): Buffer | null => (s === undefined ? null : utf8(s));

/**
 * No stored UserID contains U+0000: the edges refuse such IDs and TEXT cannot hold the character.
 * A lookup by one finds nothing, instead of failing with "invalid byte sequence".
 */
const storableId = (id: string): boolean => !id.includes('\u0000');

/** Callback body fields that carry message content, and what a recall leaves in them. */
const CONTENT_FIELDS: ReadonlyArray<[string, unknown]> = [
  ['MsgBody', []],
  ['CloudCustomData', ''],
  ['ExtensionList', []],
];

/** The m_-prefixed message of a joined row, if the join found one. */
function joinedMessage(r: Record<string, unknown>): StoredMessage | undefined {
  if (r.m_id === null || r.m_id === undefined) return undefined;
  const m: Record<string, unknown> = {};
  for (const c of MESSAGE_COLUMN_LIST) m[c] = r[`m_${c}`];
  return toMessage(m as unknown as MessageRow);
}

/** 32-bit FNV-1a, as a signed int4 for pg_advisory_lock(int4, int4). */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s)) h = Math.imul(h ^ b, 0x01000193);
  return h | 0;
}

type Tx = PoolClient;

/** The columns of an event the domain decided, for a message (or none). */
function eventInput(e: EventWrite, messageId: number | null): EventInput {
  return { kind: e.kind, messageId, data: e.payload, at: e.at, expiresAt: e.expiresAt, device: e.originDevice ?? null };
}

/** An entry for a user's event sequence, before its seq is known. */
interface EventInput {
  kind: UserEventKind;
  messageId: number | null;
  data: unknown;
  at: number;
  expiresAt: number;
  device: string | null;
}

export class PostgresStore implements Store {
  readonly pool: pg.Pool;
  readonly schema: string | undefined;
  private closed = false;

  constructor(opts: PostgresOptions) {
    if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) {
      throw new Error(`PostgreSQL schema name ${JSON.stringify(opts.schema)} must match ${SCHEMA_NAME}`);
    }
    this.schema = opts.schema;
    this.pool = new pg.Pool({
      connectionString: opts.connectionString,
      max: opts.maxConnections ?? 10,
      types: TYPES,
      application_name: 'parley',
      // Set at connection start-up, so no query on any pooled connection can run before it.
      ...(opts.schema !== undefined ? { options: `-c search_path=${opts.schema}` } : {}),
    });
    // An idle pooled connection that dies (server restart, network) is dropped by the pool and
    // the next unit of work connects afresh; without a listener the event would crash the process.
    this.pool.on('error', () => {});
  }

  // ---- plumbing -----------------------------------------------------------------------------

  /** One write unit of work: BEGIN/COMMIT on one client, ROLLBACK on error, rerun on deadlock. */
  private async tx<T>(work: (c: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const c = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await c.query('BEGIN');
        const result = await work(c);
        await c.query('COMMIT');
        return result;
      } catch (e) {
        try {
          await c.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error; // the connection is unusable: destroy it, not reuse it
        }
        if (!broken && attempt < MAX_ATTEMPTS && RETRYABLE.has((e as { code?: string }).code ?? '')) continue;
        throw e;
      } finally {
        c.release(broken);
      }
    }
  }

  /** A multi-statement read: one snapshot, no locks, never a serialization failure. */
  private async read<T>(work: (c: Tx) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await work(c);
      await c.query('COMMIT');
      return result;
    } catch (e) {
      await c.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw e;
    } finally {
      c.release(broken);
    }
  }

  private async rows<R extends QueryResultRow>(c: Tx | pg.Pool, sql: string, params: unknown[]): Promise<R[]> {
    return (await c.query<R>(sql, params)).rows;
  }

  /**
   * Locks the accounts rows of these users, in user_id order, before the unit of work touches
   * anything of theirs. See the file comment: this is what serializes writers per user and keeps
   * lock order acyclic. Users without an account lock nothing (they get no events either).
   */
  private async lockUsers(c: Tx, app: AppId, users: Iterable<string>): Promise<void> {
    await c.query('SELECT 1 FROM accounts WHERE app = $1 AND user_id = ANY($2::text[]) ORDER BY user_id FOR UPDATE', [
      app,
      [...new Set(users)],
    ]);
  }

  // ---- schema -------------------------------------------------------------------------------

  async migrate(): Promise<void> {
    const c = await this.pool.connect();
    let broken: Error | undefined;
    // Session-level advisory lock: nodes starting at once queue here; the first migrates, the
    // others then find schema_migrations up to date. Keyed by schema, so separate schemas on one
    // server (test runs) do not wait for each other.
    const lockKey = [MIGRATION_LOCK_CLASS, hash32(this.schema ?? '')];
    try {
      await c.query('SELECT pg_advisory_lock($1, $2)', lockKey);
      try {
        if (this.schema !== undefined) await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
        await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version    INTEGER PRIMARY KEY,
          applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )`);
        const [{ v }] = (await this.rows<{ v: number }>(
          c,
          'SELECT COALESCE(MAX(version), 0)::int AS v FROM schema_migrations',
          [],
        )) as [{ v: number }];
        for (let version = v + 1; version <= MIGRATIONS.length; version++) {
          await c.query('BEGIN');
          try {
            await c.query(MIGRATIONS[version - 1]!);
            await c.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
            await c.query('COMMIT');
          } catch (e) {
            await c.query('ROLLBACK');
            throw e;
          }
        }
      } finally {
        await c.query('SELECT pg_advisory_unlock($1, $2)', lockKey);
      }
    } catch (e) {
      broken = e as Error; // also drops the session, and with it the advisory lock if still held
      throw e;
    } finally {
      c.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  // ---- accounts -------------------------------------------------------------------------

  async importAccount(app: AppId, a: AccountInput, now: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO accounts (app, user_id, nick, face_url, created_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (app, user_id) DO UPDATE SET nick = COALESCE(excluded.nick, accounts.nick), face_url = COALESCE(excluded.face_url, accounts.face_url)`,
      [app, a.userId, utf8OrNull(a.nick), utf8OrNull(a.faceUrl), now],
    );
  }

  async importAccounts(app: AppId, userIds: string[], now: number): Promise<void> {
    // One statement: all or nothing. Sorted, so concurrent imports meet their rows in one order.
    await this.pool.query(
      `INSERT INTO accounts (app, user_id, created_at)
      SELECT $1, u, $3 FROM (SELECT DISTINCT unnest($2::text[]) AS u) AS ids ORDER BY u
      ON CONFLICT DO NOTHING`,
      [app, userIds, now],
    );
  }

  async importAccountList(app: AppId, accounts: AccountInput[], now: number): Promise<void> {
    await this.tx(async (c) => {
      // Locked in UserID order first, so concurrent imports of overlapping lists cannot deadlock.
      await this.lockUsers(
        c,
        app,
        accounts.map((a) => a.userId),
      );
      for (const a of accounts) {
        await c.query(
          `INSERT INTO accounts (app, user_id, nick, face_url, created_at) VALUES ($1, $2, $3, $4, $5)
          ON CONFLICT (app, user_id) DO UPDATE SET nick = COALESCE(excluded.nick, accounts.nick), face_url = COALESCE(excluded.face_url, accounts.face_url)`,
          [app, a.userId, utf8OrNull(a.nick), utf8OrNull(a.faceUrl), now],
        );
      }
    });
  }

  async deleteAccounts(app: AppId, given: string[]): Promise<string[]> {
    const userIds = given.filter(storableId);
    return this.tx(async (c) => {
      await this.lockUsers(c, app, userIds);
      // The offline queue belongs to the account: a later account of the same UserID starts a
      // new event sequence at 1 and must neither collide with nor inherit these rows.
      await c.query('DELETE FROM events WHERE app = $1 AND user_id = ANY($2::text[])', [app, userIds]);
      // So is its side of each conversation (unread counts, read cursors); the peers keep theirs.
      await c.query('DELETE FROM conversations WHERE app = $1 AND owner = ANY($2::text[])', [app, userIds]);
      await c.query('DELETE FROM profile_fields WHERE app = $1 AND user_id = ANY($2::text[])', [app, userIds]);
      const deleted = new Set(
        (
          await this.rows<{ user_id: string }>(
            c,
            'DELETE FROM accounts WHERE app = $1 AND user_id = ANY($2::text[]) RETURNING user_id',
            [app, userIds],
          )
        ).map((r) => r.user_id),
      );
      return userIds.filter((id) => deleted.has(id));
    });
  }

  async existingAccounts(app: AppId, userIds: string[]): Promise<Set<string>> {
    const rows = await this.rows<{ user_id: string }>(
      this.pool,
      'SELECT user_id FROM accounts WHERE app = $1 AND user_id = ANY($2::text[])',
      [app, userIds.filter(storableId)],
    );
    return new Set(rows.map((r) => r.user_id));
  }

  // ---- profiles -------------------------------------------------------------------------

  async profiles(app: AppId, given: string[]): Promise<Map<string, StoredProfile>> {
    const userIds = [...new Set(given.filter(storableId))];
    return this.read(async (c) => {
      const accounts = await this.rows<{ user_id: string; nick: string | null; face_url: string | null }>(
        c,
        'SELECT user_id, nick, face_url FROM accounts WHERE app = $1 AND user_id = ANY($2::text[])',
        [app, userIds],
      );
      const fields = await this.rows<{
        user_id: string;
        tag: string;
        str_value: string | null;
        int_value: number | null;
      }>(
        c,
        'SELECT user_id, tag, str_value, int_value FROM profile_fields WHERE app = $1 AND user_id = ANY($2::text[])',
        [app, userIds],
      );
      const out = new Map<string, StoredProfile>();
      for (const a of accounts) {
        out.set(a.user_id, {
          ...(a.nick !== null ? { nick: a.nick } : {}),
          ...(a.face_url !== null ? { faceUrl: a.face_url } : {}),
          fields: new Map(),
        });
      }
      for (const f of fields) out.get(f.user_id)?.fields.set(f.tag, f.str_value ?? f.int_value ?? 0);
      return out;
    });
  }

  async writeProfile(app: AppId, w: ProfileWrite): Promise<boolean> {
    if (!storableId(w.userId)) return false;
    return this.tx(async (c) => {
      const [found] = await this.rows<{ one: number }>(
        c,
        'SELECT 1 AS one FROM accounts WHERE app = $1 AND user_id = $2 FOR UPDATE',
        [app, w.userId],
      );
      if (!found) return false;
      if (w.nick !== undefined || w.faceUrl !== undefined) {
        await c.query(
          'UPDATE accounts SET nick = COALESCE($1, nick), face_url = COALESCE($2, face_url) WHERE app = $3 AND user_id = $4',
          [utf8OrNull(w.nick), utf8OrNull(w.faceUrl), app, w.userId],
        );
      }
      for (const [tag, v] of w.fields) {
        await c.query(
          `INSERT INTO profile_fields (app, user_id, tag, str_value, int_value) VALUES ($1, $2, $3, $4, $5)
          ON CONFLICT (app, user_id, tag) DO UPDATE SET str_value = excluded.str_value, int_value = excluded.int_value`,
          [app, w.userId, tag, typeof v === 'string' ? utf8(v) : null, typeof v === 'number' ? v : null],
        );
      }
      await this.enqueue(c, app, w.callbacks, null);
      return true;
    });
  }

  async kickAccount(app: AppId, userId: string, at: number): Promise<boolean> {
    if (!storableId(userId)) return false;
    return (
      ((await this.pool.query('UPDATE accounts SET kicked_at = $1 WHERE app = $2 AND user_id = $3', [at, app, userId]))
        .rowCount ?? 0) > 0
    );
  }

  async kickedAt(app: AppId, userId: string): Promise<number | undefined> {
    if (!storableId(userId)) return undefined;
    const [r] = await this.rows<{ kicked_at: number | null }>(
      this.pool,
      'SELECT kicked_at FROM accounts WHERE app = $1 AND user_id = $2',
      [app, userId],
    );
    return r?.kicked_at ?? undefined;
  }

  async setMutes(app: AppId, userId: string, change: Partial<MuteState>): Promise<boolean> {
    if (!storableId(userId)) return false;
    const r = await this.pool.query(
      `UPDATE accounts SET c2c_mute_until = COALESCE($1::bigint, c2c_mute_until),
      group_mute_until = COALESCE($2::bigint, group_mute_until) WHERE app = $3 AND user_id = $4`,
      [change.c2cUntil ?? null, change.groupUntil ?? null, app, userId],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async mutesOf(app: AppId, userId: string): Promise<MuteState | undefined> {
    if (!storableId(userId)) return undefined;
    const [r] = await this.rows<{ c2c_mute_until: number; group_mute_until: number }>(
      this.pool,
      'SELECT c2c_mute_until, group_mute_until FROM accounts WHERE app = $1 AND user_id = $2',
      [app, userId],
    );
    return r ? { c2cUntil: r.c2c_mute_until, groupUntil: r.group_mute_until } : undefined;
  }

  // ---- messages -------------------------------------------------------------------------

  async appendMessage(app: AppId, m: NewMessage): Promise<AppendResult> {
    return this.tx(async (c) => {
      await this.lockUsers(c, app, [m.from, m.to, ...m.deliverTo]);
      return this.append(c, app, m);
    });
  }

  async appendMessages(app: AppId, ms: NewMessage[]): Promise<AppendResult[]> {
    return this.tx(async (c) => {
      // Every user of the batch, locked up front: locking per copy would interleave orders.
      await this.lockUsers(
        c,
        app,
        ms.flatMap((m) => [m.from, m.to, ...m.deliverTo]),
      );
      const out: AppendResult[] = [];
      for (const m of ms) out.push(await this.append(c, app, m));
      return out;
    });
  }

  private async append(c: Tx, app: AppId, m: NewMessage): Promise<AppendResult> {
    const [lo, hi] = conversationPair(m.from, m.to);
    const [row] = await this.rows<MessageRow>(
      c,
      `INSERT INTO messages (app, user_lo, user_hi, sender, recipient, seq, random, time, body,
        cloud_custom_data, offline_push_info, origin, flags, life_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
      ON CONFLICT (app, sender, recipient, seq, random, time) DO NOTHING RETURNING ${MESSAGE_COLUMNS}`,
      [
        app,
        lo,
        hi,
        m.from,
        m.to,
        m.seq,
        m.random,
        m.time,
        JSON.stringify(m.body),
        utf8(m.cloudCustomData),
        m.offlinePushInfo ? JSON.stringify(m.offlinePushInfo) : null,
        m.origin,
        packFlags(m),
        m.lifeTime,
      ],
    );
    if (!row) {
      // Stored before (or by a concurrent send that committed first): report that copy, write nothing.
      const existing = (await this.messageByIdentity(c, app, m.from, m.to, m))!;
      return { message: existing, duplicate: true, recipientUnread: await this.unreadOf(c, app, m.to) };
    }
    const id = row.id;
    let recipientUnread: number | undefined;
    if (!m.onlineOnly) {
      // The recipient's side: last message, and unread if after the read cursor (one upsert).
      const cursor = await this.upsertConversation(c, app, m.to, m.from, m, id, m.countsUnread);
      const unreadAdded = m.countsUnread && isAfterCursor(m.time, id, cursor) ? 1 : 0;
      const toEvents = m.deliverTo.includes(m.to);
      if (toEvents || unreadAdded) {
        recipientUnread = await this.bumpAccount(
          c,
          app,
          m.to,
          unreadAdded,
          toEvents
            ? {
                kind: 'message',
                messageId: id,
                data: null,
                at: m.time,
                expiresAt: m.queueUntil,
                device: m.originDevice ?? null,
              }
            : undefined,
        );
      }
      // The sender's side, unless SyncOtherMachine 2 keeps it out of the sender's roaming.
      if (m.senderRoams && m.from !== m.to) await this.upsertConversation(c, app, m.from, m.to, m, id, false);
      for (const user of m.deliverTo) {
        if (user !== m.to)
          await this.appendEvent(c, app, user, 'message', id, null, m.time, m.queueUntil, m.originDevice ?? null);
      }
    }
    await this.enqueue(c, app, m.callbacks, id);
    return {
      message: toMessage(row),
      duplicate: false,
      recipientUnread: recipientUnread ?? (await this.unreadOf(c, app, m.to)),
    };
  }

  /**
   * Creates or advances the owner's side of a conversation for message id, in one statement: the
   * last message moves unless a later one already is last (imports may arrive out of order), and
   * unread grows if the message is after the read cursor. Returns that cursor (this write leaves
   * it alone), so the caller knows whether the message was counted.
   */
  private async upsertConversation(
    c: Tx,
    app: AppId,
    owner: string,
    peer: string,
    m: NewMessage,
    id: number,
    countsUnread: boolean,
  ): Promise<{ read_time: number; read_id: number }> {
    const last = m.updatesLastMessage;
    const [cursor] = await this.rows<{ read_time: number; read_id: number }>(
      c,
      `INSERT INTO conversations AS c
        (app, owner, peer, updated_at, last_msg_id, last_time, unread) VALUES ($1, $2, $3, $4::bigint, $5::bigint, $6::bigint, $7::bigint)
      ON CONFLICT (app, owner, peer) DO UPDATE SET
        unread = c.unread + CASE WHEN $8::boolean AND ($4::bigint, $9::bigint) > (c.read_time, c.read_id) THEN 1 ELSE 0 END,
        last_msg_id = CASE WHEN $10::boolean AND c.last_time <= $4::bigint THEN $9::bigint ELSE c.last_msg_id END,
        updated_at = CASE WHEN $10::boolean AND c.last_time <= $4::bigint THEN GREATEST(c.updated_at, $4::bigint) ELSE c.updated_at END,
        last_time = CASE WHEN $10::boolean AND c.last_time <= $4::bigint THEN $4::bigint ELSE c.last_time END
      RETURNING read_time, read_id`,
      [app, owner, peer, m.time, last ? id : null, last ? m.time : 0, countsUnread ? 1 : 0, countsUnread, id, last],
    );
    return cursor!;
  }

  /**
   * Moves a user's unread total by `unread` and, with an event, takes the next seq of the user's
   * event sequence and inserts the event there, in one statement. The UPDATE's row lock, held to
   * COMMIT, orders this user's events. A user without an account (deleted meanwhile) gets
   * nothing: the UPDATE returns no row, so nothing is inserted, and the answer is undefined;
   * otherwise it is the new unread total.
   */
  private async bumpAccount(
    c: Tx,
    app: AppId,
    user: string,
    unread: number,
    event?: EventInput,
  ): Promise<number | undefined> {
    const [r] = await this.rows<{ unread_total: number }>(
      c,
      `WITH acc AS (
        UPDATE accounts SET event_seq = event_seq + $3::int, unread_total = unread_total + $4::int
        WHERE app = $1 AND user_id = $2 RETURNING event_seq, unread_total
      ), ev AS (
        INSERT INTO events (app, user_id, seq, kind, message_id, data, at, expires_at, origin_device)
        SELECT $1, $2, acc.event_seq, $5::text, $6::bigint, $7::text, $8::bigint, $9::bigint, $10::text FROM acc WHERE $3::int = 1
      )
      SELECT unread_total FROM acc`,
      [
        app,
        user,
        event ? 1 : 0,
        unread,
        event?.kind ?? null,
        event?.messageId ?? null,
        event && event.data !== null ? JSON.stringify(event.data) : null,
        event?.at ?? 0,
        event?.expiresAt ?? 0,
        event?.device ?? null,
      ],
    );
    return r?.unread_total;
  }

  /** Adds to a user's total unread, never below zero. */
  private async addUnread(c: Tx, app: AppId, user: string, delta: number): Promise<void> {
    await c.query('UPDATE accounts SET unread_total = GREATEST(0, unread_total + $1) WHERE app = $2 AND user_id = $3', [
      delta,
      app,
      user,
    ]);
  }

  private async unreadOf(c: Tx | pg.Pool, app: AppId, user: string): Promise<number> {
    const [r] = await this.rows<{ unread_total: number }>(
      c,
      'SELECT unread_total FROM accounts WHERE app = $1 AND user_id = $2',
      [app, user],
    );
    return r?.unread_total ?? 0;
  }

  /** Appends to a user's event sequence (see bumpAccount). */
  private async appendEvent(
    c: Tx,
    app: AppId,
    user: string,
    kind: UserEventKind,
    messageId: number | null,
    data: unknown,
    at: number,
    expiresAt: number,
    device: string | null,
  ): Promise<void> {
    await this.bumpAccount(c, app, user, 0, { kind, messageId, data, at, expiresAt, device });
  }

  /** Appends an event the domain decided. */
  private async appendWrite(c: Tx, app: AppId, e: EventWrite, messageId: number | null): Promise<void> {
    await this.bumpAccount(c, app, e.user, 0, eventInput(e, messageId));
  }

  private async messageByIdentity(
    c: Tx | pg.Pool,
    app: AppId,
    from: string,
    to: string,
    k: { seq: number; random: number; time: number },
    forUpdate = false,
  ): Promise<StoredMessage | undefined> {
    const [row] = await this.rows<MessageRow>(
      c,
      `SELECT ${MESSAGE_COLUMNS} FROM messages
      WHERE app = $1 AND sender = $2 AND recipient = $3 AND seq = $4 AND random = $5 AND time = $6${forUpdate ? ' FOR UPDATE' : ''}`,
      [app, from, to, k.seq, k.random, k.time],
    );
    return row ? toMessage(row) : undefined;
  }

  async findImported(app: AppId, r: MessageRef): Promise<StoredMessage | undefined> {
    if (!storableId(r.from) || !storableId(r.to)) return undefined;
    // Either direction; the given one first, as in the SQLite adapter, should both exist.
    const [row] = await this.rows<MessageRow>(
      this.pool,
      `SELECT ${MESSAGE_COLUMNS} FROM messages
      WHERE app = $1 AND ((sender = $2 AND recipient = $3) OR (sender = $3 AND recipient = $2)) AND seq = $4 AND random = $5 AND time = $6
      ORDER BY sender = $2 DESC LIMIT 1`,
      [app, r.from, r.to, r.seq, r.random, r.time],
    );
    return row ? toMessage(row) : undefined;
  }

  async findMessage(app: AppId, r: MessageRef): Promise<StoredMessage | undefined> {
    if (!storableId(r.from) || !storableId(r.to)) return undefined;
    return this.messageByIdentity(this.pool, app, r.from, r.to, r);
  }

  async recallMessage(app: AppId, req: RecallRequest): Promise<RecallResult> {
    return this.tx(async (c): Promise<RecallResult> => {
      const r = req.ref;
      await this.lockUsers(c, app, [r.from, r.to]);
      // FOR UPDATE: a concurrent recall of this message waits here, then sees it recalled.
      const before = await this.messageByIdentity(c, app, r.from, r.to, r, true);
      // Deleted by everyone who had it: its content is gone already, there is nothing to recall.
      if (!before || isHeldByNobody(before)) return { outcome: 'not_found' };
      if (before.recalled) return { outcome: 'already_recalled', message: before };
      const msgKey = msgKeyOf(r);
      // Erased, off the offline queues (a device that has not synced it yet will never get the
      // content) and audited, in one statement.
      const [erased] = await this.rows<MessageRow>(
        c,
        `WITH erased AS (
          UPDATE messages SET body = '[]', cloud_custom_data = '', offline_push_info = NULL, recalled_by = $1, recalled_at = $2
          WHERE id = $3 RETURNING ${MESSAGE_COLUMNS}
        ), dequeued AS (
          DELETE FROM events WHERE message_id = $3 AND kind IN ('message', 'extension')
        ), unextended AS (
          DELETE FROM message_extensions WHERE message_id = $3
        ), unversioned AS (
          DELETE FROM message_extension_versions WHERE message_id = $3
        ), audited AS (
          INSERT INTO recall_audit (app, sender, recipient, msg_key, by_user, via, at) VALUES ($4, $5, $6, $7, $1, $8, $2)
        )
        SELECT * FROM erased`,
        [req.by, req.at, before.id, app, r.from, r.to, msgKey, req.via],
      );
      // The recipient: off the unread counts only if it is counted there (after the read cursor:
      // the row comparison mirrors isReadBy), and its event; one statement.
      const toRecipient = req.events.find((e) => e.user === r.to);
      const ev = toRecipient ? eventInput(toRecipient, before.id) : undefined;
      const [recipient] = await this.rows<{ unread_total: number }>(
        c,
        `WITH uncounted AS (
          UPDATE conversations SET unread = GREATEST(0, unread - 1)
          WHERE $3::boolean AND app = $1 AND owner = $2 AND peer = $4 AND (read_time, read_id) < ($5::bigint, $6::bigint)
          RETURNING 1
        ), acc AS (
          UPDATE accounts SET event_seq = event_seq + $11::int, unread_total = GREATEST(0, unread_total - (SELECT count(*) FROM uncounted))
          WHERE app = $1 AND user_id = $2 RETURNING event_seq, unread_total
        ), ev AS (
          INSERT INTO events (app, user_id, seq, kind, message_id, data, at, expires_at, origin_device)
          SELECT $1, $2, acc.event_seq, $12::text, $6::bigint, $7::text, $8::bigint, $9::bigint, $10::text FROM acc WHERE $11::int = 1
        )
        SELECT unread_total FROM acc`,
        [
          app,
          r.to,
          req.uncountUnread && !before.onlineOnly && before.countsUnread && !before.deletedBy?.recipient,
          r.from,
          before.time,
          before.id,
          ev ? JSON.stringify(ev.data) : null,
          ev?.at ?? 0,
          ev?.expiresAt ?? 0,
          ev?.device ?? null,
          ev ? 1 : 0,
          ev?.kind ?? null,
        ],
      );
      for (const e of req.events) if (e !== toRecipient) await this.appendWrite(c, app, e, before.id);
      await this.eraseOutbox(c, before.id);
      await this.enqueue(c, app, req.callbacks, null);
      return { outcome: 'recalled', message: toMessage(erased!), recipientUnread: recipient?.unread_total ?? 0 };
    });
  }

  /**
   * Pending callbacks carry a message's content too (after-send: MsgBody, CloudCustomData;
   * after-extension: ExtensionList): erase the fields present. In JS rather than with jsonb, which
   * would reorder the body's keys (SQLite's json_replace keeps them).
   */
  private async eraseOutbox(c: Tx, messageId: number): Promise<void> {
    const pending = await this.rows<{ id: number; body: string }>(
      c,
      'SELECT id, body FROM callback_outbox WHERE message_id = $1 FOR UPDATE',
      [messageId],
    );
    for (const p of pending) {
      const body = JSON.parse(p.body) as Record<string, unknown>;
      for (const [field, erased] of CONTENT_FIELDS) if (Object.hasOwn(body, field)) body[field] = erased;
      await c.query('UPDATE callback_outbox SET body = $1 WHERE id = $2', [JSON.stringify(body), p.id]);
    }
  }

  /** Nobody holds the message any more: its content leaves the row, every queue and the outbox. */
  private async eraseContent(c: Tx, messageId: number): Promise<void> {
    await c.query(
      `WITH erased AS (
        UPDATE messages SET body = '[]', cloud_custom_data = '', offline_push_info = NULL WHERE id = $1
      )
      DELETE FROM events WHERE message_id = $1 AND kind IN ('message', 'extension')`,
      [messageId],
    );
    // Its extensions are content too.
    await c.query('DELETE FROM message_extensions WHERE message_id = $1', [messageId]);
    await c.query('DELETE FROM message_extension_versions WHERE message_id = $1', [messageId]);
    await this.eraseOutbox(c, messageId);
  }

  async deleteMessages(app: AppId, req: DeleteMessagesRequest): Promise<DeleteMessagesResult> {
    const { owner, peer } = req;
    if (!storableId(owner) || !storableId(peer)) return { deleted: [], ownerUnread: 0 };
    return this.tx(async (c): Promise<DeleteMessagesResult> => {
      await this.lockUsers(c, app, [owner, peer]);
      const deleted: MessageRef[] = [];
      let unreadRemoved = 0;
      for (const ref of req.refs) {
        if (!storableId(ref.from) || !storableId(ref.to)) continue;
        const m = await this.messageByIdentity(c, app, ref.from, ref.to, ref, true);
        if (!m || isDeletedFor(m, owner) || (m.from !== owner && m.to !== owner)) continue;
        await c.query(
          `WITH flagged AS (UPDATE messages SET flags = flags | $1 WHERE id = $2)
          DELETE FROM events WHERE app = $3 AND user_id = $4 AND message_id = $2 AND kind IN ('message', 'modify')`,
          [deletedBitsFor(m, owner), m.id, app, owner],
        );
        // Counted unread for the owner (its recipient): it no longer counts (row comparison mirrors isReadBy).
        if (m.to === owner && !m.onlineOnly && m.countsUnread && !m.recalled) {
          const dropped = await this.rows(
            c,
            `UPDATE conversations SET unread = GREATEST(0, unread - 1)
            WHERE app = $1 AND owner = $2 AND peer = $3 AND (read_time, read_id) < ($4::bigint, $5::bigint) RETURNING 1`,
            [app, owner, m.from, m.time, m.id],
          );
          unreadRemoved += dropped.length;
        }
        if (isHeldByNobody(deletedFor(m, owner))) await this.eraseContent(c, m.id);
        deleted.push({ from: m.from, to: m.to, seq: m.seq, random: m.random, time: m.time });
      }
      if (unreadRemoved > 0) await this.addUnread(c, app, owner, -unreadRemoved);
      if (deleted.length > 0) for (const e of req.eventsFor(deleted)) await this.appendWrite(c, app, e, null);
      return { deleted, ownerUnread: await this.unreadOf(c, app, owner) };
    });
  }

  async deleteConversation(app: AppId, req: DeleteConversationRequest): Promise<void> {
    const { owner, peer } = req;
    if (!storableId(owner) || !storableId(peer)) return;
    const [lo, hi] = conversationPair(owner, peer);
    await this.tx(async (c) => {
      await this.lockUsers(c, app, [owner, peer]);
      const [conv] = await this.rows<ConversationRow>(
        c,
        `SELECT owner, peer, unread, read_time, read_id, last_msg_id, last_time, updated_at
        FROM conversations WHERE app = $1 AND owner = $2 AND peer = $3 FOR UPDATE`,
        [app, owner, peer],
      );
      if (conv) {
        // Everything stored in the conversation so far becomes read: the newest message's (time, id).
        const [newest] = await this.rows<{ time: number; id: number }>(
          c,
          `SELECT time, id FROM messages
          WHERE app = $1 AND user_lo = $2 AND user_hi = $3 ORDER BY time DESC, id DESC LIMIT 1`,
          [app, lo, hi],
        );
        const current = { time: conv.read_time, id: conv.read_id };
        const moved = newest !== undefined && !isReadBy(newest, current);
        const next = moved ? newest : current;
        await c.query(
          `UPDATE conversations SET last_msg_id = NULL, last_time = 0, unread = 0, read_time = $1, read_id = $2
          WHERE app = $3 AND owner = $4 AND peer = $5`,
          [next.time, next.id, app, owner, peer],
        );
        if (conv.unread !== 0) await this.addUnread(c, app, owner, -conv.unread);
        if (moved)
          for (const e of req.eventsIfReadMoved({ readTime: next.time, unread: 0 }))
            await this.appendWrite(c, app, e, null);
      }
      if (req.clearHistory) {
        await c.query(
          `UPDATE messages SET flags = flags | (CASE WHEN sender = $1 THEN ${FLAG.deletedBySender} ELSE 0 END)
          | (CASE WHEN recipient = $1 THEN ${FLAG.deletedByRecipient} ELSE 0 END) WHERE app = $2 AND user_lo = $3 AND user_hi = $4`,
          [owner, app, lo, hi],
        );
        await c.query(
          `DELETE FROM events WHERE app = $1 AND user_id = $2 AND kind IN ('message', 'modify')
          AND message_id IN (SELECT id FROM messages WHERE app = $1 AND user_lo = $3 AND user_hi = $4)`,
          [app, owner, lo, hi],
        );
        const unheld = await this.rows<{ id: number }>(
          c,
          `SELECT id FROM messages WHERE app = $1 AND user_lo = $2 AND user_hi = $3 AND ${SQL_HELD_BY_NOBODY}
          AND (body <> '[]' OR cloud_custom_data <> ''::bytea OR offline_push_info IS NOT NULL) FOR UPDATE`,
          [app, lo, hi],
        );
        for (const { id } of unheld) await this.eraseContent(c, id);
      }
      for (const e of req.events) await this.appendWrite(c, app, e, null);
    });
  }

  async conversationPage(app: AppId, q: ConversationPageQuery): Promise<ConversationRecord[]> {
    if (!storableId(q.owner)) return [];
    const rows = await this.rows<Record<string, unknown>>(
      this.pool,
      `${PostgresStore.CONVERSATION_SELECT}
      WHERE c.app = $1 AND c.owner = $2 AND c.last_msg_id IS NOT NULL AND c.last_time <= $3 ORDER BY c.last_time DESC, c.peer LIMIT $4 OFFSET $5`,
      [app, q.owner, q.before?.time ?? MAX_ID, q.limit, q.before?.skip ?? 0],
    );
    return rows.map(toConversation);
  }

  async extensions(app: AppId, r: MessageRef): Promise<ExtensionState | undefined> {
    if (!storableId(r.from) || !storableId(r.to)) return undefined;
    return this.read(async (c) => {
      const message = await this.messageByIdentity(c, app, r.from, r.to, r);
      if (!message) return undefined;
      const [v] = await this.rows<{ version: string; clear_seq: string }>(
        c,
        'SELECT version, clear_seq FROM message_extension_versions WHERE message_id = $1',
        [message.id],
      );
      // Keys are bytes (they may hold U+0000): sorted as bytes, as SQLite's BINARY collation does.
      const pairs = await this.rows<{ key: Buffer; value: Buffer; seq: string }>(
        c,
        'SELECT ext_key AS key, ext_value AS value, seq FROM message_extensions WHERE message_id = $1 ORDER BY seq, ext_key',
        [message.id],
      );
      return {
        message,
        version: Number(v?.version ?? 0),
        clearSeq: Number(v?.clear_seq ?? 0),
        pairs: pairs.map((p) => ({ key: p.key.toString('utf8'), value: p.value.toString('utf8'), seq: Number(p.seq) })),
      };
    });
  }

  async writeExtensions(app: AppId, w: ExtensionWrite): Promise<ExtensionWriteResult> {
    const r = w.ref;
    if (!storableId(r.from) || !storableId(r.to)) return 'not_found';
    return this.tx(async (c): Promise<ExtensionWriteResult> => {
      await this.lockUsers(c, app, [r.from, r.to]);
      // FOR UPDATE: a racing change or recall of this message waits here, then sees what it did.
      const message = await this.messageByIdentity(c, app, r.from, r.to, r, true);
      if (!message) return 'not_found';
      if (message.recalled) return 'recalled';
      const [v] = await this.rows<{ version: string; clear_seq: string }>(
        c,
        'SELECT version, clear_seq FROM message_extension_versions WHERE message_id = $1',
        [message.id],
      );
      if (Number(v?.version ?? 0) !== w.ifVersion) return 'moved';
      if (w.clear) await c.query('DELETE FROM message_extensions WHERE message_id = $1', [message.id]);
      if (w.remove.length > 0) {
        await c.query('DELETE FROM message_extensions WHERE message_id = $1 AND ext_key = ANY($2::bytea[])', [
          message.id,
          w.remove.map((k) => Buffer.from(k, 'utf8')),
        ]);
      }
      for (const p of w.set) {
        await c.query(
          `INSERT INTO message_extensions (message_id, ext_key, ext_value, seq) VALUES ($1, $2, $3, $4)
          ON CONFLICT (message_id, ext_key) DO UPDATE SET ext_value = excluded.ext_value, seq = excluded.seq`,
          [message.id, Buffer.from(p.key, 'utf8'), Buffer.from(p.value, 'utf8'), w.version],
        );
      }
      await c.query(
        `INSERT INTO message_extension_versions (message_id, version, clear_seq) VALUES ($1, $2, $3)
        ON CONFLICT (message_id) DO UPDATE SET version = excluded.version, clear_seq = excluded.clear_seq`,
        [message.id, w.version, w.clear ? w.version : Number(v?.clear_seq ?? 0)],
      );
      for (const e of w.events) await this.appendWrite(c, app, e, message.id);
      await this.enqueue(c, app, w.callbacks, message.id);
      return 'written';
    });
  }

  async modifyMessage(app: AppId, req: ModifyRequest): Promise<ModifyResult> {
    return this.tx(async (c): Promise<ModifyResult> => {
      const r = req.ref;
      await this.lockUsers(c, app, [r.from, r.to]);
      const before = await this.messageByIdentity(c, app, r.from, r.to, r, true);
      if (!before || isHeldByNobody(before)) return { outcome: 'not_found' };
      if (before.recalled) return { outcome: 'recalled' };
      const [row] = await this.rows<MessageRow>(
        c,
        `UPDATE messages SET body = COALESCE($1, body), cloud_custom_data = COALESCE($2, cloud_custom_data)
        WHERE id = $3 RETURNING ${MESSAGE_COLUMNS}`,
        [req.body ? JSON.stringify(req.body) : null, utf8OrNull(req.cloudCustomData), before.id],
      );
      for (const e of req.events) if (!isDeletedFor(before, e.user)) await this.appendWrite(c, app, e, before.id);
      return { outcome: 'modified', message: toMessage(row!) };
    });
  }

  async markReceipts(app: AppId, req: ReceiptRequest): Promise<ReceiptResult> {
    for (const ref of req.refs) if (!storableId(ref.from) || !storableId(ref.to)) return { outcome: 'not_found', ref };
    return this.tx(async (c): Promise<ReceiptResult> => {
      const users = new Set(req.refs.flatMap((r) => [r.from, r.to]));
      for (const e of req.events) users.add(e.user);
      await this.lockUsers(c, app, users);
      const ids: number[] = [];
      for (const ref of req.refs) {
        // FOR UPDATE: a recall of one of them either waits for this receipt or is seen here.
        const m = await this.messageByIdentity(c, app, ref.from, ref.to, ref, true);
        if (!m) return { outcome: 'not_found', ref };
        if (m.recalled) return { outcome: 'recalled', ref };
        ids.push(m.id);
      }
      await c.query(`UPDATE messages SET flags = ${SQL_WITH_RECEIPT} WHERE id = ANY($1::bigint[])`, [ids]);
      for (const e of req.events) await this.appendWrite(c, app, e, null);
      await this.enqueue(c, app, req.callbacks, null);
      return { outcome: 'marked' };
    });
  }

  async history(app: AppId, q: HistoryQuery): Promise<HistoryPage> {
    if (!storableId(q.owner) || !storableId(q.peer))
      return { messages: [], more: false, ownerRead: { time: 0, id: 0 }, peerRead: { time: 0, id: 0 } };
    const [lo, hi] = conversationPair(q.owner, q.peer);
    const b = q.before ?? { time: q.maxTime, seq: MAX_ID, id: MAX_ID };
    return this.read(async (c) => {
      // Walk the conversation index backwards from the cursor; skip what the owner does not see
      // (online-only messages, and the sender's side of SyncOtherMachine 2 messages).
      const rows = await this.rows<MessageRow>(
        c,
        `SELECT ${MESSAGE_COLUMNS} FROM messages
        WHERE app = $1 AND user_lo = $2 AND user_hi = $3 AND time >= $4 AND time <= $5
          AND (time, seq, id) < ($6::bigint, $7::bigint, $8::bigint)
          AND ${SQL_NOT_ONLINE_ONLY} AND (sender <> $9 OR ${SQL_SENDER_ROAMS} OR sender = recipient) AND ${sqlNotDeletedFor('$9')}
        ORDER BY time DESC, seq DESC, id DESC LIMIT $10`,
        [app, lo, hi, q.minTime, q.maxTime, b.time, b.seq, b.id, q.owner, q.limit + 1],
      );
      const cursors = await this.rows<{ owner: string; read_time: number; read_id: number }>(
        c,
        `SELECT owner, read_time, read_id FROM conversations
         WHERE app = $1 AND ((owner = $2 AND peer = $3) OR (owner = $3 AND peer = $2))`,
        [app, q.owner, q.peer],
      );
      const cursorOf = (user: string) => {
        const row = cursors.find((x) => x.owner === user);
        return { time: row?.read_time ?? 0, id: row?.read_id ?? 0 };
      };
      return {
        messages: rows.slice(0, q.limit).map(toMessage),
        more: rows.length > q.limit,
        ownerRead: cursorOf(q.owner),
        peerRead: cursorOf(q.peer),
      };
    });
  }

  async recallAudit(app: AppId, limit: number): Promise<RecallAuditEntry[]> {
    const rows = await this.rows<{
      sender: string;
      recipient: string;
      msg_key: string;
      by_user: string;
      via: string;
      at: number;
    }>(
      this.pool,
      'SELECT sender, recipient, msg_key, by_user, via, at FROM recall_audit WHERE app = $1 ORDER BY id DESC LIMIT $2',
      [app, limit],
    );
    return rows.map((r) => ({
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
    return this.tx(async (c): Promise<ReadResult> => {
      await this.lockUsers(c, app, [owner, peer]);
      await c.query(
        'INSERT INTO conversations (app, owner, peer, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [app, owner, peer, req.at],
      );
      const [conv] = (await this.rows<ConversationRow>(
        c,
        `SELECT owner, peer, unread, read_time, read_id, last_msg_id, last_time, updated_at
        FROM conversations WHERE app = $1 AND owner = $2 AND peer = $3 FOR UPDATE`,
        [app, owner, peer],
      )) as [ConversationRow];
      const [lo, hi] = conversationPair(owner, peer);
      // 'stored': (time, the highest id this conversation holds at that second). A message arriving
      // later in the same second gets a higher id and stays unread. The max is over committed rows
      // of this conversation only: with its users locked, no insert into it is in flight, and any
      // later one draws a higher id. (A global max would count ids of in-flight inserts elsewhere,
      // harmless but needlessly coupled.)
      let candidate = { time: req.upTo.time, id: MAX_ID };
      if (req.upTo.through === 'stored') {
        const [{ id }] = (await this.rows<{ id: number }>(
          c,
          `SELECT COALESCE(MAX(id), 0) AS id FROM messages
          WHERE app = $1 AND user_lo = $2 AND user_hi = $3 AND time = $4`,
          [app, lo, hi, req.upTo.time],
        )) as [{ id: number }];
        candidate = { time: req.upTo.time, id };
      }
      const current = { time: conv.read_time, id: conv.read_id };
      const moved = !isReadBy(candidate, current);
      const next = moved ? candidate : current;
      // Messages from peer to owner after the cursor that are counted unread, counted afresh.
      const [{ n: unread }] = (await this.rows<{ n: number }>(
        c,
        `SELECT COUNT(*) AS n FROM messages
        WHERE app = $1 AND user_lo = $2 AND user_hi = $3 AND time >= $4 AND sender = $5
          AND ${SQL_COUNTS_UNREAD} AND ${SQL_NOT_DELETED_BY_RECIPIENT} AND recalled_by IS NULL AND (time, id) > ($4::bigint, $6::bigint)`,
        [app, lo, hi, next.time, peer, next.id],
      )) as [{ n: number }];
      await c.query(
        'UPDATE conversations SET read_time = $1, read_id = $2, unread = $3 WHERE app = $4 AND owner = $5 AND peer = $6',
        [next.time, next.id, unread, app, owner, peer],
      );
      if (unread !== conv.unread) await this.addUnread(c, app, owner, unread - conv.unread);
      if (moved)
        for (const e of req.eventsIfMoved({ readTime: next.time, unread })) await this.appendWrite(c, app, e, null);
      await this.enqueue(c, app, req.callbacks, null);
      return { unread, totalUnread: await this.unreadOf(c, app, owner), readTime: next.time };
    });
  }

  async totalUnread(app: AppId, owner: string): Promise<number> {
    if (!storableId(owner)) return 0;
    return this.unreadOf(this.pool, app, owner);
  }

  // One statement per call: the peer's cursor and the last message come from the same snapshot.
  private static readonly CONVERSATION_SELECT =
    `SELECT c.owner, c.peer, c.unread, c.read_time, c.updated_at, c.last_time,
      p.read_time AS peer_read_time, ${JOINED_MESSAGE_COLUMNS}
    FROM conversations c
    LEFT JOIN conversations p ON p.app = c.app AND p.owner = c.peer AND p.peer = c.owner
    LEFT JOIN messages m ON m.id = c.last_msg_id`;

  async conversation(app: AppId, owner: string, peer: string): Promise<ConversationRecord | undefined> {
    if (!storableId(owner) || !storableId(peer)) return undefined;
    const [row] = await this.rows<Record<string, unknown>>(
      this.pool,
      `${PostgresStore.CONVERSATION_SELECT} WHERE c.app = $1 AND c.owner = $2 AND c.peer = $3`,
      [app, owner, peer],
    );
    return row ? toConversation(row) : undefined;
  }

  // ---- events -------------------------------------------------------------------------------

  async eventsAfter(app: AppId, userId: string, afterSeq: number, limit: number, now: number): Promise<UserEvent[]> {
    if (!storableId(userId)) return [];
    const rows = await this.rows<Record<string, unknown>>(
      this.pool,
      `SELECT e.seq, e.kind, e.at, e.data, e.origin_device, ${JOINED_MESSAGE_COLUMNS}
      FROM events e LEFT JOIN messages m ON m.id = e.message_id
      WHERE e.app = $1 AND e.user_id = $2 AND e.seq > $3 AND e.expires_at >= $4 ORDER BY e.seq LIMIT $5`,
      [app, userId, afterSeq, now, limit],
    );
    return rows.map((r) => {
      const ev: UserEvent = { seq: r.seq as number, kind: r.kind as UserEventKind, at: r.at as number };
      const message = joinedMessage(r);
      if (message) ev.message = message;
      if (r.data !== null) ev.data = JSON.parse(r.data as string);
      if (r.origin_device !== null) ev.originDevice = r.origin_device as string;
      return ev;
    });
  }

  async lastEventSeq(app: AppId, userId: string): Promise<number> {
    if (!storableId(userId)) return 0;
    const [r] = await this.rows<{ event_seq: number }>(
      this.pool,
      'SELECT event_seq FROM accounts WHERE app = $1 AND user_id = $2',
      [app, userId],
    );
    return r?.event_seq ?? 0;
  }

  async conversationSnapshot(
    app: AppId,
    owner: string,
    limit: number,
  ): Promise<{ lastSeq: number; conversations: ConversationRecord[] }> {
    if (!storableId(owner)) return { lastSeq: 0, conversations: [] };
    // One REPEATABLE READ snapshot: the list reflects exactly the events up to lastSeq.
    return this.read(async (c) => {
      const [r] = await this.rows<{ event_seq: number }>(
        c,
        'SELECT event_seq FROM accounts WHERE app = $1 AND user_id = $2',
        [app, owner],
      );
      const rows = await this.rows<Record<string, unknown>>(
        c,
        `${PostgresStore.CONVERSATION_SELECT}
        WHERE c.app = $1 AND c.owner = $2 AND c.last_msg_id IS NOT NULL ORDER BY c.updated_at DESC, c.peer LIMIT $3`,
        [app, owner, limit],
      );
      return { lastSeq: r?.event_seq ?? 0, conversations: rows.map(toConversation) };
    });
  }

  // ---- callback outbox ----------------------------------------------------------------------

  /** Writes callbacks inside the caller's transaction, filling UnreadMsgNum as of this write. */
  private async enqueue(
    c: Tx,
    app: AppId,
    entries: CallbackEntry[] | undefined,
    messageId: number | null,
  ): Promise<void> {
    for (const e of entries ?? []) {
      const body =
        e.unreadOf !== undefined ? { ...e.body, UnreadMsgNum: await this.unreadOf(c, app, e.unreadOf) } : e.body;
      await c.query(
        `INSERT INTO callback_outbox (app, command, order_key, message_id, body, query, created_at, next_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
        [app, e.command, e.orderKey, messageId, JSON.stringify(body), JSON.stringify(e.query), e.at],
      );
    }
  }

  async enqueueCallbacks(app: AppId, entries: CallbackEntry[]): Promise<void> {
    await this.tx((c) => this.enqueue(c, app, entries, null));
  }

  async claimCallbacks(now: number, limit: number, leaseMs: number): Promise<PendingCallback[]> {
    // The oldest entry of each order key, if due and not leased; SKIP LOCKED lets several nodes
    // claim side by side without waiting on each other or taking the same entry.
    return this.tx(async (c) => {
      const rows = await this.rows<Record<string, unknown>>(
        c,
        `UPDATE callback_outbox SET lease_until = $2
        WHERE id IN (
          SELECT o.id FROM callback_outbox o
          WHERE o.next_at <= $1 AND o.lease_until <= $1
            AND NOT EXISTS (SELECT 1 FROM callback_outbox p WHERE p.order_key = o.order_key AND p.id < o.id)
          ORDER BY o.id LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING id, app, command, body, query, created_at, attempts`,
        [now, now + leaseMs, limit],
      );
      return rows
        .map((r) => ({
          id: r.id as number,
          app: r.app as number,
          command: r.command as string,
          body: JSON.parse(r.body as string),
          query: JSON.parse(r.query as string),
          createdAt: r.created_at as number,
          attempts: r.attempts as number,
        }))
        .sort((a, b) => a.id - b.id);
    });
  }

  async callbackDelivered(id: number): Promise<void> {
    await this.pool.query('DELETE FROM callback_outbox WHERE id = $1', [id]);
  }

  async callbackFailed(id: number, nextAt: number, error: string): Promise<void> {
    await this.pool.query(
      'UPDATE callback_outbox SET next_at = $1, lease_until = 0, attempts = attempts + 1, last_error = $2 WHERE id = $3',
      [nextAt, error.slice(0, 500), id],
    );
  }

  async callbackGivenUp(id: number): Promise<void> {
    await this.pool.query('DELETE FROM callback_outbox WHERE id = $1', [id]);
  }

  async outboxOf(app: AppId): Promise<OutboxEntry[]> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      'SELECT id, command, order_key, body, attempts, next_at, lease_until, last_error FROM callback_outbox WHERE app = $1 ORDER BY id',
      [app],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      command: r.command as string,
      orderKey: r.order_key as string,
      body: JSON.parse(r.body as string),
      attempts: Number(r.attempts),
      nextAt: Number(r.next_at),
      leaseUntil: Number(r.lease_until),
      lastError: r.last_error as string | null,
    }));
  }
}

function toConversation(r: Record<string, unknown>): ConversationRecord {
  const last = joinedMessage(r);
  return {
    owner: r.owner as string,
    peer: r.peer as string,
    lastTime: r.last_time as number,
    unread: r.unread as number,
    readTime: r.read_time as number,
    peerReadTime: (r.peer_read_time as number | null) ?? 0,
    // A last message the owner deleted shows nothing of itself; the conversation keeps its time.
    ...(last && !isDeletedFor(last, r.owner as string) ? { lastMessage: last } : {}),
    updatedAt: r.updated_at as number,
  };
}
