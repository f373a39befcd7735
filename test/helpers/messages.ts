// Shared helpers of the one-to-one message test files: a server with accounts, REST calls that
// survive clock jumps, envelope assertions, history walks and a snapshot of everything stored.
import assert from 'node:assert/strict';
import type { SqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import { U32_MAX } from '@parley/protocol';
import type { UserEvent } from '../../src/ports/store.js';
import { text } from './rest.js';
import { ADMIN, type TestServer } from './server.js';

export const MAX_U32 = U32_MAX;

/** POST /v4/openim/<api> as the admin, with a UserSig minted at the clock's current time. */
export const call = (s: TestServer, api: string, body: unknown): Promise<Record<string, any>> =>
  s.call(`openim/${api}`, body, { usersig: s.sig(ADMIN) });

/** The same with a raw (possibly invalid) JSON text. */
export const callRaw = (s: TestServer, api: string, raw: string): Promise<Record<string, any>> =>
  s.call(`openim/${api}`, raw, { usersig: s.sig(ADMIN), raw: true });

export function expectOk(r: Record<string, any>): void {
  assert.equal(r.ErrorCode, 0, `expected success, got ${r.ErrorCode} ${r.ErrorInfo}`);
  assert.equal(r.ActionStatus, 'OK');
}

export function expectFail(r: Record<string, any>, code: number, what = ''): void {
  assert.equal(r.ErrorCode, code, `${what}: expected ErrorCode ${code}, got ${r.ErrorCode} (${r.ErrorInfo})`);
  assert.equal(r.ActionStatus, 'FAIL', what);
  assert.equal(typeof r.ErrorInfo, 'string');
  assert.ok(r.ErrorInfo.length > 0, `${what}: a failure explains itself in ErrorInfo`);
  // A failure carries the envelope only.
  for (const k of ['MsgKey', 'MsgTime', 'MsgList', 'QueryResult', 'C2CUnreadMsgNumList'])
    assert.equal(r[k], undefined, `${what}: ${k} on a failure`);
}

/** sendmsg that must succeed. */
export async function send(
  s: TestServer,
  from: string,
  to: string,
  body: string | unknown[],
  extra: Record<string, unknown> = {},
): Promise<{ MsgKey: string; MsgTime: number }> {
  const r = await call(s, 'sendmsg', {
    From_Account: from,
    To_Account: to,
    MsgRandom: Math.floor(Math.random() * MAX_U32),
    MsgBody: typeof body === 'string' ? text(body) : body,
    ...extra,
  });
  expectOk(r);
  return r as { MsgKey: string; MsgTime: number };
}

export const db = (s: TestServer): SqliteStore['db'] => (s.parley.store as unknown as SqliteStore).db;
export const app = (s: TestServer) => s.app.sdkAppId;

/** Every row the store holds, so a failed call can be shown to have written nothing. */
export function snapshot(s: TestServer): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const tables = db(s)
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
  for (const t of tables) {
    out[t] = (db(s).prepare(`SELECT * FROM ${t}`).all() as unknown[]).map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

/** Runs a call that must fail with `code` and asserts that the store did not change. */
export async function expectRejected(
  s: TestServer,
  api: string,
  body: unknown,
  code: number,
  what: string,
): Promise<void> {
  const before = snapshot(s);
  const r = typeof body === 'string' ? await callRaw(s, api, body) : await call(s, api, body);
  expectFail(r, code, `${api} ${what}`);
  assert.deepEqual(snapshot(s), before, `${api} ${what}: a failed call wrote something`);
}

export const messageCount = (s: TestServer): number =>
  db(s).prepare('SELECT COUNT(*) FROM messages').pluck().get() as number;

export interface RoamMsg {
  From_Account: string;
  To_Account: string;
  MsgSeq: number;
  MsgRandom: number;
  MsgTimeStamp: number;
  MsgFlagBits: number;
  IsPeerRead: number;
  MsgKey: string;
  MsgBody: unknown[];
  CloudCustomData: string;
}

export async function roam(
  s: TestServer,
  op: string,
  peer: string,
  extra: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const r = await call(s, 'admin_getroammsg', {
    Operator_Account: op,
    Peer_Account: peer,
    MaxCnt: 1000,
    MinTime: 0,
    MaxTime: MAX_U32,
    ...extra,
  });
  expectOk(r);
  return r;
}

/** One page of history (MaxCnt 1000, whole range), which must be complete. */
export async function history(s: TestServer, op: string, peer: string): Promise<RoamMsg[]> {
  const r = await roam(s, op, peer);
  assert.equal(r.Complete, 1, 'the whole history fits in one answer here');
  return r.MsgList as RoamMsg[];
}

export interface Walk {
  pages: Array<{ msgs: RoamMsg[]; bytes: number; complete: number }>;
  /** All messages, oldest first. */
  all: RoamMsg[];
}

/**
 * Walks the history the documented way: newest page first, then MaxTime = LastMsgTime and
 * LastMsgKey = the page's LastMsgKey until Complete is 1. Checks each page's own invariants.
 */
export async function walk(
  s: TestServer,
  op: string,
  peer: string,
  q: { MaxCnt: number; MinTime?: number; MaxTime?: number },
  overMaxCnt = 0,
): Promise<Walk> {
  const pages: Walk['pages'] = [];
  let req: Record<string, unknown> = {
    Operator_Account: op,
    Peer_Account: peer,
    MaxCnt: q.MaxCnt,
    MinTime: q.MinTime ?? 0,
    MaxTime: q.MaxTime ?? MAX_U32,
  };
  for (let i = 0; i < 10000; i++) {
    const res = await s.post('openim/admin_getroammsg', req, { usersig: s.sig(ADMIN) });
    const raw = await res.text();
    const r = JSON.parse(raw) as Record<string, any>;
    expectOk(r);
    const msgs = r.MsgList as RoamMsg[];
    assert.equal(r.MsgCnt, msgs.length, 'MsgCnt counts MsgList');
    assert.ok(msgs.length <= q.MaxCnt + overMaxCnt, 'a page holds at most MaxCnt messages');
    for (let j = 1; j < msgs.length; j++) {
      assert.ok(msgs[j - 1]!.MsgTimeStamp <= msgs[j]!.MsgTimeStamp, 'MsgList ascends by time within a page');
    }
    if (msgs.length > 0) {
      assert.equal(r.LastMsgKey, msgs[0]!.MsgKey, 'LastMsgKey is the oldest message of the page');
      assert.equal(r.LastMsgTime, msgs[0]!.MsgTimeStamp, "LastMsgTime is the oldest message's time");
    } else {
      assert.equal(r.Complete, 1, 'an empty page ends the walk');
    }
    pages.push({ msgs, bytes: Buffer.byteLength(raw), complete: r.Complete });
    if (r.Complete === 1) break;
    assert.equal(r.Complete, 0);
    assert.ok(msgs.length > 0, 'an incomplete page is never empty');
    req = { ...req, MaxTime: r.LastMsgTime, LastMsgKey: r.LastMsgKey };
  }
  assert.equal(pages.at(-1)!.complete, 1, 'the walk ends');
  const all = [...pages].reverse().flatMap((p) => p.msgs);
  return { pages, all };
}

export const events = (s: TestServer, user: string): Promise<UserEvent[]> =>
  s.parley.store.eventsAfter(app(s), user, 0, 10000, Math.floor(s.clock.nowMs() / 1000));

export const messageEvents = async (s: TestServer, user: string): Promise<string[]> =>
  (await events(s, user))
    .filter((e) => e.kind === 'message')
    .map((e) => `${e.message!.seq}_${e.message!.random}_${e.message!.time}`);

/** get_c2c_unread_msg_num: the total and the counts for these peers. */
export async function unread(
  s: TestServer,
  user: string,
  peers?: string[],
): Promise<{ total: number; perPeer: Record<string, number> }> {
  const r = await call(s, 'get_c2c_unread_msg_num', { To_Account: user, ...(peers ? { Peer_Account: peers } : {}) });
  expectOk(r);
  const perPeer: Record<string, number> = {};
  for (const p of (r.C2CUnreadMsgNumList ?? []) as Array<{ Peer_Account: string; C2CUnreadMsgNum: number }>)
    perPeer[p.Peer_Account] = p.C2CUnreadMsgNum;
  return { total: r.AllC2CUnreadMsgNum as number, perPeer };
}

/** Bad JSON texts every openim API answers with 90001. */
export const BAD_JSON = ['{"To_Account": ', 'not json', '[1,2]', '"text"', 'null', ''];
