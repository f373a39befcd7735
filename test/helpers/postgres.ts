// PostgreSQL for tests: which server answers, and stores on fresh schemas dropped when they close.
// Where: PARLEY_TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test (then root@).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../../src/adapters/postgres/postgres-store.js';

const CANDIDATES = process.env.PARLEY_TEST_DATABASE_URL
  ? [process.env.PARLEY_TEST_DATABASE_URL]
  : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];

/** The first connection string that answers, or why none did. */
export async function probePostgres(): Promise<{ url: string } | { reason: string }> {
  const failures: string[] = [];
  for (const url of CANDIDATES) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { url };
    } catch (e) {
      failures.push(`${url.replace(/:[^:@/]*@/, ':***@')}: ${(e as Error).message}`);
    } finally {
      await client.end().catch(() => {});
    }
  }
  return { reason: failures.join('; ') };
}

/** A migrated store on a schema of its own, dropped (with everything in it) when the store closes. */
export async function freshPostgresStore(url: string): Promise<PostgresStore> {
  const schema = `parley_test_${randomBytes(6).toString('hex')}`;
  const store = new (class extends PostgresStore {
    override async close(): Promise<void> {
      await super.close();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    }
  })({ connectionString: url, schema });
  await store.migrate();
  return store;
}
