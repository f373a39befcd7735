// Fills a store with messages exactly as the server writes them for a sendmsg of the load's shape.
//
// Two writers take the same batches of messages:
//   writeViaStore  the store's own appendMessages, one transaction per batch. Exact by
//                  construction, but it runs every statement of a live send (about 15 per
//                  message): some 5,000 messages/s on a busy 2-core machine, minutes for 10⁶.
//   writeBulk      a second better-sqlite3 connection that inserts the message and event rows
//                  and then writes the conversation and account aggregates once; 3 statements
//                  per message.
// checkBulkMatchesStore writes the same few thousand messages both ways into two fresh stores
// and compares every row of every table; the harness uses writeBulk only when they match, so a
// change to the store's append path can never silently make the seeded data unrealistic.
import { MAX_MESSAGE_LIFETIME_SECONDS } from '@parley/protocol';
import Database from 'better-sqlite3';
import { SqliteStore } from '../src/adapters/sqlite/sqlite-store.js';
import { conversationPair, packFlags } from '../src/ports/message-flags.js';
import type { AppId, NewMessage, Store } from '../src/ports/store.js';
import { TEXT, pairUsers, prng, userA, userB, withdrawRandom, withdrawSeq } from './common.js';

/**
 * A one-to-one message as MessageService.send stores a sendmsg of the load's shape:
 * SyncOtherMachine 1 (delivered to the recipient and the sender's other devices, in both
 * roaming histories), default lifetime (7 days), counted unread, updates the last message.
 */
export function sendmsgRow(from: string, to: string, seq: number, random: number, time: number): NewMessage {
  return {
    from,
    to,
    seq,
    random,
    time,
    body: [{ MsgType: 'TIMTextElem', MsgContent: { Text: TEXT } }],
    cloudCustomData: '',
    origin: 'sendmsg',
    senderRoams: true,
    onlineOnly: false,
    countsUnread: true,
    updatesLastMessage: true,
    markRead: false,
    needReadReceipt: false,
    supportExtension: false,
    lifeTime: MAX_MESSAGE_LIFETIME_SECONDS,
    queueUntil: time + MAX_MESSAGE_LIFETIME_SECONDS,
    deliverTo: from !== to ? [to, from] : [to],
  };
}

export interface MessageRefLite {
  from: string;
  to: string;
  seq: number;
  random: number;
  time: number;
}

export interface HistorySeed {
  pairs: number;
  messages: number;
  spanSeconds: number;
  endTime: number;
  seed: number;
}

const BATCH = 5000;

/**
 * N messages spread evenly over [endTime - span, endTime] in time order, round-robin over the
 * account pairs (one conversation each), in a random direction, with random MsgSeq/MsgRandom
 * as the server picks them.
 */
export function* historyBatches(o: HistorySeed): Generator<NewMessage[]> {
  const rnd = prng(o.seed);
  const start = o.endTime - o.spanSeconds;
  for (let done = 0; done < o.messages; ) {
    const n = Math.min(BATCH, o.messages - done);
    const ms: NewMessage[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const j = done + k;
      const pair = j % o.pairs;
      const aToB = rnd() < 0.5;
      const time = start + Math.floor((j * o.spanSeconds) / o.messages);
      ms[k] = sendmsgRow(
        aToB ? userA(pair) : userB(pair),
        aToB ? userB(pair) : userA(pair),
        Math.floor(rnd() * 4294967295),
        Math.floor(rnd() * 4294967295),
        time,
      );
    }
    done += n;
    yield ms;
  }
}

export const historyTimes = (o: HistorySeed): { firstTime: number; lastTime: number } => ({
  firstTime: o.endTime - o.spanSeconds,
  lastTime: o.endTime - o.spanSeconds + Math.floor(((o.messages - 1) * o.spanSeconds) / o.messages),
});

/** Messages [from, from + count) for admin_msgwithdraw: pair i % pairs, a → b, deterministic MsgKey numbers, all at `time`. */
export function* withdrawBatches(o: {
  pairs: number;
  from: number;
  count: number;
  time: number;
}): Generator<NewMessage[]> {
  for (let i = o.from; i < o.from + o.count; ) {
    const n = Math.min(BATCH, o.from + o.count - i);
    const ms: NewMessage[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const j = i + k;
      ms[k] = sendmsgRow(userA(j % o.pairs), userB(j % o.pairs), withdrawSeq(j), withdrawRandom(j), o.time);
    }
    i += n;
    yield ms;
  }
}

export interface WriteResult {
  messages: number;
  ms: number;
  perSecond: number;
  /** The first message written, to compare its stored form with an API-written one. */
  sample?: MessageRefLite;
  writer: 'store' | 'bulk';
}

const yieldLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
const refOf = (m: NewMessage): MessageRefLite => ({
  from: m.from,
  to: m.to,
  seq: m.seq,
  random: m.random,
  time: m.time,
});

export async function writeViaStore(
  store: Store,
  app: AppId,
  batches: Iterable<NewMessage[]>,
  progress?: (done: number, ms: number) => void,
): Promise<WriteResult> {
  const t0 = performance.now();
  let done = 0;
  let sample: MessageRefLite | undefined;
  for (const ms of batches) {
    await store.appendMessages(app, ms);
    sample ??= ms[0] && refOf(ms[0]);
    done += ms.length;
    progress?.(done, performance.now() - t0);
    await yieldLoop();
  }
  const ms = performance.now() - t0;
  return { messages: done, ms, perSecond: done / (ms / 1000), ...(sample ? { sample } : {}), writer: 'store' };
}

interface ConvAgg {
  owner: string;
  peer: string;
  unread: number;
  lastId: number | null;
  lastTime: number;
  updatedAt: number;
}

/**
 * The rows appendMessages writes for messages of sendmsgRow's shape into conversations that do
 * not exist yet: the message, one 'message' event per deliverTo user (next seq of that user),
 * both sides of the conversation (last message, recipient's unread) and the accounts' event seq
 * and unread total. `db` is a connection of its own to the store's file (or the store's, in the check).
 */
export async function writeBulk(
  db: Database.Database,
  app: AppId,
  batches: Iterable<NewMessage[]>,
  progress?: (done: number, ms: number) => void,
): Promise<WriteResult> {
  const t0 = performance.now();
  const existing = db.prepare('SELECT COUNT(*) FROM conversations WHERE app = ?').pluck().get(app) as number;
  if (existing > 0) throw new Error('writeBulk needs an app without conversations');
  const msgInsert =
    db.prepare(`INSERT INTO messages (app, user_lo, user_hi, sender, recipient, seq, random, time, body, cloud_custom_data,
    offline_push_info, origin, flags, life_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const eventInsert = db.prepare(
    'INSERT INTO events (app, user_id, seq, kind, message_id, data, at, expires_at, origin_device) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const seqOf = db.prepare('SELECT event_seq FROM accounts WHERE app = ? AND user_id = ?').pluck();
  const convInsert = db.prepare(
    'INSERT INTO conversations (app, owner, peer, unread, last_msg_id, last_time, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const accountSet = db.prepare(
    'UPDATE accounts SET event_seq = ?, unread_total = MAX(0, unread_total + ?) WHERE app = ? AND user_id = ?',
  );

  const eventSeq = new Map<string, number | undefined>();
  const unreadAdd = new Map<string, number>();
  // owner → peer → that side of the conversation (nested maps: no key strings to build and hash).
  const convs = new Map<string, Map<string, ConvAgg>>();
  const side = (owner: string, peer: string, time: number): ConvAgg => {
    let byPeer = convs.get(owner);
    if (!byPeer) convs.set(owner, (byPeer = new Map()));
    let c = byPeer.get(peer);
    if (!c) byPeer.set(peer, (c = { owner, peer, unread: 0, lastId: null, lastTime: 0, updatedAt: time }));
    return c;
  };
  const setLast = (c: ConvAgg, id: number, time: number): void => {
    if (c.lastTime <= time) {
      c.lastId = id;
      c.lastTime = time;
      c.updatedAt = Math.max(c.updatedAt, time);
    }
  };

  let done = 0;
  let sample: MessageRefLite | undefined;
  const writeBatch = db.transaction((ms: NewMessage[]) => {
    for (const m of ms) {
      if (m.onlineOnly || m.markRead || m.originDevice !== undefined || m.offlinePushInfo !== undefined) {
        throw new Error("writeBulk only writes messages of sendmsgRow's shape");
      }
      const [lo, hi] = conversationPair(m.from, m.to);
      const id = Number(
        msgInsert.run(
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
          null,
          m.origin,
          packFlags(m),
          m.lifeTime,
        ).lastInsertRowid,
      );
      const recipient = side(m.to, m.from, m.time);
      if (m.updatesLastMessage) setLast(recipient, id, m.time);
      // A fresh conversation's read cursor is (0, 0): every counted message is after it.
      if (m.countsUnread) {
        recipient.unread++;
        unreadAdd.set(m.to, (unreadAdd.get(m.to) ?? 0) + 1);
      }
      if (m.senderRoams) {
        const sender = side(m.from, m.to, m.time);
        if (m.updatesLastMessage) setLast(sender, id, m.time);
      }
      for (const user of m.deliverTo) {
        let seq = eventSeq.has(user) ? eventSeq.get(user) : (seqOf.get(app, user) as number | undefined);
        if (seq === undefined) {
          eventSeq.set(user, undefined);
          continue;
        }
        eventSeq.set(user, ++seq);
        eventInsert.run(app, user, seq, 'message', id, null, m.time, m.queueUntil, null);
      }
    }
  });
  for (const ms of batches) {
    writeBatch(ms);
    sample ??= ms[0] && refOf(ms[0]);
    done += ms.length;
    progress?.(done, performance.now() - t0);
    await yieldLoop();
  }
  db.transaction(() => {
    for (const byPeer of convs.values())
      for (const c of byPeer.values())
        convInsert.run(app, c.owner, c.peer, c.unread, c.lastId, c.lastTime, c.updatedAt);
    const users = new Set([...eventSeq.keys(), ...unreadAdd.keys()]);
    for (const u of users) {
      const seq = eventSeq.has(u) ? eventSeq.get(u) : (seqOf.get(app, u) as number | undefined);
      if (seq !== undefined) accountSet.run(seq, unreadAdd.get(u) ?? 0, app, u);
    }
  })();
  const ms = performance.now() - t0;
  return { messages: done, ms, perSecond: done / (ms / 1000), ...(sample ? { sample } : {}), writer: 'bulk' };
}

/** Every row of every table, sorted, as JSON lines. */
function dump(db: Database.Database): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  for (const t of tables)
    out.set(t, (db.prepare(`SELECT * FROM "${t}"`).all() as unknown[]).map((r) => JSON.stringify(r)).sort());
  return out;
}

/**
 * Writes the same messages (history-shaped, several per second, plus withdraw-shaped) through
 * appendMessages and through writeBulk into two fresh in-memory stores and lists every
 * difference (empty: identical rows in every table).
 */
export async function checkBulkMatchesStore(app: AppId): Promise<string[]> {
  const pairs = 7;
  const make = async () => {
    const s = new SqliteStore({ filename: ':memory:' });
    await s.migrate();
    await s.importAccounts(app, pairUsers(pairs), 1_700_000_000);
    return s;
  };
  const history: HistorySeed = { pairs, messages: 3000, spanSeconds: 600, endTime: 1_700_000_600, seed: 99 };
  const withdraw = { pairs, from: 0, count: 500, time: 1_700_000_600 };
  const viaStore = await make();
  const viaBulk = await make();
  const diffs: string[] = [];
  try {
    await writeViaStore(viaStore, app, historyBatches(history));
    await writeBulk(viaBulk.db, app, historyBatches(history));
    const a = dump(viaStore.db);
    const b = dump(viaBulk.db);
    for (const t of new Set([...a.keys(), ...b.keys()])) {
      const ra = a.get(t) ?? [];
      const rb = b.get(t) ?? [];
      if (ra.length !== rb.length) diffs.push(`${t}: ${ra.length} rows via the store, ${rb.length} via bulk`);
      const sb = new Set(rb);
      const missing = ra.filter((r) => !sb.has(r));
      if (missing.length)
        diffs.push(
          `${t}: ${missing.length} rows differ, e.g. store ${missing[0]} vs bulk ${rb.find((r) => !new Set(ra).has(r))}`,
        );
    }
    // The withdraw-shaped messages (all in one second) into other fresh stores.
    const s2 = await make();
    const b2 = await make();
    await writeViaStore(s2, app, withdrawBatches(withdraw));
    await writeBulk(b2.db, app, withdrawBatches(withdraw));
    const c = dump(s2.db);
    const d = dump(b2.db);
    for (const t of new Set([...c.keys(), ...d.keys()])) {
      if (JSON.stringify(c.get(t)) !== JSON.stringify(d.get(t))) diffs.push(`${t} (withdraw-shaped): rows differ`);
    }
    await s2.close();
    await b2.close();
  } finally {
    await viaStore.close();
    await viaBulk.close();
  }
  return diffs;
}

/**
 * A second connection to the store's file for writeBulk, with fast settings on it only (never on
 * the server's connection): no syncs, a 256 MiB page cache, and no automatic checkpoints, so the
 * WAL is moved into the database once, by the server's own checkpoint afterwards.
 */
export function openBulkConnection(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('busy_timeout = 5000');
  return db;
}
