// Calling the REST API the way a Tencent IM backend does, and the bodies it sends.
import { randomUUID } from 'node:crypto';
import type { MsgElement } from '../../src/domain/message-body.js';

/** A text message body. */
export const text = (t: string): MsgElement[] => [{ MsgType: 'TIMTextElem', MsgContent: { Text: t } }];

/** A string that occurs nowhere else. */
export const unique = (label = 'secret'): string => `${label}-${randomUUID()}`;

export interface Credentials {
  sdkAppId: number;
  identifier: string;
  usersig: string;
}

/** POST <base>/v4/<api> with the credentials in the query; the parsed answer (any HTTP status but 200 throws). */
export async function postApi(base: string, api: string, body: unknown, c: Credentials): Promise<Record<string, any>> {
  const q = new URLSearchParams({
    sdkappid: String(c.sdkAppId),
    identifier: c.identifier,
    usersig: c.usersig,
    random: String(Math.floor(Math.random() * 4294967295)),
    contenttype: 'json',
  });
  const res = await fetch(`${base}/v4/${api}?${q}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status} from ${api}: ${await res.text()}`);
  return (await res.json()) as Record<string, any>;
}
