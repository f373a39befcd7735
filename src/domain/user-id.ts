// The UserID rule, applied by both edges (REST fields, WebSocket frames) before anything is stored.

/** Describes a value's JSON type in words, for ErrorInfo. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  return `a ${typeof v}`;
}

/**
 * UserID rule: a string of 1–32 bytes (UTF-8) without U+0000, which PostgreSQL cannot store in
 * text (Tencent's libraries recommend letters, digits, `_` and `-`; Parley accepts more, as the
 * console does). Returns a reason when it is not one.
 */
export function userIdProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return `must be a string, got ${jsonType(v)}`;
  const n = Buffer.byteLength(v, 'utf8');
  if (n === 0) return 'must not be empty';
  if (n > 32) return `must be at most 32 bytes, got ${n}`;
  if (v.includes('\u0000')) return 'must not contain U+0000 (NUL)';
  return undefined;
}
