// UserSig (TLSSigAPIv2): generation and verification.
// Byte-level rules are in shared/spec/usersig.md. Verification parses the JSON and rebuilds the
// signed content from the parsed fields, so every official generator's layout verifies.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';

export type UserSigFailure =
  | 'empty' // 70002
  | 'malformed' // 70003
  | 'expired' // 70001
  | 'signature' // 70009
  | 'identifier' // 70013
  | 'sdkappid'; // 70014

export class UserSigError extends Error {
  constructor(
    readonly reason: UserSigFailure,
    message: string,
  ) {
    super(message);
    this.name = 'UserSigError';
  }
}

export interface DecodedUserSig {
  identifier: string;
  sdkAppId: number;
  time: number;
  expire: number;
  userbuf?: string;
  sig: string;
}

/** The exact string that TLS.sig is the HMAC of. */
function contentToSign(
  identifier: string,
  sdkAppId: number | string,
  time: number | string,
  expire: number | string,
  userbuf?: string,
): string {
  let s = `TLS.identifier:${identifier}\nTLS.sdkappid:${sdkAppId}\nTLS.time:${time}\nTLS.expire:${expire}\n`;
  if (userbuf !== undefined) s += `TLS.userbuf:${userbuf}\n`;
  return s;
}

function hmac(key: string, content: string): Buffer {
  return createHmac('sha256', key).update(content, 'utf8').digest();
}

function base64UrlIm(buf: Buffer): string {
  return buf.toString('base64').replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
}

export interface GenerateOptions {
  sdkAppId: number;
  secretKey: string;
  identifier: string;
  /** Seconds of validity; the official libraries default to 180 days. */
  expire?: number;
  /** Unix seconds; defaults to now. */
  now?: number;
  userbuf?: Buffer;
}

/** Generates a UserSig exactly as the official Node library does (compact JSON, default zlib level). */
export function generateUserSig(o: GenerateOptions): string {
  const time = o.now ?? Math.floor(Date.now() / 1000);
  const expire = o.expire ?? 180 * 86400;
  const userbuf = o.userbuf ? o.userbuf.toString('base64') : undefined;
  const sig = hmac(o.secretKey, contentToSign(o.identifier, o.sdkAppId, time, expire, userbuf)).toString('base64');
  const doc: Record<string, unknown> = {
    'TLS.ver': '2.0',
    'TLS.identifier': String(o.identifier),
    'TLS.sdkappid': Number(o.sdkAppId),
    'TLS.time': time,
    'TLS.expire': Number(expire),
  };
  if (userbuf !== undefined) doc['TLS.userbuf'] = userbuf;
  doc['TLS.sig'] = sig;
  return base64UrlIm(deflateSync(Buffer.from(JSON.stringify(doc), 'utf8')));
}

const BASE64_IM = /^[A-Za-z0-9*\-_]+$/;

/** Undoes the URL-safe alphabet, inflates and parses. Throws UserSigError('empty' | 'malformed'). */
export function decodeUserSig(userSig: string): DecodedUserSig {
  if (userSig.length === 0) throw new UserSigError('empty', 'usersig is empty');
  // Some clients percent-encode the sig, others put it raw; a decoded '+' may also arrive as ' '.
  const trimmed = userSig.trim();
  if (!BASE64_IM.test(trimmed))
    throw new UserSigError('malformed', 'usersig contains characters outside its base64 alphabet');
  const b64 = trimmed.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '=');
  let json: string;
  try {
    json = inflateSync(Buffer.from(b64, 'base64'), { maxOutputLength: 64 * 1024 }).toString('utf8');
  } catch {
    throw new UserSigError('malformed', 'usersig is not a zlib stream');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new UserSigError('malformed', 'usersig does not hold JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new UserSigError('malformed', 'usersig JSON is not an object');
  const d = doc as Record<string, unknown>;
  const identifier = d['TLS.identifier'];
  const sdkAppId = d['TLS.sdkappid'];
  const time = d['TLS.time'];
  const sig = d['TLS.sig'];
  // Go's json encoder with omitempty drops a zero expire; treat absence as 0.
  const expire = d['TLS.expire'] ?? 0;
  const userbuf = d['TLS.userbuf'];
  if (typeof identifier !== 'string') throw new UserSigError('malformed', 'usersig has no TLS.identifier');
  const appNum = wholeNumber(sdkAppId);
  const timeNum = wholeNumber(time);
  const expireNum = wholeNumber(expire);
  if (appNum === undefined) throw new UserSigError('malformed', 'usersig has no numeric TLS.sdkappid');
  if (timeNum === undefined) throw new UserSigError('malformed', 'usersig has no numeric TLS.time');
  if (expireNum === undefined) throw new UserSigError('malformed', 'usersig has no numeric TLS.expire');
  if (typeof sig !== 'string' || sig.length === 0) throw new UserSigError('malformed', 'usersig has no TLS.sig');
  if (userbuf !== undefined && typeof userbuf !== 'string')
    throw new UserSigError('malformed', 'usersig TLS.userbuf is not a string');
  return {
    identifier,
    sdkAppId: appNum,
    time: timeNum,
    expire: expireNum,
    sig,
    ...(userbuf !== undefined ? { userbuf } : {}),
  };
}

/** A non-negative integer, also when a generator wrote it as a decimal string. */
function wholeNumber(v: unknown): number | undefined {
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) v = Number(v);
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

export interface VerifyOptions {
  sdkAppId: number;
  secretKey: string;
  identifier: string;
  /** Unix seconds. */
  now: number;
}

/**
 * Verifies a UserSig in the order of the official Go verifier: sdkappid, identifier, expiry,
 * userbuf, signature. IM calls never carry a userbuf, so one is rejected.
 */
export function verifyUserSig(userSig: string, o: VerifyOptions): DecodedUserSig {
  const d = decodeUserSig(userSig);
  return checkDecoded(d, o);
}

export function checkDecoded(d: DecodedUserSig, o: VerifyOptions): DecodedUserSig {
  if (d.sdkAppId !== o.sdkAppId)
    throw new UserSigError('sdkappid', `usersig was issued for SDKAppID ${d.sdkAppId}, not ${o.sdkAppId}`);
  if (d.identifier !== o.identifier) throw new UserSigError('identifier', 'usersig was issued for another identifier');
  if (o.now > d.time + d.expire) throw new UserSigError('expired', `usersig expired at ${d.time + d.expire}`);
  if (d.userbuf !== undefined)
    throw new UserSigError('malformed', 'usersig carries a userbuf, which IM sessions never use');
  verifySignature(d, o.secretKey);
  return d;
}

export function verifySignature(d: DecodedUserSig, secretKey: string): void {
  const expected = hmac(secretKey, contentToSign(d.identifier, d.sdkAppId, d.time, d.expire, d.userbuf));
  const given = Buffer.from(d.sig, 'base64');
  // timingSafeEqual needs equal lengths; pad a short/long sig to 32 bytes and still fail.
  const a = given.length === expected.length ? given : Buffer.alloc(expected.length);
  if (!timingSafeEqual(a, expected) || given.length !== expected.length) {
    throw new UserSigError('signature', "usersig signature does not match this app's secret key");
  }
}
