// Property-based fuzzing of every registered REST API on SQLite (test/helpers/fuzz-apis.ts):
// 30 generated bodies per API from a fixed seed (FUZZ_SEED, FUZZ_RUNS to replay or go further).
import { test } from 'node:test';
import { startTestServer } from './helpers/server.js';
import { fuzzEveryApi } from './helpers/fuzz-apis.js';

test('fuzz (SQLite): every API answers generated bodies with the envelope and a documented code', async () => {
  const s = await startTestServer();
  try {
    await fuzzEveryApi(s, 30);
  } finally {
    await s.close();
  }
});
