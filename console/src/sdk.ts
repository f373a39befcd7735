// The client SDK (@parley/client), bundled into the console for the live recall view. The import
// is mapped to the SDK's source by console/tsconfig.json (tsc and esbuild both read it).
export { create, EVENT, MemoryCache, IndexedDBCache } from '@parley/client';
export type { ChatSDK, Message, Conversation } from '@parley/client';
