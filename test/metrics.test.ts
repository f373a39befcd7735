// GET /metrics: each metric appears after the request that moves it, and the operator can protect
// the endpoint with a bearer token or move it to an address of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { parseMsgKey } from '@parley/protocol';
import { startTestServer, type TestServer } from './helpers/server.js';
import { text } from './helpers/rest.js';
import { WsClient } from './helpers/ws.js';
import { waitFor } from './helpers/wait.js';

async function metrics(s: TestServer, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${s.base}/metrics`, { headers });
  assert.equal(res.status, 200);
  return res.text();
}

/** The value of one sample line, e.g. value(text, 'parley_recalls_total{via="admin"}'). */
function value(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('requests by API and code, latency, recalls by via, store latency, WS sessions and process metrics', async () => {
  const s = await startTestServer();
  try {
    await s.call('im_open_login_svc/account_import', { UserID: 'bob' });
    const sent = await s.call('openim/sendmsg', { To_Account: 'bob', MsgRandom: 1, MsgBody: text('hi') });
    const failed = await s.call('openim/sendmsg', { To_Account: 'nobody', MsgRandom: 2, MsgBody: text('hi') });
    assert.notEqual(failed.ErrorCode, 0);
    await s.call('openim/no_such_api', {});
    await s.call('openim/admin_msgwithdraw', { From_Account: 'administrator', To_Account: 'bob', MsgKey: sent.MsgKey });
    const again = await s.call('openim/sendmsg', {
      From_Account: 'bob',
      To_Account: 'administrator',
      MsgRandom: 3,
      MsgBody: text('yo'),
    });
    await s.parley.services.messages.recallAsSender(
      s.app.sdkAppId,
      { from: 'bob', to: 'administrator', ...parseMsgKey(again.MsgKey)! },
      120,
    );

    const before = await metrics(s);
    assert.equal(value(before, 'parley_http_requests_total{api="openim/sendmsg",code="0"}'), 2);
    assert.equal(
      value(before, `parley_http_requests_total{api="openim/sendmsg",code="${failed.ErrorCode}"}`),
      1,
      'the failed send is counted under its code',
    );
    assert.equal(
      value(before, 'parley_http_requests_total{api="unknown",code="60009"}'),
      1,
      'an unknown API name is not a label',
    );
    assert.ok(!before.includes('no_such_api'));
    assert.equal(value(before, 'parley_http_request_duration_seconds_count{api="openim/sendmsg"}'), 3);
    assert.equal(value(before, 'parley_recalls_total{via="admin"}'), 1);
    assert.equal(value(before, 'parley_recalls_total{via="client"}'), 1);
    assert.ok(
      (value(before, 'parley_store_call_duration_seconds_count{method="appendMessage",outcome="ok"}') ?? 0) >= 2,
      'store calls are timed',
    );
    assert.ok((value(before, 'process_cpu_user_seconds_total') ?? 0) > 0, 'default process metrics');
    assert.equal(value(before, 'parley_ws_sessions'), 0);

    const ws = await WsClient.open(s);
    assert.equal(value(await metrics(s), 'parley_ws_sessions'), 1);
    await ws.close();
    await waitFor(async () => value(await metrics(s), 'parley_ws_sessions') === 0, 'the gauge back at 0');
  } finally {
    await s.close();
  }
});

test('PARLEY_METRICS_TOKEN: /metrics needs the bearer token', async () => {
  const s = await startTestServer({ config: { metrics: { token: 'metrics-s3cret' } } });
  try {
    const none = await fetch(`${s.base}/metrics`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    assert.ok(!(await none.text()).includes('parley_'));
    assert.equal((await fetch(`${s.base}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await fetch(`${s.base}/metrics`, { headers: { authorization: 'metrics-s3cret' } })).status, 401);
    assert.match(await metrics(s, { authorization: 'Bearer metrics-s3cret' }), /parley_http_requests_total/);
  } finally {
    await s.close();
  }
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

test('PARLEY_METRICS_LISTEN: /metrics is served on its own address only, token still applies', async () => {
  const port = await freePort();
  const s = await startTestServer({ config: { metrics: { listen: { host: '127.0.0.1', port }, token: 't0k' } } });
  try {
    const onApiPort = await fetch(`${s.base}/metrics`);
    assert.equal(onApiPort.status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 401);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: 'Bearer t0k' } });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /parley_http_requests_total/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
  } finally {
    await s.close();
  }
  // Closed with the server.
  await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`));
});
