// Parley for the gateway benchmark, in its own child process: SQLite on disk, rate limits off,
// log level warn. IPC: import accounts, measure memory after a full GC, stop.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createParley } from '../src/app.js';
import type { ServerConfig } from '../src/config/config.js';
import { ADMIN, SDKAPPID, SECRET, serveIpc, type IpcMessage } from './common.js';

// A full collection before each reading, so the figures are live memory, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function main(): Promise<void> {
  const dataDir = process.env.BENCH_DATA_DIR;
  if (!dataDir) throw new Error('BENCH_DATA_DIR is not set');
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    logLevel: 'warn',
    devApp: false,
    apps: [
      {
        sdkAppId: SDKAPPID,
        secretKey: SECRET,
        admins: [ADMIN],
        rateLimits: false,
        maxDevicesPerPlatform: Number(process.env.BENCH_MAX_DEVICES ?? 100),
      },
    ],
  };
  // BENCH_GATEWAY_LIMITS: a JSON object of GatewayLimits for the slow-reader benchmark.
  const parley = await createParley(
    config,
    process.env.BENCH_GATEWAY_LIMITS
      ? { gateway: JSON.parse(process.env.BENCH_GATEWAY_LIMITS) as Record<string, number> }
      : {},
  );
  const url = await parley.listen();
  serveIpc({
    'import-accounts': async (a) => {
      const users = a.users as string[];
      for (let i = 0; i < users.length; i += 1000)
        await parley.services.accounts.importAccounts(SDKAPPID, users.slice(i, i + 1000));
      return users.length;
    },
    memory: async () => {
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 50));
      }
      const m = process.memoryUsage();
      return {
        rss: m.rss,
        heapUsed: m.heapUsed,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
        connections: parley.gateway.connections,
        queuedBytes: parley.gateway.queuedBytes,
      };
    },
    // Without a GC: what the process holds right now, for peaks under load.
    'memory-now': async () => ({
      rss: process.memoryUsage().rss,
      queuedBytes: parley.gateway.queuedBytes,
      connections: parley.gateway.connections,
    }),
    stop: async () => {
      await parley.close();
      setImmediate(() => process.exit(0));
      return true;
    },
  });
  process.send!({ type: 'ready', url, pid: process.pid } satisfies IpcMessage);
}

main().catch((e) => {
  process.stderr.write(`gateway-server: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
