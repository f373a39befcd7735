// The HTTP(S) server: Fastify with the REST edge, health check and structured request logs.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { ApiRegistry } from '../api/registry.js';
import { Authenticator } from './auth.js';
import { RateLimiter } from './rate-limit.js';
import { edgeErrorHandler, registerEdge } from './edge.js';
import { registerConsole } from './console.js';
import { createFastPath } from './fast-path.js';
import { redactUrl } from './redact.js';
import { requestId } from './request-id.js';
import type { Services } from '../domain/services.js';

export { redactUrl };

export interface HttpOptions {
  logLevel: string;
  tls?: { cert: Buffer; key: Buffer };
  /** A pino destination for tests; defaults to stdout. */
  logStream?: NodeJS.WritableStream;
}

export function buildHttpServer(opts: HttpOptions, registry: ApiRegistry, services: Services, auth = new Authenticator(services.apps, services.clock)): FastifyInstance {
  const limiter = new RateLimiter(services.clock);
  const deps = { registry, auth, limiter, services };
  // POST /v4/<service>/<command> goes to the fast path first; whatever it declines goes to Fastify.
  let fastPath: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  const server = Fastify({
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
    serverFactory: (handler) => {
      const dispatch = (req: IncomingMessage, res: ServerResponse): void => {
        if (!fastPath?.(req, res)) handler(req, res);
      };
      const s = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, dispatch) : createServer(dispatch);
      s.keepAliveTimeout = 75_000;
      return s;
    },
    logger: {
      level: opts.logLevel,
      ...(opts.logStream ? { stream: opts.logStream } : {}),
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), ip: req.ip }),
      },
    },
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req) => requestId(req.headers['x-request-id']),
    keepAliveTimeout: 75_000,
    bodyLimit: 1024 * 1024,
  }) as unknown as FastifyInstance;

  fastPath = createFastPath(deps, () => server.log);
  registerEdge(server, deps);
  server.setErrorHandler(edgeErrorHandler(registry));

  // Callback-style hooks: an async hook costs a promise per request on the hot path.
  server.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  // One line per request, after the response: method, redacted URL, API outcome, time.
  server.addHook('onResponse', (req, reply, done) => {
    if ((req.log as unknown as { isLevelEnabled(l: string): boolean }).isLevelEnabled('info')) {
      req.log.info({
        req,
        status: reply.statusCode,
        ...(req.errorCode !== undefined ? { errorCode: req.errorCode } : {}),
        ms: Math.round(reply.elapsedTime * 100) / 100,
      }, 'request');
    }
    done();
  });

  registerConsole(server, registry);
  // A browser pointed at the bare address lands on the console rather than a 404.
  server.get('/', async (_req, reply) => reply.redirect('/console/'));
  server.get('/healthz', async () => ({ status: 'ok' }));
  // Prometheus text format: callback counters (sent, failed, retried, given_up per command).
  server.get('/metrics', async (_req, reply) => {
    reply.header('content-type', services.metrics.registry.contentType);
    return services.metrics.registry.metrics();
  });
  return server;
}
