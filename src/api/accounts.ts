// REST APIs of im_open_login_svc: account_import, multiaccount_import, account_delete,
// account_check, kick (spec §3.1–3.5).
import { ErrorCode } from '@parley/protocol';
import { ApiError } from '../domain/errors.js';
import { type FieldSpec, userIdProblem } from './fields.js';
import type { ApiDefinition } from './registry.js';
import type { AccountInput } from '../ports/store.js';
import { MAX_PROFILE_BYTES } from '../domain/profile-fields.js';

/** Why one entry of multiaccount_import cannot be imported (it is then listed in FailAccounts). */
function importProblem(a: AccountInput): string | undefined {
  const tooLong = (v: string | undefined) => v !== undefined && Buffer.byteLength(v, 'utf8') > MAX_PROFILE_BYTES;
  return (
    userIdProblem(a.userId) ?? (tooLong(a.nick) || tooLong(a.faceUrl) ? 'Nick or FaceUrl is over 500 bytes' : undefined)
  );
}

/** Tencent's public documentation page of an API: TENCENT_DOC + the page's id. */
/** account_delete's DeleteItem and account_check's CheckItem: up to 100 items {UserID}. */
const userIdItems = (): FieldSpec => ({
  type: 'object[]',
  required: true,
  maxItems: 100,
  code: ErrorCode.ACCOUNT_INVALID_PARAMETER,
  doc: 'Items {UserID}, at most 100.',
  fields: {
    UserID: { type: 'string', required: true, userId: true, code: ErrorCode.ACCOUNT_INVALID_PARAMETER, doc: 'UserID' },
  },
});

const TENCENT_DOC = 'https://www.tencentcloud.com/document/product/1047/';
const base = { service: 'im_open_login_svc', family: 'account' as const };

export const accountApis: ApiDefinition[] = [
  {
    ...base,
    command: 'account_import',
    summary: 'Import one account (idempotent).',
    rateLimit: 200,
    spec: `${TENCENT_DOC}34953`,
    fields: {
      UserID: {
        type: 'string',
        required: true,
        userId: true,
        code: ErrorCode.ACCOUNT_INVALID_PARAMETER,
        doc: 'UserID, 1–32 bytes. The legacy name Identifier is accepted too.',
      },
      Nick: {
        type: 'string',
        maxBytes: 500,
        code: ErrorCode.PROFILE_FIELD_TOO_LONG,
        doc: 'Nickname, at most 500 bytes.',
      },
      FaceUrl: {
        type: 'string',
        maxBytes: 500,
        code: ErrorCode.PROFILE_FIELD_TOO_LONG,
        doc: 'Avatar URL, at most 500 bytes.',
      },
    },
    errors: [
      ErrorCode.PROFILE_FIELD_TOO_LONG,
      ErrorCode.ACCOUNT_INVALID_PARAMETER,
      ErrorCode.ACCOUNT_NOT_ADMIN,
      ErrorCode.ACCOUNT_INTERNAL_ERROR,
    ],
    sample: { UserID: 'alice', Nick: 'Alice', FaceUrl: 'https://example.com/alice.png' },
    normalize(body) {
      // Older documentation named the field Identifier; accept either, UserID first.
      if (body.UserID === undefined && body.Identifier !== undefined) body.UserID = body.Identifier;
    },
    async handle(ctx, body) {
      await ctx.services.accounts.importAccount(ctx.app.sdkAppId, {
        userId: body.UserID as string,
        ...(body.Nick !== undefined ? { nick: body.Nick as string } : {}),
        ...(body.FaceUrl !== undefined ? { faceUrl: body.FaceUrl as string } : {}),
      });
      return {};
    },
  },
  {
    ...base,
    command: 'multiaccount_import',
    summary:
      'Import up to 100 accounts (Accounts, or AccountList with Nick/FaceUrl); invalid ones are listed in FailAccounts.',
    rateLimit: 100,
    spec: `${TENCENT_DOC}34954`,
    fields: {
      Accounts: {
        type: 'string[]',
        maxItems: 100,
        code: ErrorCode.ACCOUNT_INVALID_PARAMETER,
        doc: 'Old form: UserIDs, at most 100. Exactly one of Accounts and AccountList.',
      },
      AccountList: {
        type: 'object[]',
        maxItems: 100,
        code: ErrorCode.ACCOUNT_INVALID_PARAMETER,
        doc: 'New form: items {UserID, Nick, FaceUrl}, at most 100; an existing account gets the Nick/FaceUrl given.',
        fields: {
          // Lengths are checked per entry below: a bad entry goes to FailAccounts, the rest are imported.
          UserID: {
            type: 'string',
            required: true,
            code: ErrorCode.ACCOUNT_INVALID_PARAMETER,
            doc: 'UserID, 1–32 bytes.',
          },
          Nick: {
            type: 'string',
            code: ErrorCode.ACCOUNT_INVALID_PARAMETER,
            doc: 'Nickname (Tag_Profile_IM_Nick), at most 500 bytes.',
          },
          FaceUrl: {
            type: 'string',
            code: ErrorCode.ACCOUNT_INVALID_PARAMETER,
            doc: 'Avatar URL (Tag_Profile_IM_Image), at most 500 bytes.',
          },
        },
      },
    },
    errors: [ErrorCode.ACCOUNT_INVALID_PARAMETER, ErrorCode.ACCOUNT_NOT_ADMIN, ErrorCode.ACCOUNT_INTERNAL_ERROR],
    sample: {
      AccountList: [
        { UserID: 'alice', Nick: 'Alice' },
        { UserID: 'bob', FaceUrl: 'https://example.com/bob.png' },
      ],
    },
    async handle(ctx, body) {
      // null counts as absent, as validateFields treats it.
      if ((body.Accounts == null) === (body.AccountList == null)) {
        throw new ApiError(
          ErrorCode.ACCOUNT_INVALID_PARAMETER,
          'give exactly one of Accounts (UserIDs) and AccountList ({UserID, Nick, FaceUrl} items)',
        );
      }
      const list: AccountInput[] =
        body.Accounts != null
          ? (body.Accounts as string[]).map((userId) => ({ userId }))
          : (body.AccountList as Array<{ UserID: string; Nick?: string; FaceUrl?: string }>).map((a) => ({
              userId: a.UserID,
              ...(a.Nick !== undefined ? { nick: a.Nick } : {}),
              ...(a.FaceUrl !== undefined ? { faceUrl: a.FaceUrl } : {}),
            }));
      if (list.length === 0)
        throw new ApiError(
          ErrorCode.ACCOUNT_INVALID_PARAMETER,
          `${body.Accounts != null ? 'Accounts' : 'AccountList'} must name at least one UserID`,
        );
      const valid = list.filter((a) => importProblem(a) === undefined);
      const failed = list.filter((a) => importProblem(a) !== undefined).map((a) => a.userId);
      if (valid.length > 0) await ctx.services.accounts.importAccountList(ctx.app.sdkAppId, valid);
      return { FailAccounts: failed };
    },
  },
  {
    ...base,
    command: 'account_delete',
    summary: 'Delete up to 100 accounts; unknown ones get ResultCode 70107.',
    rateLimit: 100,
    spec: `${TENCENT_DOC}34955`,
    fields: {
      DeleteItem: userIdItems(),
    },
    errors: [
      ErrorCode.ACCOUNT_NOT_FOUND,
      ErrorCode.ACCOUNT_INVALID_PARAMETER,
      ErrorCode.ACCOUNT_NOT_ADMIN,
      ErrorCode.ACCOUNT_INTERNAL_ERROR,
    ],
    sample: { DeleteItem: [{ UserID: 'alice' }] },
    async handle(ctx, body) {
      const ids = (body.DeleteItem as Array<{ UserID: string }>).map((i) => i.UserID);
      if (ids.length === 0)
        throw new ApiError(ErrorCode.ACCOUNT_INVALID_PARAMETER, 'DeleteItem must name at least one UserID');
      const result = await ctx.services.accounts.deleteAccounts(ctx.app.sdkAppId, ids);
      return {
        ResultItem: ids.map((id) =>
          result.get(id)
            ? { ResultCode: 0, ResultInfo: '', UserID: id }
            : {
                ResultCode: ErrorCode.ACCOUNT_NOT_FOUND,
                ResultInfo: 'Err_TLS_PT_Open_Login_Account_Not_Exist',
                UserID: id,
              },
        ),
      };
    },
  },
  {
    ...base,
    command: 'account_check',
    summary: 'Check up to 100 accounts: Imported or NotImported.',
    rateLimit: 100,
    spec: `${TENCENT_DOC}34956`,
    fields: {
      CheckItem: userIdItems(),
    },
    errors: [ErrorCode.ACCOUNT_INVALID_PARAMETER, ErrorCode.ACCOUNT_NOT_ADMIN, ErrorCode.ACCOUNT_INTERNAL_ERROR],
    sample: { CheckItem: [{ UserID: 'alice' }, { UserID: 'nobody' }] },
    async handle(ctx, body) {
      const ids = (body.CheckItem as Array<{ UserID: string }>).map((i) => i.UserID);
      if (ids.length === 0)
        throw new ApiError(ErrorCode.ACCOUNT_INVALID_PARAMETER, 'CheckItem must name at least one UserID');
      const status = await ctx.services.accounts.checkAccounts(ctx.app.sdkAppId, ids);
      return {
        ResultItem: ids.map((id) => ({ UserID: id, ResultCode: 0, ResultInfo: '', AccountStatus: status.get(id) })),
      };
    },
  },
  {
    ...base,
    command: 'kick',
    summary: "Invalidate the user's login sessions issued before now.",
    rateLimit: 200,
    spec: `${TENCENT_DOC}34957`,
    fields: {
      UserID: {
        type: 'string',
        required: true,
        userId: true,
        code: ErrorCode.ACCOUNT_INVALID_PARAMETER,
        doc: 'UserID whose sessions end.',
      },
    },
    errors: [
      ErrorCode.ACCOUNT_NOT_FOUND,
      ErrorCode.ACCOUNT_INVALID_PARAMETER,
      ErrorCode.ACCOUNT_NOT_ADMIN,
      ErrorCode.ACCOUNT_INTERNAL_ERROR,
    ],
    sample: { UserID: 'alice' },
    async handle(ctx, body) {
      await ctx.services.accounts.kick(ctx.app.sdkAppId, body.UserID as string);
      return {};
    },
  },
];
