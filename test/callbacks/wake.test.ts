// The dispatcher is woken by the commit that wrote an after-callback, not by its idle poll: with
// the poll an hour long, after-send, after-recall and after-read callbacks still arrive at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.js';
import { Receiver, appWithCallback, expectOk, importUsers, openim, sendmsg } from './helpers.js';

const AFTER = 'C2C.CallbackAfterSendMsg';
const WITHDRAW = 'C2C.CallbackAfterMsgWithDraw';
const REPORT = 'C2C.CallbackAfterMsgReport';
const HOUR_MS = 3_600_000;
/** Far below the poll: only a wake-up can deliver this soon. */
const PROMPT_MS = 3_000;

/** Resolves with the hits, or fails when they take longer than PROMPT_MS. */
async function promptly<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not arrive within ${PROMPT_MS} ms`)), PROMPT_MS);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

test('after-callbacks are delivered right after their commit, long before the idle poll', async () => {
  const r = await Receiver.start();
  const s = await startTestServer({
    apps: [appWithCallback(r.url(), { commands: [AFTER, WITHDRAW, REPORT] })],
    callbackPollMs: HOUR_MS,
  });
  try {
    await importUsers(s, ['alice', 'bob']);
    // Let the dispatcher's first pass (at start) finish, so from here only a wake-up can run one.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sent = await sendmsg(s, { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1 });
    const [afterSend] = await promptly(r.waitForCommand(AFTER, 1), AFTER);
    assert.equal(afterSend!.body.MsgKey, sent.MsgKey);

    expectOk(
      await openim(s, 'admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: sent.MsgKey }),
      'recall',
    );
    const [withdraw] = await promptly(r.waitForCommand(WITHDRAW, 1), WITHDRAW);
    assert.equal(withdraw!.body.MsgKey, sent.MsgKey);

    expectOk(await openim(s, 'admin_set_msg_read', { Report_Account: 'bob', Peer_Account: 'alice' }), 'read');
    const [report] = await promptly(r.waitForCommand(REPORT, 1), REPORT);
    assert.equal(report!.body.Report_Account, 'bob');
  } finally {
    await s.close();
    await r.stop();
  }
});
