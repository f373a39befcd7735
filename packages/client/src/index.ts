// @parley/client: the client SDK. Its default export has the shape of Tencent's
// `TencentCloudChat` (create, EVENT, TYPES, VERSION), so an app moves over by changing its import
// and passing the server's URL:
//
//   import TencentCloudChat from '@parley/client';
//   const chat = TencentCloudChat.create({ SDKAppID, serverURL: 'https://im.example.com' });
import { create, ChatSDK } from './chat.js';
import { EVENT, TYPES, VERSION } from './constants.js';

const TencentCloudChat = { create, EVENT, TYPES, VERSION };
export default TencentCloudChat;

export { create, ChatSDK, EVENT, TYPES, VERSION };
export type {
  ChatOptions,
  ChatResponse,
  LoginResult,
  SendMessageOptions,
  GetMessageListOptions,
  MessageListResult,
  ConversationListFilter,
} from './chat.js';
export type { EventName, NetState, KickedOutType, Platform } from './constants.js';
export { ChatError, ERROR_CODE } from './errors.js';
export type { EventEnvelope, EventHandler } from './emitter.js';
export { Message } from './message.js';
export type {
  MessageFlow,
  MessageStatus,
  MessageElement,
  TextPayload,
  CustomPayload,
  FacePayload,
  LocationPayload,
  RevokerInfo,
  CreateMessageOptions,
  MessageRecord,
} from './message.js';
export type { Conversation, LastMessage, Profile, ConversationRecord } from './conversation.js';
export type { RevokedStub } from './state.js';
export type { UserProfile, ProfileUpdate } from './profile.js';
export { MemoryCache } from './cache/memory.js';
export { FileCache, type FileCacheOptions } from './cache/file.js';
export { IndexedDBCache, type IndexedDBCacheOptions } from './cache/indexeddb.js';
export type { ChatCache, CacheScope, CacheData, CacheCommit } from './cache/types.js';
