// A few SIGKILLs of a server under a small send-and-recall load, then one more start on the same
// files: nothing acknowledged is lost, nothing recalled comes back, unread counts agree with the
// history, and no recalled text is left in any file of the data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type ChildServer } from '../helpers/child.js';
import { filesContaining } from '../helpers/files.js';
import { text, unique } from '../helpers/rest.js';

const KILLS = 3;
const SENDERS = 3;
/** How long the load runs before each kill (ms). */
const LOAD_MS = 700;
const pairOf = (i: number): [string, string] => [`sender${i}`, `recipient${i}`];

interface Sent {
  from: string;
  to: string;
  msgKey: string;
  text: string;
}

test(`${KILLS} SIGKILLs under send-and-recall load: acknowledged sends kept, acknowledged recalls kept, unread consistent, no recalled text on disk`, {
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-crash-load-'));
  const sent = new Map<string, Sent>();
  const recalled = new Set<string>();
  let server: ChildServer | undefined;
  const started = Date.now();
  try {
    for (let round = 0; round < KILLS; round++) {
      const s = (server = await startChild(dir));
      if (round === 0) {
        const users = Array.from({ length: SENDERS }, (_, i) => pairOf(i)).flat();
        assert.equal((await s.call('im_open_login_svc/multiaccount_import', { Accounts: users })).ErrorCode, 0);
      }
      let running = true;
      // Each sender sends, and recalls every other message it had acknowledged; requests still
      // in flight at the kill fail, and their outcome is unknown (neither asserted kept nor gone).
      const senders = Array.from({ length: SENDERS }, async (_, i) => {
        const [from, to] = pairOf(i);
        for (let n = 0; running; n++) {
          try {
            const t = unique(`r${round}-s${i}-${n}`);
            const r = await s.call('openim/sendmsg', {
              From_Account: from,
              To_Account: to,
              MsgRandom: n,
              MsgBody: text(t),
            });
            if (r.ErrorCode !== 0) throw new Error(`sendmsg answered ${r.ErrorCode} ${r.ErrorInfo}`);
            sent.set(r.MsgKey, { from, to, msgKey: r.MsgKey, text: t });
            if (n % 2 === 1) {
              const w = await s.call('openim/admin_msgwithdraw', {
                From_Account: from,
                To_Account: to,
                MsgKey: r.MsgKey,
              });
              if (w.ErrorCode !== 0) throw new Error(`admin_msgwithdraw answered ${w.ErrorCode} ${w.ErrorInfo}`);
              recalled.add(r.MsgKey);
            }
          } catch (e) {
            if (running) throw e;
          }
        }
      });
      await new Promise((r) => setTimeout(r, LOAD_MS));
      running = false;
      await s.kill();
      await Promise.all(senders);
    }
    assert.ok(
      sent.size > 0 && recalled.size > 0,
      `the load did something: ${sent.size} sends, ${recalled.size} recalls`,
    );

    const last = (server = await startChild(dir));
    const byKey = new Map<string, Record<string, any>>();
    for (let i = 0; i < SENDERS; i++) {
      const [from, to] = pairOf(i);
      // The whole conversation, page by page (an answer holds about 13 KB of messages).
      const history: Array<Record<string, any>> = [];
      for (let page: Record<string, any> = {}; ; ) {
        const r = await last.call('openim/admin_getroammsg', {
          Operator_Account: to,
          Peer_Account: from,
          MaxCnt: 100_000,
          MinTime: 0,
          MaxTime: page.LastMsgTime ?? 4294967295,
          ...(page.LastMsgKey ? { LastMsgKey: page.LastMsgKey } : {}),
        });
        assert.equal(r.ErrorCode, 0, r.ErrorInfo);
        history.push(...(r.MsgList as Array<Record<string, any>>));
        if (r.Complete === 1) break;
        page = r;
      }
      for (const m of history) byKey.set(m.MsgKey, m);
      const unreadInHistory = history.filter((m) => m.From_Account === from && (m.MsgFlagBits & 8) === 0).length;
      const u = await last.call('openim/get_c2c_unread_msg_num', { To_Account: to, Peer_Account: [from] });
      assert.equal(u.ErrorCode, 0, u.ErrorInfo);
      assert.equal(
        u.C2CUnreadMsgNumList[0].C2CUnreadMsgNum,
        unreadInHistory,
        `${to}'s unread count from ${from} is its unrecalled messages`,
      );
      assert.equal(u.AllC2CUnreadMsgNum, unreadInHistory, `${to}'s total unread count`);
    }
    for (const m of sent.values()) {
      const stored = byKey.get(m.msgKey);
      assert.ok(stored, `acknowledged send ${m.msgKey} is in the history`);
      if (recalled.has(m.msgKey)) {
        assert.equal(stored.MsgFlagBits & 8, 8, `acknowledged recall ${m.msgKey} is still recalled`);
        assert.deepEqual(stored.MsgBody, []);
      }
    }
    // Every recalled message whose text is known (its send was acknowledged), including recalls
    // whose answer the kill cut off but which committed.
    const erased = [...byKey.values()]
      .filter((m) => (m.MsgFlagBits & 8) === 8 && sent.has(m.MsgKey))
      .map((m) => sent.get(m.MsgKey)!.text);
    assert.ok(erased.length >= recalled.size);
    const left = erased.filter((t) => filesContaining(dir, t).length > 0);
    assert.deepEqual(left, [], 'no recalled text in any file of the data directory');
    assert.ok(Date.now() - started < 30_000, `bounded: took ${Date.now() - started} ms`);
  } finally {
    await server?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
