// GET /metrics (Prometheus text format), optionally behind a bearer token, on the API port or on
// a separate address of its own (e.g. 127.0.0.1 or an internal interface) that clients never reach.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { MetricsAccess } from '../config/http-limits.js';
import type { Metrics } from '../observability/metrics.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** True when the request may read the metrics: no token configured, or the right bearer token. */
export function metricsAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const m = /^Bearer (.+)$/.exec(authorization ?? '');
  // Compared as digests: constant time whatever the lengths.
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token));
}

async function answer(
  metrics: Metrics,
  access: MetricsAccess,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!metricsAllowed(req.headers.authorization, access.token)) {
    res
      .writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain; charset=utf-8' })
      .end('metrics need a bearer token\n');
    return;
  }
  const text = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
}

/** Serves /metrics on the API server, or (access.listen) on its own server started and stopped with it. */
export function registerMetrics(server: FastifyInstance, metrics: Metrics, access: MetricsAccess): void {
  if (!access.listen) {
    server.get('/metrics', async (req, reply) => {
      if (!metricsAllowed(req.headers.authorization, access.token)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .type('text/plain; charset=utf-8')
          .send('metrics need a bearer token\n');
      }
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
    return;
  }
  const { host, port } = access.listen;
  let own: Server | undefined;
  server.addHook('onListen', async () => {
    own = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?', 1)[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      answer(metrics, access, req, res).catch(() => res.destroy());
    });
    own.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      own!.once('error', reject).listen(port, host, () => resolve());
    });
  });
  server.addHook('onClose', async () => {
    if (!own) return;
    const s = own;
    own = undefined;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  });
}
