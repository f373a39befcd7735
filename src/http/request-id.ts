// Request ids: the caller's X-Request-Id when it is a plain token, else unique per process start
// plus a counter — cheaper than a UUID per request.
import { randomBytes } from 'node:crypto';

const PREFIX = randomBytes(4).toString('hex');
let counter = 0;

export function requestId(given: string | string[] | undefined): string {
  return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : `${PREFIX}-${(++counter).toString(36)}`;
}
