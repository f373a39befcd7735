// The REST fuzz test (test/helpers/fuzz-apis.ts) on PostgreSQL, with fewer runs per API: the
// store differs, the edge does not. Skipped when no PostgreSQL answers locally.
import { test } from 'node:test';
import { fuzzEveryApi } from './helpers/fuzz-apis.js';
import { hasPostgres, startPostgresTestServer } from './helpers/postgres-server.js';

test('fuzz (PostgreSQL): every API answers generated bodies with the envelope and a documented code', {
  skip: !hasPostgres && 'no PostgreSQL',
}, async () => {
  const s = await startPostgresTestServer();
  try {
    await fuzzEveryApi(s, 15);
  } finally {
    await s.close();
  }
});
