// The UserID rule, applied by both edges (REST fields, WebSocket frames) before anything is stored.

/** Describes a value's JSON type in words, for ErrorInfo. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  return `a ${typeof v}`;
}

/**
 * UserID rule: a string of 1–32 bytes (UTF-8) without C0 control characters (U+0000–U+001F:
 * PostgreSQL cannot store U+0000 in text, and no client can type them). Tencent's libraries
 * recommend letters, digits, `_` and `-`; Parley accepts more, as the console does. Returns a
 * reason when it is not one.
 */
export function userIdProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return `must be a string, got ${jsonType(v)}`;
  const n = Buffer.byteLength(v, 'utf8');
  if (n === 0) return 'must not be empty';
  if (n > 32) return `must be at most 32 bytes, got ${n}`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly what is refused
  if (/[\u0000-\u001f]/.test(v)) return 'must not contain control characters (U+0000–U+001F)';
  return undefined;
}
