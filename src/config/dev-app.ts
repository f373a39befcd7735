// The development app: made on the first start without configured credentials and kept in the
// data directory, so a restart prints the same SDKAppID and key (like a local emulator).
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';

export const DEV_APP_FILE = 'dev-app.json';

export interface DevAppCredentials {
  sdkAppId: number;
  secretKey: string;
  /** True when this call made the app (no dev-app.json was in dataDir). */
  created: boolean;
}

export function loadOrCreateDevApp(dataDir: string): DevAppCredentials {
  const file = join(dataDir, DEV_APP_FILE);
  if (existsSync(file)) {
    let saved: { sdkAppId: number; secretKey: string };
    try {
      saved = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError(`${file}: ${(e as Error).message}; delete it to make a new development app`);
    }
    if (!Number.isSafeInteger(saved?.sdkAppId) || typeof saved.secretKey !== 'string') {
      throw new ConfigError(`${file} holds no sdkAppId and secretKey; delete it to make a new development app`);
    }
    return { sdkAppId: saved.sdkAppId, secretKey: saved.secretKey, created: false };
  }
  // Tencent's SDKAppIDs look like 14xxxxxxxx (and 16/20xxxxxxxx); keep that shape.
  const app = { sdkAppId: 1400000000 + randomInt(1, 99_999_999), secretKey: randomBytes(32).toString('hex') };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(app, null, 2) + '\n', { mode: 0o600 });
  return { ...app, created: true };
}
