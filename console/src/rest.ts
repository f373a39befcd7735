// Calls the server's REST API from the page (same origin only) and turns every outcome into
// words: the API's answer, an answer that is not JSON, an HTTP error, no answer at all.
import { explainCode } from './explain.js';

export interface RestCredentials {
  sdkAppId: string;
  identifier: string;
  userSig: string;
}

export type OutcomeKind = 'success' | 'partial' | 'api-error' | 'not-envelope' | 'not-json' | 'network' | 'timeout';

export interface CallOutcome {
  kind: OutcomeKind;
  /** HTTP status, when there was an answer. */
  status?: number;
  /** Milliseconds from sending to the whole answer (or to the failure). */
  ms: number;
  url: string;
  requestBody: string;
  json?: Record<string, unknown>;
  /** The raw answer text, when there was one. */
  text?: string;
  contentType?: string;
  errorCode?: number;
  /** The outcome in one or two sentences. */
  summary: string;
}

export const TIMEOUT_MS = 15_000;

/** `path` is the API's "v4/<service>/<command>". */
export function apiUrl(origin: string, path: string, c: RestCredentials): string {
  const q = new URLSearchParams({
    sdkappid: c.sdkAppId,
    identifier: c.identifier,
    usersig: c.userSig,
    random: String(Math.floor(Math.random() * 4294967295)),
    contenttype: 'json',
  });
  return `${origin}/${path.replace(/^\/+/, '')}?${q.toString()}`;
}

/** Classifies an answer that arrived (status, content type, text). */
export function classify(
  status: number,
  contentType: string,
  text: string,
): Pick<CallOutcome, 'kind' | 'json' | 'errorCode' | 'summary'> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const first = text.trim().slice(0, 160).replace(/\s+/g, ' ');
    return {
      kind: 'not-json',
      summary:
        `The server answered HTTP ${status}${contentType ? ` (${contentType})` : ''} with a body that is not JSON, so it is not an API answer. ` +
        (first ? `It begins: “${first}”.` : 'The body is empty.') +
        ' A proxy in between, or a server that is not Parley, may have answered.',
    };
  }
  if (
    typeof json !== 'object' ||
    json === null ||
    Array.isArray(json) ||
    typeof (json as Record<string, unknown>).ErrorCode !== 'number'
  ) {
    return {
      kind: 'not-envelope',
      ...(typeof json === 'object' && json !== null && !Array.isArray(json)
        ? { json: json as Record<string, unknown> }
        : {}),
      summary: `The server answered HTTP ${status} with JSON that has no ErrorCode, so it is not an API answer (is the path right?).`,
    };
  }
  const j = json as Record<string, unknown>;
  const code = j.ErrorCode as number;
  const info = typeof j.ErrorInfo === 'string' && j.ErrorInfo !== '' ? ` The server says: “${j.ErrorInfo}”.` : '';
  if (code === 0) {
    if (j.ActionStatus === 'SomeError' || (Array.isArray(j.ErrorList) && j.ErrorList.length > 0)) {
      const list = (j.ErrorList as Array<Record<string, unknown>> | undefined) ?? [];
      const items = list
        .map((e) => `${String(e.To_Account ?? e.Peer_Account ?? e.UserID ?? '?')}: ${explainCode(Number(e.ErrorCode))}`)
        .join('; ');
      return {
        kind: 'partial',
        json: j,
        errorCode: 0,
        summary: `Partly done (ErrorCode 0, ${list.length} item(s) failed). ${items}`,
      };
    }
    return { kind: 'success', json: j, errorCode: 0, summary: `Succeeded (HTTP ${status}, ErrorCode 0).` };
  }
  return { kind: 'api-error', json: j, errorCode: code, summary: `Failed. ${explainCode(code)}${info}` };
}

export async function callApi(
  path: string,
  body: string,
  c: RestCredentials,
  origin = location.origin,
): Promise<CallOutcome> {
  const url = apiUrl(origin, path, c);
  const started = performance.now();
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: ctl.signal,
      cache: 'no-store',
    });
    const text = await res.text();
    const ms = elapsed();
    const contentType = res.headers.get('content-type') ?? '';
    return {
      ...classify(res.status, contentType, text),
      status: res.status,
      ms,
      url,
      requestBody: body,
      text,
      contentType,
    };
  } catch (e) {
    const ms = elapsed();
    if (ctl.signal.aborted) {
      return {
        kind: 'timeout',
        ms,
        url,
        requestBody: body,
        summary: `No answer within ${TIMEOUT_MS / 1000} s: the server is slow or stuck. The request may or may not have been applied.`,
      };
    }
    return {
      kind: 'network',
      ms,
      url,
      requestBody: body,
      summary: `Could not reach the server at ${origin}: it may be down or restarting, or the network is unreachable (${(e as Error).message}).`,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Parses the body and calls; for the admin views, which build their bodies themselves. */
export async function callJson(path: string, body: Record<string, unknown>, c: RestCredentials): Promise<CallOutcome> {
  return callApi(path, JSON.stringify(body), c);
}
