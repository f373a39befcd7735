// The web console at /console: static files built from console/ into dist/console by
// scripts/build-console.mjs, and the API catalogue generated from the handler registry. The page
// may only talk to this origin (Content-Security-Policy), and no secret ever reaches this module:
// the console computes UserSigs in the browser.
import { ErrorCode, U32_MAX } from '@parley/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { FAMILY_CODES, type ApiRegistry } from '../api/registry.js';
import type { FieldSpec } from '../api/fields.js';
import type { Catalogue, FieldDescription } from './catalogue.js';

/** dist/src/http/console.js → dist/console/ */
export const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

export type { Catalogue, CatalogueEntry, FieldDescription } from './catalogue.js';

/** ErrorCodes the edge itself can answer for any API (URL, UserSig, app, rate limit), besides the family's. */
export const EDGE_CODES = [
  ErrorCode.HTTP_REQUEST_INVALID,
  ErrorCode.SDKAPPID_INVALID,
  ErrorCode.RATE_LIMITED,
  ErrorCode.UNKNOWN_API,
  ErrorCode.SDKAPPID_MISSING,
  ErrorCode.USERSIG_EXPIRED,
  ErrorCode.USERSIG_EMPTY,
  ErrorCode.USERSIG_MALFORMED,
  ErrorCode.USERSIG_WRONG_KEY,
  ErrorCode.USERSIG_IDENTIFIER_MISMATCH,
  ErrorCode.USERSIG_SDKAPPID_MISMATCH,
  ErrorCode.SDKAPPID_NOT_FOUND,
];

const num = (n: number): string => (n === U32_MAX ? `${U32_MAX} (u32)` : String(n));

function describeField(name: string, f: FieldSpec): FieldDescription {
  const d: FieldDescription = {
    name,
    type: f.type,
    required: f.required === true,
    doc: f.doc,
    code: f.code,
    limits: '',
  };
  const words: string[] = [];
  switch (f.type) {
    case 'string':
      if (f.userId) {
        d.userId = true;
        words.push('a UserID: 1–32 bytes');
      }
      if (f.minBytes !== undefined) {
        d.minBytes = f.minBytes;
        words.push(`at least ${f.minBytes} bytes`);
      }
      if (f.maxBytes !== undefined) {
        d.maxBytes = f.maxBytes;
        words.push(`at most ${f.maxBytes} bytes`);
      }
      break;
    case 'integer':
      if (f.min !== undefined) d.min = f.min;
      if (f.max !== undefined) d.max = f.max;
      if (f.min !== undefined && f.max !== undefined) words.push(`${num(f.min)}–${num(f.max)}`);
      else if (f.min !== undefined) words.push(`≥ ${num(f.min)}`);
      else if (f.max !== undefined) words.push(`≤ ${num(f.max)}`);
      if (f.rangeCode !== undefined) words.push(`out of range: ${f.rangeCode}`);
      break;
    case 'string[]':
      if (f.maxItems !== undefined) {
        d.maxItems = f.maxItems;
        words.push(`at most ${f.maxItems} items${f.maxItemsCode !== undefined ? ` (else ${f.maxItemsCode})` : ''}`);
      }
      if (f.userIds) {
        d.userId = true;
        words.push('each a UserID: 1–32 bytes');
      }
      break;
    case 'object[]':
      if (f.maxItems !== undefined) {
        d.maxItems = f.maxItems;
        words.push(`at most ${f.maxItems} items${f.maxItemsCode !== undefined ? ` (else ${f.maxItemsCode})` : ''}`);
      }
      d.fields = Object.entries(f.fields).map(([n, sub]) => describeField(n, sub));
      break;
    case 'MsgBody':
      words.push('array of TIMMsgElement');
      break;
    case 'object':
      break;
  }
  d.limits = words.join('; ');
  return d;
}

/** The catalogue the console's API debugger shows: every registered API, straight from the registry. */
export function buildCatalogue(registry: ApiRegistry): Catalogue {
  const families = Object.keys(FAMILY_CODES) as Array<keyof typeof FAMILY_CODES>;
  return {
    apis: registry.list().map((a) => ({
      path: `v4/${a.service}/${a.command}`,
      service: a.service,
      command: a.command,
      summary: a.summary,
      family: a.family,
      rateLimit: a.rateLimit,
      ...(a.maxBodyBytes !== undefined ? { maxBodyBytes: a.maxBodyBytes } : {}),
      spec: a.spec,
      fields: Object.entries(a.fields).map(([n, f]) => describeField(n, f)),
      errors: [...a.errors],
      sample: a.sample,
    })),
    commonErrors: Object.fromEntries(
      families.map((fam) => {
        const c = FAMILY_CODES[fam];
        return [fam, [...new Set([...EDGE_CODES, c.badJson, c.notAdmin, c.internal, c.tooLong])].sort((x, y) => x - y)];
      }),
    ),
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/** Only this origin: scripts, styles, fetch and the WebSocket gateway. No inline code, no CDN. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache');
}

export function registerConsole(server: FastifyInstance, registry: ApiRegistry, dir = CONSOLE_DIR): void {
  const catalogue = JSON.stringify(buildCatalogue(registry));

  async function file(name: string, reply: FastifyReply) {
    const ext = name.slice(name.lastIndexOf('.'));
    const type = Object.hasOwn(TYPES, ext) ? TYPES[ext] : undefined;
    // A flat folder: no '/', no leading dot, a known extension.
    if (!/^[A-Za-z0-9][\w.-]*$/.test(name) || !type)
      return secure(reply).code(404).type('text/plain; charset=utf-8').send('not found');
    let body: Buffer;
    try {
      body = await readFile(join(dir, name));
    } catch {
      if (name === 'index.html') {
        return secure(reply)
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The Parley console is not built. Run `npm run build` (npm start does it) and reload.');
      }
      return secure(reply).code(404).type('text/plain; charset=utf-8').send('not found');
    }
    return secure(reply).type(type).send(body);
  }

  server.get('/console', async (_req, reply) => reply.redirect('/console/', 302));
  server.get('/console/', async (_req, reply) => file('index.html', reply));
  server.get('/console/catalogue.json', async (_req, reply) => secure(reply).type(TYPES['.json']!).send(catalogue));
  server.get('/console/:file', async (req, reply) => file((req.params as { file: string }).file, reply));
}
