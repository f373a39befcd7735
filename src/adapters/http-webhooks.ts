// WebhookTransport over HTTP(S) with Node's fetch (undici keeps connections alive per origin).
// Redirects are not followed: a 3xx is a failed callback, like any status but 200.
import type { CallbackReply, CallbackRequest, WebhookTransport } from '../ports/webhooks.js';

const MAX_REPLY_BYTES = 256 * 1024;

export class HttpWebhooks implements WebhookTransport {
  async post(req: CallbackRequest): Promise<CallbackReply> {
    const url = new URL(req.url);
    for (const [k, v] of Object.entries(req.query)) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(req.body),
        redirect: 'manual',
        signal: AbortSignal.timeout(req.timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const reason = err.name === 'TimeoutError' ? `no reply within ${req.timeoutMs} ms` : `request failed: ${err.cause?.code ?? err.message}`;
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
      if (typeof reply !== 'object' || reply === null || Array.isArray(reply) || typeof (reply as { ErrorCode?: unknown }).ErrorCode !== 'number') {
        return { ok: false, reason: 'reply is not the {ActionStatus, ErrorCode, ErrorInfo} envelope' };
      }
      return { ok: true, reply: reply as Record<string, unknown> };
    } catch (e) {
      return { ok: false, reason: `reading the reply failed: ${(e as Error).message}` };
    }
  }
}
