// Where the SDK connects: the gateway URL for a server's base URL.
import { GATEWAY_PATH } from '@parley/protocol';

/** The gateway URL for a server base URL: http(s) becomes ws(s), the path is /v1/ws. */
export function gatewayURL(serverURL: string): string {
  const u = new URL(serverURL);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:')
    throw new Error(`serverURL must be http(s) or ws(s): ${serverURL}`);
  const path = u.pathname.replace(/\/+$/, '');
  u.pathname = path.endsWith(GATEWAY_PATH) ? path : `${path}${GATEWAY_PATH}`;
  u.search = '';
  u.hash = '';
  return u.toString();
}
