// The console on a phone-sized viewport (390×844) and with the keyboard alone: nothing wider than
// the screen, real buttons and labels in a sensible focus order, Enter to send.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startTestServer, SDKAPPID, SECRET } from '../helpers/server.js';
import { browserSkip, openBrowser, PHONE } from './browser.js';
import { messageItem, openConsole, openPane, showView } from './console-page.js';

/** How far the page is wider than the viewport (0: no sideways scrolling). */
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Presses Tab and describes what has the focus: its label, text or id. */
async function tab(page: Page, key = 'Tab'): Promise<string> {
  await page.keyboard.press(key);
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return '';
    const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : undefined;
    return (label ?? el.getAttribute('aria-label') ?? el.textContent ?? el.id).trim();
  });
}

test('on a phone-sized screen, with the keyboard only: generate, send with Enter, read every view', {
  skip: browserSkip,
}, async () => {
  const s = await startTestServer({ now: Math.floor(Date.now() / 1000) });
  await s.call('im_open_login_svc/multiaccount_import', { Accounts: ['alice', 'bob'] });
  const b = await openBrowser(PHONE);
  const { page } = b;
  try {
    await openConsole(page, s.base);
    assert.equal(await overflow(page), 0, 'the debugger fits the width');

    // Focus order from the top: skip link, the five views, then the credentials in reading order.
    const order: string[] = [];
    for (let i = 0; i < 12; i++) order.push(await tab(page));
    assert.deepEqual(order, [
      'Skip to the view',
      'API debugger',
      'Live recall',
      'Accounts',
      'Conversations',
      'Recall audit',
      'SDKAppID',
      'Admin identifier',
      'Secret key',
      'Show key',
      'UserSig validity (seconds)',
      'Keep the key for this browser tab (sessionStorage, until the tab closes)',
    ]);
    // Type the credentials with the keyboard and press Enter in the form: the UserSig is made.
    await page.getByLabel('SDKAppID').focus();
    await page.keyboard.type(String(SDKAPPID));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type(SECRET);
    await page.keyboard.press('Enter');
    await page.locator('#cred-status', { hasText: 'UserSig generated' }).waitFor();
    assert.ok((await page.getByLabel('Admin UserSig (generated here, or paste one)').inputValue()).length > 100);

    // The views by keyboard: focus a link, Enter; the view's heading takes the focus.
    await page.getByRole('link', { name: 'Live recall' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 2, name: 'Live recall' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Live recall');

    const alice = await openPane(page, 'alice', 'bob');
    const bob = await openPane(page, 'bob', 'alice');
    const input = alice.getByRole('textbox', { name: 'Message from alice to the open conversation' });
    await input.focus();
    await page.keyboard.type('sent with Enter');
    await page.keyboard.press('Enter');
    await messageItem(bob, 'sent with Enter').waitFor();
    assert.equal(await input.inputValue(), '', 'the box is emptied after sending');
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('placeholder')),
      'Type a message, Enter sends',
      'the focus stays in the box',
    );
    // An empty message is refused in words.
    await page.keyboard.press('Enter');
    assert.equal(await alice.locator('.pane-error').innerText(), 'Error: type a message first.');
    await bob.locator('.conv-list button', { hasText: 'alice · 1 unread' }).waitFor();
    assert.equal(await overflow(page), 0, 'the live view fits the width');
    await b.screenshot('phone-live');

    await showView(page, 'Conversations');
    await page.getByLabel('As seen by (Operator_Account)').fill('bob');
    await page.getByLabel('With (Peer_Account)').fill('alice');
    await page.getByLabel('With (Peer_Account)').press('Enter');
    await page.locator('#conv-table').waitFor();
    assert.match(await page.locator('#conv-table').innerText(), /sent with Enter/);
    assert.equal(await overflow(page), 0, 'the conversation browser fits the width (its table scrolls inside)');
    await b.screenshot('phone-conversations');

    await showView(page, 'API debugger');
    await page.locator('#dbg-list button[data-path="v4/openim/get_c2c_unread_msg_num"]').click();
    await page.getByRole('button', { name: 'Send', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#dbg-errorcode').waitFor();
    assert.equal(await page.locator('#dbg-errorcode').innerText(), '0 (success)');
    assert.equal(await overflow(page), 0, 'the debugger with an answer fits the width');
    await b.screenshot('phone-debugger');

    // Keeping the key is opt-in, and then only in this tab's sessionStorage.
    const storage = () =>
      page.evaluate(() => ({
        local: JSON.stringify({ ...localStorage }),
        session: JSON.stringify({ ...sessionStorage }),
      }));
    assert.ok(!(await storage()).session.includes(SECRET) && !(await storage()).local.includes(SECRET));
    await page.getByLabel(/^Keep the key for this browser tab/).focus();
    await page.keyboard.press('Space');
    const kept = await storage();
    assert.ok(kept.session.includes(SECRET), 'ticked: the key is in sessionStorage');
    assert.ok(!kept.local.includes(SECRET), 'never in localStorage');
    assert.ok(kept.local.includes(String(SDKAPPID)), 'the SDKAppID is remembered');
    await page.reload();
    await page.locator('#dbg-list button').first().waitFor({ state: 'attached' });
    assert.equal(await page.getByLabel('Secret key', { exact: true }).inputValue(), SECRET);
    assert.equal(await page.getByLabel('SDKAppID').inputValue(), String(SDKAPPID));
    await page.getByRole('button', { name: 'Forget key' }).click();
    assert.equal(await page.getByLabel('Secret key', { exact: true }).inputValue(), '');
    assert.ok(!(await storage()).session.includes(SECRET), 'forgotten');
    assert.match(await page.locator('#cred-status').innerText(), /^Note: The secret key and UserSig are forgotten/);
    assert.deepEqual(b.pageErrors, []);
  } finally {
    await b.close();
    await s.close();
  }
});
