// The profile fields (Tencent's "standard" and "custom" profile tags) and the rules for their
// values. Which tags exist, what type each holds and which values it allows are rules, so they
// live here; the store only keeps tag → value.
import { ErrorCode } from '@parley/protocol';
import { ApiError } from './errors.js';
import type { ProfileValue } from '../ports/store.js';

export type { ProfileValue };

/** Tags the account row itself holds (also set by account_import / multiaccount_import). */
export const NICK_TAG = 'Tag_Profile_IM_Nick';
export const IMAGE_TAG = 'Tag_Profile_IM_Image';

/** Strings and custom values: at most this many UTF-8 bytes. */
export const MAX_PROFILE_BYTES = 500;
const U32_MAX = 4294967295;

type FieldRule =
  | { type: 'string'; maxBytes: number; default: string }
  | { type: 'enum'; values: readonly string[]; default: string }
  | { type: 'u32'; default: number };

const str = (maxBytes = MAX_PROFILE_BYTES): FieldRule => ({ type: 'string', maxBytes, default: '' });
const oneOf = (...values: string[]): FieldRule => ({ type: 'enum', values, default: values[0]! });
const u32: FieldRule = { type: 'u32', default: 0 };

/** The standard fields (spec §5.1); a Map, so a client-supplied tag never meets Object's keys. */
const STANDARD = new Map<string, FieldRule>([
  [NICK_TAG, str()],
  ['Tag_Profile_IM_Gender', oneOf('Gender_Type_Unknown', 'Gender_Type_Female', 'Gender_Type_Male')],
  ['Tag_Profile_IM_BirthDay', u32],
  ['Tag_Profile_IM_Location', str(16)],
  ['Tag_Profile_IM_SelfSignature', str()],
  [
    'Tag_Profile_IM_AllowType',
    oneOf('AllowType_Type_NeedConfirm', 'AllowType_Type_AllowAny', 'AllowType_Type_DenyAny'),
  ],
  ['Tag_Profile_IM_Language', u32],
  [IMAGE_TAG, str()],
  ['Tag_Profile_IM_AdminForbidType', oneOf('AdminForbid_Type_None', 'AdminForbid_Type_SendOut')],
  ['Tag_Profile_IM_Level', u32],
  ['Tag_Profile_IM_Role', u32],
  // Not in the spec's table; Tencent's field list (1047/33520) has it, and the web SDK's
  // updateMyProfile({messageSettings}) writes it.
  ['Tag_Profile_IM_MsgSettings', u32],
]);

/** Every standard tag, in the table's order. */
export const STANDARD_TAGS: readonly string[] = [...STANDARD.keys()];

export const isCustomTag = (tag: string): boolean => CUSTOM_TAG.test(tag);

/** Custom fields need no declaration (spec §5.4): the prefix and 1–8 ASCII letters. */
const CUSTOM_TAG = /^Tag_Profile_Custom_[A-Za-z]{1,8}$/;
const CUSTOM: FieldRule = str();

/** The rule of a tag, or 40009 for a tag that does not exist. */
function ruleOf(tag: string): FieldRule {
  const rule = STANDARD.get(tag) ?? (CUSTOM_TAG.test(tag) ? CUSTOM : undefined);
  if (!rule)
    throw new ApiError(ErrorCode.PROFILE_TAG_NOT_FOUND, `tag ${JSON.stringify(tag.slice(0, 64))} does not exist`);
  return rule;
}

/** Throws 40009 unless the tag exists. */
export function checkTag(tag: string): void {
  ruleOf(tag);
}

/** What a field never set reads as. */
export function defaultOf(tag: string): ProfileValue {
  return ruleOf(tag).default;
}

/**
 * Checks one value against its tag: 40009 unknown tag, 40610 wrong type, 40605 a value the
 * field does not allow (or Location over 16 bytes), 40601 a string over 500 bytes.
 */
export function checkValue(tag: string, value: unknown): ProfileValue {
  const rule = ruleOf(tag);
  if (rule.type === 'u32') {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > U32_MAX) {
      throw new ApiError(ErrorCode.PROFILE_VALUE_WRONG_TYPE, `${tag} must be an integer between 0 and ${U32_MAX}`);
    }
    return value;
  }
  if (typeof value !== 'string') throw new ApiError(ErrorCode.PROFILE_VALUE_WRONG_TYPE, `${tag} must be a string`);
  if (rule.type === 'enum') {
    if (!rule.values.includes(value))
      throw new ApiError(ErrorCode.PROFILE_VALUE_INVALID, `${tag} must be one of ${rule.values.join(', ')}`);
    return value;
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  if (rule.maxBytes < MAX_PROFILE_BYTES && bytes > rule.maxBytes) {
    throw new ApiError(ErrorCode.PROFILE_VALUE_INVALID, `${tag} must be at most ${rule.maxBytes} bytes, got ${bytes}`);
  }
  if (bytes > MAX_PROFILE_BYTES)
    throw new ApiError(
      ErrorCode.PROFILE_FIELD_TOO_LONG,
      `${tag} must be at most ${MAX_PROFILE_BYTES} bytes, got ${bytes}`,
    );
  return value;
}
