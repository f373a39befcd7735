// Byte searches of a data directory: does a text survive anywhere on disk?
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import type { TestServer } from './server.js';

/** The files of `dir` (recursively) whose bytes contain `needle` (UTF-8). */
export function filesContaining(dir: string, needle: string): string[] {
  const n = Buffer.from(needle, 'utf8');
  const hits: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) hits.push(...filesContaining(p, needle));
    else if (readFileSync(p).includes(n)) hits.push(p);
  }
  return hits;
}

/** Do these bytes occur in the server's SQLite file or its WAL once checkpointed? */
export function inDatabaseFiles(s: TestServer, needle: string): boolean {
  (s.parley.store as unknown as SqliteStore).checkpoint();
  const file = join(s.dataDir, 'parley.db');
  const n = Buffer.from(needle, 'utf8');
  for (const f of [file, `${file}-wal`, `${file}-journal`]) {
    if (existsSync(f) && readFileSync(f).includes(n)) return true;
  }
  return false;
}
