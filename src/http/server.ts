// The HTTP(S) server: Fastify with the REST edge, health check, metrics and structured request
// logs. Every request goes through Fastify (no side path), so hooks, tests using inject() and
// production all run the same code.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { ApiRegistry } from '../api/registry.js';
import { Authenticator } from '../auth/authenticator.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits, type MetricsAccess } from '../config/http-limits.js';
import { RateLimiter, type Limiter } from './rate-limit.js';
import { edgeErrorHandler, registerEdge } from './edge.js';
import { registerConsole } from './console.js';
import { BodyBudget } from './body-budget.js';
import { capConnectionsPerAddress } from './connection-cap.js';
import { registerMetrics } from './metrics-endpoint.js';
import { redactUrl } from './redact.js';
import { requestId } from './request-id.js';
import type { Services } from '../domain/services.js';
import type { Logger } from 'pino';

export { redactUrl };

export interface HttpOptions {
  /** The server's structured log, made by the composition root (see `logSerializers`). */
  logger: Logger;
  tls?: { cert: Buffer; key: Buffer };
  limits?: HttpLimits;
  metrics?: MetricsAccess;
  /** Rate-limit buckets (default: this node's own, in memory). */
  limiter?: Limiter;
}

/** How the request log shows a request: the URL without its usersig. */
export const logSerializers = {
  req: (req: { method: string; url: string; ip?: string }) => ({
    method: req.method,
    url: redactUrl(req.url),
    ip: req.ip,
  }),
};

const KEEP_ALIVE_MS = 75_000;

export function buildHttpServer(
  opts: HttpOptions,
  registry: ApiRegistry,
  services: Services,
  auth = new Authenticator(services.apps, services.clock),
): FastifyInstance {
  const limits = opts.limits ?? DEFAULT_HTTP_LIMITS;
  const limiter = opts.limiter ?? new RateLimiter(services.clock);
  const budget = new BodyBudget(limits.maxBodyBytesInFlight);
  const deps = { registry, auth, limiter, services, budget };
  const server = Fastify({
    serverFactory: (handler) => {
      const timeouts = {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        // How often Node looks for requests past those timeouts (its default, 30 s, would let a
        // 10 s limit run to 40 s).
        connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
        keepAliveTimeout: KEEP_ALIVE_MS,
      };
      const s = opts.tls
        ? createHttpsServer(
            { cert: opts.tls.cert, key: opts.tls.key, handshakeTimeout: limits.headersTimeoutMs, ...timeouts },
            handler,
          )
        : createServer(timeouts, handler);
      s.keepAliveTimeout = KEEP_ALIVE_MS;
      capConnectionsPerAddress(s, limits.maxConnectionsPerAddress);
      return s;
    },
    loggerInstance: opts.logger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req) => requestId(req.headers['x-request-id']),
    keepAliveTimeout: KEEP_ALIVE_MS,
  }) as unknown as FastifyInstance;

  registerEdge(server, deps);
  server.setErrorHandler(edgeErrorHandler(registry));

  const { httpRequests, httpLatency } = services.metrics;
  // Callback-style hooks: an async hook costs a promise per request on the hot path.
  server.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  // After the response: the request metrics and one log line (method, redacted URL, outcome, time).
  server.addHook('onResponse', (req, reply, done) => {
    // Label values come from the registry, never from the URL: a client cannot mint new series.
    const api = req.api ? `${req.api.service}/${req.api.command}` : req.errorCode !== undefined ? 'unknown' : 'other';
    const code = req.errorCode !== undefined ? String(req.errorCode) : String(reply.statusCode);
    httpRequests.inc({ api, code });
    httpLatency.observe({ api }, reply.elapsedTime / 1000);
    if ((req.log as unknown as { isLevelEnabled(l: string): boolean }).isLevelEnabled('info')) {
      req.log.info(
        {
          req,
          status: reply.statusCode,
          ...(req.errorCode !== undefined ? { errorCode: req.errorCode } : {}),
          ms: Math.round(reply.elapsedTime * 100) / 100,
        },
        'request',
      );
    }
    done();
  });

  registerConsole(server, registry);
  // A browser pointed at the bare address lands on the console rather than a 404.
  server.get('/', async (_req, reply) => reply.redirect('/console/'));
  server.get('/healthz', async () => ({ status: 'ok' }));
  registerMetrics(server, services.metrics, opts.metrics ?? {});
  return server;
}
