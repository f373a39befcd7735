// UserSig (TLSSigAPIv2): generation byte for byte like the official npm generator, the spec's
// vectors (shared/spec/usersig.md, tencent-rest-api.md §2.3), every official generator's layout,
// the expiry boundary and each way a sig can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createHmac } from 'node:crypto';
import { deflateRawSync, deflateSync, inflateSync } from 'node:zlib';
import {
  UserSigError,
  decodeUserSig,
  generateUserSig,
  verifyUserSig,
  type UserSigFailure,
} from '../src/usersig/usersig.js';

const { Api } = createRequire(import.meta.url)('tls-sig-api-v2') as {
  Api: new (
    sdkappid: number,
    key: string,
  ) => {
    genUserSig(userid: string, expire: number): string;
    genSig(userid: string, expire: number, userBuf: Buffer | null): string;
  };
};

const SDKAPPID = 1400000000;
const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
const T = 1700000000;

// ---- the spec's vectors ---------------------------------------------------------------------
const WORKED = {
  identifier: 'administrator',
  expire: 86400,
  tlsSig: 'yLAe+w7WUeUuqbV9h/TX78u21oTGi+i9Zp1u3PpnY60=',
  json: '{"TLS.ver":"2.0","TLS.identifier":"administrator","TLS.sdkappid":1400000000,"TLS.time":1700000000,"TLS.expire":86400,"TLS.sig":"yLAe+w7WUeUuqbV9h/TX78u21oTGi+i9Zp1u3PpnY60="}',
  usersig:
    'eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwokpuZl5mcUlRYkl*UVQBcUp2YkFBZkpSlaGJgZQAJEpycxNVbIyNEcVTa0oyCxKVbKyMDOBCRVnpitZKVX6OKZql5uHh6aGlhYmhVlm6IdEmFuUGhnmh7hnamdaRhUYlhoHFORFmhnYKtUCAK0SM5I_',
  python:
    'eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkElNyM-Myi0uKEkvyi2BKilOyEwsKMlOACgxNDKAAKpdaUZBZlAqUsTAzgQuWZOaChAzN0RQXZ6aDLKn0cUzVLjcPD00NLS1MCrPM0A*JMLcoNTLMD3HP1M60jCowLDUOKMiLNDOwVaoFAD4PNPI_',
};
const USERBUF = {
  identifier: 'xiaojun',
  expire: 86400,
  userbuf: Buffer.from([5]),
  tlsSig: 'SnBUy9XrhzuWUNLYYgvBZVXjxks0UPwN4nNyXf+x9RA=',
  usersig:
    'eJxVjEELgjAYhv-Ldy1khlQOPORZRmXW7GZs6qe0ZDqbRf89MD303p7ngfcNpyh2eqmBwsohsBwZhVQd5jhqi9mjMmpKraizpkEB1PXItF-p8C6Bupt-K22DWgLdrr1ZmVbqm8mBQngIgvkXC6AQqzAZfK7Ll7kkLErTog*vZ17ZuiXJ-sk8xQaeL6x-3AXw*QJx6DiG',
};
const VECTOR_A = {
  identifier: 'xiaojun',
  expire: 15552000,
  content: 'TLS.identifier:xiaojun\nTLS.sdkappid:1400000000\nTLS.time:1700000000\nTLS.expire:15552000\n',
  tlsSig: 'LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=',
  json: '{"TLS.ver":"2.0","TLS.identifier":"xiaojun","TLS.sdkappid":1400000000,"TLS.time":1700000000,"TLS.expire":15552000,"TLS.sig":"LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4="}',
  usersig:
    'eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwhWZiflZpXlQqeKU7MSCgswUJStDEwMogMiUZOamKlkZmqOKplYUZBaBxE1NTY3gosWZ6UpWSj5ljuYp*p7l5unBxXnF2WVhVU4uAf7Ozi5JpX7O5SbuHuUhzgZJmQXaTia2SrUAohcx8g__',
  python:
    'eNqrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwhWZiflZpXlQqeKU7MSCgswUJStDEwMogMikVhRkFqUCxU1NTY3goiWZuSAxc1S1xZnpQJN9yhzNU-Q9y83Tg4vzirPLwqqcXAL8nZ1dkkr9nMtN3D3KQ5wNkjILtJ1MbJVqAa3HMfI_',
};
const VECTOR_B = {
  identifier: 'admin',
  expire: 86400,
  tlsSig: '4lUxqF/B+QS/FhzU388MWw47s2GIKgpTCF1WmWL/l5Y=',
  usersig:
    'eNqrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwokpuZl5UInilOzEgoLMFCUrQxMDKIDIpFYUZBalKllZmJnAhEoyc4EChuaoCosz04GGmuSEVhS66TtpBwbru2VUhRpbWPiGl5uYFxu5e3qnF4Q4uxmG54b76OeYRtoq1QIAfj8vbQ__',
};

// ---- helpers that play the other generators -------------------------------------------------

/** Runs the official npm generator with Date.now frozen at `ms`. */
function npmSig(
  ms: number,
  identifier: string,
  expire: number,
  userbuf?: Buffer,
  sdkAppId = SDKAPPID,
  key = KEY,
): string {
  const realNow = Date.now;
  Date.now = () => ms;
  try {
    const api = new Api(sdkAppId, key);
    return userbuf ? api.genSig(identifier, expire, userbuf) : api.genUserSig(identifier, expire);
  } finally {
    Date.now = realNow;
  }
}

/** base64(HMAC-SHA256) over the content string of spec §2.1. */
function tlsSig(
  identifier: string,
  time: number,
  expire: number,
  opts: { sdkAppId?: number; key?: string; userbuf?: string } = {},
): string {
  let content = `TLS.identifier:${identifier}\nTLS.sdkappid:${opts.sdkAppId ?? SDKAPPID}\nTLS.time:${time}\nTLS.expire:${expire}\n`;
  if (opts.userbuf !== undefined) content += `TLS.userbuf:${opts.userbuf}\n`;
  return createHmac('sha256', opts.key ?? KEY)
    .update(content, 'utf8')
    .digest('base64');
}

/** zlib → base64 → the URL-safe substitutions, as every generator finishes. */
function pack(doc: string | Buffer, level?: number): string {
  const z = level === undefined ? deflateSync(doc) : deflateSync(doc, { level });
  return z.toString('base64').replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
}

function unpack(usersig: string): string {
  return inflateSync(Buffer.from(usersig.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '='), 'base64')).toString(
    'utf8',
  );
}

/** JSON text with the given key order; values as JSON.stringify writes them. */
function jsonInOrder(doc: Record<string, unknown>, order: string[], sep = { item: ',', key: ':' }): string {
  return (
    '{' +
    order
      .filter((k) => k in doc)
      .map((k) => JSON.stringify(k) + sep.key + JSON.stringify(doc[k]))
      .join(sep.item) +
    '}'
  );
}

function fields(
  identifier: string,
  time: number,
  expire: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    'TLS.ver': '2.0',
    'TLS.identifier': identifier,
    'TLS.sdkappid': SDKAPPID,
    'TLS.time': time,
    'TLS.expire': expire,
    'TLS.sig': tlsSig(identifier, time, expire),
    ...extra,
  };
}

const verify = (sig: string, identifier: string, now = T, sdkAppId = SDKAPPID, secretKey = KEY) =>
  verifyUserSig(sig, { sdkAppId, secretKey, identifier, now });

function assertFails(fn: () => unknown, reason: UserSigFailure): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserSigError, `expected a UserSigError, got ${String(e)}`);
    assert.equal(e.reason, reason);
    return true;
  });
}

// ---- generation -----------------------------------------------------------------------------

test('generateUserSig matches the official npm generator byte for byte', () => {
  const cases: Array<[string, number, number]> = [
    ['administrator', 86400, T * 1000],
    ['xiaojun', 15552000, T * 1000],
    ['admin', 86400, T * 1000],
    // Date.now with milliseconds: the generator floors to seconds.
    ['alice', 3600, T * 1000 + 999],
    ['bob_-.9', 1, 1712345678901],
    ['中文用户', 604800, T * 1000],
    ['<a&b>"q"', 86400, T * 1000],
    ['x'.repeat(32), 180 * 86400, 1800000000000],
  ];
  for (const [identifier, expire, ms] of cases) {
    const official = npmSig(ms, identifier, expire);
    const ours = generateUserSig({
      sdkAppId: SDKAPPID,
      secretKey: KEY,
      identifier,
      expire,
      now: Math.floor(ms / 1000),
    });
    assert.equal(ours, official, `identifier ${identifier}`);
  }
});

test('generateUserSig matches the npm generator for another app and key, and with a userbuf', () => {
  const key = 'another-secret-key-0123456789';
  assert.equal(
    generateUserSig({ sdkAppId: 1600012345, secretKey: key, identifier: 'ops', expire: 7200, now: T }),
    npmSig(T * 1000, 'ops', 7200, undefined, 1600012345, key),
  );
  assert.equal(
    generateUserSig({
      sdkAppId: SDKAPPID,
      secretKey: KEY,
      identifier: 'xiaojun',
      expire: 86400,
      now: T,
      userbuf: Buffer.from([5]),
    }),
    npmSig(T * 1000, 'xiaojun', 86400, Buffer.from([5])),
  );
});

test('generateUserSig without `now` reads Date.now, like the npm generator', () => {
  const realNow = Date.now;
  Date.now = () => T * 1000 + 500;
  let ours: string;
  try {
    ours = generateUserSig({ sdkAppId: SDKAPPID, secretKey: KEY, identifier: 'administrator', expire: 86400 });
  } finally {
    Date.now = realNow;
  }
  assert.equal(ours, WORKED.usersig);
});

test('generateUserSig defaults expire to 180 days', () => {
  const d = decodeUserSig(generateUserSig({ sdkAppId: SDKAPPID, secretKey: KEY, identifier: 'alice', now: T }));
  assert.equal(d.expire, 15552000);
  assert.equal(d.time, T);
});

test('the worked example of usersig.md: npm output, our output and the decoded document', () => {
  assert.equal(npmSig(T * 1000, WORKED.identifier, WORKED.expire), WORKED.usersig);
  assert.equal(
    generateUserSig({
      sdkAppId: SDKAPPID,
      secretKey: KEY,
      identifier: WORKED.identifier,
      expire: WORKED.expire,
      now: T,
    }),
    WORKED.usersig,
  );
  assert.equal(unpack(WORKED.usersig), WORKED.json);
  assert.equal(
    Buffer.from(WORKED.usersig.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '='), 'base64').length,
    143,
  );
  assert.deepEqual(decodeUserSig(WORKED.usersig), {
    identifier: 'administrator',
    sdkAppId: SDKAPPID,
    time: T,
    expire: 86400,
    sig: WORKED.tlsSig,
  });
  assert.deepEqual(verify(WORKED.usersig, 'administrator'), {
    identifier: 'administrator',
    sdkAppId: SDKAPPID,
    time: T,
    expire: 86400,
    sig: WORKED.tlsSig,
  });
});

test('the worked example in the Python layout verifies to the same TLS.sig', () => {
  assert.equal(
    unpack(WORKED.python),
    '{"TLS.ver": "2.0", "TLS.identifier": "administrator", "TLS.sdkappid": 1400000000, "TLS.expire": 86400, "TLS.time": 1700000000, "TLS.sig": "yLAe+w7WUeUuqbV9h/TX78u21oTGi+i9Zp1u3PpnY60="}',
  );
  const d = verify(WORKED.python, 'administrator', T + 86400);
  assert.equal(d.sig, WORKED.tlsSig);
  assert.equal(d.expire, 86400);
  assertFails(() => verify(WORKED.python, 'administrator', T + 86401), 'expired');
});

test('vector A: content, TLS.sig, npm layout and Python layout all verify until 1715552000', () => {
  assert.equal(tlsSig('xiaojun', T, 15552000), VECTOR_A.tlsSig);
  assert.equal(createHmac('sha256', KEY).update(VECTOR_A.content).digest('base64'), VECTOR_A.tlsSig);
  assert.equal(npmSig(T * 1000, 'xiaojun', 15552000), VECTOR_A.usersig);
  assert.equal(unpack(VECTOR_A.usersig), VECTOR_A.json);
  for (const sig of [VECTOR_A.usersig, VECTOR_A.python]) {
    const d = verify(sig, 'xiaojun', 1715552000);
    assert.deepEqual(d, { identifier: 'xiaojun', sdkAppId: SDKAPPID, time: T, expire: 15552000, sig: VECTOR_A.tlsSig });
    assertFails(() => verify(sig, 'xiaojun', 1715552001), 'expired');
  }
  // The Python one is a different string (other key order, level 9): never compare sig strings.
  assert.notEqual(VECTOR_A.python, VECTOR_A.usersig);
  assert.ok(VECTOR_A.python.startsWith('eNq'), 'level-9 zlib header 78 da');
});

test('vector B verifies until 1700086400 and is expired at 1700086401', () => {
  assert.equal(tlsSig('admin', T, 86400), VECTOR_B.tlsSig);
  assert.equal(verify(VECTOR_B.usersig, 'admin', T).sig, VECTOR_B.tlsSig);
  assert.equal(verify(VECTOR_B.usersig, 'admin', 1700086400).expire, 86400);
  assertFails(() => verify(VECTOR_B.usersig, 'admin', 1700086401), 'expired');
});

test('the userbuf vector decodes with its userbuf, and an IM verifier rejects it as malformed', () => {
  assert.equal(npmSig(T * 1000, USERBUF.identifier, USERBUF.expire, USERBUF.userbuf), USERBUF.usersig);
  assert.deepEqual(decodeUserSig(USERBUF.usersig), {
    identifier: 'xiaojun',
    sdkAppId: SDKAPPID,
    time: T,
    expire: 86400,
    userbuf: 'BQ==',
    sig: USERBUF.tlsSig,
  });
  assert.equal(tlsSig('xiaojun', T, 86400, { userbuf: 'BQ==' }), USERBUF.tlsSig);
  assertFails(() => verify(USERBUF.usersig, 'xiaojun'), 'malformed');
});

// ---- expiry ---------------------------------------------------------------------------------

test('expiry: valid at time + expire, expired one second later', () => {
  const sig = generateUserSig({ sdkAppId: SDKAPPID, secretKey: KEY, identifier: 'alice', expire: 3600, now: T });
  assert.equal(verify(sig, 'alice', T).time, T);
  assert.equal(verify(sig, 'alice', T + 3600).expire, 3600);
  assertFails(() => verify(sig, 'alice', T + 3601), 'expired');
  assertFails(() => verify(sig, 'alice', T + 86400 * 365), 'expired');
});

// ---- the other generators' layouts ----------------------------------------------------------

test('Python layout: ", " and ": " separators, expire before time, default level', () => {
  const doc = fields('administrator', T, 86400);
  const json = jsonInOrder(doc, ['TLS.ver', 'TLS.identifier', 'TLS.sdkappid', 'TLS.expire', 'TLS.time', 'TLS.sig'], {
    item: ', ',
    key: ': ',
  });
  const sig = pack(json);
  // Our construction holds exactly the document tls-sig-api-v2-python emitted for the worked
  // example (the compressed bytes differ: another zlib build).
  assert.equal(unpack(sig), unpack(WORKED.python));
  assert.equal(verify(sig, 'administrator').sig, WORKED.tlsSig);
  const py = pack(
    jsonInOrder(
      fields('py-user', T, 600),
      ['TLS.ver', 'TLS.identifier', 'TLS.sdkappid', 'TLS.expire', 'TLS.time', 'TLS.sig'],
      { item: ', ', key: ': ' },
    ),
  );
  assert.equal(verify(py, 'py-user', T + 600).identifier, 'py-user');
  assertFails(() => verify(py, 'py-user', T + 601), 'expired');
});

test('Go layout: expire before time, trailing newline, level-0 (stored) zlib', () => {
  const doc = fields('go-user', T, 86400);
  const json =
    jsonInOrder(doc, ['TLS.ver', 'TLS.identifier', 'TLS.sdkappid', 'TLS.expire', 'TLS.time', 'TLS.sig']) + '\n';
  const sig = pack(Buffer.from(json), 0);
  assert.ok(sig.startsWith('eAE'), `stored-block zlib starts with 78 01, got ${sig.slice(0, 4)}`);
  assert.equal(unpack(sig), json);
  const d = verify(sig, 'go-user', T + 86400);
  assert.deepEqual(d, { identifier: 'go-user', sdkAppId: SDKAPPID, time: T, expire: 86400, sig: doc['TLS.sig'] });
});

test('Go escapes <, > and & in the identifier as \\u003c, \\u003e, \\u0026', () => {
  const identifier = '<ops&co>';
  const doc = fields(identifier, T, 86400);
  const json =
    jsonInOrder(doc, ['TLS.ver', 'TLS.identifier', 'TLS.sdkappid', 'TLS.expire', 'TLS.time', 'TLS.sig'])
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026') + '\n';
  assert.ok(json.includes('"TLS.identifier":"\\u003cops\\u0026co\\u003e"'));
  const sig = pack(Buffer.from(json), 0);
  assert.equal(verify(sig, identifier).identifier, identifier);
  assertFails(() => verify(sig, '\\u003cops\\u0026co\\u003e'), 'identifier');
});

test('Go omitempty drops an expire of 0; the sig is valid only in its own second', () => {
  const doc = fields('zero', T, 0);
  delete doc['TLS.expire'];
  const json = jsonInOrder(doc, ['TLS.ver', 'TLS.identifier', 'TLS.sdkappid', 'TLS.time', 'TLS.sig']) + '\n';
  assert.ok(!json.includes('TLS.expire'));
  const sig = pack(Buffer.from(json), 0);
  assert.deepEqual(verify(sig, 'zero', T), {
    identifier: 'zero',
    sdkAppId: SDKAPPID,
    time: T,
    expire: 0,
    sig: doc['TLS.sig'],
  });
  assertFails(() => verify(sig, 'zero', T + 1), 'expired');
});

test('Java/Jackson layout: arbitrary key order, including the one seen from SigUtil', () => {
  const orders = [
    ['TLS.identifier', 'TLS.expire', 'TLS.sig', 'TLS.ver', 'TLS.time', 'TLS.sdkappid'],
    ['TLS.sig', 'TLS.time', 'TLS.sdkappid', 'TLS.ver', 'TLS.identifier', 'TLS.expire'],
    ['TLS.sdkappid', 'TLS.sig', 'TLS.expire', 'TLS.identifier', 'TLS.time', 'TLS.ver'],
  ];
  for (const order of orders) {
    const doc = fields('java-user', T, 86400);
    const json = jsonInOrder(doc, order);
    assert.ok(json.startsWith(`{"${order[0]}"`));
    assert.equal(verify(pack(json), 'java-user', T + 100).sig, doc['TLS.sig'], order.join(','));
  }
});

test('PHP layout: json_encode escapes "/" as "\\/" inside TLS.sig', () => {
  const doc = fields('administrator', T, 86400);
  assert.equal(doc['TLS.sig'], WORKED.tlsSig); // holds a "/"
  const json = JSON.stringify(doc).replace(/\//g, '\\/');
  assert.ok(json.includes('h\\/TX78'), 'the escape is really there');
  const sig = pack(json, 9);
  assert.notEqual(sig, WORKED.usersig);
  assert.equal(verify(sig, 'administrator').sig, WORKED.tlsSig);
});

test('a generator that writes the numbers as decimal strings still verifies', () => {
  const doc = fields('str-nums', T, 86400);
  const json = JSON.stringify({
    ...doc,
    'TLS.sdkappid': String(SDKAPPID),
    'TLS.time': String(T),
    'TLS.expire': '86400',
  });
  assert.deepEqual(verify(pack(json), 'str-nums'), {
    identifier: 'str-nums',
    sdkAppId: SDKAPPID,
    time: T,
    expire: 86400,
    sig: doc['TLS.sig'],
  });
});

// ---- failures -------------------------------------------------------------------------------

test('an empty usersig fails as empty', () => {
  assertFails(() => verify('', 'administrator'), 'empty');
  assertFails(() => decodeUserSig(''), 'empty');
});

test('garbage fails as malformed', () => {
  for (const g of [
    '!!!not-a-sig!!!',
    'eJy rVg',
    '   ',
    'abc',
    'a',
    '****',
    'eJyrVgrxCdYrSy1Ssl',
    WORKED.usersig.slice(0, -12),
    '%2A%2A',
  ]) {
    assertFails(() => verify(g, 'administrator'), 'malformed');
  }
});

test('base64 that is not a zlib stream fails as malformed', () => {
  const json = JSON.stringify(fields('administrator', T, 86400));
  const notZlib = [
    Buffer.from(json).toString('base64'), // plain JSON, no compression
    deflateRawSync(json).toString('base64'), // raw deflate, no zlib header
  ].map((b) => b.replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_'));
  for (const sig of notZlib) assertFails(() => verify(sig, 'administrator'), 'malformed');
});

test('a zlib stream that is not a JSON object fails as malformed', () => {
  for (const text of ['hello', '{"TLS.ver":"2.0",', '[1,2]', '"administrator"', '42', 'null', '']) {
    assertFails(() => verify(pack(text), 'administrator'), 'malformed');
  }
});

test('each required field missing (or of the wrong type) fails as malformed', () => {
  for (const field of ['TLS.identifier', 'TLS.sdkappid', 'TLS.time', 'TLS.sig']) {
    const doc = fields('administrator', T, 86400);
    delete doc[field];
    assertFails(() => verify(pack(JSON.stringify(doc)), 'administrator'), 'malformed');
  }
  const wrong: Array<[string, unknown]> = [
    ['TLS.identifier', 7],
    ['TLS.sdkappid', 'abc'],
    ['TLS.time', 1.5],
    ['TLS.time', -1],
    ['TLS.expire', '1d'],
    ['TLS.sig', ''],
    ['TLS.sig', 12],
    ['TLS.userbuf', 5],
  ];
  for (const [field, value] of wrong) {
    const doc = { ...fields('administrator', T, 86400), [field]: value };
    assertFails(() => verify(pack(JSON.stringify(doc)), 'administrator'), 'malformed');
  }
});

test('a sig made with another key fails as signature', () => {
  const sig = generateUserSig({
    sdkAppId: SDKAPPID,
    secretKey: 'some-other-apps-secret-key',
    identifier: 'administrator',
    expire: 86400,
    now: T,
  });
  assertFails(() => verify(sig, 'administrator'), 'signature');
  // The key is the hex string as UTF-8, not the decoded bytes.
  const hexDecoded = createHmac('sha256', Buffer.from(KEY, 'hex'))
    .update(`TLS.identifier:administrator\nTLS.sdkappid:${SDKAPPID}\nTLS.time:${T}\nTLS.expire:86400\n`)
    .digest('base64');
  assertFails(
    () =>
      verify(pack(JSON.stringify({ ...fields('administrator', T, 86400), 'TLS.sig': hexDecoded })), 'administrator'),
    'signature',
  );
});

test('a tampered time, expire or TLS.sig fails as signature', () => {
  const base = fields('administrator', T, 86400);
  for (const change of [
    { 'TLS.expire': 8640000 },
    { 'TLS.time': T + 5 },
    { 'TLS.sig': tlsSig('administrator', T, 86401) },
    { 'TLS.sig': 'AAAA' },
  ]) {
    assertFails(() => verify(pack(JSON.stringify({ ...base, ...change })), 'administrator', T + 10), 'signature');
  }
  // A userbuf that was signed but removed no longer matches either.
  assertFails(
    () =>
      verify(
        pack(JSON.stringify({ ...base, 'TLS.sig': tlsSig('administrator', T, 86400, { userbuf: 'BQ==' }) })),
        'administrator',
      ),
    'signature',
  );
});

test('a sig for another identifier fails as identifier (case-sensitive)', () => {
  assertFails(() => verify(WORKED.usersig, 'admin'), 'identifier');
  assertFails(() => verify(WORKED.usersig, 'Administrator'), 'identifier');
  assertFails(() => verify(WORKED.usersig, ''), 'identifier');
});

test('a sig for another SDKAppID fails as sdkappid', () => {
  assertFails(() => verify(WORKED.usersig, 'administrator', T, 1400000001), 'sdkappid');
  const other = generateUserSig({
    sdkAppId: 1400000001,
    secretKey: KEY,
    identifier: 'administrator',
    expire: 86400,
    now: T,
  });
  assertFails(() => verify(other, 'administrator'), 'sdkappid');
});

test('a userbuf present is rejected even with a correct signature', () => {
  const doc = fields('administrator', T, 86400, {
    'TLS.userbuf': 'BQ==',
    'TLS.sig': tlsSig('administrator', T, 86400, { userbuf: 'BQ==' }),
  });
  assertFails(() => verify(pack(JSON.stringify(doc)), 'administrator'), 'malformed');
  assert.equal(decodeUserSig(pack(JSON.stringify(doc))).userbuf, 'BQ==');
});

test('checks run in the Go verifier order: sdkappid, identifier, expiry, then signature', () => {
  const sig = generateUserSig({
    sdkAppId: 1400000001,
    secretKey: 'wrong-key-wrong-key',
    identifier: 'bob',
    expire: 10,
    now: T,
  });
  assertFails(() => verify(sig, 'alice', T + 100), 'sdkappid');
  const sameApp = generateUserSig({
    sdkAppId: SDKAPPID,
    secretKey: 'wrong-key-wrong-key',
    identifier: 'bob',
    expire: 10,
    now: T,
  });
  assertFails(() => verify(sameApp, 'alice', T + 100), 'identifier');
  assertFails(() => verify(sameApp, 'bob', T + 100), 'expired');
  assertFails(() => verify(sameApp, 'bob', T + 5), 'signature');
});

test('an oversized decompressed document is refused, not inflated without bound', () => {
  const doc = { ...fields('administrator', T, 86400), pad: 'x'.repeat(200 * 1024) };
  assertFails(() => verify(pack(JSON.stringify(doc)), 'administrator'), 'malformed');
});
