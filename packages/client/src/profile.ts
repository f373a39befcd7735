// User profiles as Tencent's web SDK shows them (getMyProfile, getUserProfile, updateMyProfile,
// PROFILE_UPDATED), mapped to and from the server's profile tags.
import type { WireProfileItem } from '@parley/protocol';

/** A user's profile, with the fields of Tencent's web SDK `Profile`. */
export interface UserProfile {
  userID: string;
  nick: string;
  avatar: string;
  gender: string;
  selfSignature: string;
  allowType: string;
  birthday: number;
  location: string;
  language: number;
  messageSettings: number;
  adminForbidType: string;
  level: number;
  role: number;
  lastUpdatedTime: number;
  profileCustomField: Array<{ key: string; value: string }>;
}

/** What updateMyProfile may change. */
export type ProfileUpdate = Partial<Omit<UserProfile, 'userID' | 'lastUpdatedTime'>>;

/** Each SDK field, the tag the server stores it under, and the JavaScript type of its value. */
const FIELDS = new Map<string, { tag: string; type: 'string' | 'number' }>([
  ['nick', { tag: 'Tag_Profile_IM_Nick', type: 'string' }],
  ['avatar', { tag: 'Tag_Profile_IM_Image', type: 'string' }],
  ['gender', { tag: 'Tag_Profile_IM_Gender', type: 'string' }],
  ['selfSignature', { tag: 'Tag_Profile_IM_SelfSignature', type: 'string' }],
  ['allowType', { tag: 'Tag_Profile_IM_AllowType', type: 'string' }],
  ['birthday', { tag: 'Tag_Profile_IM_BirthDay', type: 'number' }],
  ['location', { tag: 'Tag_Profile_IM_Location', type: 'string' }],
  ['language', { tag: 'Tag_Profile_IM_Language', type: 'number' }],
  ['messageSettings', { tag: 'Tag_Profile_IM_MsgSettings', type: 'number' }],
  ['adminForbidType', { tag: 'Tag_Profile_IM_AdminForbidType', type: 'string' }],
  ['level', { tag: 'Tag_Profile_IM_Level', type: 'number' }],
  ['role', { tag: 'Tag_Profile_IM_Role', type: 'number' }],
]);
const FIELD_OF_TAG = new Map([...FIELDS].map(([field, f]) => [f.tag, field]));
const CUSTOM_PREFIX = 'Tag_Profile_Custom_';

/** The profile a server's items describe; fields it did not send keep their defaults. */
export function profileFromItems(userID: string, items: WireProfileItem[]): UserProfile {
  const p: UserProfile = {
    userID,
    nick: '',
    avatar: '',
    gender: 'Gender_Type_Unknown',
    selfSignature: '',
    allowType: 'AllowType_Type_NeedConfirm',
    birthday: 0,
    location: '',
    language: 0,
    messageSettings: 0,
    adminForbidType: 'AdminForbid_Type_None',
    level: 0,
    role: 0,
    lastUpdatedTime: 0,
    profileCustomField: [],
  };
  const fields = p as unknown as Record<string, unknown>;
  for (const { tag, value } of items) {
    const field = FIELD_OF_TAG.get(tag);
    if (field !== undefined) fields[field] = value;
    else if (tag.startsWith(CUSTOM_PREFIX)) p.profileCustomField.push({ key: tag, value: String(value) });
  }
  return p;
}

/**
 * The server items of an update, or the reason it is not one (the SDK then throws "Params
 * validate failed."). Fields it does not know are ignored, as Tencent's SDK does.
 */
export function itemsOfUpdate(update: unknown): WireProfileItem[] | string {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) return 'options must be an object';
  const items: WireProfileItem[] = [];
  for (const [field, value] of Object.entries(update)) {
    if (field === 'profileCustomField') {
      if (!Array.isArray(value)) return 'profileCustomField must be an array of {key, value}';
      for (const c of value as unknown[]) {
        const kv = c as { key?: unknown; value?: unknown } | null;
        if (!kv || typeof kv.key !== 'string' || typeof kv.value !== 'string')
          return 'each profileCustomField item must be {key: string, value: string}';
        items.push({ tag: kv.key, value: kv.value });
      }
      continue;
    }
    const f = FIELDS.get(field);
    if (!f || value === undefined) continue;
    if (typeof value !== f.type) return `${field} must be a ${f.type}`;
    items.push({ tag: f.tag, value: value as string | number });
  }
  return items.length > 0 ? items : 'nothing to update';
}
