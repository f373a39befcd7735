// Node: one JSON file per app and user in a directory. Every commit rewrites the whole file
// through a temporary file, fsync and rename, so the file is always either the old or the new
// state in full, and content erased by a recall is gone from the file once the commit returns.
// node:fs is imported when first used, so bundling this module for a browser does no harm.
import {
  applyCommit,
  checkData,
  dataToImage,
  emptyImage,
  imageToData,
  scopeKey,
  type CacheCommit,
  type CacheData,
  type CacheImage,
  type CacheScope,
  type ChatCache,
} from './types.js';

type Fs = typeof import('node:fs/promises');

export interface FileCacheOptions {
  /** Directory for the cache files; created when missing. */
  dir: string;
}

let tmpCounter = 0;

export class FileCache implements ChatCache {
  readonly dir: string;
  private fs: Fs | undefined;
  private readonly images = new Map<string, CacheImage>();
  private readonly writes = new Map<string, Promise<void>>();

  constructor(options: FileCacheOptions | string) {
    this.dir = (typeof options === 'string' ? options : options.dir).replace(/[\\/]+$/, '');
    if (!this.dir) throw new Error('FileCache needs a directory');
  }

  /** The file that holds this app and user. */
  fileOf(scope: CacheScope): string {
    return `${this.dir}/parley-${scope.sdkAppId}-${encodeURIComponent(scope.userId).replace(/\./g, '%2E')}.json`;
  }

  private async fsp(): Promise<Fs> {
    if (!this.fs) {
      const name = 'node:fs/promises';
      this.fs = (await import(/* webpackIgnore: true */ /* @vite-ignore */ name)) as Fs;
    }
    return this.fs;
  }

  async load(scope: CacheScope): Promise<CacheData | undefined> {
    await this.writes.get(scopeKey(scope));
    const fs = await this.fsp();
    let text: string;
    try {
      text = await fs.readFile(this.fileOf(scope), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.images.delete(scopeKey(scope));
        return undefined;
      }
      throw e;
    }
    let data: CacheData | undefined;
    try {
      data = checkData(JSON.parse(text));
    } catch {
      data = undefined; // unreadable: start over
    }
    if (!data) {
      this.images.delete(scopeKey(scope));
      return undefined;
    }
    this.images.set(scopeKey(scope), dataToImage(data));
    return JSON.parse(text) as CacheData;
  }

  commit(scope: CacheScope, change: CacheCommit): Promise<void> {
    const key = scopeKey(scope);
    const img = this.images.get(key) ?? emptyImage();
    applyCommit(img, change);
    this.images.set(key, img);
    const text = JSON.stringify(imageToData(img));
    const file = this.fileOf(scope);
    // Writes of one file are serialized: the last commit's text is the last one renamed in place.
    const prev = this.writes.get(key) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => this.writeAtomically(file, text));
    this.writes.set(key, next);
    void next
      .finally(() => {
        if (this.writes.get(key) === next) this.writes.delete(key);
      })
      .catch(() => undefined);
    return next;
  }

  private async writeAtomically(file: string, text: string): Promise<void> {
    const fs = await this.fsp();
    await fs.mkdir(this.dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${++tmpCounter}.tmp`;
    const fh = await fs.open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await fs.rename(tmp, file);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
  }

  async clear(scope: CacheScope): Promise<void> {
    const key = scopeKey(scope);
    await this.writes.get(key)?.catch(() => undefined);
    this.images.delete(key);
    const fs = await this.fsp();
    await fs.rm(this.fileOf(scope), { force: true });
  }

  async close(): Promise<void> {
    await Promise.all([...this.writes.values()].map((p) => p.catch(() => undefined)));
  }
}
