// The storage contract against the embedded adapter: a fresh in-memory SQLite database per test.
import { SqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import { storeContract } from './contract.js';

storeContract('sqlite', async () => {
  const store = new SqliteStore({ filename: ':memory:' });
  await store.migrate();
  return store;
});
