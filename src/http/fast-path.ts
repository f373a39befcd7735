// The hot path of the REST edge: POST /v4/<service>/<command> answered straight from node:http,
// ahead of Fastify's router, hooks and reply machinery (about a tenth of a small call's cost; see
// docs/performance.md). It runs the very same callApi as the Fastify route and writes the same
// envelope, headers and log line. Anything else — other methods and paths, percent-encoded path
// segments — it declines, and Fastify serves it as before.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { FastifyBaseLogger } from 'fastify';
import { FAMILY_CODES } from '../api/registry.js';
import { CORS, MAX_REQUEST_BYTES, bodyTooLarge, callApi, envelope, failure, unknownApi, type EdgeDeps, type Query } from './edge.js';
import { requestId } from './request-id.js';
import { redactUrl } from './redact.js';

const V4_PATH = /^\/v4\/([A-Za-z0-9_]+)\/([A-Za-z0-9_]+)$/;

const HEADERS = { ...CORS, 'content-type': 'application/json; charset=utf-8' };

/** Returns a request handler that serves the calls it recognises and returns false for the rest. */
export function createFastPath(deps: EdgeDeps, log: () => FastifyBaseLogger): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const m = V4_PATH.exec(q < 0 ? url : url.slice(0, q));
    if (!m) return false;
    const started = performance.now();
    const id = requestId(req.headers['x-request-id']);
    const api = deps.registry.get(m[1]!, m[2]!);
    const finish = (result: Record<string, unknown>): void => {
      const body = envelope(result);
      const text = JSON.stringify(body);
      res.writeHead(200, { ...HEADERS, 'x-request-id': id, 'content-length': Buffer.byteLength(text) });
      res.end(text);
      const logger = log();
      if ((logger as unknown as { isLevelEnabled(l: string): boolean }).isLevelEnabled('info')) {
        logger.info({
          reqId: id, req: { method: req.method, url: redactUrl(url), ip: req.socket.remoteAddress }, status: 200,
          errorCode: body.ErrorCode, ms: Math.round((performance.now() - started) * 100) / 100,
        }, 'request');
      }
      // At debug, why a call failed: the API and its ErrorInfo (which never echoes a UserSig or key).
      if (body.ErrorCode !== 0 && (logger as unknown as { isLevelEnabled(l: string): boolean }).isLevelEnabled('debug')) {
        logger.debug({ reqId: id, api: `${m[1]}/${m[2]}`, errorCode: body.ErrorCode, errorInfo: body.ErrorInfo }, 'api error');
      }
    };
    if (!api) {
      req.resume();
      finish(unknownApi(m[1]!, m[2]!));
      return true;
    }
    const codes = FAMILY_CODES[api.family];
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_REQUEST_BYTES) {
      // Not read at all; the connection closes after the answer rather than swallow a huge body.
      res.setHeader('connection', 'close');
      finish(bodyTooLarge(codes.tooLong));
      req.resume();
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      if (tooLarge) return;
      size += c.length;
      if (size > MAX_REQUEST_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => {
      // The client went away mid-body: nobody is left to answer.
      res.destroy();
    });
    req.on('end', () => {
      if (tooLarge) {
        finish(bodyTooLarge(codes.tooLong));
        return;
      }
      const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const query = q < 0 ? {} : (parseQuery(url.slice(q + 1)) as Query);
      const logger = log();
      void callApi(api, {
        query, raw, requestId: id, clientIp: req.socket.remoteAddress ?? '',
        log: { error: (obj, msg) => logger.error({ reqId: id, ...obj }, msg) },
      }, deps).then(finish, (e: unknown) => {
        // callApi maps every failure itself; this is the last guard against a crash.
        logger.error({ reqId: id, err: e }, 'internal error');
        finish(failure(codes.internal, 'internal server error; the request was not applied'));
      });
    });
    return true;
  };
}
