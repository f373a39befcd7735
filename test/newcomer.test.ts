// Small things a newcomer meets: the bare address leads to the console, PARLEY_LOG_LEVEL=debug says
// why a call failed (without credentials) and logs each WebSocket session, and a Node device is reported as Web by
// query_online_status, as the callbacks already report it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optPlatformOf } from '../src/domain/callbacks.js';
import { rawRequest } from './helpers/http.js';
import { WsClient } from './helpers/ws.js';
import { waitFor } from './helpers/wait.js';
import { ADMIN, SDKAPPID, SECRET, startTestServer } from './helpers/server.js';
import { device, importAccounts, withDevices } from './client/helpers.js';

test('GET / redirects to the console', async () => {
  await withDevices(async (s) => {
    const r = await rawRequest(`${s.base}/`, { method: 'GET' });
    assert.equal(r.status, 302);
    assert.equal(r.headers.location, '/console/');
  });
});

test('at debug level a failed call is logged with its API, ErrorCode and ErrorInfo, and no UserSig', async () => {
  const s = await startTestServer({ config: { logLevel: 'debug' } });
  const lines = (): string[] => s.logs.flatMap((c) => c.split('\n').filter(Boolean));
  try {
    const base = s.base;
    const sig = s.sig(ADMIN);
    const r = await rawRequest(
      `${base}/v4/openim/sendmsg?sdkappid=${SDKAPPID}&identifier=${ADMIN}&usersig=${sig}&random=1&contenttype=json`,
      { body: '{"To_Account": 5}' },
    );
    const code = r.json().ErrorCode as number;
    assert.notEqual(code, 0);
    const debug = lines()
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.level === 20);
    const failed = debug.find((l) => l.msg === 'api error');
    assert.ok(failed, `a debug line for the failed call; debug lines: ${JSON.stringify(debug)}`);
    assert.equal(failed.api, 'openim/sendmsg');
    assert.equal(failed.errorCode, code);
    assert.equal(failed.errorInfo, r.json().ErrorInfo);
    assert.ok(!lines().some((l) => l.includes(sig)), 'the UserSig is in no log line');
    assert.ok(!lines().some((l) => l.includes(SECRET)), 'the secret key is in no log line');
  } finally {
    await s.close();
  }
});

test('a Node device is Web in query_online_status, as in the callbacks', async () => {
  await withDevices(async (s, track) => {
    await importAccounts(s, 'alice');
    track(await device(s, 'alice', { platform: 'Node' }));
    const r = await s.call('openim/query_online_status', { To_Account: ['alice'], IsNeedDetail: 1 });
    assert.equal(r.ErrorCode, 0, JSON.stringify(r));
    const detail = r.QueryResult[0].Detail as Array<{ Platform: string }>;
    assert.deepEqual(
      detail.map((d) => d.Platform),
      ['Web'],
    );
    assert.equal(optPlatformOf('Node'), 'Web', 'the callbacks name the same platform');
  });
});

test('at debug level each WebSocket session is logged when it opens and closes, with its user', async () => {
  const s = await startTestServer({ config: { logLevel: 'debug' } });
  const lines = (): string[] => s.logs.flatMap((c) => c.split('\n').filter(Boolean));
  try {
    const base = s.base;
    const sig = s.sig(ADMIN);
    const ws = await WsClient.open({ base });
    const login = await ws.request('login', {
      protocol: 1,
      sdkAppId: SDKAPPID,
      userId: ADMIN,
      userSig: sig,
      platform: 'Web',
      deviceId: 'd1',
    });
    assert.equal(login.code, 0, JSON.stringify(login));
    await ws.close();
    const debug = () =>
      lines()
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.level === 20);
    await waitFor(() => debug().some((l) => l.msg === 'websocket session closed'), 'the close line');
    assert.ok(
      debug().some((l) => l.msg === 'websocket session opened'),
      'the open line',
    );
    const closed = debug().find((l) => l.msg === 'websocket session closed')!;
    assert.equal(closed.user, ADMIN);
    assert.equal(closed.platform, 'Web');
    assert.ok(!lines().some((l) => l.includes(sig)), 'the UserSig is in no log line');
  } finally {
    await s.close();
  }
});
