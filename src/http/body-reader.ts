// Reads a request body into one Buffer, for Fastify's content-type parser: at most maxBytes per
// request and, across all requests, what the shared BodyBudget allows. The edge parses the JSON
// once, after it knows the API (and so the family's error codes).
import type { IncomingMessage } from 'node:http';
import type { BodyBudget } from './body-budget.js';

/** Error codes the edge's error handler maps to the envelope. */
export const BODY_TOO_LARGE = 'FST_ERR_CTP_BODY_TOO_LARGE';
export const BODY_BUDGET_SPENT = 'PARLEY_BODY_BUDGET_SPENT';

const fail = (code: string, statusCode: number, message: string): Error =>
  Object.assign(new Error(message), { code, statusCode });

export function readBody(
  payload: IncomingMessage,
  maxBytes: number,
  budget: BodyBudget,
  done: (err: Error | null, body?: Buffer) => void,
): void {
  const declared = Number(payload.headers['content-length']);
  if (declared > maxBytes) {
    done(fail(BODY_TOO_LARGE, 413, `request body is larger than ${maxBytes} bytes`));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (err: Error | null, body?: Buffer): void => {
    if (finished) return;
    finished = true;
    budget.release(size);
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
    payload.removeListener('close', onClose);
    chunks.length = 0;
    done(err, body);
  };
  const onData = (c: Buffer): void => {
    if (size + c.length > maxBytes)
      return finish(fail(BODY_TOO_LARGE, 413, `request body is larger than ${maxBytes} bytes`));
    if (!budget.take(c.length))
      return finish(fail(BODY_BUDGET_SPENT, 503, 'the server holds too many request bodies at once; retry later'));
    size += c.length;
    chunks.push(c);
  };
  const onEnd = (): void => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    finish(null, body);
  };
  // The client went away or the request timed out mid-body: release what it held.
  const onError = (e: Error): void => finish(e);
  const onClose = (): void => finish(fail('ECONNRESET', 400, 'the request was aborted'));
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
  payload.on('close', onClose);
}
