// The SDK in a real browser (Debian's Chromium): the browser's own WebSocket and IndexedDB, the
// modules loaded as they are built, nothing from Node. A recall erases the content from
// IndexedDB, and a reloaded page (a new SDK instance on the same IndexedDB) never shows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { browserSkip, openBrowser, type Browser } from '../console/browser.js';
import { EVENT } from '@parley/client';
import { SDKAPPID } from '../helpers/server.js';
import { device, importAccounts, sendText, withDevices } from './helpers.js';

// The packages as built (dist/test/client → packages/*/dist); the page maps the SDK's one bare
// import, @parley/protocol, with an import map, as an app that does not bundle would.
const PACKAGE_DIRS: Record<string, string> = {
  client: fileURLToPath(new URL('../../../packages/client/dist/', import.meta.url)),
  protocol: fileURLToPath(new URL('../../../packages/protocol/dist/', import.meta.url)),
};

const pageHtml = (
  origin: string,
): string => `<!doctype html><html><head><meta charset="utf-8"><title>sdk</title></head><body>
<script type="importmap">{ "imports": { "@parley/protocol": "${origin}/protocol/index.js" } }</script>
<script type="module">
  import TencentCloudChat, { IndexedDBCache } from '${origin}/client/index.js';
  window.sdk = { TencentCloudChat, IndexedDBCache };
  window.sdkLoaded = true;
</script></body></html>`;

test(
  'in Chromium: login, receive, recall erases IndexedDB, a reloaded page never shows the content',
  { timeout: 120_000, skip: browserSkip },
  () =>
    withDevices(async (s, track) => {
      await importAccounts(s, 'alice', 'bob');
      const alice = track(await device(s, 'alice'));
      // The page and the built modules come from a loopback server of their own: Chromium lets a
      // loopback page open connections to the loopback Parley server (Local Network Access checks).
      const origin = await serveStatic();
      // Everything started here is closed in the finally, even when Chromium does not start, so a
      // failure ends the run instead of leaving a server listening.
      let browser: Browser | undefined;
      try {
        browser = await openBrowser();
        const { page } = browser;
        const boot = async (): Promise<void> => {
          await page.goto(`${origin.url}/`);
          await page.waitForFunction(() => (window as unknown as { sdkLoaded?: boolean }).sdkLoaded === true);
        };
        const login = (sig: string) =>
          page.evaluate(
            async ({ base, sig, appId, ready }) => {
              const w = window as unknown as Record<string, any>;
              const { TencentCloudChat, IndexedDBCache } = w.sdk;
              const chat = TencentCloudChat.create({
                SDKAppID: appId,
                serverURL: base,
                cache: new IndexedDBCache({ dbName: 'parley-e2e' }),
              });
              chat.setLogLevel(4);
              w.chat = chat;
              w.events = [] as Array<{ name: string; ids: string[]; texts: string[] }>;
              for (const name of Object.values(TencentCloudChat.EVENT) as string[]) {
                chat.on(name, (e: { data: unknown }) => {
                  const list = Array.isArray(e.data) ? e.data : [];
                  w.events.push({
                    name,
                    ids: list.map((m: any) => m?.ID ?? m?.conversationID),
                    texts: list.map((m: any) => m?.payload?.text ?? ''),
                  });
                });
              }
              const readyP = new Promise((r) => chat.once(ready, r));
              await chat.login({ userID: 'bob', userSig: sig });
              await readyP;
              return { user: chat.getLoginUser(), hasWebSocket: typeof WebSocket === 'function' };
            },
            { base: s.base, sig, appId: SDKAPPID, ready: EVENT.SDK_READY },
          );
        const events = () =>
          page.evaluate(
            () => (window as unknown as { events: Array<{ name: string; ids: string[]; texts: string[] }> }).events,
          );
        const stored = () =>
          page.evaluate(async (appId) => {
            const w = window as unknown as Record<string, any>;
            return JSON.stringify(
              await new w.sdk.IndexedDBCache({ dbName: 'parley-e2e' }).load({ sdkAppId: appId, userId: 'bob' }),
            );
          }, SDKAPPID);

        await boot();
        assert.deepEqual(await login(s.sig('bob')), { user: 'bob', hasWebSocket: true });
        const keep = await sendText(alice, 'bob', 'KEEP-BROWSER');
        const secret = await sendText(alice, 'bob', 'SECRET-BROWSER-11');
        await page.waitForFunction(
          (id) => (window as any).events.some((e: any) => e.name === 'onMessageReceived' && e.ids.includes(id)),
          secret.ID,
        );
        const received = (await events()).filter((e) => e.name === EVENT.MESSAGE_RECEIVED).flatMap((e) => e.texts);
        assert.deepEqual(received, ['KEEP-BROWSER', 'SECRET-BROWSER-11']);
        assert.ok((await stored()).includes('SECRET-BROWSER-11'), 'IndexedDB held the message');

        await alice.chat.revokeMessage(secret);
        await page.waitForFunction(
          (id) => (window as any).events.some((e: any) => e.name === 'onMessageRevoked' && e.ids.includes(id)),
          secret.ID,
        );
        const afterRecall = await stored();
        assert.equal(afterRecall.includes('SECRET-BROWSER-11'), false, 'the recall erased it from IndexedDB');
        assert.ok(afterRecall.includes('KEEP-BROWSER'));
        const deviceId = (JSON.parse(afterRecall) as { deviceId: string }).deviceId;
        assert.ok(deviceId.length > 0);

        // Reload: a new SDK on the same IndexedDB, with a message sent while the page was away.
        await page.evaluate(() => (window as any).chat.destroy());
        const away = await sendText(alice, 'bob', 'WHILE-RELOADING');
        await boot();
        await login(s.sig('bob'));
        await page.waitForFunction(
          (id) => (window as any).events.some((e: any) => e.name === 'onMessageReceived' && e.ids.includes(id)),
          away.ID,
        );
        const view = await page.evaluate(
          async ({ keepID, secretID }) => {
            const chat = (window as any).chat;
            const list = (await chat.getMessageList({ conversationID: 'C2Calice' })).data.messageList;
            const conv = (await chat.getConversationList()).data.conversationList[0];
            return {
              texts: list.map((m: any) => [m.payload.text, m.isRevoked]),
              kept: chat.findMessage(keepID)?.payload.text,
              secret: chat.findMessage(secretID)?.isRevoked,
              preview: conv.lastMessage.messageForShow,
              unread: chat.getTotalUnreadMessageCount(),
              received: (window as any).events
                .filter((e: any) => e.name === 'onMessageReceived')
                .flatMap((e: any) => e.texts),
            };
          },
          { keepID: keep.ID, secretID: secret.ID },
        );
        assert.deepEqual(view.received, ['WHILE-RELOADING'], 'only what is new is delivered after a reload');
        assert.equal(view.kept, 'KEEP-BROWSER', 'loaded from IndexedDB');
        assert.equal(view.secret, true);
        assert.equal(view.preview, 'WHILE-RELOADING');
        assert.equal(view.unread, 2);
        assert.equal(JSON.stringify(view.texts).includes('SECRET'), false);
        assert.equal(
          (JSON.parse(await stored()) as { deviceId: string }).deviceId,
          deviceId,
          'the deviceId survives the reload',
        );
        assert.deepEqual(browser.pageErrors, []);
      } finally {
        await browser?.page.evaluate(() => (window as any).chat?.destroy()).catch(() => undefined);
        await browser?.close();
        origin.server.closeAllConnections();
        await new Promise((resolve) => origin.server.close(resolve));
      }
    }),
);

async function serveStatic(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (path === '/') return send(200, 'text/html', pageHtml(url));
    const m = /^\/(client|protocol)\/([\w/.-]+\.js)$/.exec(path);
    if (m && !path.includes('..')) {
      readFile(PACKAGE_DIRS[m[1]!]! + m[2], 'utf8').then(
        (b) => send(200, 'text/javascript', b),
        () => send(404, 'text/plain', 'no'),
      );
      return;
    }
    send(404, 'text/plain', 'no');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return { server, url };
}
