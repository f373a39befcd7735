// The HTTP edge against slow, large and many-connection clients (docs/security.md § Limits):
// a trickled body or slow headers are cut off at the configured time, connections past the
// per-address cap are closed at once, bodies past the in-flight byte cap get 60018 and a close,
// and the server keeps answering afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from '../src/config/http-limits.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { text } from './helpers/rest.js';

const limits = (o: Partial<HttpLimits>): HttpLimits => ({ ...DEFAULT_HTTP_LIMITS, ...o });

function open(s: TestServer): Promise<Socket> {
  const { hostname, port } = new URL(s.base);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), hostname, () => resolve(sock));
    sock.once('error', reject);
  });
}

/** Everything the server sends until it closes the socket, and how long that took. */
function untilClosed(sock: Socket): Promise<{ data: string; ms: number }> {
  const started = performance.now();
  let data = '';
  sock.on('data', (c) => {
    data += String(c);
  });
  sock.on('error', () => {});
  return new Promise((resolve) => sock.once('close', () => resolve({ data, ms: performance.now() - started })));
}

const head = (s: TestServer, length: number): string => {
  const q = `sdkappid=${s.app.sdkAppId}&identifier=${s.app.admins[0]}&usersig=${s.adminSig}&random=1&contenttype=json`;
  return `POST /v4/openim/sendmsg?${q} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
};

test('a body trickled slower than the request timeout is cut off at the limit', async () => {
  const s = await startTestServer({ config: { httpLimits: limits({ headersTimeoutMs: 200, requestTimeoutMs: 400 }) } });
  try {
    const sock = await open(s);
    const closed = untilClosed(sock);
    sock.write(head(s, 100_000));
    // One byte every 20 ms would take half an hour to finish.
    const timer = setInterval(() => {
      if (!sock.destroyed) sock.write(' ');
    }, 20);
    const { data, ms } = await closed;
    clearInterval(timer);
    assert.ok(ms < 3000, `closed after ${Math.round(ms)} ms`);
    assert.ok(ms >= 350, `closed after only ${Math.round(ms)} ms`);
    assert.match(data, /^HTTP\/1\.1 408/);
    assert.equal(
      (await s.call('openim/sendmsg', { To_Account: 'administrator', MsgRandom: 1, MsgBody: text('still here') }))
        .ErrorCode,
      0,
    );
  } finally {
    await s.close();
  }
});

test('headers sent slower than the headers timeout are cut off at the limit', async () => {
  const s = await startTestServer({
    config: { httpLimits: limits({ headersTimeoutMs: 200, requestTimeoutMs: 5000 }) },
  });
  try {
    const sock = await open(s);
    const closed = untilClosed(sock);
    sock.write('POST /v4/openim/sendmsg HTTP/1.1\r\nHost: x\r\n');
    const timer = setInterval(() => {
      if (!sock.destroyed) sock.write('X-Slow: 1\r\n');
    }, 20);
    const { data, ms } = await closed;
    clearInterval(timer);
    assert.ok(ms < 3000, `closed after ${Math.round(ms)} ms`);
    assert.match(data, /^HTTP\/1\.1 408/);
  } finally {
    await s.close();
  }
});

test('connections past the per-address cap are closed at once; a freed slot can be used again', async () => {
  const s = await startTestServer({ config: { httpLimits: limits({ maxConnectionsPerAddress: 3 }) } });
  try {
    const held = await Promise.all([open(s), open(s), open(s)]);
    const extra = await open(s);
    const { data } = await untilClosed(extra);
    assert.equal(data, '', 'closed before anything was read or written');
    // The three held connections still work.
    held[0]!.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const { data: answer } = await untilClosed(held[0]!);
    assert.match(answer, /^HTTP\/1\.1 200/);
    // held[0] is gone, so one more connection fits (fetch opens its own).
    const res = await fetch(`${s.base}/healthz`, { headers: { connection: 'close' } });
    assert.equal(res.status, 200);
    for (const h of held) h.destroy();
  } finally {
    await s.close();
  }
});

test('bodies past the in-flight byte cap get 60018 and a close; the bytes are released afterwards', async () => {
  const s = await startTestServer({ config: { httpLimits: limits({ maxBodyBytesInFlight: 4096 }) } });
  try {
    // A holds 3000 bytes of a 5000-byte body and waits.
    const a = await open(s);
    const aClosed = untilClosed(a);
    a.write(head(s, 5000) + ' '.repeat(3000));
    await new Promise((r) => setTimeout(r, 100));
    // B's 2000 bytes would make 5000 held: refused.
    const body = JSON.stringify({ To_Account: 'administrator', MsgRandom: 2, MsgBody: text('x'.repeat(1900)) });
    const refused = await s.post('openim/sendmsg', body, { raw: true });
    assert.equal(refused.status, 200);
    assert.equal(refused.headers.get('connection'), 'close');
    const r = (await refused.json()) as Record<string, unknown>;
    assert.equal(r.ErrorCode, 60018);
    assert.equal(r.ActionStatus, 'FAIL');
    assert.match(String(r.ErrorInfo), /too many request bodies/);
    // A goes away: its 3000 bytes are released and the same body now fits.
    a.destroy();
    await aClosed;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await s.call('openim/sendmsg', body, { raw: true })).ErrorCode, 0);
  } finally {
    await s.close();
  }
});

test('an oversized body is answered with the family code and the connection closes', async () => {
  const s = await startTestServer();
  try {
    const res = await s.post('openim/sendmsg', ' '.repeat(1024 * 1024 + 1), { raw: true });
    assert.equal(res.headers.get('connection'), 'close');
    assert.equal(((await res.json()) as Record<string, unknown>).ErrorCode, 93000);
    const acc = await s.call('im_open_login_svc/account_import', ' '.repeat(1024 * 1024 + 1), { raw: true });
    assert.equal(acc.ErrorCode, 70402);
  } finally {
    await s.close();
  }
});
