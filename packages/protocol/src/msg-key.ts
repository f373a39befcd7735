// MsgKey, a one-to-one message's identity on the wire: "{MsgSeq}_{MsgRandom}_{MsgTimeStamp}".
import { U32_MAX } from './limits.js';

export interface MsgKeyParts {
  seq: number;
  random: number;
  time: number;
}

export const msgKeyOf = (r: MsgKeyParts): string => `${r.seq}_${r.random}_${r.time}`;

/** Parses a MsgKey; undefined unless each of its three numbers is an unsigned 32-bit integer. */
export function parseMsgKey(key: string): MsgKeyParts | undefined {
  const m = /^(\d{1,10})_(\d{1,10})_(\d{1,10})$/.exec(key);
  if (!m) return undefined;
  const parts = { seq: Number(m[1]), random: Number(m[2]), time: Number(m[3]) };
  if (parts.seq > U32_MAX || parts.random > U32_MAX || parts.time > U32_MAX) return undefined;
  return parts;
}
