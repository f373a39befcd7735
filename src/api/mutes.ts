// REST APIs of openconfigsvr: global mute of an account (setnospeaking, getnospeaking).
import { ErrorCode } from '@parley/protocol';
import { ApiError } from '../domain/errors.js';
import { u32 } from './fields.js';
import type { ApiDefinition } from './registry.js';

const TENCENT_DOC = 'https://www.tencentcloud.com/document/product/1047/';
const base = { service: 'openconfigsvr', family: 'openconfigsvr' as const, rateLimit: 200 };
const seconds = (what: string) => ({
  type: 'integer' as const,
  ...u32,
  code: ErrorCode.CONFIG_JSON_INVALID,
  doc: `${what} mute in seconds: 0 lifts it, 4294967295 is permanent; absent leaves it as it is.`,
});

export const muteApis: ApiDefinition[] = [
  {
    ...base,
    command: 'setnospeaking',
    summary:
      "Mute or unmute an account's one-to-one and/or group messages for a number of seconds (client sends get 20012; REST sends are not checked).",
    spec: `${TENCENT_DOC}34923`,
    fields: {
      // Not a UserID check here: an invalid one names no account, which is 130005 as well.
      Set_Account: {
        type: 'string',
        required: true,
        code: ErrorCode.SET_ACCOUNT_INVALID,
        missingCode: ErrorCode.SET_ACCOUNT_MISSING,
        doc: 'The account to mute or unmute.',
      },
      C2CmsgNospeakingTime: seconds('One-to-one'),
      GroupmsgNospeakingTime: seconds('Group (stored and reported; Parley has no groups)'),
    },
    errors: [
      ErrorCode.CONFIG_JSON_INVALID,
      ErrorCode.SET_ACCOUNT_MISSING,
      ErrorCode.SET_ACCOUNT_INVALID,
      ErrorCode.NOSPEAKING_TIME_MISSING,
      ErrorCode.CONFIG_SYSTEM_ERROR,
    ],
    sample: { Set_Account: 'alice', C2CmsgNospeakingTime: 7200, GroupmsgNospeakingTime: 0 },
    async handle(ctx, b) {
      // null counts as absent, as for every optional field.
      const c2c = (b.C2CmsgNospeakingTime ?? undefined) as number | undefined;
      const group = (b.GroupmsgNospeakingTime ?? undefined) as number | undefined;
      if (c2c === undefined && group === undefined)
        throw new ApiError(
          ErrorCode.NOSPEAKING_TIME_MISSING,
          'give C2CmsgNospeakingTime, GroupmsgNospeakingTime or both',
        );
      await ctx.services.mutes.set(ctx.app.sdkAppId, b.Set_Account as string, {
        ...(c2c !== undefined ? { c2c } : {}),
        ...(group !== undefined ? { group } : {}),
      });
      return {};
    },
  },
  {
    ...base,
    command: 'getnospeaking',
    summary: "An account's remaining one-to-one and group mute, in seconds (0: not muted; 4294967295: permanent).",
    spec: `${TENCENT_DOC}34924`,
    fields: {
      Get_Account: {
        type: 'string',
        required: true,
        code: ErrorCode.GET_ACCOUNT_INVALID,
        missingCode: ErrorCode.GET_ACCOUNT_MISSING,
        doc: 'The account to query.',
      },
    },
    errors: [
      ErrorCode.CONFIG_JSON_INVALID,
      ErrorCode.GET_ACCOUNT_MISSING,
      ErrorCode.GET_ACCOUNT_INVALID,
      ErrorCode.CONFIG_SYSTEM_ERROR,
    ],
    sample: { Get_Account: 'alice' },
    async handle(ctx, b) {
      const m = await ctx.services.mutes.get(ctx.app.sdkAppId, b.Get_Account as string);
      return { C2CmsgNospeakingTime: m.c2c, GroupmsgNospeakingTime: m.group };
    },
  },
];
