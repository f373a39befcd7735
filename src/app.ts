// Composition root: configuration → store → domain services → HTTP edge.
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import type { ServerConfig } from './config/config.js';
import { defaultRegistry } from './api/index.js';
import { AppDirectory } from './domain/apps.js';
import { createServices, type Services } from './domain/services.js';
import { buildHttpServer } from './http/server.js';
import { Authenticator } from './http/auth.js';
import { Gateway } from './gateway/gateway.js';
import { CallbackDispatcher } from './domain/callbacks.js';
import { HttpWebhooks } from './adapters/http-webhooks.js';
import { RedisBus } from './adapters/redis-bus.js';
import type { WebhookTransport } from './ports/webhooks.js';
import { systemClock, type Clock } from './ports/clock.js';
import type { Store } from './ports/store.js';
import { LocalBus, type Bus } from './ports/bus.js';
import { SqliteStore } from './adapters/sqlite/sqlite-store.js';
import { PostgresStore } from './adapters/postgres/postgres-store.js';

export interface Parley {
  http: FastifyInstance;
  gateway: Gateway;
  services: Services;
  store: Store;
  config: ServerConfig;
  /** Listens on config.host:config.port; resolves to the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface ParleyOptions {
  clock?: Clock;
  store?: Store;
  logStream?: NodeJS.WritableStream;
  bus?: Bus;
  webhooks?: WebhookTransport;
  /** How often the callback outbox is polled when idle (ms). */
  callbackPollMs?: number;
}

export const SQLITE_FILE = 'parley.db';

export async function createParley(config: ServerConfig, opts: ParleyOptions = {}): Promise<Parley> {
  const clock = opts.clock ?? systemClock;
  const store = opts.store ?? (config.database
    ? new PostgresStore({ connectionString: config.database })
    : new SqliteStore({ filename: join(config.dataDir, SQLITE_FILE) }));
  await store.migrate();
  const apps = new AppDirectory(config.apps);
  // Domain warnings (callback failures) go to the server's structured log, made just below.
  const logRef: { current?: FastifyInstance['log'] } = {};
  const log = { warn: (obj: object, msg: string) => logRef.current?.warn(obj, msg) };
  let bus = opts.bus;
  let redisBus: RedisBus | undefined;
  if (!bus && config.redisUrl) {
    redisBus = new RedisBus({ url: config.redisUrl });
    await redisBus.connected();
    bus = redisBus;
  }
  const services = createServices(store, clock, apps, bus ?? new LocalBus(), { webhooks: opts.webhooks ?? new HttpWebhooks(), log });
  // Admins are accounts too: they send as themselves when From_Account is omitted.
  for (const app of config.apps) await services.accounts.importAccounts(app.sdkAppId, app.admins);
  const auth = new Authenticator(apps, clock);
  const http = buildHttpServer({
    logLevel: config.logLevel, ...(config.tls ? { tls: config.tls } : {}), ...(opts.logStream ? { logStream: opts.logStream } : {}),
    ...(config.httpLimits ? { limits: config.httpLimits } : {}), ...(config.metrics ? { metrics: config.metrics } : {}),
  }, defaultRegistry(), services, auth);
  // The client gateway shares the port: WebSocket upgrades at /v1/ws.
  logRef.current = http.log;
  const gateway = new Gateway(services, auth, http.log);
  const dispatcher = new CallbackDispatcher(services.callbacks, http.log, opts.callbackPollMs ?? 100);
  dispatcher.start();
  services.presence = gateway.presence;
  http.server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  return {
    http,
    gateway,
    services,
    store,
    config,
    async listen() {
      await http.listen({ host: config.host, port: config.port });
      const addr = http.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      return `${config.tls ? 'https' : 'http'}://${host}:${port}`;
    },
    async close() {
      await dispatcher.stop();
      await gateway.close();
      await http.close();
      await redisBus?.close();
      await store.close();
    },
  };
}
