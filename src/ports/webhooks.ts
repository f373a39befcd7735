// The webhook transport: POSTs one callback and says whether a valid reply came back.
export interface CallbackRequest {
  url: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
  timeoutMs: number;
}

/** A reply counts only when it is HTTP 200 with a JSON envelope carrying a numeric ErrorCode. */
export type CallbackReply = { ok: true; reply: Record<string, unknown> } | { ok: false; reason: string };

export interface WebhookTransport {
  post(req: CallbackRequest): Promise<CallbackReply>;
}
