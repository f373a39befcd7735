// UserSig (TLSSigAPIv2) computed in the browser, byte for byte as the official Node generator
// (shared/spec/usersig.md): HMAC-SHA256 with WebCrypto, zlib deflate with CompressionStream
// ('deflate' is the zlib format), base64 with the IM substitutions + → *, / → -, = → _.
// The secret key never leaves this module's caller: nothing here talks to the network.
//
// WebCrypto's subtle API exists only in secure contexts (https, or http on localhost). A console
// opened over plain http from another machine has none, so a small SHA-256 below stands in for it.
// Self-contained on purpose: Node tests import this file as is.

export interface UserSigInput {
  sdkAppId: number;
  secretKey: string;
  identifier: string;
  /** Seconds of validity. */
  expire: number;
  /** Unix seconds; default now. */
  now?: number;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

export function base64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** The exact text TLS.sig is the HMAC of. */
export function contentToSign(identifier: string, sdkAppId: number, time: number, expire: number): string {
  return `TLS.identifier:${identifier}\nTLS.sdkappid:${sdkAppId}\nTLS.time:${time}\nTLS.expire:${expire}\n`;
}

/** HMAC-SHA256 with WebCrypto when the page has it, else with the fallback below. */
export async function hmacSha256(
  key: string,
  message: string,
  useWebCrypto = typeof crypto !== 'undefined' && !!crypto.subtle,
): Promise<Uint8Array> {
  if (useWebCrypto) {
    const k = await crypto.subtle.importKey('raw', utf8(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Uint8Array(await crypto.subtle.sign('HMAC', k, utf8(message)));
  }
  return hmacSha256Fallback(utf8(key), utf8(message));
}

/** zlib-format deflate (header 78 9c) through CompressionStream. */
export async function zlibDeflate(data: Uint8Array): Promise<Uint8Array> {
  if (typeof CompressionStream === 'undefined')
    throw new Error('this browser has no CompressionStream; use a current Chromium, Firefox or Safari');
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function generateUserSig(o: UserSigInput): Promise<string> {
  if (!Number.isSafeInteger(o.sdkAppId) || o.sdkAppId <= 0) throw new Error('SDKAppID must be a positive whole number');
  if (o.identifier === '') throw new Error('the identifier is empty');
  if (o.secretKey === '') throw new Error('the secret key is empty');
  if (!Number.isSafeInteger(o.expire) || o.expire <= 0)
    throw new Error('the validity must be a positive whole number of seconds');
  const time = o.now ?? Math.floor(Date.now() / 1000);
  const sig = base64(await hmacSha256(o.secretKey, contentToSign(o.identifier, o.sdkAppId, time, o.expire)));
  // Compact JSON in the official key order.
  const doc = JSON.stringify({
    'TLS.ver': '2.0',
    'TLS.identifier': String(o.identifier),
    'TLS.sdkappid': Number(o.sdkAppId),
    'TLS.time': time,
    'TLS.expire': Number(o.expire),
    'TLS.sig': sig,
  });
  return base64(await zlibDeflate(utf8(doc)))
    .replace(/\+/g, '*')
    .replace(/\//g, '-')
    .replace(/=/g, '_');
}

// ---- SHA-256 (FIPS 180-4) and HMAC (RFC 2104), for pages without crypto.subtle ----------------

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

export function sha256(data: Uint8Array): Uint8Array {
  const h = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const bitLen = data.length * 8;
  const padded = new Uint8Array(((data.length + 9 + 63) >> 6) << 6);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bitLen / 0x100000000));
  view.setUint32(padded.length - 4, bitLen >>> 0);
  const w = new Uint32Array(64);
  const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15]!, 7) ^ rotr(w[i - 15]!, 18) ^ (w[i - 15]! >>> 3);
      const s1 = rotr(w[i - 2]!, 17) ^ rotr(w[i - 2]!, 19) ^ (w[i - 2]! >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!];
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    h[0] = (h[0]! + a) >>> 0;
    h[1] = (h[1]! + b) >>> 0;
    h[2] = (h[2]! + c) >>> 0;
    h[3] = (h[3]! + d) >>> 0;
    h[4] = (h[4]! + e) >>> 0;
    h[5] = (h[5]! + f) >>> 0;
    h[6] = (h[6]! + g) >>> 0;
    h[7] = (h[7]! + hh) >>> 0;
  }
  const out = new Uint8Array(32);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) ov.setUint32(i * 4, h[i]!);
  return out;
}

export function hmacSha256Fallback(key: Uint8Array, message: Uint8Array): Uint8Array {
  const block = new Uint8Array(64);
  block.set(key.length > 64 ? sha256(key) : key);
  const ipad = block.map((b) => b ^ 0x36);
  const opad = block.map((b) => b ^ 0x5c);
  const inner = new Uint8Array(64 + message.length);
  inner.set(ipad);
  inner.set(message, 64);
  const outer = new Uint8Array(64 + 32);
  outer.set(opad);
  outer.set(sha256(inner), 64);
  return sha256(outer);
}
