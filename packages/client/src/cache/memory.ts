// The default cache: in memory, gone with the process (or the page). One instance can be shared
// by several SDK instances and keeps each app+user apart.
import {
  applyCommit,
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

export class MemoryCache implements ChatCache {
  private readonly images = new Map<string, CacheImage>();

  async load(scope: CacheScope): Promise<CacheData | undefined> {
    const img = this.images.get(scopeKey(scope));
    return img ? (JSON.parse(JSON.stringify(imageToData(img))) as CacheData) : undefined;
  }

  async commit(scope: CacheScope, change: CacheCommit): Promise<void> {
    const key = scopeKey(scope);
    const img = this.images.get(key) ?? emptyImage();
    applyCommit(img, change);
    this.images.set(key, img);
  }

  async clear(scope: CacheScope): Promise<void> {
    this.images.delete(scopeKey(scope));
  }

  /** Everything stored for a scope, serialized as FileCache would write it (for inspection). */
  dump(scope: CacheScope): string {
    const img = this.images.get(scopeKey(scope));
    return img ? JSON.stringify(imageToData(img)) : '';
  }

  /** Seeds a scope from data (e.g. moved from another cache). */
  async import(scope: CacheScope, data: CacheData): Promise<void> {
    this.images.set(scopeKey(scope), dataToImage(JSON.parse(JSON.stringify(data)) as CacheData));
  }
}
