// The console's browser modules that need no page, run in Node: UserSig (WebCrypto and the
// fallback SHA-256), the JSON checker, the curl line and the ErrorCode explanations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { generateUserSig, hmacSha256, sha256 } from '../../console/src/usersig.js';
import { checkJson } from '../../console/src/json-check.js';
import { curlLine, shellQuote } from '../../console/src/curl.js';
import { explainCode, meaningOf } from '../../console/src/explain.js';
import { ERROR_MEANINGS } from '@parley/protocol';
import { classify } from '../../console/src/rest.js';
import { decodeUserSig, verifyUserSig } from '../../src/usersig/usersig.js';
import { defaultRegistry } from '../../src/api/index.js';
import { buildCatalogue } from '../../src/http/console.js';

const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
/** shared/spec/usersig.md, worked example (official Node generator, time 1700000000). */
const WORKED =
  'eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwokpuZl5mcUlRYkl*UVQBcUp2YkFBZkpSlaGJgZQAJEpycxNVbIyNEcVTa0oyCxKVbKyMDOBCRVnpitZKVX6OKZql5uHh6aGlhYmhVlm6IdEmFuUGhnmh7hnamdaRhUYlhoHFORFmhnYKtUCAK0SM5I_';

test("the console's UserSig equals the official generator's worked example and verifies", async () => {
  const sig = await generateUserSig({
    sdkAppId: 1400000000,
    secretKey: KEY,
    identifier: 'administrator',
    expire: 86400,
    now: 1700000000,
  });
  assert.equal(sig, WORKED);
  const d = verifyUserSig(sig, { sdkAppId: 1400000000, secretKey: KEY, identifier: 'administrator', now: 1700086400 });
  assert.equal(d.sig, 'yLAe+w7WUeUuqbV9h/TX78u21oTGi+i9Zp1u3PpnY60=');
  // Identifiers outside ASCII are signed as UTF-8 like the server does.
  const utf = await generateUserSig({
    sdkAppId: 1400000000,
    secretKey: KEY,
    identifier: '用户-ü',
    expire: 60,
    now: 1700000000,
  });
  assert.equal(decodeUserSig(utf).identifier, '用户-ü');
  verifyUserSig(utf, { sdkAppId: 1400000000, secretKey: KEY, identifier: '用户-ü', now: 1700000000 });
});

test('without WebCrypto (plain http from another host) the fallback HMAC-SHA256 gives the same bytes', async () => {
  assert.equal(
    Buffer.from(sha256(new TextEncoder().encode('abc'))).toString('hex'),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
  assert.equal(Buffer.from(sha256(new Uint8Array(0))).toString('hex'), createHash('sha256').update('').digest('hex'));
  // Lengths around the 64-byte block and the 55/56-byte padding edge; keys longer than a block.
  // (No empty key: WebCrypto refuses one, and the console never signs with one.)
  for (const [keyLen, msgLen] of [
    [1, 0],
    [8, 55],
    [32, 56],
    [64, 63],
    [64, 64],
    [65, 119],
    [100, 1000],
  ] as const) {
    const key = randomBytes(keyLen).toString('hex').slice(0, keyLen);
    const msg = randomBytes(msgLen).toString('base64').slice(0, msgLen);
    const fallback = await hmacSha256(key, msg, false);
    const webcrypto = await hmacSha256(key, msg, true);
    const node = createHmac('sha256', key).update(msg, 'utf8').digest();
    assert.equal(Buffer.from(fallback).toString('hex'), node.toString('hex'), `key ${keyLen}, message ${msgLen}`);
    assert.equal(Buffer.from(webcrypto).toString('hex'), node.toString('hex'));
  }
});

test('generateUserSig refuses missing or malformed inputs in words', async () => {
  const ok = { sdkAppId: 1400000000, secretKey: KEY, identifier: 'a', expire: 60 };
  await assert.rejects(generateUserSig({ ...ok, secretKey: '' }), /secret key is empty/);
  await assert.rejects(generateUserSig({ ...ok, identifier: '' }), /identifier is empty/);
  await assert.rejects(generateUserSig({ ...ok, sdkAppId: 0 }), /SDKAppID must be a positive/);
  await assert.rejects(generateUserSig({ ...ok, expire: 1.5 }), /validity must be a positive whole number/);
});

test('the JSON checker names the line, the column and the mistake', () => {
  const cases: Array<[string, number, number, RegExp]> = [
    ['', 1, 1, /the body is empty/],
    ['[1]', 1, 1, /must be a JSON object/],
    ['{"a": 1,}', 1, 9, /trailing comma before '}'/],
    ['{\n  "a": [1, 2,]\n}', 2, 14, /trailing comma before '\]'/],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, /expected ',' or '}' after a property value, found '"'/],
    ["{'a': 1}", 1, 2, /single quote/],
    ['{"a": tru}', 1, 7, /expected a value/],
    ['{"a": "x\ny"}', 1, 7, /line break inside a string/],
    ['{"a": "\\q"}', 1, 8, /unknown escape \\q/],
    ['{"a": 01}', 1, 8, /expected ',' or '}'/],
    ['{"a": 1} x', 1, 10, /unexpected text after the end/],
    ['{"a": "open', 1, 7, /never closed/],
    ['{a: 1}', 1, 2, /property name in double quotes, found 'a'/],
  ];
  for (const [text, line, column, message] of cases) {
    const c = checkJson(text);
    assert.equal(c.ok, false, text);
    if (c.ok) continue;
    assert.deepEqual([c.line, c.column], [line, column], `${JSON.stringify(text)}: ${c.message}`);
    assert.match(c.message, message, text);
  }
  for (const text of [
    '{}',
    ' {"a": [1, -2.5e3, true, false, null, {"b": "\\u00e9\\n"}]} ',
    '{"MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "é 😀"}}]}',
  ]) {
    const c = checkJson(text);
    assert.ok(c.ok, text);
    if (c.ok) assert.deepEqual(c.value, JSON.parse(text));
  }
});

test('the curl line survives the shell: quotes, dollars, backslashes and line breaks', () => {
  const body = JSON.stringify({ Text: 'it\'s $HOME `x` \\ "q"\nnext' }, null, 2);
  const line = curlLine('http://127.0.0.1:1/v4/openim/sendmsg?a=1&b=2', body);
  assert.ok(
    line.startsWith(
      "curl -s -X POST 'http://127.0.0.1:1/v4/openim/sendmsg?a=1&b=2' -H 'Content-Type: application/json' --data-raw ",
    ),
  );
  // What the shell hands to curl as the argument is the body byte for byte.
  const r = spawnSync('sh', ['-c', `printf '%s' ${shellQuote(body)}`], { encoding: 'utf8' });
  assert.equal(r.stdout, body);
});

test('every ErrorCode an API or the edge can answer with is explained from the spec tables', () => {
  const cat = buildCatalogue(defaultRegistry());
  const codes = new Set([...cat.apis.flatMap((a) => a.errors), ...Object.values(cat.commonErrors).flat()]);
  const unexplained = [...codes].filter((c) => meaningOf(c) === undefined);
  assert.deepEqual(unexplained, []);
  assert.equal(
    explainCode(70009),
    "ErrorCode 70009: UserSig verification failed — typically signed with another app's key / wrong key. Check the secret key: the UserSig was signed with a key this app does not have.",
  );
  assert.match(explainCode(120005), /^ErrorCode 120005: Range reserved for \*custom\* error codes/);
  assert.equal(explainCode(12345), 'ErrorCode 12345: not in the error-code tables of the spec.');
  assert.equal(ERROR_MEANINGS[20016], 'Recall time limit (default 2 min) exceeded — client recall only.');
});

test('answers are classified in words: success, partial, API error, not JSON, not the envelope', () => {
  assert.equal(classify(200, 'application/json', '{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}').kind, 'success');
  const partial = classify(
    200,
    'application/json',
    '{"ActionStatus":"SomeError","ErrorCode":0,"ErrorList":[{"To_Account":"zed","ErrorCode":70107}]}',
  );
  assert.equal(partial.kind, 'partial');
  assert.match(partial.summary, /zed: ErrorCode 70107: Requested UserID does not exist/);
  const failed = classify(
    200,
    'application/json',
    '{"ActionStatus":"FAIL","ErrorCode":70001,"ErrorInfo":"usersig expired at 1"}',
  );
  assert.deepEqual([failed.kind, failed.errorCode], ['api-error', 70001]);
  assert.match(
    failed.summary,
    /^Failed\. ErrorCode 70001: UserSig expired .* The server says: “usersig expired at 1”\.$/,
  );
  const html = classify(502, 'text/html', '<html>\n<h1>Bad   gateway</h1></html>');
  assert.equal(html.kind, 'not-json');
  assert.match(html.summary, /HTTP 502 \(text\/html\) .* It begins: “<html> <h1>Bad gateway<\/h1><\/html>”/);
  assert.match(classify(200, 'text/plain', '').summary, /The body is empty\./);
  assert.equal(classify(404, 'application/json', '{"error":"not found"}').kind, 'not-envelope');
  assert.equal(classify(200, 'application/json', '[1,2]').kind, 'not-envelope');
});
