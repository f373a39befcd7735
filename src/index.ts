// Library surface: embed a server, or generate and verify UserSigs.
export { createParley, type Parley, type ParleyOptions } from './app.js';
export { loadConfig, type AppConfig, type ServerConfig } from './config/config.js';
export { generateUserSig, verifyUserSig, decodeUserSig, UserSigError } from './usersig/usersig.js';
export { SqliteStore } from './adapters/sqlite/sqlite-store.js';
export type { Store } from './ports/store.js';
