// The local cache: the event cursor, the deviceId, conversations and messages of one user of one
// app. Every commit is atomic: a cursor is never stored without the state it produced, so after a
// crash the SDK resumes from a cursor that matches what it holds.
import type { ConversationRecord } from '../conversation.js';
import type { MessageRecord } from '../message.js';

export const CACHE_FORMAT = 1;

export interface CacheScope {
  sdkAppId: number;
  userId: string;
}

export interface CacheData {
  format: typeof CACHE_FORMAT;
  deviceId: string;
  /** The highest event seq applied. */
  cursor: number;
  /** Server time (s) of the last commit; a cache older than 7 days is rebuilt from a snapshot. */
  syncedAt: number;
  conversations: ConversationRecord[];
  messages: MessageRecord[];
}

/**
 * One atomic change. Records replace earlier ones with the same key whole (a recalled message's
 * record has no content, so writing it erases the content). `reset` drops every conversation and
 * message first (a snapshot replaces them).
 */
export interface CacheCommit {
  reset?: boolean;
  deviceId?: string;
  cursor?: number;
  syncedAt?: number;
  conversations?: ConversationRecord[];
  messages?: MessageRecord[];
  /** Message IDs to forget (deleted from this user's view); applied before the records above. */
  deletedMessages?: string[];
  /** Peers whose conversation record to forget; applied before the records above. */
  deletedConversations?: string[];
}

export interface ChatCache {
  /** What is stored for this app and user, or undefined when nothing is. */
  load(scope: CacheScope): Promise<CacheData | undefined>;
  commit(scope: CacheScope, change: CacheCommit): Promise<void>;
  /** Forgets everything stored for this app and user. */
  clear(scope: CacheScope): Promise<void>;
  /** Waits for pending writes and releases resources. */
  close?(): Promise<void>;
}

export const scopeKey = (s: CacheScope): string => `${s.sdkAppId}:${s.userId}`;

/** The in-memory form Memory and File caches keep. */
export interface CacheImage {
  deviceId: string;
  cursor: number;
  syncedAt: number;
  conversations: Map<string, ConversationRecord>;
  messages: Map<string, MessageRecord>;
}

export const emptyImage = (): CacheImage => ({
  deviceId: '',
  cursor: 0,
  syncedAt: 0,
  conversations: new Map(),
  messages: new Map(),
});

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export function applyCommit(img: CacheImage, c: CacheCommit): void {
  if (c.reset) {
    img.conversations.clear();
    img.messages.clear();
  }
  if (c.deviceId !== undefined) img.deviceId = c.deviceId;
  if (c.cursor !== undefined) img.cursor = c.cursor;
  if (c.syncedAt !== undefined) img.syncedAt = c.syncedAt;
  for (const id of c.deletedMessages ?? []) img.messages.delete(id);
  for (const peer of c.deletedConversations ?? []) img.conversations.delete(peer);
  for (const r of c.conversations ?? []) img.conversations.set(r.peer, clone(r));
  for (const r of c.messages ?? []) img.messages.set(r.ID, clone(r));
}

export function imageToData(img: CacheImage): CacheData {
  return {
    format: CACHE_FORMAT,
    deviceId: img.deviceId,
    cursor: img.cursor,
    syncedAt: img.syncedAt,
    conversations: [...img.conversations.values()],
    messages: [...img.messages.values()],
  };
}

export function dataToImage(d: CacheData): CacheImage {
  return {
    deviceId: d.deviceId,
    cursor: d.cursor,
    syncedAt: d.syncedAt,
    conversations: new Map(d.conversations.map((r) => [r.peer, r])),
    messages: new Map(d.messages.map((r) => [r.ID, r])),
  };
}

/** A parsed cache document, or undefined when it is not one this SDK wrote. */
export function checkData(v: unknown): CacheData | undefined {
  const d = v as Partial<CacheData> | null;
  if (!d || typeof d !== 'object' || d.format !== CACHE_FORMAT) return undefined;
  if (typeof d.deviceId !== 'string' || typeof d.cursor !== 'number' || typeof d.syncedAt !== 'number')
    return undefined;
  if (!Array.isArray(d.conversations) || !Array.isArray(d.messages)) return undefined;
  return d as CacheData;
}
