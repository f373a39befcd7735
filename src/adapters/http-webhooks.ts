// WebhookTransport over HTTP(S) with Node's fetch (undici keeps connections alive per origin).
// Redirects are not followed: a 3xx is a failed callback, like any status but 200.
import type { CallbackReply, CallbackRequest, WebhookTransport } from '../ports/webhooks.js';

const MAX_REPLY_BYTES = 256 * 1024;

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export class HttpWebhooks implements WebhookTransport {
  async post(req: CallbackRequest): Promise<CallbackReply> {
    const url = new URL(req.url);
    for (const [k, v] of Object.entries(req.query)) url.searchParams.set(k, v);
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    // fetch refuses URLs with credentials (and says so with the whole URL in its message): send
    // them as Basic authentication instead.
    if (url.username !== '' || url.password !== '') {
      const user = `${decode(url.username)}:${decode(url.password)}`;
      headers.authorization = `Basic ${Buffer.from(user).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(req.body),
        redirect: 'manual',
        signal: AbortSignal.timeout(req.timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      // The reason is logged: it must not carry the URL (its query holds Sign and RequestTime).
      const reason =
        err.name === 'TimeoutError'
          ? `no reply within ${req.timeoutMs} ms`
          : `request failed: ${err.cause?.code ?? err.message.split(url.href).join('<callback url>')}`;
      return { ok: false, reason };
    }
    try {
      if (res.status !== 200) {
        await res.body?.cancel();
        return { ok: false, reason: `HTTP ${res.status}` };
      }
      const text = await res.text();
      if (text.length > MAX_REPLY_BYTES) return { ok: false, reason: 'reply too large' };
      let reply: unknown;
      try {
        reply = JSON.parse(text);
      } catch {
        return { ok: false, reason: 'reply is not JSON' };
      }
      if (
        typeof reply !== 'object' ||
        reply === null ||
        Array.isArray(reply) ||
        typeof (reply as { ErrorCode?: unknown }).ErrorCode !== 'number'
      ) {
        return { ok: false, reason: 'reply is not the {ActionStatus, ErrorCode, ErrorInfo} envelope' };
      }
      return { ok: true, reply: reply as Record<string, unknown> };
    } catch (e) {
      return { ok: false, reason: `reading the reply failed: ${(e as Error).message}` };
    }
  }
}
