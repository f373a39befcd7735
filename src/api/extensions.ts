// REST APIs of openim_msg_ext_http_svc: C2C message extensions (spec §7).
import { ErrorCode, parseMsgKey } from '@parley/protocol';
import { ApiError } from '../domain/errors.js';
import { EXTENSION_LIMITS, type ExtensionItem, type ExtensionOperation } from '../domain/extensions.js';
import type { Fields } from './fields.js';
import type { ApiContext, ApiDefinition } from './registry.js';

const TENCENT_DOC = 'https://www.tencentcloud.com/document/product/1047/';
const base = { service: 'openim_msg_ext_http_svc', family: 'msgext' as const, rateLimit: 200 };
const BAD = ErrorCode.EXT_INVALID_PARAMETER;

const messageFields: Fields = {
  From_Account: {
    type: 'string',
    userId: true,
    code: BAD,
    doc: "The message's sender; defaults to the admin identifier.",
  },
  To_Account: { type: 'string', required: true, userId: true, code: BAD, doc: "The message's recipient." },
  MsgKey: { type: 'string', required: true, code: BAD, doc: 'The message\'s MsgKey "{MsgSeq}_{MsgRandom}_{MsgTime}".' },
};

const OPERATIONS: ReadonlyMap<unknown, ExtensionOperation> = new Map<unknown, ExtensionOperation>([
  [1, 'set'],
  [2, 'delete'],
  [3, 'clear'],
]);

function messageRef(ctx: ApiContext, b: Record<string, unknown>) {
  const key = parseMsgKey(b.MsgKey as string);
  if (!key)
    throw new ApiError(
      BAD,
      `MsgKey ${JSON.stringify(String(b.MsgKey).slice(0, 60))} is not of the form {MsgSeq}_{MsgRandom}_{MsgTime}`,
    );
  return { from: (b.From_Account as string | undefined) ?? ctx.identifier, to: b.To_Account as string, ...key };
}

const restCaller = (ctx: ApiContext) => ({ clientIp: ctx.clientIp, optPlatform: 'RESTAPI' });

export const extensionApis: ApiDefinition[] = [
  {
    ...base,
    command: 'set_key_values',
    summary: "Set, delete or clear a one-to-one message's extension pairs (reactions, votes, …).",
    // 20 pairs of at most 100 + 1000 bytes, with room for JSON escapes and the other fields.
    maxBodyBytes: 64 * 1024,
    spec: `${TENCENT_DOC}51195`,
    fields: {
      ...messageFields,
      OperateType: {
        type: 'integer',
        required: true,
        min: 1,
        max: 3,
        code: BAD,
        doc: '1: set pairs; 2: delete the pairs named; 3: delete all pairs.',
      },
      ExtensionList: {
        type: 'object[]',
        maxItems: EXTENSION_LIMITS.pairsPerRequest,
        code: BAD,
        doc: `Up to ${EXTENSION_LIMITS.pairsPerRequest} pairs (required for OperateType 1 and 2); a message holds at most ${EXTENSION_LIMITS.pairsPerMessage}.`,
        fields: {
          Key: {
            type: 'string',
            required: true,
            maxBytes: EXTENSION_LIMITS.keyBytes,
            code: BAD,
            doc: `At most ${EXTENSION_LIMITS.keyBytes} bytes.`,
          },
          Value: {
            type: 'string',
            required: true,
            maxBytes: EXTENSION_LIMITS.valueBytes,
            code: BAD,
            doc: `At most ${EXTENSION_LIMITS.valueBytes} bytes ("" to delete).`,
          },
          Seq: {
            type: 'integer',
            min: 0,
            code: BAD,
            doc: 'The version of the key last seen; not checked for the admin.',
          },
        },
      },
    },
    errors: [
      ErrorCode.EXT_INTERNAL_ERROR,
      ErrorCode.EXT_INVALID_PARAMETER,
      ErrorCode.EXT_NOT_SUPPORTED,
      ErrorCode.EXT_TOO_FREQUENT,
      ErrorCode.EXT_MESSAGE_NOT_FOUND,
      ErrorCode.ADMIN_REQUIRED,
    ],
    sample: {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgKey: '31906_833502_1572869830',
      OperateType: 1,
      ExtensionList: [{ Key: 'like', Value: '3', Seq: 0 }],
    },
    async handle(ctx, b) {
      const op = OPERATIONS.get(b.OperateType)!;
      const list = b.ExtensionList as Array<{ Key: string; Value: string; Seq?: number }> | undefined;
      if (op !== 'clear' && list === undefined)
        throw new ApiError(BAD, 'ExtensionList is required for OperateType 1 and 2');
      const items: ExtensionItem[] | undefined = list?.map((e) => ({
        key: e.Key,
        value: e.Value,
        ...(typeof e.Seq === 'number' ? { seq: e.Seq } : {}),
      }));
      const results = await ctx.services.extensions.change(
        ctx.app.sdkAppId,
        messageRef(ctx, b),
        op,
        items,
        { kind: 'admin' },
        restCaller(ctx),
      );
      return {
        ExtensionList: results.map((r) => ({
          ErrorCode: r.errorCode,
          Extension: { Key: r.extension.key, Value: r.extension.value, Seq: r.extension.seq },
        })),
      };
    },
  },
  {
    ...base,
    command: 'get_key_values',
    summary: "A one-to-one message's extension pairs, lowest Seq first, 200 per page.",
    maxBodyBytes: 4 * 1024,
    spec: `${TENCENT_DOC}51194`,
    fields: {
      ...messageFields,
      StartSeq: { type: 'integer', min: 0, code: BAD, doc: 'Only pairs whose Seq is at least this (to page on).' },
    },
    errors: [
      ErrorCode.EXT_INTERNAL_ERROR,
      ErrorCode.EXT_INVALID_PARAMETER,
      ErrorCode.EXT_NOT_SUPPORTED,
      ErrorCode.EXT_MESSAGE_NOT_FOUND,
      ErrorCode.ADMIN_REQUIRED,
    ],
    sample: { From_Account: 'alice', To_Account: 'bob', MsgKey: '31906_833502_1572869830', StartSeq: 0 },
    async handle(ctx, b) {
      const page = await ctx.services.extensions.get(
        ctx.app.sdkAppId,
        messageRef(ctx, b),
        (b.StartSeq as number | undefined) ?? 0,
      );
      return {
        CompleteFlag: page.complete ? 1 : 0,
        LatestSeq: page.latestSeq,
        ClearSeq: page.clearSeq,
        ExtensionList: page.pairs.map((p) => ({ Key: p.key, Value: p.value, Seq: p.seq })),
      };
    },
  },
];
