// Property-based fuzzing of every registered REST API (fast-check), for test/rest-fuzz*.test.ts.
// Generated bodies — the API's sample with one field replaced, random objects over its field names and Object.prototype
// names, control characters, wrong types, non-JSON — must each get HTTP 200, the envelope, a code
// the API or the edge documents, and never 91000/70500; the server keeps answering throughout.
// FUZZ_SEED=<n> replays a run; FUZZ_RUNS=<n> sets the runs per API.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultRegistry } from '../../src/api/index.js';
import { FAMILY_CODES } from '../../src/api/registry.js';
import { buildCatalogue } from '../../src/http/console.js';
import { MSG_TYPES } from '../../src/domain/message-body.js';
import type { TestServer } from './server.js';

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const PROTO = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', 'prototype'];
const INTERNAL = new Set(Object.values(FAMILY_CODES).map((c) => c.internal));

const str = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...PROTO, '', '\u0000', 'a\u0000b', '\u001f', 'alice', 'bob', 'x'.repeat(33)),
);
const element = fc.record({
  MsgType: fc.oneof(fc.constantFrom(...MSG_TYPES, ...PROTO), str),
  MsgContent: fc.oneof(
    fc.dictionary(
      fc.oneof(fc.constantFrom('Text', 'Data', 'Index', 'UUID', ...PROTO), str),
      fc.jsonValue({ maxDepth: 2 }),
      { maxKeys: 4 },
    ),
    fc.jsonValue({ maxDepth: 1 }),
  ),
});
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  str,
  fc.array(str, { maxLength: 6 }),
  fc.constantFrom(0, -1, 1, 2, 5, 4294967295, 4294967296, 2 ** 53, -(2 ** 63), 1.5, 1e308, true, null),
  fc.array(element, { maxLength: 3 }),
  fc.array(fc.dictionary(fc.constantFrom('UserID', ...PROTO), str, { maxKeys: 2 }), { maxLength: 3 }),
);

/** Throws `runs` generated bodies at every registered API of s (FUZZ_RUNS overrides runs). */
export async function fuzzEveryApi(s: TestServer, runs: number): Promise<void> {
  const RUNS = Number(process.env.FUZZ_RUNS ?? runs);
  const SEED = FUZZ_SEED;
  const registry = defaultRegistry();
  const catalogue = buildCatalogue(registry);
  await s.call('im_open_login_svc/multiaccount_import', { Accounts: ['alice', 'bob', 'carol'] });
  for (const api of registry.list()) {
    const name = `${api.service}/${api.command}`;
    const documented = new Set([...api.errors, ...catalogue.commonErrors[api.family]!, 0]);
    const keys = Object.keys(api.fields);
    const sample = api.sample;
    const sampleKeys = Object.keys(sample);
    const body = fc.oneof(
      // The sample with one field replaced (or added): reaches the handler most often.
      fc
        .tuple(
          fc.constantFrom(...(sampleKeys.length > 0 ? sampleKeys : keys.length > 0 ? keys : ['x']), ...PROTO),
          value,
        )
        .map(([k, v]) => JSON.stringify({ ...sample, [k]: v })),
      fc
        .dictionary(fc.oneof(fc.constantFrom(...keys, ...PROTO), fc.string({ maxLength: 12 })), value, { maxKeys: 8 })
        .map((o) => JSON.stringify(o)),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 60 }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const res = await s.post(name, raw, { raw: true });
        assert.equal(res.status, 200, `${name} HTTP ${res.status} for ${raw}`);
        const r = (await res.json()) as Record<string, unknown>;
        assert.ok(
          r.ActionStatus === 'OK' || r.ActionStatus === 'FAIL' || r.ActionStatus === 'SomeError',
          `${name} ActionStatus ${String(r.ActionStatus)}`,
        );
        assert.equal(typeof r.ErrorCode, 'number');
        assert.equal(typeof r.ErrorInfo, 'string');
        const code = r.ErrorCode as number;
        assert.ok(!INTERNAL.has(code), `${name} answered ${code} (${String(r.ErrorInfo)}) for ${raw}`);
        assert.ok(documented.has(code), `${name} answered undocumented ${code} (${String(r.ErrorInfo)}) for ${raw}`);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }
  assert.equal((await fetch(`${s.base}/healthz`)).status, 200, 'the server still answers');
  assert.ok(!s.logs.some((l) => l.includes('"internal error"')), 'nothing was logged as an internal error');
}
