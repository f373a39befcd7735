// The HTTP(S) server: Fastify with the REST edge, health check and structured request logs.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import type { ApiRegistry } from '../api/registry.js';
import { Authenticator } from './auth.js';
import { RateLimiter } from './rate-limit.js';
import { edgeErrorHandler, registerEdge } from './edge.js';
import { registerConsole } from './console.js';
import type { Services } from '../domain/services.js';

export interface HttpOptions {
  logLevel: string;
  tls?: { cert: Buffer; key: Buffer };
  /** A pino destination for tests; defaults to stdout. */
  logStream?: NodeJS.WritableStream;
}

/**
 * Credentials never reach logs: the usersig in a URL is replaced before it is written. The name is
 * compared after percent-decoding, because the query parser decodes it too (`%75sersig=` is read as usersig).
 */
export const redactUrl = (url: string): string => url.replace(/([?&])([^=&]*)=([^&]*)/g, (whole, sep: string, name: string) => {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    // not valid percent-encoding: compare the name as written
  }
  return decoded.toLowerCase() === 'usersig' ? `${sep}${name}=[redacted]` : whole;
});

/** Request ids: unique per process start plus a counter — cheaper than a UUID per request. */
const REQ_ID_PREFIX = randomBytes(4).toString('hex');
let reqCounter = 0;

export function buildHttpServer(opts: HttpOptions, registry: ApiRegistry, services: Services, auth = new Authenticator(services.apps, services.clock)): FastifyInstance {
  const server = Fastify({
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
    logger: {
      level: opts.logLevel,
      ...(opts.logStream ? { stream: opts.logStream } : {}),
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), ip: req.ip }),
      },
    },
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : `${REQ_ID_PREFIX}-${(++reqCounter).toString(36)}`;
    },
    keepAliveTimeout: 75_000,
    bodyLimit: 1024 * 1024,
  }) as unknown as FastifyInstance;

  const limiter = new RateLimiter(services.clock);
  registerEdge(server, { registry, auth, limiter, services });
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
  server.get('/healthz', async () => ({ status: 'ok' }));
  // Prometheus text format: callback counters (sent, failed, retried, given_up per command).
  server.get('/metrics', async (_req, reply) => {
    reply.header('content-type', services.metrics.registry.contentType);
    return services.metrics.registry.metrics();
  });
  return server;
}
