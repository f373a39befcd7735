// The console in Chromium at 1280×800: a UserSig computed in the page (checked with the server's
// verifier), accounts imported, a message sent through the API debugger, two chat panes running
// the client SDK, an admin recall that both panes, the conversation browser and the audit log show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, ADMIN, SDKAPPID, SECRET } from '../helpers/server.js';
import { verifyUserSig } from '../../src/usersig/usersig.js';
import { browserSkip, openBrowser } from './browser.js';
import { debuggerSend, generateUserSig, messageItem, openConsole, openPane, showView } from './console-page.js';

const nowSeconds = () => Math.floor(Date.now() / 1000);

test('generate a UserSig, import accounts, send from the debugger, recall as admin in two live panes', {
  skip: browserSkip,
}, async () => {
  // The server's clock is frozen at the real time, so UserSigs made by the browser's clock are valid.
  const now = nowSeconds();
  const s = await startTestServer({ now });
  const b = await openBrowser();
  const { page } = b;
  try {
    await openConsole(page, s.base);
    assert.match(await page.title(), /Parley console/);

    // 1. UserSig, computed in the page: the server's own verifier accepts it.
    const before = nowSeconds();
    const sig = await generateUserSig(page, { sdkAppId: SDKAPPID, secretKey: SECRET });
    const after = nowSeconds();
    const decoded = verifyUserSig(sig, { sdkAppId: SDKAPPID, secretKey: SECRET, identifier: ADMIN, now: after });
    assert.equal(decoded.expire, 86400);
    assert.ok(
      decoded.time >= before && decoded.time <= after,
      `TLS.time ${decoded.time} is the browser's time of generating, in [${before}, ${after}]`,
    );
    assert.match(await page.locator('#cred-status').innerText(), /^OK: UserSig generated/);
    // Not asked to remember it: the key is in no storage of the page.
    const stored = await page.evaluate(() =>
      JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }),
    );
    assert.ok(!stored.includes(SECRET), 'the secret key is not stored');

    // 2. Accounts: import alice and bob.
    await showView(page, 'Accounts');
    await page.getByLabel(/^UserIDs/).fill('alice, bob');
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#acc-table').waitFor();
    assert.match(await page.locator('#acc-result').innerText(), /Imported 2 of 2 account/);
    const check = await s.call('im_open_login_svc/account_check', {
      CheckItem: [{ UserID: 'alice' }, { UserID: 'bob' }],
    });
    assert.deepEqual(
      check.ResultItem.map((r: { AccountStatus: string }) => r.AccountStatus),
      ['Imported', 'Imported'],
    );
    await page.getByRole('button', { name: 'Check' }).click();
    await page.locator('#acc-table caption', { hasText: 'Check' }).waitFor();
    assert.deepEqual(await page.locator('#acc-table tbody td').allInnerTexts(), ['Imported', 'Imported']);

    // 3. The debugger: send alice → bob.
    await showView(page, 'API debugger');
    await debuggerSend(page, 'v4/openim/sendmsg', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgRandom: 4242,
      MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'hello from the debugger' } }],
    });
    assert.equal(await page.locator('#dbg-status').innerText(), '200');
    assert.equal(await page.locator('#dbg-errorcode').innerText(), '0 (success)');
    assert.match(await page.locator('#dbg-latency').innerText(), /^\d+ ms$/);
    const answer = JSON.parse(await page.locator('#dbg-response').innerText()) as { ErrorCode: number; MsgKey: string };
    assert.equal(answer.ErrorCode, 0);
    assert.match(answer.MsgKey, /^\d+_4242_\d+$/);
    await b.screenshot('desktop-debugger');
    const curl = await page.locator('#dbg-curl').inputValue();
    assert.ok(
      curl.startsWith(`curl -s -X POST '${s.base}/v4/openim/sendmsg?sdkappid=${SDKAPPID}&identifier=${ADMIN}&usersig=`),
      curl,
    );
    assert.ok(
      curl.includes('hello from the debugger') && !curl.includes(SECRET),
      'the curl line has the body and no key',
    );

    // 4. Two live panes, each its own SDK instance and cache.
    await showView(page, 'Live recall');
    const alice = await openPane(page, 'alice', 'bob');
    const bob = await openPane(page, 'bob', 'alice');
    await messageItem(bob, 'hello from the debugger').waitFor();
    await alice.getByRole('textbox', { name: 'Message from alice to the open conversation' }).fill('hi bob, recall me');
    await alice.getByRole('textbox', { name: 'Message from alice to the open conversation' }).press('Enter');
    await messageItem(bob, 'hi bob, recall me').waitFor();
    await bob.locator('.conv-list button', { hasText: 'alice · 2 unread' }).waitFor();
    await bob.locator('.total-unread', { hasText: 'Total unread: 2' }).waitFor();

    // 5. Recall "hi bob" as the admin (admin_msgwithdraw), from alice's pane.
    const sent = messageItem(alice, 'hi bob, recall me');
    await sent.waitFor();
    await sent.locator('.meta', { hasText: 'sent' }).waitFor();
    await sent.getByRole('button', { name: 'Recall as admin' }).click();
    for (const pane of [alice, bob]) {
      await pane.locator('li.msg[data-recalled="true"]', { hasText: 'Message recalled' }).waitFor();
      assert.equal(await messageItem(pane, 'hi bob, recall me').count(), 0, 'the recalled text is gone');
      assert.equal(await messageItem(pane, 'hello from the debugger').getAttribute('data-recalled'), 'false');
    }
    await bob.locator('.conv-list button', { hasText: 'alice · 1 unread' }).waitFor();
    await bob.locator('.total-unread', { hasText: 'Total unread: 1' }).waitFor();
    const timeline = page.locator('#timeline-body');
    await timeline.locator('tr[data-step="MESSAGE_REVOKED"][data-pane="bob #2"]').waitFor();
    await timeline.locator('tr[data-step="MESSAGE_REVOKED"][data-pane="alice #1"]').waitFor();
    const adminRow = timeline.locator('tr[data-step="admin_msgwithdraw"]');
    assert.match(await adminRow.locator('td').nth(4).innerText(), /^\d+ ms$/);
    assert.match(
      await timeline.locator('tr[data-step="MESSAGE_REVOKED"][data-pane="bob #2"] td').nth(4).innerText(),
      /^\+\d+ ms after admin recalled/,
    );

    // 6. The conversation browser (admin_getroammsg) shows the recalled marker.
    await showView(page, 'Conversations');
    await page.getByLabel('As seen by (Operator_Account)').fill('bob');
    await page.getByLabel('With (Peer_Account)').fill('alice');
    await page.getByRole('button', { name: 'Load newest page' }).click();
    await page.locator('#conv-table').waitFor();
    const rows = page.locator('#conv-table tbody tr');
    // Both were sent in the same (frozen) second: their order follows the random MsgSeq.
    const texts = (await rows.allInnerTexts()).sort();
    assert.equal(texts.length, 2);
    assert.equal(texts.filter((t) => /Recalled \(MsgFlagBits 8\)/.test(t) && t.includes('alice → bob')).length, 1);
    assert.equal(texts.filter((t) => t.includes('hello from the debugger') && !t.includes('Recalled')).length, 1);
    assert.doesNotMatch(await page.locator('#conv-table').innerText(), /recall me/);
    // Paging: one message a page, backwards in time.
    await page.getByLabel('Page size (MaxCnt)').fill('1');
    await page.getByRole('button', { name: 'Load newest page' }).click();
    await page.locator('#conv-page', { hasText: 'Page 1: 1 message(s), older messages exist' }).waitFor();
    const newest = await page.locator('#conv-table tbody tr').getAttribute('data-msgkey');
    await page.getByRole('button', { name: 'Load older page' }).click();
    await page.locator('#conv-page', { hasText: 'Page 2: 1 message(s), no older messages' }).waitFor();
    const older = await page.locator('#conv-table tbody tr').getAttribute('data-msgkey');
    assert.ok(newest && older && newest !== older, `two different messages: ${newest}, ${older}`);
    assert.equal(await page.getByRole('button', { name: 'Load older page' }).isDisabled(), true);
    await page.getByLabel('Page size (MaxCnt)').fill('20');
    await page.getByRole('button', { name: 'Load newest page' }).click();
    await page.locator('#conv-page', { hasText: 'Page 1: 2 message(s)' }).waitFor();

    // 7. The recall audit.
    await showView(page, 'Recall audit');
    await page.locator('#audit-table').waitFor();
    const audit = await page.locator('#audit-table tbody tr').allInnerTexts();
    assert.equal(audit.length, 1);
    assert.match(audit[0]!, /alice\s+bob\s+\d+_\d+_\d+\s+administrator\s+admin \(admin_msgwithdraw\)/);

    // The final state, both panes recalled, for people to look at.
    await showView(page, 'Live recall');
    await b.screenshot('desktop-live-recall');
    await showView(page, 'Conversations');
    await b.screenshot('desktop-conversations');

    // Every request the page made went to this server: no CDN, no fonts, nothing else.
    const origin = new URL(s.base);
    const foreign = b.requests.filter((u) => {
      const x = new URL(u);
      return x.host !== origin.host && x.protocol !== 'data:';
    });
    assert.deepEqual(foreign, []);
    assert.ok(
      b.requests.some((u) => u.startsWith(`ws://${origin.host}/v1/ws`)),
      'the panes used the gateway',
    );
    // The secret key never left the page: in no URL, no request body, no WebSocket frame.
    assert.ok(
      b.sent.some((x) => x.includes('"op":"login"')),
      'the frames were recorded',
    );
    assert.deepEqual(
      [...b.requests, ...b.sent].filter((x) => x.includes(SECRET)),
      [],
    );
    assert.deepEqual(b.pageErrors, []);
  } finally {
    await b.close();
    await s.close();
  }
});

test('the sender recalls within the window; a pane opened offline syncs the recall when it connects', {
  skip: browserSkip,
}, async () => {
  const s = await startTestServer({ now: nowSeconds() });
  await s.call('im_open_login_svc/multiaccount_import', { Accounts: ['alice', 'bob'] });
  const b = await openBrowser();
  const { page } = b;
  try {
    await openConsole(page, s.base, '#live');
    await generateUserSig(page, { sdkAppId: SDKAPPID, secretKey: SECRET });
    await showView(page, 'Live recall');
    const alice = await openPane(page, 'alice', 'bob');
    const bob = await openPane(page, 'bob', 'alice');
    // A second device of bob's, opened offline, keeping its cache in IndexedDB.
    const bobLater = await openPane(page, 'bob', 'alice', false, 'IndexedDB');
    assert.equal(await bobLater.locator('.pane-state').innerText(), 'Offline');

    const input = alice.getByRole('textbox', { name: 'Message from alice to the open conversation' });
    await input.fill('oops, wrong chat');
    await input.press('Enter');
    await messageItem(bob, 'oops, wrong chat').waitFor();
    await messageItem(alice, 'oops, wrong chat').locator('.meta', { hasText: 'sent' }).waitFor();
    await messageItem(alice, 'oops, wrong chat').getByRole('button', { name: 'Recall', exact: true }).click();
    for (const pane of [alice, bob]) await pane.locator('li.msg[data-recalled="true"]').waitFor();
    assert.equal(await messageItem(bob, 'oops, wrong chat').count(), 0);
    await page.locator('#timeline-body tr[data-step="revokeMessage"]').waitFor();
    // bob's list follows: the conversation's last message is the recalled one, and nothing is unread.
    await bob.locator('.conv-list button', { hasText: 'alice · 0 unread · “recalled”' }).waitFor();
    assert.equal(await bob.locator('.total-unread').innerText(), 'Total unread: 0');
    // The offline pane has seen nothing yet.
    assert.equal(await bobLater.locator('li.msg').count(), 0);

    await bobLater.getByRole('button', { name: 'Connect' }).click();
    await bobLater.locator('.pane-state[data-state="ready"]').waitFor();
    await bobLater.locator('li.msg[data-recalled="true"]', { hasText: 'Message recalled by alice' }).waitFor();
    assert.equal(await messageItem(bobLater, 'oops, wrong chat').count(), 0);
    assert.match(await bobLater.locator('.conv-list').innerText(), /alice · 0 unread · “recalled”/);
    // Its IndexedDB cache holds the tombstone, not the recalled text.
    const idb = await page.evaluate(async () => {
      const names = (await indexedDB.databases())
        .map((d) => d.name ?? '')
        .filter((n) => n.startsWith('parley-console-pane-'));
      const dumps: string[] = [];
      for (const name of names) {
        const db = await new Promise<IDBDatabase>((ok, ko) => {
          const r = indexedDB.open(name);
          r.onsuccess = () => ok(r.result);
          r.onerror = () => ko(r.error);
        });
        for (const store of Array.from(db.objectStoreNames)) {
          const all = await new Promise<unknown[]>((ok, ko) => {
            const r = db.transaction(store).objectStore(store).getAll();
            r.onsuccess = () => ok(r.result);
            r.onerror = () => ko(r.error);
          });
          dumps.push(JSON.stringify(all));
        }
        db.close();
      }
      return { names, dump: dumps.join('\n') };
    });
    assert.equal(idb.names.length, 1, 'one pane uses IndexedDB');
    assert.match(idb.dump, /"from":"alice"/);
    assert.doesNotMatch(idb.dump, /wrong chat/);

    const audit = await s.call('parley/recall_audit', {});
    assert.equal(audit.AuditList.length, 1);
    assert.equal(audit.AuditList[0].By, 'alice');
    assert.equal(audit.AuditList[0].Via, 'client');
    await showView(page, 'Recall audit');
    await page.locator('#audit-table tbody tr', { hasText: 'sender (client, within the window)' }).waitFor();
    await showView(page, 'Live recall');
    await b.screenshot('desktop-offline-sync');
    assert.deepEqual(b.pageErrors, []);
  } finally {
    await b.close();
    await s.close();
  }
});
