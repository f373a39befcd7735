// Bad input in the console, each shown as a clear message in words while the page keeps working:
// malformed JSON (caught before sending), a wrong secret key, an expired UserSig, an unknown
// SDKAppID, an answer that is not JSON, and a server that is down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, SDKAPPID, SECRET } from '../helpers/server.js';
import { decodeUserSig } from '../../src/usersig/usersig.js';
import { browserSkip, openBrowser } from './browser.js';
import { debuggerSend, generateUserSig, openConsole, openPane, showView } from './console-page.js';

const CHECK = 'v4/im_open_login_svc/account_check';
const checkBody = { CheckItem: [{ UserID: 'alice' }] };

test('every kind of bad input is explained in the page, and the page keeps working', {
  skip: browserSkip,
}, async () => {
  const s = await startTestServer({ now: Math.floor(Date.now() / 1000) });
  await s.call('im_open_login_svc/account_import', { UserID: 'alice' });
  const b = await openBrowser();
  const { page } = b;
  const result = page.locator('#dbg-result');
  const apiCalls = () => b.requests.filter((u) => u.includes('/v4/')).length;
  /** A good call after each failure: the page still works. */
  const worksAgain = async () => {
    await debuggerSend(page, CHECK, checkBody);
    assert.equal(await page.locator('#dbg-errorcode').innerText(), '0 (success)');
  };
  try {
    await openConsole(page, s.base);
    await generateUserSig(page, { sdkAppId: SDKAPPID, secretKey: SECRET });
    await worksAgain();

    // Malformed JSON: pointed out as you type, and not sent.
    await page.locator(`#dbg-list button[data-path="${CHECK}"]`).click();
    const editor = page.getByLabel(/^Request body \(JSON\)/);
    await editor.fill('{\n  "CheckItem": [{ "UserID": "alice" },]\n}');
    assert.equal(
      await page.locator('#dbg-json-status').innerText(),
      "Not valid JSON — line 2, column 39: a trailing comma before ']' is not allowed in JSON.",
    );
    assert.equal(await editor.getAttribute('aria-invalid'), 'true');
    const before = apiCalls();
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await result.getByRole('alert').waitFor();
    assert.match(await result.innerText(), /Error: Not sent: the body is not valid JSON \(line 2, column 39\)/);
    assert.equal(apiCalls(), before, 'nothing was sent');
    assert.equal(
      await page.evaluate(() => document.activeElement?.id),
      'dbg-body',
      'the editor has the focus, at the error',
    );
    await editor.fill("{'CheckItem': []}");
    assert.match(
      await page.locator('#dbg-json-status').innerText(),
      /line 1, column 2: expected a property name in double quotes, found a single quote/,
    );
    await worksAgain();

    // A wrong secret key: 70009 in words.
    await generateUserSig(page, { sdkAppId: SDKAPPID, secretKey: 'not-the-secret-key-of-this-app' });
    await debuggerSend(page, CHECK, checkBody);
    assert.equal(await page.locator('#dbg-status').innerText(), '200');
    assert.match(
      await page.locator('#dbg-errorcode').innerText(),
      /^ErrorCode 70009: UserSig verification failed — typically signed with another app's key \/ wrong key\. Check the secret key/,
    );
    assert.match(await result.getByRole('alert').innerText(), /^Error: Failed\. ErrorCode 70009/);
    // The live panes say it too.
    await showView(page, 'Live recall');
    const pane = await openPane(page, 'alice', 'bob', false);
    await pane.getByRole('button', { name: 'Connect' }).click();
    await pane.locator('.pane-state[data-state="failed"]').waitFor();
    assert.match(
      await pane.locator('.pane-error').innerText(),
      /^Error: login failed, code 70009: .*UserSig verification failed/,
    );
    await showView(page, 'API debugger');
    await generateUserSig(page, { sdkAppId: SDKAPPID, secretKey: SECRET });
    await worksAgain();

    // An unknown SDKAppID: 70020.
    await generateUserSig(page, { sdkAppId: 1400000999, secretKey: SECRET });
    await debuggerSend(page, CHECK, checkBody);
    assert.match(
      await page.locator('#dbg-errorcode').innerText(),
      /^ErrorCode 70020: SDKAppID not found\. Check the SDKAppID: this server does not host that app\./,
    );
    await generateUserSig(page, { sdkAppId: SDKAPPID, secretKey: SECRET });
    await worksAgain();

    // An expired UserSig: valid 60 s, and the server's clock moves to 61 s after it was made.
    const shortSig = await generateUserSig(page, { sdkAppId: SDKAPPID, secretKey: SECRET, expire: 60 });
    await worksAgain();
    s.clock.set((decodeUserSig(shortSig).time + 61) * 1000);
    await debuggerSend(page, CHECK, checkBody);
    assert.match(
      await page.locator('#dbg-errorcode').innerText(),
      /^ErrorCode 70001: UserSig expired — generate a new one\. Generate a new UserSig/,
    );
    await generateUserSig(page, { sdkAppId: SDKAPPID, secretKey: SECRET, expire: 3600 });
    await worksAgain();

    // An answer that is not JSON (a proxy's error page, say).
    await page.route('**/v4/**', (route) =>
      route.fulfill({
        status: 502,
        contentType: 'text/html',
        body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
      }),
    );
    await debuggerSend(page, CHECK, checkBody);
    assert.equal(await page.locator('#dbg-status').innerText(), '502');
    assert.match(
      await result.getByRole('alert').innerText(),
      /^Error: The server answered HTTP 502 \(text\/html\) with a body that is not JSON, so it is not an API answer\. It begins: “<html><body><h1>502 Bad Gateway/,
    );
    assert.match(await page.locator('#dbg-response').innerText(), /502 Bad Gateway/);
    await page.unroute('**/v4/**');
    await worksAgain();

    // The server goes down for real.
    await s.close();
    await debuggerSend(page, CHECK, checkBody);
    assert.equal(await page.locator('#dbg-status').innerText(), 'no answer');
    assert.match(
      await result.getByRole('alert').innerText(),
      /^Error: Could not reach the server at http:\/\/127\.0\.0\.1:\d+: it may be down or restarting/,
    );
    // Still usable: the editor checks, views switch, the UserSig is computed without the server.
    await page.getByLabel(/^Request body \(JSON\)/).fill('{"a":1');
    assert.match(
      await page.locator('#dbg-json-status').innerText(),
      /^Not valid JSON — line 1, column 7: expected ',' or '}' after a property value, found the end of the text\.$/,
    );
    const sig = await generateUserSig(page, { sdkAppId: SDKAPPID, secretKey: SECRET, expire: 7200 });
    assert.ok(sig.length > 100);
    await showView(page, 'Accounts');
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#acc-result').getByRole('alert').waitFor();
    assert.match(await page.locator('#acc-result').innerText(), /multiaccount_import: Could not reach the server/);
    await b.screenshot('desktop-server-down');
    assert.deepEqual(b.pageErrors, []);
  } finally {
    await b.close();
    await s.close().catch(() => undefined);
  }
});
