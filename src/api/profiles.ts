// REST APIs of the profile service: portrait_get, portrait_set (one-to-one spec §5).
import { ErrorCode } from '@parley/protocol';
import { ApiError } from '../domain/errors.js';
import { jsonType } from './fields.js';
import type { ApiDefinition } from './registry.js';
import { MAX_PROFILE_ITEMS, MAX_PROFILE_USERS } from '../domain/profiles.js';

/** Tencent's public documentation page of an API: TENCENT_DOC + the page's id. */
const TENCENT_DOC = 'https://www.tencentcloud.com/document/product/1047/';
const base = { service: 'profile', family: 'profile' as const, rateLimit: 200 };

/** Tags per portrait_get: undocumented; bounds the answer (users × tags items). */
export const MAX_PROFILE_TAGS = 100;

const INVALID = ErrorCode.PROFILE_INVALID_PARAMETER;

export const profileApis: ApiDefinition[] = [
  {
    ...base,
    command: 'portrait_get',
    summary: 'Read profile fields (standard and Tag_Profile_Custom_*) of up to 100 users.',
    spec: `${TENCENT_DOC}34917`,
    fields: {
      To_Account: {
        type: 'string[]',
        maxItems: MAX_PROFILE_USERS,
        code: INVALID,
        doc: 'Required (40002 when missing or empty): UserIDs, at most 100.',
      },
      TagList: {
        type: 'string[]',
        required: true,
        maxItems: MAX_PROFILE_TAGS,
        code: INVALID,
        doc: 'Tags to read, at least one, at most 100.',
      },
    },
    errors: [
      ErrorCode.PROFILE_INVALID_PARAMETER,
      ErrorCode.PROFILE_TO_ACCOUNT_MISSING,
      ErrorCode.PROFILE_ACCOUNT_NOT_FOUND,
      ErrorCode.PROFILE_TAG_NOT_FOUND,
    ],
    sample: { To_Account: ['alice', 'bob'], TagList: ['Tag_Profile_IM_Nick', 'Tag_Profile_IM_Image'] },
    async handle(ctx, b) {
      const users = b.To_Account as string[] | undefined;
      if (users === undefined || users.length === 0)
        throw new ApiError(ErrorCode.PROFILE_TO_ACCOUNT_MISSING, 'To_Account must name at least one UserID');
      const tags = b.TagList as string[];
      if (tags.length === 0) throw new ApiError(INVALID, 'TagList must name at least one tag');
      const read = await ctx.services.profiles.get(ctx.app.sdkAppId, users, tags);
      const failed = read.filter((r) => 'missing' in r).map((r) => r.userId);
      return {
        UserProfileItem: read.map((r) =>
          'missing' in r
            ? {
                To_Account: r.userId,
                ResultCode: ErrorCode.PROFILE_ACCOUNT_NOT_FOUND,
                ResultInfo: `account ${r.userId} does not exist`,
              }
            : {
                To_Account: r.userId,
                ProfileItem: r.items.map((i) => ({ Tag: i.tag, Value: i.value })),
                ResultCode: 0,
                ResultInfo: '',
              },
        ),
        ...(failed.length > 0 ? { Fail_Account: failed } : {}),
      };
    },
  },
  {
    ...base,
    command: 'portrait_set',
    summary: 'Set profile fields of one user, all or nothing; fires Profile.CallbackPortraitSet.',
    spec: `${TENCENT_DOC}34916`,
    fields: {
      From_Account: { type: 'string', required: true, userId: true, code: INVALID, doc: 'Whose profile.' },
      ProfileItem: {
        type: 'object[]',
        required: true,
        code: INVALID,
        maxItems: MAX_PROFILE_ITEMS,
        doc: 'Items {Tag, Value}, 1–100: Value an integer for uint32 fields, a string otherwise.',
        fields: {
          Tag: {
            type: 'string',
            required: true,
            code: INVALID,
            doc: 'A standard tag or Tag_Profile_Custom_ + 1–8 letters.',
          },
        },
      },
    },
    errors: [
      ErrorCode.PROFILE_INVALID_PARAMETER,
      ErrorCode.PROFILE_ACCOUNT_NOT_FOUND,
      ErrorCode.PROFILE_TAG_NOT_FOUND,
      ErrorCode.PROFILE_FIELD_TOO_LONG,
      ErrorCode.PROFILE_VALUE_INVALID,
      ErrorCode.PROFILE_VALUE_WRONG_TYPE,
    ],
    sample: {
      From_Account: 'alice',
      ProfileItem: [
        { Tag: 'Tag_Profile_IM_Nick', Value: 'Alice' },
        { Tag: 'Tag_Profile_IM_Level', Value: 3 },
      ],
    },
    async handle(ctx, b) {
      const items = b.ProfileItem as Array<{ Tag: string; Value?: unknown }>;
      if (items.length === 0) throw new ApiError(INVALID, 'ProfileItem must hold at least one item');
      items.forEach((item, i) => {
        if (item.Value === undefined || item.Value === null)
          throw new ApiError(INVALID, `ProfileItem[${i}].Value is required, got ${jsonType(item.Value)}`);
      });
      await ctx.services.profiles.set(
        ctx.app.sdkAppId,
        ctx.identifier,
        b.From_Account as string,
        items.map((i) => ({ tag: i.Tag, value: i.Value })),
        { clientIp: ctx.clientIp, optPlatform: 'RESTAPI' },
      );
      return {};
    },
  },
];
