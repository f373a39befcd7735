// The REST edge: POST /v4/<service>/<command>?sdkappid&identifier&usersig&random&contenttype.
// It turns HTTP into a call of a registered API and every outcome into HTTP 200 with the
// ActionStatus/ErrorCode/ErrorInfo envelope. It knows no API by name.
import { ErrorCode } from '@parley/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, type FieldNames } from '../domain/errors.js';
import type { Services } from '../domain/services.js';
import { FAMILY_CODES, type ApiDefinition, type ApiRegistry, type ApiResult } from '../api/registry.js';
import { validateFields } from '../api/fields.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { Limiter } from './rate-limit.js';
import type { BodyBudget } from './body-budget.js';
import { BODY_BUDGET_SPENT, BODY_TOO_LARGE, readBody } from './body-reader.js';

/** The REST field that names each role of a domain error (ErrorInfo speaks the API's fields). */
const REST_FIELD_NAMES: FieldNames = {
  sender: 'From_Account',
  recipient: 'To_Account',
  operator: 'Operator_Account',
  peer: 'Peer_Account',
  reporter: 'Report_Account',
  owner: 'To_Account',
  account: 'UserID',
  msgKey: 'MsgKey',
  lastMsgKey: 'LastMsgKey',
};

export interface EdgeDeps {
  registry: ApiRegistry;
  auth: Authenticator;
  limiter: Limiter;
  services: Services;
  /** Request-body bytes held at once across connections. */
  budget: BodyBudget;
}

/** Tencent's sample response headers (spec §1.3). */
export const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'X-Requested-With, Content-Type',
  'access-control-allow-methods': 'POST',
};

/** The largest body the edge reads at all; message APIs have their own, smaller limit (93000). */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export function envelope(result: ApiResult): ApiResult {
  const { ActionStatus, ErrorInfo, ErrorCode, ...rest } = result;
  return { ActionStatus: ActionStatus ?? 'OK', ErrorInfo: ErrorInfo ?? '', ErrorCode: ErrorCode ?? 0, ...rest };
}

export const failure = (code: number, info: string): ApiResult => ({
  ActionStatus: 'FAIL',
  ErrorInfo: info,
  ErrorCode: code,
});

/** 60009: no API of that name, whichever path of the edge found out. */
export const unknownApi = (service: string, command: string): ApiResult =>
  failure(ErrorCode.UNKNOWN_API, `unknown API v4/${service}/${command}`);

/** The body is over the edge's limit: the family's "too long" code (93000 when no API is known). */
export const bodyTooLarge = (code: number): ApiResult =>
  failure(code, `request body is larger than ${MAX_REQUEST_BYTES} bytes`);

export type Query = Record<string, string | string[] | undefined>;
/** A repeated query parameter counts once: the first value. */
const param = (q: Query, name: string): string | undefined => {
  const v = q[name];
  return Array.isArray(v) ? v[0] : v;
};

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the API is known, for logs and error mapping. */
    api?: ApiDefinition;
    errorCode?: number;
  }
}

export function registerEdge(server: FastifyInstance, deps: EdgeDeps): void {
  // Clients send application/json (with or without charset), text/plain or no type at all: the
  // body is read as bytes whatever it claims and parsed as JSON by the edge.
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('*', (_req, payload, done) => readBody(payload, MAX_REQUEST_BYTES, deps.budget, done));

  server.post('/v4/:service/:command', async (req, reply) => {
    const { service, command } = req.params as { service: string; command: string };
    reply.headers(CORS);
    const api = deps.registry.get(service, command);
    if (!api) return send(req, reply, unknownApi(service, command));
    req.api = api;
    const input = {
      query: req.query as Query,
      raw: (req.body as Buffer | undefined) ?? EMPTY,
      requestId: String(req.id),
      clientIp: req.ip,
      log: req.log,
    };
    return send(req, reply, await callApi(api, input, deps));
  });

  server.options('/v4/*', async (_req, reply) => {
    reply.headers(CORS).code(204).send();
  });

  // A /v4 path that is not /v4/<service>/<command> (e.g. /v4/foo, /v4/a/b/c) names no API either:
  // 60009 in the envelope, as for an unknown service or command. Other paths get a plain 404
  // that, unlike Fastify's default, does not echo the URL (and its usersig) back.
  server.setNotFoundHandler(async (req, reply) => {
    const path = req.url.split('?', 1)[0]!;
    if (path === '/v4' || path.startsWith('/v4/')) {
      reply.headers(CORS);
      return send(req, reply, failure(ErrorCode.UNKNOWN_API, 'unknown API: the path must be /v4/<service>/<command>'));
    }
    return reply.code(404).send({ error: 'not found' });
  });

  // Only POST is an API call; any other method gets the envelope, not a 404/405 page.
  server.route({
    method: ['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD'],
    url: '/v4/*',
    handler: async (req, reply) => {
      reply.headers(CORS);
      return send(
        req,
        reply,
        failure(ErrorCode.HTTP_REQUEST_INVALID, `v4 APIs are called with POST, not ${req.method}`),
      );
    },
  });
}

/** Levels at which a failed call's ErrorInfo is logged. */
const DEBUG_LEVELS = new Set(['debug', 'trace']);

function send(req: FastifyRequest, reply: FastifyReply, result: ApiResult): ApiResult {
  const body = envelope(result);
  req.errorCode = body.ErrorCode as number;
  // At debug, why a call failed: the API and its ErrorInfo (which never echoes a UserSig or key).
  if (body.ErrorCode !== 0 && DEBUG_LEVELS.has(req.log.level)) {
    req.log.debug(
      { api: req.url.split('?', 1)[0]!.replace(/^\/v4\//, ''), errorCode: body.ErrorCode, errorInfo: body.ErrorInfo },
      'api error',
    );
  }
  reply.code(200).header('content-type', 'application/json; charset=utf-8');
  return body;
}

const EMPTY = Buffer.alloc(0);

/** One REST call as the edge received it. */
export interface CallInput {
  query: Query;
  raw: Buffer;
  requestId: string;
  clientIp: string;
  log: { error(obj: object, msg: string): void };
}

/** Authenticates, rate-limits, parses and validates a call, then runs its handler; never throws. */
export async function callApi(api: ApiDefinition, input: CallInput, deps: EdgeDeps): Promise<ApiResult> {
  const codes = FAMILY_CODES[api.family];
  try {
    const q = input.query;
    const app = deps.auth.app(param(q, 'sdkappid'));
    const identifier = param(q, 'identifier') ?? '';
    deps.auth.verify(app, identifier, param(q, 'usersig') ?? '');
    if (!deps.services.apps.isAdmin(app, identifier)) {
      throw new ApiError(codes.notAdmin, `${identifier} is not an app admin; REST APIs need an admin identifier`);
    }
    if (app.rateLimits !== false) {
      const key = `${api.service}/${api.command}`;
      const limit = Object.hasOwn(app.rateLimits, key) ? app.rateLimits[key]! : api.rateLimit;
      if (!(await deps.limiter.take(`${app.sdkAppId}:${key}`, limit))) {
        throw new ApiError(ErrorCode.RATE_LIMITED, `${key} is limited to ${limit} calls per second for this app`);
      }
    }
    const raw = input.raw;
    if (api.maxBodyBytes !== undefined && raw.length > api.maxBodyBytes) {
      throw new ApiError(
        codes.tooLong,
        `request body is ${raw.length} bytes; this API accepts at most ${api.maxBodyBytes}`,
      );
    }
    const body = parseBody(raw, codes.badJson);
    api.normalize?.(body);
    validateFields(body, api.fields);
    return {
      ...codes.envelope,
      ...(await api.handle(
        { app, identifier, services: deps.services, requestId: input.requestId, clientIp: input.clientIp },
        body,
      )),
    };
  } catch (e) {
    if (e instanceof ApiError) return { ...codes.envelope, ...failure(e.code, e.infoWith(REST_FIELD_NAMES)) };
    input.log.error({ err: e, api: `${api.service}/${api.command}` }, 'internal error');
    return { ...codes.envelope, ...failure(codes.internal, 'internal server error; the request was not applied') };
  }
}

export function parseBody(raw: Buffer, code: number): Record<string, unknown> {
  if (raw.length === 0) throw new ApiError(code, 'request body is empty; send {} when an API needs no input');
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new ApiError(code, `Fail to Parse json data of body, Please check it (${(e as Error).message})`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(code, 'request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** Maps errors raised before a handler runs (oversized body, bad content) to the envelope. */
export function edgeErrorHandler(registry: ApiRegistry) {
  return (
    err: { code?: string; statusCode?: number; message: string },
    req: FastifyRequest,
    reply: FastifyReply,
  ): void => {
    if (!req.url.startsWith('/v4/')) {
      if (err.code === 'ECONNRESET') return void reply.raw.destroy();
      if (err.code === BODY_BUDGET_SPENT)
        return void reply.code(503).header('connection', 'close').send({ error: err.message });
      const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
      if (status >= 500) req.log.error({ err }, 'internal error');
      reply.code(status).send({ error: status >= 500 ? 'internal server error' : err.message });
      return;
    }
    const { service, command } = (req.params ?? {}) as { service?: string; command?: string };
    const api = service && command ? registry.get(service, command) : undefined;
    const codes = FAMILY_CODES[api?.family ?? 'openim'];
    let result: ApiResult;
    if (err.code === BODY_TOO_LARGE || err.code === BODY_BUDGET_SPENT) {
      // The rest of the body is not read: the connection closes after the answer.
      reply.header('connection', 'close');
      result =
        err.code === BODY_TOO_LARGE
          ? bodyTooLarge(api ? codes.tooLong : ErrorCode.MSG_TOO_LONG)
          : failure(ErrorCode.TOO_MANY_REQUESTS, 'the server is holding too many request bodies at once; retry later');
    } else if (err.code === 'ECONNRESET') {
      // Nobody is left to answer.
      reply.raw.destroy();
      return;
    } else if (err.statusCode !== undefined && err.statusCode < 500)
      result = failure(api ? codes.badJson : ErrorCode.HTTP_REQUEST_INVALID, `bad request: ${err.message}`);
    else {
      req.log.error({ err }, 'internal error');
      result = failure(codes.internal, 'internal server error; the request was not applied');
    }
    if (api) result = { ...codes.envelope, ...result };
    reply.headers(CORS);
    reply.send(send(req, reply, result));
  };
}
