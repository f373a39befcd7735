// GET /console: the built page and its files from dist/console, the API catalogue generated from
// the registry, the Content-Security-Policy that keeps the page on this origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../helpers/server.js';
import { rawRequest } from '../helpers/http.js';
import { defaultRegistry } from '../../src/api/index.js';
import { CONSOLE_DIR, type Catalogue } from '../../src/http/console.js';

test('GET /console redirects to /console/, which serves the built page with a same-origin CSP', async () => {
  const s = await startTestServer();
  try {
    const redirect = await rawRequest(`${s.base}/console`, { method: 'GET' });
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.location, '/console/');
    const page = await fetch(`${s.base}/console/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    for (const d of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
    ])
      assert.ok(csp.includes(d), `CSP has ${d}`);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    const html = await page.text();
    assert.match(html, /<title>Parley console<\/title>/);
    // Every script and stylesheet the page names is served from here, with its type.
    const assets = [...html.matchAll(/(?:src|href)="([^"#]+)"/g)]
      .map((m) => m[1]!)
      .filter((u) => !u.startsWith('data:'));
    assert.deepEqual(assets.sort(), ['app.js', 'style.css']);
    const js = await fetch(`${s.base}/console/app.js`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const css = await fetch(`${s.base}/console/style.css`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  } finally {
    await s.close();
  }
});

test('the built console names no other host: no CDN, no web fonts, no remote URLs in its files', () => {
  const files = readdirSync(CONSOLE_DIR, { withFileTypes: true })
    .filter((f) => f.isFile() && !f.name.endsWith('.map'))
    .map((f) => f.name);
  assert.ok(files.includes('index.html') && files.includes('app.js') && files.includes('style.css'), files.join(', '));
  for (const f of files.filter((n) => n.endsWith('.html') || n.endsWith('.css'))) {
    const text = readFileSync(join(CONSOLE_DIR, f), 'utf8');
    assert.doesNotMatch(text, /https?:\/\/|\/\/[a-z0-9.-]+\.[a-z]{2,}\/|@import|@font-face/i, f);
  }
  for (const f of files.filter((n) => n.endsWith('.js'))) {
    const text = readFileSync(join(CONSOLE_DIR, f), 'utf8');
    // Scripts may mention URLs in messages, but load nothing from elsewhere.
    assert.doesNotMatch(text, /import\s*\(?\s*["']https?:|fetch\(\s*["']https?:|new WebSocket\(\s*["']wss?:/, f);
  }
});

test('files outside dist/console, dotfiles and unknown types are not served', async () => {
  const s = await startTestServer();
  try {
    for (const path of [
      '/console/..%2Fpackage.json',
      '/console/%2e%2e%2fsrc%2fapp.js',
      '/console/.hidden.js',
      '/console/src/usersig.js',
      '/console/nothing.js',
      '/console/index.ts',
    ]) {
      const r = await rawRequest(`${s.base}${path}`, { method: 'GET' });
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(r.text, /"name":\s*"parley"|export /, path);
    }
  } finally {
    await s.close();
  }
});

test('the catalogue lists every registered API with its fields, limits, errors and sample', async () => {
  const s = await startTestServer();
  try {
    const res = await fetch(`${s.base}/console/catalogue.json`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    const cat = (await res.json()) as Catalogue;
    const registry = defaultRegistry().list();
    assert.deepEqual(
      cat.apis.map((a) => a.path),
      registry.map((a) => `v4/${a.service}/${a.command}`),
    );
    for (const api of registry) {
      const entry = cat.apis.find((a) => a.path === `v4/${api.service}/${api.command}`)!;
      assert.deepEqual(
        entry.fields.map((f) => f.name),
        Object.keys(api.fields),
        entry.path,
      );
      assert.deepEqual(entry.sample, api.sample, entry.path);
      assert.deepEqual(entry.errors, api.errors, entry.path);
      assert.equal(entry.rateLimit, api.rateLimit, entry.path);
      for (const f of entry.fields)
        assert.equal(f.required, api.fields[f.name]!.required === true, `${entry.path} ${f.name}`);
    }
    assert.ok(
      cat.apis.some((a) => a.path === 'v4/parley/recall_audit'),
      "Parley's own API is listed",
    );
    const send = cat.apis.find((a) => a.path === 'v4/openim/sendmsg')!;
    const to = send.fields.find((f) => f.name === 'To_Account')!;
    assert.deepEqual(
      { type: to.type, required: to.required, userId: to.userId, limits: to.limits, code: to.code },
      { type: 'string', required: true, userId: true, limits: 'a UserID: 1–32 bytes', code: 90003 },
    );
    const random = send.fields.find((f) => f.name === 'MsgRandom')!;
    assert.deepEqual(
      { min: random.min, max: random.max, limits: random.limits },
      { min: 0, max: 4294967295, limits: '0–4294967295 (u32)' },
    );
    assert.equal(send.maxBodyBytes, 12 * 1024);
    const del = cat.apis.find((a) => a.path === 'v4/im_open_login_svc/account_delete')!;
    const item = del.fields.find((f) => f.name === 'DeleteItem')!;
    assert.equal(item.limits, 'at most 100 items');
    assert.deepEqual(
      item.fields?.map((f) => [f.name, f.required, f.userId]),
      [['UserID', true, true]],
    );
    // The edge's codes: the family's own plus the UserSig and URL ones.
    assert.deepEqual(
      cat.commonErrors.account,
      [
        60002, 60006, 60007, 60009, 60012, 70001, 70002, 70003, 70009, 70013, 70014, 70020, 60003, 70402, 70403, 70500,
      ].sort((a, b) => a - b),
    );
    assert.ok(
      cat.commonErrors.openim!.includes(90001) &&
        cat.commonErrors.openim!.includes(93000) &&
        !cat.commonErrors.openim!.includes(60003),
    );
  } finally {
    await s.close();
  }
});
