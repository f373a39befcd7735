// Steps on the console page that several browser tests take, through labels and roles (what a
// keyboard or screen-reader user would use), not through CSS internals where avoidable.
import type { Locator, Page } from 'playwright-core';

export interface AppCredentials {
  sdkAppId: number | string;
  secretKey: string;
  identifier?: string;
  expire?: number;
}

export async function openConsole(page: Page, base: string, hash = ''): Promise<void> {
  await page.goto(`${base}/console/${hash}`);
  // The catalogue is loaded: the API list has its buttons.
  await page.locator('#dbg-list button').first().waitFor({ state: 'attached' });
}

/** Fills the credentials form and generates the admin UserSig; returns it. */
export async function generateUserSig(page: Page, c: AppCredentials): Promise<string> {
  await page.getByLabel('SDKAppID').fill(String(c.sdkAppId));
  await page.getByLabel('Admin identifier').fill(c.identifier ?? 'administrator');
  await page.getByLabel('Secret key', { exact: true }).fill(c.secretKey);
  await page.getByLabel('UserSig validity (seconds)').fill(String(c.expire ?? 86400));
  const sigBox = page.getByLabel('Admin UserSig (generated here, or paste one)');
  const before = await sigBox.inputValue();
  await page.getByRole('button', { name: 'Generate UserSig' }).click();
  await page.waitForFunction(
    ([sel, prev]) => {
      const v = (document.querySelector(sel!) as HTMLTextAreaElement).value;
      return v !== '' && v !== prev;
    },
    ['#cred-usersig', before] as const,
  );
  return sigBox.inputValue();
}

export async function showView(
  page: Page,
  name: 'API debugger' | 'Live recall' | 'Accounts' | 'Conversations' | 'Recall audit',
): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 2, name, exact: true }).waitFor();
}

/** Selects an API in the debugger and replaces the body. */
export async function debuggerSend(page: Page, path: string, body: unknown | string): Promise<void> {
  await page.locator(`#dbg-list button[data-path="${path}"]`).click();
  await page.locator('#dbg-title', { hasText: path }).waitFor();
  await page.getByLabel(/^Request body \(JSON\)/).fill(typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  const previous = await page.locator('#dbg-result').innerText();
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  // The answer replaced what was shown (or a "Not sent" notice appeared).
  await page.waitForFunction((prev) => {
    const t = (document.querySelector('#dbg-result') as HTMLElement).innerText;
    return t !== '' && t !== prev && !document.querySelector('#dbg-send')!.hasAttribute('disabled');
  }, previous);
}

export async function openPane(
  page: Page,
  user: string,
  peer: string,
  connect = true,
  cache: 'In memory' | 'IndexedDB' = 'In memory',
): Promise<Locator> {
  await page.getByLabel('UserID', { exact: true }).fill(user);
  await page.getByLabel('Chat with', { exact: true }).first().fill(peer);
  await page.getByLabel('Local cache').selectOption({ label: cache });
  const box = page.getByLabel('Connect now (untick to open it offline)');
  if ((await box.isChecked()) !== connect) await box.click();
  const count = await page.locator('article.pane').count();
  await page.getByRole('button', { name: 'Open pane' }).click();
  const pane = page.locator('article.pane').nth(count);
  await pane.waitFor();
  if (connect) await waitReady(pane);
  return pane;
}

export async function waitReady(pane: Locator): Promise<void> {
  await pane.locator('.pane-state[data-state="ready"]').waitFor();
}

/** The message list item of a pane whose text is (or was) `text`. */
export const messageItem = (pane: Locator, text: string): Locator => pane.locator('li.msg', { hasText: text });
