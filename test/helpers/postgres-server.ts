// A test server on PostgreSQL in a fresh schema, dropped when the test file ends; skipped (hasPostgres
// false) when no server answers locally.
import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../../src/adapters/postgres/postgres-store.js';
import { startTestServer, type TestServer, type TestServerOptions } from './server.js';

export const PG_URL = process.env.PARLEY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

export const hasPostgres = await reachable();

export async function startPostgresTestServer(o: TestServerOptions = {}): Promise<TestServer> {
  const schema = `parley_test_${randomBytes(6).toString('hex')}`;
  const s = await startTestServer({ ...o, store: new PostgresStore({ connectionString: PG_URL, schema }) });
  after(async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });
  return s;
}
