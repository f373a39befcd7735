// The REST edge over real HTTP: UserSig and sdkappid failures mapped to ErrorCodes (spec README),
// admin permission per API family, URL/query/body tolerance, the envelope and HTTP 200, CORS,
// keep-alive, logs without credentials, request ids, rate limits and app isolation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { ADMIN, SDKAPPID, SECRET, T0, startTestServer, type TestServer } from './helpers/server.js';
import { rawRequest } from './helpers/http.js';
import { defaultRegistry } from '../src/api/index.js';
import { FAMILY_CODES } from '../src/api/registry.js';
import type { AppConfig } from '../src/config/config.js';

const CHECK = 'im_open_login_svc/account_check';
const IMPORT = 'im_open_login_svc/account_import';

/** The usual query with these parameters replaced (null drops one). */
function query(s: TestServer, over: Record<string, string | null> = {}): string {
  const p: Record<string, string | null> = {
    sdkappid: String(s.app.sdkAppId),
    identifier: s.app.admins[0]!,
    usersig: s.adminSig,
    random: '12345',
    contenttype: 'json',
    ...over,
  };
  return Object.entries(p)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${encodeURIComponent(v!)}`)
    .join('&');
}

const apiUrl = (s: TestServer, api: string, q = query(s)) => `${s.base}/v4/${api}?${q}`;

async function status(s: TestServer, ...ids: string[]): Promise<Record<string, string>> {
  const r = await s.call(CHECK, { CheckItem: ids.map((UserID) => ({ UserID })) });
  assert.equal(r.ErrorCode, 0);
  return Object.fromEntries(
    r.ResultItem.map((i: { UserID: string; AccountStatus: string }) => [i.UserID, i.AccountStatus]),
  );
}

function assertFail(r: Record<string, any>, code: number, what: string): void {
  assert.equal(r.ErrorCode, code, `${what}: ${JSON.stringify(r)}`);
  assert.equal(r.ActionStatus, 'FAIL', what);
  assert.equal(typeof r.ErrorInfo, 'string', what);
  assert.ok(r.ErrorInfo.length > 0, `${what}: ErrorInfo explains the failure`);
}

function assertCors(h: http.IncomingHttpHeaders | Headers, what: string): void {
  const get = (n: string) => (h instanceof Headers ? h.get(n) : (h[n] as string | undefined)) ?? '';
  assert.equal(get('access-control-allow-origin'), '*', what);
  assert.equal(get('access-control-allow-methods'), 'POST', what);
  assert.ok(
    get('access-control-allow-headers')
      .split(/\s*,\s*/)
      .map((x) => x.toLowerCase())
      .includes('x-requested-with'),
    what,
  );
}

// ---- UserSig and sdkappid -------------------------------------------------------------------

test('every UserSig and sdkappid failure gets its ErrorCode, HTTP 200, and the call does not run', async () => {
  const s = await startTestServer();
  try {
    const garbageZlib = Buffer.from('not json at all').toString('base64').replace(/=/g, '_');
    const cases: Array<[string, Parameters<TestServer['call']>[2], number]> = [
      ['usersig missing', { rawQuery: query(s, { usersig: null }) }, 70002],
      ['usersig empty', { usersig: '' }, 70002],
      ['usersig garbage', { usersig: 'this-is-not*a_sig' }, 70003],
      ['usersig with characters outside the alphabet', { usersig: '{"TLS.sig":1}' }, 70003],
      ['usersig not zlib', { usersig: garbageZlib }, 70003],
      [
        'usersig signed with another key',
        { usersig: s.sig(ADMIN, { secretKey: 'not-the-secret-key-of-this-app' }) },
        70009,
      ],
      ['usersig of another identifier', { usersig: s.sig('someone') }, 70013],
      ['identifier missing', { rawQuery: query(s, { identifier: null }) }, 70013],
      ['identifier differs in case', { identifier: 'Administrator' }, 70013],
      ['usersig issued for another SDKAppID', { usersig: s.sig(ADMIN, { sdkAppId: 1400000009 }) }, 70014],
      ['SDKAppID not hosted here', { sdkappid: 1400000009 }, 70020],
      ['SDKAppID 0', { sdkappid: '0' }, 70020],
      ['sdkappid missing', { sdkappid: null }, 60012],
      ['sdkappid empty', { sdkappid: '' }, 60012],
      ['sdkappid not a number', { sdkappid: 'abc' }, 60006],
      ['sdkappid negative', { sdkappid: '-1400000000' }, 60006],
      ['sdkappid with exponent', { sdkappid: '14e8' }, 60006],
      ['sdkappid too long', { sdkappid: '140000000000000' }, 60006],
    ];
    const ids: string[] = [];
    for (const [what, opts, code] of cases) {
      const id = `u${ids.length}`;
      ids.push(id);
      assertFail(await s.call(IMPORT, { UserID: id }, opts), code, what);
    }
    const st = await status(s, ...ids);
    for (const id of ids) assert.equal(st[id], 'NotImported', `${id} was not imported by a rejected call`);
  } finally {
    await s.close();
  }
});

test('an expired UserSig gets 70001: valid at time + expire, expired one second later (cached or not)', async () => {
  const s = await startTestServer();
  try {
    const sig = s.sig(ADMIN, { expire: 60 });
    assert.equal((await s.call(CHECK, { CheckItem: [{ UserID: 'a' }] }, { usersig: sig })).ErrorCode, 0);
    s.clock.advance(60_000);
    assert.equal(
      (await s.call(CHECK, { CheckItem: [{ UserID: 'a' }] }, { usersig: sig })).ErrorCode,
      0,
      'still valid at time + expire',
    );
    s.clock.advance(1_000);
    assertFail(
      await s.call(CHECK, { CheckItem: [{ UserID: 'a' }] }, { usersig: sig }),
      70001,
      'verified before, now expired',
    );
    // Never seen before and already expired.
    const old = s.sig(ADMIN, { expire: 30, now: T0 });
    assertFail(await s.call(IMPORT, { UserID: 'late' }, { usersig: old }), 70001, 'fresh expired sig');
    assert.deepEqual(await status(s, 'late'), { late: 'NotImported' });
  } finally {
    await s.close();
  }
});

test('a sig that verified once is still refused for another identifier', async () => {
  const s = await startTestServer({
    apps: [{ sdkAppId: SDKAPPID, secretKey: SECRET, admins: [ADMIN, 'ops'], rateLimits: false }],
  });
  try {
    assert.equal((await s.call(CHECK, { CheckItem: [{ UserID: 'a' }] })).ErrorCode, 0);
    assertFail(
      await s.call(CHECK, { CheckItem: [{ UserID: 'a' }] }, { identifier: 'ops' }),
      70013,
      'admin sig used as ops',
    );
    assert.equal(
      (await s.call(CHECK, { CheckItem: [{ UserID: 'a' }] }, { identifier: 'ops', usersig: s.sig('ops') })).ErrorCode,
      0,
    );
  } finally {
    await s.close();
  }
});

test('a valid sig of a non-admin gets 70403 on every im_open_login_svc API and 90009 on every openim API', async () => {
  const s = await startTestServer();
  try {
    assert.equal((await s.call(IMPORT, { UserID: 'alice' })).ErrorCode, 0);
    const sig = s.sig('alice');
    // The Tencent-compatible families (Parley's own extensions may set their own rules).
    const apis = defaultRegistry()
      .list()
      .filter((a) => a.service === 'openim' || a.service === 'im_open_login_svc');
    assert.ok(apis.some((a) => a.family === 'openim') && apis.some((a) => a.family === 'account'));
    for (const api of apis) {
      const expected = api.family === 'account' ? 70403 : 90009;
      assert.equal(FAMILY_CODES[api.family].notAdmin, expected);
      const r = await s.call(`${api.service}/${api.command}`, api.sample, { identifier: 'alice', usersig: sig });
      assertFail(r, expected, `${api.service}/${api.command}`);
    }
    // Not executed: alice's sample delete did not delete, the sample import did not import.
    assert.deepEqual(await status(s, 'alice', 'bob'), { alice: 'Imported', bob: 'NotImported' });
  } finally {
    await s.close();
  }
});

// ---- URL, method, query ---------------------------------------------------------------------

test('an unknown service or command gets 60009 with HTTP 200', async () => {
  const s = await startTestServer();
  try {
    for (const path of [
      'im_open_login_svc/account_nope',
      'nope/account_import',
      'openim/sendmsg2',
      'v4/openim',
      'foo',
      'a/b/c',
      'openim/sendmsg/',
    ]) {
      const res = await rawRequest(`${s.base}/v4/${path}?${query(s)}`, { body: '{}' });
      assert.equal(res.status, 200, path);
      assertFail(res.json(), 60009, path);
      assertCors(res.headers, path);
      assert.ok(!res.text.includes(s.adminSig), 'the response does not echo the usersig');
    }
  } finally {
    await s.close();
  }
});

test('GET, PUT and DELETE get 60002 in the envelope with HTTP 200', async () => {
  const s = await startTestServer();
  try {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const res = await rawRequest(apiUrl(s, CHECK), {
        method,
        ...(method === 'GET' ? {} : { body: '{"CheckItem":[{"UserID":"a"}]}' }),
      });
      assert.equal(res.status, 200, method);
      assertFail(res.json(), 60002, method);
      assertCors(res.headers, method);
    }
    const put = await rawRequest(apiUrl(s, IMPORT), { method: 'PUT', body: '{"UserID":"via-put"}' });
    assert.equal(put.json().ErrorCode, 60002);
    assert.deepEqual(await status(s, 'via-put'), { 'via-put': 'NotImported' });
  } finally {
    await s.close();
  }
});

test('query parameters in any order, without random or contenttype, usersig percent-encoded or raw', async () => {
  const s = await startTestServer();
  try {
    const sig = s.adminSig;
    assert.match(sig, /[*_-]/, 'the sig uses the substituted characters');
    const everyCharEncoded = [...sig]
      .map((c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'))
      .join('');
    const queries = [
      `usersig=${sig}&contenttype=json&identifier=${ADMIN}&random=99&sdkappid=${SDKAPPID}`,
      `identifier=${ADMIN}&sdkappid=${SDKAPPID}&usersig=${sig}`,
      `contenttype=json&usersig=${sig}&sdkappid=${SDKAPPID}&identifier=${ADMIN}`,
      `sdkappid=${SDKAPPID}&identifier=${ADMIN}&usersig=${everyCharEncoded}&random=4294967295&contenttype=json`,
      `sdkappid=${SDKAPPID}&identifier=${ADMIN}&usersig=${encodeURIComponent(sig)}`,
      `sdkappid=${SDKAPPID}&identifier=%61dministrator&usersig=${sig.replace(/\*/g, '%2A').replace(/_/g, '%5F')}`,
    ];
    const ids: string[] = [];
    for (const [i, q] of queries.entries()) {
      ids.push(`q${i}`);
      const r = await s.call(IMPORT, { UserID: `q${i}` }, { rawQuery: q });
      assert.deepEqual(r, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 }, q);
    }
    assert.deepEqual(await status(s, ...ids), Object.fromEntries(ids.map((id) => [id, 'Imported'])));
  } finally {
    await s.close();
  }
});

// ---- body -----------------------------------------------------------------------------------

test('the body is parsed as JSON whatever its Content-Type, or without one', async () => {
  const s = await startTestServer();
  try {
    const types: Array<string | undefined> = [
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      undefined,
    ];
    const ids: string[] = [];
    for (const [i, type] of types.entries()) {
      const id = `ct${i}`;
      ids.push(id);
      const res = await rawRequest(apiUrl(s, IMPORT), {
        body: JSON.stringify({ UserID: id, Nick: '名字' }),
        headers: type ? { 'content-type': type } : {},
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 }, String(type));
    }
    // fetch with a Blob of no type sends no Content-Type either.
    const blob = await fetch(apiUrl(s, IMPORT), {
      method: 'POST',
      body: new Blob([JSON.stringify({ UserID: 'blob' })]),
    });
    assert.deepEqual(await blob.json(), { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    // Chunked, without Content-Length.
    const chunked = await rawRequest(apiUrl(s, IMPORT), {
      body: '{"UserID":"chunked"}',
      headers: { 'transfer-encoding': 'chunked' },
    });
    assert.equal(chunked.json().ErrorCode, 0);
    ids.push('blob', 'chunked');
    assert.deepEqual(await status(s, ...ids), Object.fromEntries(ids.map((id) => [id, 'Imported'])));
  } finally {
    await s.close();
  }
});

test('an empty, missing, non-JSON or non-object body gets 60003 on account APIs and 90001 on openim APIs', async () => {
  const s = await startTestServer();
  try {
    const bodies: Array<[string, string | undefined]> = [
      ['no body', undefined],
      ['empty body', ''],
      ['not JSON', 'UserID=alice'],
      ['truncated JSON', '{"UserID":"alice"'],
      ['JSON array', '[{"UserID":"alice"}]'],
      ['JSON string', '"alice"'],
      ['JSON number', '42'],
      ['JSON null', 'null'],
      ['bad UTF-8 JSON', '\u00ff{}'],
    ];
    for (const [what, body] of bodies) {
      for (const [api, code] of [
        [IMPORT, 60003],
        [CHECK, 60003],
        ['openim/sendmsg', 90001],
        ['openim/get_c2c_unread_msg_num', 90001],
      ] as const) {
        const res = await rawRequest(apiUrl(s, api), {
          ...(body !== undefined ? { body } : {}),
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(res.status, 200, `${what} → ${api}`);
        assertFail(res.json(), code, `${what} → ${api}`);
      }
    }
    assert.deepEqual(await status(s, 'alice'), { alice: 'NotImported' });
  } finally {
    await s.close();
  }
});

test('a body over 1 MiB gets the envelope with HTTP 200 (not 413) and is not executed', async () => {
  const s = await startTestServer();
  try {
    const big = JSON.stringify({ UserID: 'huge', Nick: 'x'.repeat(1024 * 1024) });
    assert.ok(Buffer.byteLength(big) > 1024 * 1024);
    const res = await rawRequest(apiUrl(s, IMPORT), { body: big, headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 200);
    assertFail(res.json(), 70402, 'account API');
    assertCors(res.headers, 'oversized');
    const msg = await rawRequest(apiUrl(s, 'openim/sendmsg'), {
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(msg.status, 200);
    assertFail(msg.json(), 93000, 'openim API');
    assert.deepEqual(await status(s, 'huge'), { huge: 'NotImported' });
  } finally {
    await s.close();
  }
});

test('a body over 1 MiB sent in chunks, without Content-Length, gets the envelope and is not executed', async () => {
  const s = await startTestServer();
  try {
    const big = JSON.stringify({
      From_Account: ADMIN,
      To_Account: ADMIN,
      MsgRandom: 1,
      MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'x'.repeat(1024 * 1024) } }],
    });
    const res = await rawRequest(apiUrl(s, 'openim/sendmsg'), {
      body: big,
      headers: { 'transfer-encoding': 'chunked' },
    });
    assert.equal(res.status, 200);
    assertFail(res.json(), 93000, 'chunked openim body');
    assertCors(res.headers, 'chunked oversized');
    const imp = await rawRequest(apiUrl(s, IMPORT), {
      body: JSON.stringify({ UserID: 'huge', Nick: 'x'.repeat(1024 * 1024) }),
      headers: { 'transfer-encoding': 'chunked' },
    });
    assertFail(imp.json(), 70402, 'chunked account body');
    assert.deepEqual(await status(s, 'huge'), { huge: 'NotImported' });
  } finally {
    await s.close();
  }
});

test('a percent-encoded path is the same call: same answer, envelope, headers and log line', async () => {
  // Such a path is served by the router rather than the fast path; callers must not tell the difference.
  const s = await startTestServer();
  try {
    const plain = await rawRequest(apiUrl(s, IMPORT), { body: JSON.stringify({ UserID: 'alice' }) });
    const encoded = await rawRequest(apiUrl(s, 'im_open_login_svc/account_%69mport'), {
      body: JSON.stringify({ UserID: 'bob' }),
      headers: { 'x-request-id': 'enc-1' },
    });
    for (const [what, r] of [
      ['plain', plain],
      ['encoded', encoded],
    ] as const) {
      assert.equal(r.status, 200, what);
      assert.deepEqual(r.json(), { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 }, what);
      assert.match(String(r.headers['content-type']), /^application\/json; charset=utf-8$/, what);
      assertCors(r.headers, what);
      assert.ok(String(r.headers['x-request-id']).length > 0, what);
    }
    assert.equal(encoded.headers['x-request-id'], 'enc-1');
    assert.deepEqual(await status(s, 'alice', 'bob'), { alice: 'Imported', bob: 'Imported' });
    const unknown = await rawRequest(apiUrl(s, 'openim/no%5Fsuch'), { body: '{}' });
    assertFail(unknown.json(), 60009, 'unknown encoded command');
    await new Promise((r) => setImmediate(r));
    const lines = s.logs
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, any>);
    const logged = lines.filter((l) => l.msg === 'request');
    assert.ok(
      logged.some((l) => l.reqId === 'enc-1' && l.errorCode === 0 && l.status === 200),
      'the routed call is logged like the others',
    );
    assert.ok(logged.some((l) => l.errorCode === 60009));
  } finally {
    await s.close();
  }
});

// ---- envelope, CORS, connections, health ----------------------------------------------------

test('responses carry the envelope, JSON content type and the CORS headers of spec §1.3', async () => {
  const s = await startTestServer();
  try {
    const ok = await s.post(IMPORT, { UserID: 'alice' });
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-type') ?? '', /^application\/json/);
    assertCors(ok.headers, 'success');
    assert.deepEqual(await ok.json(), { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    const bad = await s.post(IMPORT, {}, { usersig: 'garbage' });
    assert.equal(bad.status, 200);
    assertCors(bad.headers, 'failure');
    assert.deepEqual(Object.keys(await bad.json()).sort(), ['ActionStatus', 'ErrorCode', 'ErrorInfo']);
  } finally {
    await s.close();
  }
});

test('an OPTIONS preflight is answered with the CORS headers and no credentials', async () => {
  const s = await startTestServer();
  try {
    const res = await rawRequest(`${s.base}/v4/${IMPORT}`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://console.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-requested-with',
      },
    });
    assert.ok(res.status === 200 || res.status === 204, `status ${res.status}`);
    assertCors(res.headers, 'preflight');
  } finally {
    await s.close();
  }
});

test('HTTP/1.1 keep-alive: two calls on one socket', async () => {
  const s = await startTestServer();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await rawRequest(apiUrl(s, IMPORT), { body: '{"UserID":"k1"}', agent });
    const second = await rawRequest(apiUrl(s, IMPORT), { body: '{"UserID":"k2"}', agent });
    assert.equal(first.json().ErrorCode, 0);
    assert.equal(second.json().ErrorCode, 0);
    assert.equal(first.reusedSocket, false);
    assert.equal(second.reusedSocket, true, "the second request reused the first one's connection");
    assert.match(String(second.headers.connection), /keep-alive/i);
    assert.deepEqual(await status(s, 'k1', 'k2'), { k1: 'Imported', k2: 'Imported' });
  } finally {
    agent.destroy();
    await s.close();
  }
});

test('GET /healthz answers 200', async () => {
  const s = await startTestServer();
  try {
    const res = await rawRequest(`${s.base}/healthz`, { method: 'GET' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
    const unknown = await rawRequest(`${s.base}/nothing-here?usersig=${s.adminSig}`, { method: 'GET' });
    assert.equal(unknown.status, 404);
    assert.ok(!unknown.text.includes(s.adminSig));
  } finally {
    await s.close();
  }
});

// ---- logs and request ids -------------------------------------------------------------------

test('no usersig reaches the logs, whatever the request; each request is logged with its id', async () => {
  const s = await startTestServer();
  try {
    const sigs = {
      admin: s.adminSig,
      wrongKey: s.sig(ADMIN, { secretKey: 'a-different-secret-key' }),
      otherUser: s.sig('mallory', { expire: 777 }),
      expired: s.sig(ADMIN, { expire: 1, now: T0 - 100 }),
    };
    const pct = (v: string) => [...v].map((c) => '%' + c.charCodeAt(0).toString(16)).join('');
    await s.call(IMPORT, { UserID: 'alice' });
    await s.call(IMPORT, { UserID: 'bob' }, { usersig: sigs.wrongKey });
    await s.call(IMPORT, { UserID: 'carol' }, { usersig: sigs.otherUser });
    await s.call(IMPORT, { UserID: 'dave' }, { usersig: sigs.expired });
    await s.call(IMPORT, '{broken', { raw: true });
    await s.call(
      IMPORT,
      { UserID: 'erin' },
      { rawQuery: `sdkappid=${SDKAPPID}&identifier=${ADMIN}&usersig=${pct(sigs.admin)}` },
    );
    await s.call(
      IMPORT,
      { UserID: 'frank' },
      { rawQuery: `sdkappid=${SDKAPPID}&identifier=${ADMIN}&%75sersig=${sigs.admin}` },
    );
    await s.call(
      IMPORT,
      { UserID: 'gina' },
      { rawQuery: `sdkappid=${SDKAPPID}&identifier=${ADMIN}&%75%73%65%72%73%69%67=${sigs.admin}` },
    );
    await s.call('nope/nothing', {});
    await rawRequest(`${s.base}/v4/foo?usersig=${sigs.admin}`, { body: '{}' });
    await rawRequest(apiUrl(s, IMPORT), { method: 'GET' });
    await rawRequest(apiUrl(s, IMPORT), { body: 'x'.repeat(1024 * 1024 + 10) });
    const traced = await s.post(
      CHECK,
      { CheckItem: [{ UserID: 'alice' }] },
      { headers: { 'x-request-id': 'trace-42.a_b' } },
    );
    assert.equal(traced.headers.get('x-request-id'), 'trace-42.a_b', 'a given request id is echoed');
    await traced.json();
    const plain = await s.post(CHECK, { CheckItem: [{ UserID: 'alice' }] });
    const generated = plain.headers.get('x-request-id') ?? '';
    assert.match(generated, /^[0-9a-f]{8}-[0-9a-z]+$/, 'a request id is made up when none is given');
    await plain.json();
    const again = await s.post(CHECK, { CheckItem: [{ UserID: 'alice' }] });
    assert.notEqual(again.headers.get('x-request-id'), generated, 'each request gets its own id');
    await again.json();
    const unsafe = await s.post(
      CHECK,
      { CheckItem: [{ UserID: 'alice' }] },
      { headers: { 'x-request-id': 'x'.repeat(65) } },
    );
    assert.notEqual(unsafe.headers.get('x-request-id'), 'x'.repeat(65), 'an over-long request id is replaced');
    await unsafe.json();

    // The request log line is written after the response; give the stream a turn.
    await new Promise((r) => setImmediate(r));
    const logs = s.logs.join('');
    assert.ok(logs.length > 0);
    for (const [name, sig] of Object.entries(sigs)) {
      assert.ok(!logs.includes(sig), `the ${name} usersig is not in the logs`);
      assert.ok(!logs.includes(sig.slice(-40)), `no tail of the ${name} usersig is in the logs`);
      assert.ok(!logs.includes(pct(sig).slice(-60)), `the percent-encoded ${name} usersig is not in the logs`);
    }
    const lines = s.logs
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, any>);
    const requests = lines.filter((l) => l.msg === 'request');
    assert.ok(requests.length >= 15, `one line per request, got ${requests.length}`);
    for (const r of requests) assert.equal(typeof r.reqId, 'string', 'each request line names its request id');
    assert.ok(requests.some((r) => r.reqId === 'trace-42.a_b' && r.errorCode === 0));
    assert.ok(requests.some((r) => r.reqId === generated));
    assert.ok(requests.some((r) => String(r.req?.url).includes('usersig=[redacted]')));
  } finally {
    await s.close();
  }
});

// ---- rate limits ----------------------------------------------------------------------------

test('rate limits: Tencent defaults, 200 calls in one instant pass and the 201st gets 60007 unexecuted', async () => {
  const s = await startTestServer({ rateLimits: {} });
  try {
    for (let i = 0; i < 200; i++) {
      const r = await s.call(IMPORT, { UserID: `r${i}` });
      assert.equal(r.ErrorCode, 0, `call ${i + 1}`);
    }
    assertFail(await s.call(IMPORT, { UserID: 'late' }), 60007, 'call 201');
    assert.deepEqual(await status(s, 'r199', 'late'), { r199: 'Imported', late: 'NotImported' });
    // 100/s for account_check: 1 call above, 99 more pass, the next does not.
    for (let i = 0; i < 99; i++)
      assert.equal((await s.call(CHECK, { CheckItem: [{ UserID: 'r0' }] })).ErrorCode, 0, `check ${i + 2}`);
    assertFail(await s.call(CHECK, { CheckItem: [{ UserID: 'r0' }] }), 60007, 'check 101');
    // A second later the bucket is full again.
    s.clock.advance(1000);
    assert.equal((await s.call(IMPORT, { UserID: 'late' })).ErrorCode, 0);
    assert.deepEqual(await status(s, 'late'), { late: 'Imported' });
  } finally {
    await s.close();
  }
});

test('rate limits: a per-API override applies, per API, and the clock refills it', async () => {
  const s = await startTestServer({ rateLimits: { [CHECK]: 2 } });
  try {
    const check = () => s.call(CHECK, { CheckItem: [{ UserID: 'alice' }] });
    assert.equal((await check()).ErrorCode, 0);
    assert.equal((await check()).ErrorCode, 0);
    assertFail(await check(), 60007, 'third check');
    // Another API of the same app has its own (default) limit.
    assert.equal((await s.call(IMPORT, { UserID: 'alice' })).ErrorCode, 0);
    s.clock.advance(1000);
    assert.equal((await check()).ErrorCode, 0);
    const after = await check();
    assert.equal(after.ErrorCode, 0);
    assert.equal(after.ResultItem[0].AccountStatus, 'Imported');
    assertFail(await check(), 60007, 'third check after the refill');
  } finally {
    await s.close();
  }
});

test('rate limits are per app', async () => {
  const B = 1400000002;
  const limits = { [CHECK]: 1 };
  const s = await startTestServer({
    apps: [
      { sdkAppId: SDKAPPID, secretKey: SECRET, admins: [ADMIN], rateLimits: limits },
      { sdkAppId: B, secretKey: 'secret-of-app-b-0123456789', admins: ['boss'], rateLimits: limits },
    ],
  });
  try {
    const asB = {
      sdkappid: B,
      identifier: 'boss',
      usersig: s.sig('boss', { sdkAppId: B, secretKey: 'secret-of-app-b-0123456789' }),
    };
    assert.equal((await s.call(CHECK, { CheckItem: [{ UserID: 'x' }] })).ErrorCode, 0);
    assertFail(await s.call(CHECK, { CheckItem: [{ UserID: 'x' }] }), 60007, 'app A over its limit');
    assert.equal((await s.call(CHECK, { CheckItem: [{ UserID: 'x' }] }, asB)).ErrorCode, 0, 'app B has its own bucket');
    assertFail(await s.call(CHECK, { CheckItem: [{ UserID: 'x' }] }, asB), 60007, 'app B over its limit');
  } finally {
    await s.close();
  }
});

test('rate limits turned off never limit', async () => {
  const s = await startTestServer({ rateLimits: false });
  try {
    for (let i = 0; i < 250; i++) {
      assert.equal((await s.call(CHECK, { CheckItem: [{ UserID: 'a' }] })).ErrorCode, 0, `call ${i + 1}`);
    }
  } finally {
    await s.close();
  }
});

// ---- apps -----------------------------------------------------------------------------------

test('apps are isolated: accounts, admins and sigs of one app mean nothing in another', async () => {
  const B = 1400000002;
  const keyB = 'secret-of-app-b-0123456789';
  const apps: AppConfig[] = [
    { sdkAppId: SDKAPPID, secretKey: SECRET, admins: [ADMIN], rateLimits: false },
    { sdkAppId: B, secretKey: keyB, admins: ['boss'], rateLimits: false },
  ];
  const s = await startTestServer({ apps });
  try {
    const asB = { sdkappid: B, identifier: 'boss', usersig: s.sig('boss', { sdkAppId: B, secretKey: keyB }) };
    assert.equal((await s.call(IMPORT, { UserID: 'alice' })).ErrorCode, 0);
    const inB = await s.call(CHECK, { CheckItem: [{ UserID: 'alice' }, { UserID: 'boss' }, { UserID: ADMIN }] }, asB);
    assert.deepEqual(
      inB.ResultItem.map((i: any) => i.AccountStatus),
      ['NotImported', 'Imported', 'NotImported'],
    );
    const del = await s.call('im_open_login_svc/account_delete', { DeleteItem: [{ UserID: 'alice' }] }, asB);
    assert.equal(del.ResultItem[0].ResultCode, 70107);
    assert.deepEqual(await status(s, 'alice'), { alice: 'Imported' });

    // App A's admin sig presented to app B: issued for another SDKAppID.
    assertFail(await s.call(CHECK, { CheckItem: [{ UserID: 'alice' }] }, { sdkappid: B }), 70014, 'A sig on B');
    // A sig claiming app B but made with app A's key: the signature fails.
    const forged = s.sig('boss', { sdkAppId: B, secretKey: SECRET });
    assertFail(
      await s.call(CHECK, { CheckItem: [{ UserID: 'alice' }] }, { sdkappid: B, identifier: 'boss', usersig: forged }),
      70009,
      'forged with A key',
    );
    // B's admin is not an admin of A, even with a correctly made sig for A.
    assertFail(
      await s.call(CHECK, { CheckItem: [{ UserID: 'alice' }] }, { identifier: 'boss', usersig: s.sig('boss') }),
      70403,
      'B admin in A',
    );
  } finally {
    await s.close();
  }
});
