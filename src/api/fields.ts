// Declarative request fields. One declaration both validates a body and describes the API in the
// catalogue (README table, console), so the two cannot drift apart.
import { U32_MAX } from '@parley/protocol';
import { ApiError } from '../domain/errors.js';
import { jsonType, userIdProblem } from '../domain/user-id.js';

// The UserID rule lives in the domain (both edges apply it); re-exported for the REST APIs.
export { jsonType, userIdProblem };

interface Common {
  doc: string;
  required?: boolean;
  /** ErrorCode when the field is missing or of the wrong type. */
  code: number;
  /** ErrorCode when the field is missing, where the API documents one apart from `code`. */
  missingCode?: number;
}
export type FieldSpec =
  | (Common & { type: 'string'; maxBytes?: number; minBytes?: number; userId?: boolean })
  | (Common & { type: 'integer'; min?: number; max?: number; rangeCode?: number })
  | (Common & { type: 'string[]'; maxItems?: number; maxItemsCode?: number; userIds?: boolean })
  | (Common & { type: 'object[]'; maxItems?: number; maxItemsCode?: number; fields: Record<string, FieldSpec> })
  | (Common & { type: 'object' })
  | (Common & { type: 'MsgBody' });

export type Fields = Record<string, FieldSpec>;

export const u32 = { min: 0, max: U32_MAX };

function checkOne(name: string, v: unknown, f: FieldSpec): void {
  switch (f.type) {
    case 'string': {
      if (typeof v !== 'string') throw new ApiError(f.code, `${name} must be a string, got ${jsonType(v)}`);
      if (f.userId) {
        const p = userIdProblem(v);
        if (p) throw new ApiError(f.code, `${name} ${p}`);
      }
      const n = Buffer.byteLength(v, 'utf8');
      if (f.minBytes !== undefined && n < f.minBytes) throw new ApiError(f.code, `${name} must not be empty`);
      if (f.maxBytes !== undefined && n > f.maxBytes)
        throw new ApiError(f.code, `${name} must be at most ${f.maxBytes} bytes, got ${n}`);
      return;
    }
    case 'integer': {
      if (typeof v !== 'number' || !Number.isInteger(v))
        throw new ApiError(f.code, `${name} must be an integer, got ${jsonType(v)}`);
      if ((f.min !== undefined && v < f.min) || (f.max !== undefined && v > f.max)) {
        throw new ApiError(
          f.rangeCode ?? f.code,
          `${name} must be between ${f.min ?? '-∞'} and ${f.max ?? '∞'}, got ${v}`,
        );
      }
      return;
    }
    case 'string[]': {
      if (!Array.isArray(v)) throw new ApiError(f.code, `${name} must be an array of strings, got ${jsonType(v)}`);
      if (f.maxItems !== undefined && v.length > f.maxItems)
        throw new ApiError(
          f.maxItemsCode ?? f.code,
          `${name} holds ${v.length} items; at most ${f.maxItems} are allowed`,
        );
      v.forEach((item, i) => {
        if (f.userIds) {
          const p = userIdProblem(item);
          if (p) throw new ApiError(f.code, `${name}[${i}] ${p}`);
        } else if (typeof item !== 'string')
          throw new ApiError(f.code, `${name}[${i}] must be a string, got ${jsonType(item)}`);
      });
      return;
    }
    case 'object[]': {
      if (!Array.isArray(v)) throw new ApiError(f.code, `${name} must be an array of objects, got ${jsonType(v)}`);
      if (f.maxItems !== undefined && v.length > f.maxItems)
        throw new ApiError(
          f.maxItemsCode ?? f.code,
          `${name} holds ${v.length} items; at most ${f.maxItems} are allowed`,
        );
      v.forEach((item, i) => {
        if (typeof item !== 'object' || item === null || Array.isArray(item))
          throw new ApiError(f.code, `${name}[${i}] must be an object, got ${jsonType(item)}`);
        validateFields(item as Record<string, unknown>, f.fields, `${name}[${i}].`);
      });
      return;
    }
    case 'object': {
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        throw new ApiError(f.code, `${name} must be an object, got ${jsonType(v)}`);
      return;
    }
    case 'MsgBody':
      return; // validated by validateMsgBody, which knows the element types
  }
}

/** Throws the field's ErrorCode for the first field that is missing, of the wrong type or out of range. */
export function validateFields(body: Record<string, unknown>, fields: Fields, prefix = ''): void {
  for (const [name, f] of Object.entries(fields)) {
    const v = body[name];
    if (v === undefined || v === null) {
      if (f.required) throw new ApiError(f.missingCode ?? f.code, `${prefix}${name} is required`);
      continue;
    }
    checkOne(prefix + name, v, f);
  }
}
