// Composition root: configuration → store → domain services → HTTP edge.
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import type { ServerConfig } from './config/config.js';
import { defaultRegistry } from './api/index.js';
import { AppDirectory } from './domain/apps.js';
import { createServices, type Services } from './domain/services.js';
import { pino } from 'pino';
import { buildHttpServer, logSerializers } from './http/server.js';
import { Authenticator } from './auth/authenticator.js';
import { Gateway, type GatewayLimits } from './gateway/gateway.js';
import { ClusterPresence } from './gateway/cluster-presence.js';
import type { Session } from './gateway/session.js';
import { CallbackDispatcher, DEFAULT_CALLBACK_POLL_MS } from './domain/callbacks.js';
import { HttpWebhooks } from './adapters/http-webhooks.js';
import { RedisBus } from './adapters/redis-bus.js';
import { RedisPresence } from './adapters/redis-presence.js';
import { RedisRateCounter } from './adapters/redis-rate-limit.js';
import { openRedisState, type RedisState } from './adapters/redis-state.js';
import { SharedRateLimiter } from './http/rate-limit.js';
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
  /** How often the callback outbox is polled when idle (ms); writes wake it sooner. */
  callbackPollMs?: number;
  /** Limits of the client gateway (send buffer per connection, …). */
  gateway?: Partial<GatewayLimits>;
}

export const SQLITE_FILE = 'parley.db';

export async function createParley(config: ServerConfig, opts: ParleyOptions = {}): Promise<Parley> {
  const clock = opts.clock ?? systemClock;
  // One structured log for the whole server: HTTP requests, gateway, callbacks.
  const logOptions = { level: config.logLevel, serializers: logSerializers };
  const log = opts.logStream ? pino(logOptions, opts.logStream) : pino(logOptions);
  const store =
    opts.store ??
    (config.database
      ? new PostgresStore({ connectionString: config.database })
      : new SqliteStore({ filename: join(config.dataDir, SQLITE_FILE) }));
  await store.migrate();
  const apps = new AppDirectory(config.apps);
  let bus = opts.bus;
  let redisBus: RedisBus | undefined;
  if (!bus && config.redisUrl) {
    redisBus = new RedisBus({ url: config.redisUrl });
    await redisBus.connected();
    bus = redisBus;
  }
  // Scale-out: presence and rate limits shared by every node through Redis (one connection for
  // both); without Redis, this node's own.
  let state: RedisState | undefined;
  let directory: RedisPresence | undefined;
  let limiter: SharedRateLimiter | undefined;
  if (config.redisUrl) {
    state = await openRedisState(config.redisUrl);
    directory = new RedisPresence({ redis: state.redis });
    limiter = new SharedRateLimiter(new RedisRateCounter({ redis: state.redis }), clock, (degraded, err) => {
      if (degraded) log.warn({ err }, 'Redis unreachable: rate limits are counted per node until it is back');
      else log.info({}, 'Redis is back: rate limits are counted across nodes again');
    });
  }
  const presence = new ClusterPresence<Session>(directory, (degraded, err) => {
    if (degraded) log.warn({ err }, "Redis unreachable: presence shows this node's devices only until it is back");
    else log.info({}, 'Redis is back: presence covers every node again');
  });
  const services = createServices(store, clock, apps, bus ?? new LocalBus(), {
    webhooks: opts.webhooks ?? new HttpWebhooks(),
    presence,
    log,
  });
  // Admins are accounts too: they send as themselves when From_Account is omitted.
  for (const app of config.apps) await services.accounts.importAccounts(app.sdkAppId, app.admins);
  const auth = new Authenticator(apps, clock);
  const http = buildHttpServer(
    {
      logger: log,
      ...(config.tls ? { tls: config.tls } : {}),
      ...(config.httpLimits ? { limits: config.httpLimits } : {}),
      ...(config.metrics ? { metrics: config.metrics } : {}),
      ...(limiter ? { limiter } : {}),
    },
    defaultRegistry(),
    services,
    auth,
  );
  // The client gateway shares the port: WebSocket upgrades at /v1/ws.
  const gateway = new Gateway(services, auth, log, presence, opts.gateway);
  http.server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  const dispatcher = new CallbackDispatcher(services.callbacks, log, opts.callbackPollMs ?? DEFAULT_CALLBACK_POLL_MS);
  dispatcher.start();
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
      await directory?.close();
      await state?.close();
      await redisBus?.close();
      await store.close();
    },
  };
}
