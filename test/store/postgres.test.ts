// The storage contract against PostgreSQL, plus what only a networked store has: several nodes
// sharing one database. Each store gets a fresh schema (parley_test_<random>), dropped when the
// store closes, so runs never see each other's rows and leave nothing behind.
//
// Where: PARLEY_TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test (then root@).
// When no server answers, the suite is skipped with the reason locally, and fails under CI=true.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createParley } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { PostgresStore } from '../../src/adapters/postgres/postgres-store.js';
import { MIGRATIONS } from '../../src/adapters/postgres/migrations.js';
import { APP, T, msg, refOf, storeContract } from './contract.js';
import { recallRequest } from '../../src/domain/message-events.js';

const CANDIDATES = process.env.PARLEY_TEST_DATABASE_URL
  ? [process.env.PARLEY_TEST_DATABASE_URL]
  : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];

/** The first connection string that answers, or why none did. */
async function probe(): Promise<{ url: string } | { reason: string }> {
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

const found = await probe();

if ('url' in found) {
  const url = found.url;
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  after(() => admin.end());

  const freshSchema = () => `parley_test_${randomBytes(6).toString('hex')}`;
  const dropSchema = (schema: string) => admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);

  /** A store on its own schema, which goes when the store closes. */
  class TestPostgresStore extends PostgresStore {
    override async close(): Promise<void> {
      await super.close();
      await dropSchema(this.schema!);
    }
  }

  storeContract('postgres', async () => {
    const store = new TestPostgresStore({ connectionString: url, schema: freshSchema() });
    await store.migrate();
    return store;
  });

  /** Several nodes on one schema; the schema is dropped afterwards. */
  async function withNodes(n: number, fn: (nodes: PostgresStore[], schema: string) => Promise<void>): Promise<void> {
    const schema = freshSchema();
    const nodes = Array.from(
      { length: n },
      () => new PostgresStore({ connectionString: url, schema, maxConnections: 4 }),
    );
    try {
      await fn(nodes, schema);
    } finally {
      await Promise.all(nodes.map((s) => s.close()));
      await dropSchema(schema);
    }
  }

  test('postgres: several nodes starting at once migrate the schema once', async () => {
    await withNodes(4, async (nodes, schema) => {
      await Promise.all(nodes.map((s) => s.migrate()));
      const applied = await admin.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
      assert.deepEqual(
        applied.rows.map((r) => Number(r.version)),
        MIGRATIONS.map((_, i) => i + 1),
      );
      await nodes[0]!.migrate();
      assert.equal(
        (await admin.query(`SELECT count(*)::int AS n FROM ${schema}.schema_migrations`)).rows[0].n,
        MIGRATIONS.length,
      );
      await nodes[1]!.importAccounts(APP, ['alice'], T);
      assert.deepEqual(await nodes[3]!.existingAccounts(APP, ['alice']), new Set(['alice']));
    });
  });

  test('postgres: two nodes sending to one user at once give it gapless seqs', async () => {
    await withNodes(2, async ([a, b]) => {
      await a!.migrate();
      await b!.migrate();
      await a!.importAccounts(APP, ['alice', 'bob', 'carol'], T);
      const work = Array.from({ length: 40 }, (_, i) => {
        const from = i % 3 === 0 ? 'carol' : 'alice';
        return (i % 2 ? a! : b!).appendMessage(APP, msg(from, 'bob', { deliverTo: ['bob', from] }));
      });
      await Promise.all(work);
      const events = await a!.eventsAfter(APP, 'bob', 0, 100, T);
      assert.deepEqual(
        events.map((e) => e.seq),
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      assert.equal(await b!.totalUnread(APP, 'bob'), 40);
    });
  });

  test('postgres: the same message sent through two nodes at once is stored once', async () => {
    await withNodes(2, async ([a, b]) => {
      await a!.migrate();
      await b!.migrate();
      await a!.importAccounts(APP, ['alice', 'bob'], T);
      const m = msg('alice', 'bob');
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? a! : b!).appendMessage(APP, m)));
      assert.equal(results.filter((r) => !r.duplicate).length, 1);
      assert.equal(new Set(results.map((r) => r.message.id)).size, 1);
      assert.equal(await a!.lastEventSeq(APP, 'bob'), 1);
    });
  });

  test('postgres: recalls racing on two nodes recall once', async () => {
    await withNodes(2, async ([a, b]) => {
      await a!.migrate();
      await b!.migrate();
      await a!.importAccounts(APP, ['alice', 'bob'], T);
      const m = msg('alice', 'bob');
      await a!.appendMessage(APP, m);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? a! : b!).recallMessage(
            APP,
            recallRequest({ ref: refOf(m), by: 'administrator', via: 'admin', at: T + 1 }),
          ),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.outcome).filter((o) => o === 'recalled'),
        ['recalled'],
      );
      assert.equal(results.filter((r) => r.outcome === 'already_recalled').length, 7);
      assert.equal((await b!.recallAudit(APP, 10)).length, 1);
      assert.equal(await a!.totalUnread(APP, 'bob'), 0);
    });
  });

  test('postgres: each schema is a store of its own', async () => {
    await withNodes(1, async ([one]) => {
      await withNodes(1, async ([two]) => {
        await one!.migrate();
        await two!.migrate();
        await one!.importAccounts(APP, ['alice'], T);
        assert.deepEqual(await two!.existingAccounts(APP, ['alice']), new Set());
      });
    });
  });

  test('postgres: with PARLEY_DATABASE_URL the server stores in PostgreSQL', async () => {
    // The schema comes with the URL here (libpq's options parameter), as a deployment may do it.
    const schema = freshSchema();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const database = new URL(url);
    database.searchParams.set('options', `-c search_path=${schema}`);
    const dir = mkdtempSync(join(tmpdir(), 'parley-pg-'));
    const config = loadConfig(
      {
        PARLEY_DATABASE_URL: database.toString(),
        PARLEY_SDKAPPID: String(APP),
        PARLEY_SECRET_KEY: 'secret-key-1',
        PARLEY_LOG_LEVEL: 'silent',
      },
      dir,
    );
    try {
      const parley = await createParley(config, { logStream: new Writable({ write: (_c, _e, cb) => cb() }) });
      try {
        assert.ok(parley.store instanceof PostgresStore);
        // createParley imports the app's admins: they must be in PostgreSQL, in that schema.
        const rows = await admin.query(`SELECT user_id FROM ${schema}.accounts WHERE app = $1`, [APP]);
        assert.deepEqual(
          rows.rows.map((r) => r.user_id),
          ['administrator'],
        );
      } finally {
        await parley.close();
      }
    } finally {
      await dropSchema(schema);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('postgres: a schema name must be a plain identifier', () => {
    for (const schema of ['', 'Parley', 'a-b', 'x; DROP TABLE accounts', '1abc', 'a'.repeat(64)]) {
      assert.throws(() => new PostgresStore({ connectionString: url, schema }), /schema name/, schema);
    }
  });
} else if (process.env.CI === 'true') {
  test('postgres: PostgreSQL must be reachable under CI', () => {
    assert.fail(`PostgreSQL is unreachable, so the PostgreSQL store cannot be tested: ${found.reason}`);
  });
} else {
  test('postgres: store contract', {
    skip: `PostgreSQL unreachable (${found.reason}); start it or set PARLEY_TEST_DATABASE_URL`,
  }, () => {});
}
