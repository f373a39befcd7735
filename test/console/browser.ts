// Drives Debian's Chromium (/usr/bin/chromium, or PARLEY_CHROMIUM) with playwright-core for the
// browser tests: headless, no sandbox, no GPU, no background networking, a fresh profile each time.
// Without Chromium the tests are skipped locally; under CI=true they fail instead.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** PARLEY_CHROMIUM overrides the path (e.g. a path that does not exist, to test the skip). */
export const CHROMIUM = process.env.PARLEY_CHROMIUM || '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

/** node:test's `skip` option for the browser tests: only ever true outside CI. */
export const browserSkip: string | false =
  !haveChromium && process.env.CI !== 'true'
    ? `no Chromium at ${CHROMIUM} (apt-get install -y chromium); under CI=true this is a failure, not a skip`
    : false;

/** Screenshots are kept here (git-ignored), relative to the repository root npm test runs in. */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'console');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Every URL the page asked for (documents, scripts, fetch, WebSocket). */
  requests: string[];
  /** The bodies of those requests that had one, and every WebSocket frame the page sent. */
  sent: string[];
  /** Console errors and uncaught exceptions of the page. */
  pageErrors: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openBrowser(viewport = DESKTOP): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'parley-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const requests: string[] = [];
  const sent: string[] = [];
  const pageErrors: string[] = [];
  context.on('request', (r) => {
    requests.push(r.url());
    const body = r.postData();
    if (body !== null) sent.push(body);
  });
  page.on('websocket', (ws) => {
    requests.push(ws.url());
    ws.on('framesent', (f) => sent.push(String(f.payload)));
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return {
    context,
    page,
    requests,
    sent,
    pageErrors,
    async screenshot(name) {
      mkdirSync(ARTIFACTS, { recursive: true });
      const path = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
