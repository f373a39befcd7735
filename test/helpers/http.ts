// A raw HTTP(S) request through node:http, for what fetch cannot express: no Content-Type at all,
// any method, a chosen Agent (keep-alive), self-signed certificates.
import http from 'node:http';
import https from 'node:https';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Whether the request went over a socket an earlier request had used (keep-alive). */
  reusedSocket: boolean;
  json(): Record<string, any>;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as is; omitted entirely when undefined. */
  body?: string | Buffer;
  agent?: http.Agent | https.Agent;
  /** For https: accept a self-signed certificate. */
  rejectUnauthorized?: boolean;
}

/** Requests `url` (http: or https:) and reads the whole response. */
export function rawRequest(url: string, r: RawRequest = {}): Promise<RawResponse> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { ...r.headers };
  const named = Object.keys(headers).map((h) => h.toLowerCase());
  // Node frames a GET/DELETE body only when told its length.
  if (r.body !== undefined && !named.includes('content-length') && !named.includes('transfer-encoding')) {
    headers['content-length'] = String(Buffer.byteLength(r.body));
  }
  return new Promise((resolve, reject) => {
    const req = mod.request(
      {
        method: r.method ?? 'POST',
        hostname: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        headers,
        ...(r.agent ? { agent: r.agent } : {}),
        ...(r.rejectUnauthorized !== undefined ? { rejectUnauthorized: r.rejectUnauthorized } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            reusedSocket: req.reusedSocket,
            json: () => JSON.parse(text) as Record<string, any>,
          });
        });
      },
    );
    req.on('error', reject);
    if (r.body !== undefined) req.write(r.body);
    req.end();
  });
}
