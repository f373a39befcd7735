// REST APIs of openim for one-to-one messages (spec §4) and online status (§3.6).
import { CALLBACK_ERROR_RANGE, ErrorCode, MESSAGE_BODY_BYTES, U32_MAX, parseMsgKey } from '@parley/protocol';
import { ApiError } from '../domain/errors.js';
import { validateMsgBody } from '../domain/message-body.js';
import type { SendInput } from '../domain/messages.js';
import { statusPlatformOf } from '../domain/platforms.js';
import { u32, type Fields, type FieldSpec } from './fields.js';
import type { ApiContext, ApiDefinition } from './registry.js';

/** Tencent's public documentation page of an API: TENCENT_DOC + the page's id. */
const TENCENT_DOC = 'https://www.tencentcloud.com/document/product/1047/';
const base = { service: 'openim', family: 'openim' as const, rateLimit: 200 };
/** Spec README: 12 KB of request JSON for the message APIs, answered with 93000. */

const f = {
  from: (required = false): FieldSpec => ({
    type: 'string',
    required,
    userId: true,
    code: ErrorCode.FROM_ACCOUNT_INVALID,
    doc: required ? 'Sender UserID.' : 'Sender UserID; defaults to the admin identifier.',
  }),
  to: (): FieldSpec => ({
    type: 'string',
    required: true,
    userId: true,
    code: ErrorCode.TO_ACCOUNT_INVALID,
    doc: 'Recipient UserID.',
  }),
  random: (): FieldSpec => ({
    type: 'integer',
    required: true,
    ...u32,
    code: ErrorCode.MSG_RANDOM_INVALID,
    doc: 'Random u32 for de-duplication.',
  }),
  seq: (): FieldSpec => ({
    type: 'integer',
    ...u32,
    code: ErrorCode.MSG_SEQ_INVALID,
    doc: 'u32 sequence; random when absent.',
  }),
  body: (required = true): FieldSpec => ({
    type: 'MsgBody',
    required,
    code: ErrorCode.MSG_BODY_NOT_ARRAY,
    doc: 'Array of TIMMsgElement (spec §5); at most one TIMCustomElem.',
  }),
  cloud: (): FieldSpec => ({
    type: 'string',
    code: ErrorCode.MSG_ELEMENT_INVALID,
    doc: 'Custom data stored and delivered with the message.',
  }),
  lifeTime: (): FieldSpec => ({
    type: 'integer',
    min: 0,
    code: ErrorCode.MSG_LIFETIME_INVALID,
    rangeCode: ErrorCode.MSG_LIFETIME_OUT_OF_RANGE,
    doc: 'Offline retention in seconds: 0 online only, at most 604800 (larger values are clamped).',
  }),
  sync: (): FieldSpec => ({
    type: 'integer',
    min: 1,
    max: 2,
    code: ErrorCode.SYNC_OTHER_MACHINE_INVALID,
    doc: "1: also to the sender's devices and roaming; 2: not to the sender; absent: sender's roaming only.",
  }),
  push: (): FieldSpec => ({
    type: 'object',
    code: ErrorCode.OFFLINE_PUSH_INFO_INVALID,
    doc: 'Offline push settings (spec §5.10).',
  }),
  sendControl: (): FieldSpec => ({
    type: 'string[]',
    code: ErrorCode.MSG_ELEMENT_INVALID,
    doc: '"NoUnread", "NoLastMsg", "WithMuteNotifications".',
  }),
  flag: (doc: string): FieldSpec => ({ type: 'integer', min: 0, max: 1, code: ErrorCode.MSG_ELEMENT_INVALID, doc }),
  msgKey: (): FieldSpec => ({
    type: 'string',
    required: true,
    code: ErrorCode.MSG_KEY_INVALID,
    doc: 'MsgKey "{MsgSeq}_{MsgRandom}_{MsgTime}".',
  }),
};

const sendFields: Fields = {
  SyncOtherMachine: f.sync(),
  From_Account: f.from(),
  To_Account: f.to(),
  MsgLifeTime: f.lifeTime(),
  MsgSeq: f.seq(),
  MsgRandom: f.random(),
  ForbidCallbackControl: {
    type: 'string[]',
    code: ErrorCode.MSG_ELEMENT_INVALID,
    doc: '"ForbidBeforeSendMsgCallback", "ForbidAfterSendMsgCallback".',
  },
  SendMsgControl: f.sendControl(),
  MsgBody: f.body(),
  CloudCustomData: f.cloud(),
  SupportMessageExtension: f.flag('1: the message supports extensions.'),
  OfflinePushInfo: f.push(),
  IsNeedReadReceipt: f.flag('1: a read receipt is wanted.'),
};

// batchsendmsg takes the same fields but for callback control and extensions.
const { ForbidCallbackControl: _fcc, SupportMessageExtension: _sme, ...batchFields } = sendFields;

const sampleBody = [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'hello' } }];

/** OfflinePushInfo (spec §5.10): its known fields must have their types; 90043 otherwise. */
function checkOfflinePushInfo(v: unknown): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const types: Record<string, string> = {
    PushFlag: 'number',
    Title: 'string',
    Desc: 'string',
    Ext: 'string',
    AndroidInfo: 'object',
    ApnsInfo: 'object',
  };
  for (const [k, t] of Object.entries(types)) {
    if (o[k] !== undefined && (typeof o[k] !== t || o[k] === null || Array.isArray(o[k]))) {
      throw new ApiError(
        ErrorCode.OFFLINE_PUSH_INFO_INVALID,
        `OfflinePushInfo.${k} must be ${t === 'object' ? 'an object' : `a ${t}`}`,
      );
    }
  }
  if (o.PushFlag !== undefined && o.PushFlag !== 0 && o.PushFlag !== 1)
    throw new ApiError(ErrorCode.OFFLINE_PUSH_INFO_INVALID, 'OfflinePushInfo.PushFlag must be 0 or 1');
  return o;
}

/** The parts of sendmsg and batchsendmsg that describe the message itself. */
function sendInput(ctx: ApiContext, b: Record<string, unknown>): Omit<SendInput, 'to'> {
  const control = new Set((b.SendMsgControl as string[] | undefined) ?? []);
  const forbid = new Set((b.ForbidCallbackControl as string[] | undefined) ?? []);
  const push = checkOfflinePushInfo(b.OfflinePushInfo);
  return {
    from: (b.From_Account as string | undefined) ?? ctx.identifier,
    random: b.MsgRandom as number,
    ...(b.MsgSeq !== undefined ? { seq: b.MsgSeq as number } : {}),
    body: validateMsgBody(b.MsgBody),
    ...(b.CloudCustomData !== undefined ? { cloudCustomData: b.CloudCustomData as string } : {}),
    ...(push ? { offlinePushInfo: push } : {}),
    ...(b.SyncOtherMachine !== undefined ? { syncOtherMachine: b.SyncOtherMachine as 1 | 2 } : {}),
    ...(b.MsgLifeTime !== undefined ? { lifeTime: b.MsgLifeTime as number } : {}),
    forbidBeforeCallback: forbid.has('ForbidBeforeSendMsgCallback'),
    forbidAfterCallback: forbid.has('ForbidAfterSendMsgCallback'),
    caller: restCaller(ctx),
    noUnread: control.has('NoUnread'),
    noLastMsg: control.has('NoLastMsg'),
    needReadReceipt: b.IsNeedReadReceipt === 1,
    supportExtension: b.SupportMessageExtension === 1,
  };
}

/** Callbacks caused by a REST call name the caller's address and the platform RESTAPI. */
const restCaller = (ctx: ApiContext) => ({ clientIp: ctx.clientIp, optPlatform: 'RESTAPI' });

function messageRef(b: Record<string, unknown>) {
  const key = parseMsgKey(b.MsgKey as string);
  if (!key)
    throw new ApiError(
      ErrorCode.MSG_KEY_INVALID,
      `MsgKey ${JSON.stringify(String(b.MsgKey).slice(0, 60))} is not of the form {MsgSeq}_{MsgRandom}_{MsgTime}`,
    );
  return { from: b.From_Account as string, to: b.To_Account as string, ...key };
}

export const messageApis: ApiDefinition[] = [
  {
    ...base,
    command: 'sendmsg',
    summary: 'Send a one-to-one message.',
    maxBodyBytes: MESSAGE_BODY_BYTES,
    spec: `${TENCENT_DOC}34919`,
    fields: sendFields,
    errors: [
      ErrorCode.BEFORE_SEND_CALLBACK_REJECTED,
      ErrorCode.BEFORE_SEND_CALLBACK_FAILED,
      ErrorCode.MSG_JSON_INVALID,
      ErrorCode.MSG_BODY_INVALID,
      ErrorCode.TO_ACCOUNT_INVALID,
      ErrorCode.MSG_SEQ_INVALID,
      ErrorCode.MSG_RANDOM_INVALID,
      ErrorCode.MSG_BODY_NOT_ARRAY,
      ErrorCode.FROM_ACCOUNT_INVALID,
      ErrorCode.MSG_NOT_ADMIN,
      ErrorCode.MSG_ELEMENT_INVALID,
      ErrorCode.TO_ACCOUNT_NOT_FOUND,
      ErrorCode.MSG_LIFETIME_OUT_OF_RANGE,
      ErrorCode.SYNC_OTHER_MACHINE_INVALID,
      ErrorCode.OFFLINE_PUSH_INFO_INVALID,
      ErrorCode.MSG_LIFETIME_INVALID,
      ErrorCode.MSG_INTERNAL_ERROR,
      ErrorCode.MSG_TOO_LONG,
      CALLBACK_ERROR_RANGE.from,
    ],
    sample: { SyncOtherMachine: 1, From_Account: 'alice', To_Account: 'bob', MsgRandom: 1287657, MsgBody: sampleBody },
    async handle(ctx, b) {
      const r = await ctx.services.messages.send(ctx.app.sdkAppId, {
        ...sendInput(ctx, b),
        to: b.To_Account as string,
      });
      return { MsgTime: r.message.time, MsgKey: r.msgKey };
    },
  },
  {
    ...base,
    command: 'batchsendmsg',
    summary: 'Send one message to up to 500 users: one MsgKey, one copy per recipient.',
    // The 12 KB limit is on the message; the recipient list (≤ 500 UserIDs) comes on top.
    maxBodyBytes: MESSAGE_BODY_BYTES + 500 * 40,
    spec: `${TENCENT_DOC}34920`,
    fields: {
      ...batchFields,
      To_Account: {
        type: 'string[]',
        required: true,
        maxItems: 500,
        maxItemsCode: ErrorCode.TOO_MANY_RECIPIENTS,
        userIds: true,
        code: ErrorCode.TO_ACCOUNT_INVALID,
        doc: 'Recipient UserIDs, at most 500.',
      },
    },
    errors: [
      ErrorCode.MSG_JSON_INVALID,
      ErrorCode.MSG_BODY_INVALID,
      ErrorCode.TO_ACCOUNT_INVALID,
      ErrorCode.MSG_SEQ_INVALID,
      ErrorCode.MSG_RANDOM_INVALID,
      ErrorCode.MSG_BODY_NOT_ARRAY,
      ErrorCode.FROM_ACCOUNT_INVALID,
      ErrorCode.MSG_NOT_ADMIN,
      ErrorCode.MSG_ELEMENT_INVALID,
      ErrorCode.TOO_MANY_RECIPIENTS,
      ErrorCode.TO_ACCOUNT_NOT_FOUND,
      ErrorCode.MSG_LIFETIME_OUT_OF_RANGE,
      ErrorCode.SYNC_OTHER_MACHINE_INVALID,
      ErrorCode.OFFLINE_PUSH_INFO_INVALID,
      ErrorCode.MSG_LIFETIME_INVALID,
      ErrorCode.MSG_INTERNAL_ERROR,
      ErrorCode.MSG_TOO_LONG,
    ],
    sample: {
      SyncOtherMachine: 2,
      From_Account: 'alice',
      To_Account: ['bob', 'carol'],
      MsgRandom: 19901224,
      MsgBody: sampleBody,
    },
    async handle(ctx, b) {
      const { To_Account: to, ...message } = b;
      if (Buffer.byteLength(JSON.stringify(message)) > MESSAGE_BODY_BYTES)
        throw new ApiError(ErrorCode.MSG_TOO_LONG, `the message is larger than ${MESSAGE_BODY_BYTES} bytes`);
      const recipients = to as string[];
      if (recipients.length === 0)
        throw new ApiError(ErrorCode.TO_ACCOUNT_INVALID, 'To_Account must name at least one recipient');
      const r = await ctx.services.messages.sendBatch(ctx.app.sdkAppId, sendInput(ctx, b), recipients);
      if (r.unknown.length === 0) return { MsgKey: r.msgKey };
      return {
        ActionStatus: 'SomeError',
        MsgKey: r.msgKey,
        ErrorList: r.unknown.map((u) => ({ To_Account: u, ErrorCode: ErrorCode.ACCOUNT_NOT_FOUND })),
      };
    },
  },
  {
    ...base,
    command: 'importmsg',
    summary: 'Import a one-to-one message from another system (de-duplicated by MsgKey, no callbacks).',
    maxBodyBytes: MESSAGE_BODY_BYTES,
    spec: `${TENCENT_DOC}35014`,
    fields: {
      SyncFromOldSystem: {
        type: 'integer',
        required: true,
        code: ErrorCode.SYNC_FROM_OLD_SYSTEM_INVALID,
        doc: '2: history (read, not pushed); 5: real time (unread, pushed).',
      },
      From_Account: f.from(true),
      To_Account: f.to(),
      MsgSeq: f.seq(),
      MsgRandom: f.random(),
      MsgTimeStamp: {
        type: 'integer',
        required: true,
        ...u32,
        code: ErrorCode.MSG_TIMESTAMP_INVALID,
        doc: 'Send time, Unix seconds.',
      },
      MsgBody: f.body(),
      CloudCustomData: f.cloud(),
    },
    errors: [
      ErrorCode.MSG_JSON_INVALID,
      ErrorCode.MSG_BODY_INVALID,
      ErrorCode.TO_ACCOUNT_INVALID,
      ErrorCode.MSG_SEQ_INVALID,
      ErrorCode.MSG_RANDOM_INVALID,
      ErrorCode.MSG_TIMESTAMP_INVALID,
      ErrorCode.MSG_BODY_NOT_ARRAY,
      ErrorCode.FROM_ACCOUNT_INVALID,
      ErrorCode.MSG_NOT_ADMIN,
      ErrorCode.MSG_ELEMENT_INVALID,
      ErrorCode.TO_ACCOUNT_NOT_FOUND,
      ErrorCode.SYNC_FROM_OLD_SYSTEM_INVALID,
      ErrorCode.MSG_INTERNAL_ERROR,
      ErrorCode.MSG_TOO_LONG,
    ],
    sample: {
      SyncFromOldSystem: 2,
      From_Account: 'alice',
      To_Account: 'bob',
      MsgRandom: 1287657,
      MsgTimeStamp: 1557387418,
      MsgBody: sampleBody,
    },
    async handle(ctx, b) {
      const mode = b.SyncFromOldSystem;
      if (mode !== 2 && mode !== 5)
        throw new ApiError(
          ErrorCode.SYNC_FROM_OLD_SYSTEM_INVALID,
          'SyncFromOldSystem must be 2 (history) or 5 (real time)',
        );
      await ctx.services.messages.import(ctx.app.sdkAppId, {
        from: b.From_Account as string,
        to: b.To_Account as string,
        ...(b.MsgSeq !== undefined ? { seq: b.MsgSeq as number } : {}),
        random: b.MsgRandom as number,
        time: b.MsgTimeStamp as number,
        body: validateMsgBody(b.MsgBody),
        ...(b.CloudCustomData !== undefined ? { cloudCustomData: b.CloudCustomData as string } : {}),
        syncFromOldSystem: mode,
      });
      return {};
    },
  },
  {
    ...base,
    command: 'admin_getroammsg',
    summary: "A conversation's history as Operator_Account sees it, paged backwards in time.",
    spec: `${TENCENT_DOC}35478`,
    fields: {
      Operator_Account: {
        type: 'string',
        required: true,
        userId: true,
        code: ErrorCode.FROM_ACCOUNT_INVALID,
        doc: 'The user whose view of the conversation is read.',
      },
      Peer_Account: {
        type: 'string',
        required: true,
        userId: true,
        code: ErrorCode.TO_ACCOUNT_INVALID,
        doc: 'The other user.',
      },
      MaxCnt: {
        type: 'integer',
        required: true,
        min: 1,
        code: ErrorCode.MSG_JSON_INVALID,
        doc: 'Messages per page at most.',
      },
      MinTime: {
        type: 'integer',
        required: true,
        min: 0,
        code: ErrorCode.MSG_JSON_INVALID,
        doc: 'Lower bound, Unix seconds.',
      },
      MaxTime: {
        type: 'integer',
        required: true,
        min: 0,
        code: ErrorCode.MSG_JSON_INVALID,
        doc: 'Upper bound, Unix seconds.',
      },
      LastMsgKey: {
        type: 'string',
        code: ErrorCode.MSG_JSON_INVALID,
        doc: 'To continue: LastMsgKey of the previous page (with MaxTime = its LastMsgTime).',
      },
    },
    errors: [
      ErrorCode.MSG_JSON_INVALID,
      ErrorCode.TO_ACCOUNT_INVALID,
      ErrorCode.FROM_ACCOUNT_INVALID,
      ErrorCode.MSG_NOT_ADMIN,
      ErrorCode.MSG_INTERNAL_ERROR,
    ],
    sample: { Operator_Account: 'alice', Peer_Account: 'bob', MaxCnt: 20, MinTime: 0, MaxTime: U32_MAX },
    async handle(ctx, b) {
      const r = await ctx.services.messages.history(ctx.app.sdkAppId, {
        owner: b.Operator_Account as string,
        peer: b.Peer_Account as string,
        maxCnt: b.MaxCnt as number,
        minTime: b.MinTime as number,
        maxTime: b.MaxTime as number,
        // null counts as absent, as for every optional field (it used to reach the domain and fail with 91000).
        ...(typeof b.LastMsgKey === 'string' ? { lastMsgKey: b.LastMsgKey } : {}),
      });
      const oldest = r.messages[0];
      return {
        Complete: r.complete ? 1 : 0,
        MsgCnt: r.messages.length,
        LastMsgTime: oldest ? oldest.message.time : 0,
        LastMsgKey: oldest ? oldest.msgKey : '',
        MsgList: r.messages.map(({ message: m, msgKey, isPeerRead }) => ({
          From_Account: m.from,
          To_Account: m.to,
          MsgSeq: m.seq,
          MsgRandom: m.random,
          MsgTimeStamp: m.time,
          MsgFlagBits: m.recalled ? 8 : 0,
          IsPeerRead: isPeerRead ? 1 : 0,
          MsgKey: msgKey,
          MsgBody: m.body,
          CloudCustomData: m.cloudCustomData,
        })),
      };
    },
  },
  {
    ...base,
    command: 'admin_msgwithdraw',
    summary: 'Recall a one-to-one message from every copy, at any age, irreversibly.',
    spec: `${TENCENT_DOC}35015`,
    fields: { From_Account: f.from(true), To_Account: f.to(), MsgKey: f.msgKey() },
    errors: [
      ErrorCode.MESSAGE_NOT_FOUND,
      ErrorCode.MESSAGE_ALREADY_RECALLED,
      ErrorCode.MSG_JSON_INVALID,
      ErrorCode.TO_ACCOUNT_INVALID,
      ErrorCode.FROM_ACCOUNT_INVALID,
      ErrorCode.MSG_NOT_ADMIN,
      ErrorCode.MSG_KEY_INVALID,
      ErrorCode.MSG_INTERNAL_ERROR,
    ],
    sample: { From_Account: 'alice', To_Account: 'bob', MsgKey: '31906_833502_1572869830' },
    async handle(ctx, b) {
      await ctx.services.messages.recall(ctx.app.sdkAppId, messageRef(b), ctx.identifier, 'admin', restCaller(ctx));
      return {};
    },
  },
  {
    ...base,
    command: 'modify_c2c_msg',
    summary: 'Overwrite MsgBody and/or CloudCustomData of a stored message (not of a recalled one).',
    maxBodyBytes: MESSAGE_BODY_BYTES,
    spec: `${TENCENT_DOC}47722`,
    fields: {
      From_Account: f.from(true),
      To_Account: f.to(),
      MsgKey: f.msgKey(),
      MsgBody: f.body(false),
      CloudCustomData: f.cloud(),
    },
    errors: [
      ErrorCode.MESSAGE_NOT_FOUND,
      ErrorCode.MESSAGE_ALREADY_RECALLED,
      ErrorCode.MSG_JSON_INVALID,
      ErrorCode.MSG_BODY_INVALID,
      ErrorCode.TO_ACCOUNT_INVALID,
      ErrorCode.MSG_BODY_NOT_ARRAY,
      ErrorCode.FROM_ACCOUNT_INVALID,
      ErrorCode.MSG_NOT_ADMIN,
      ErrorCode.MSG_ELEMENT_INVALID,
      ErrorCode.MSG_KEY_INVALID,
      ErrorCode.MSG_INTERNAL_ERROR,
      ErrorCode.MSG_TOO_LONG,
    ],
    sample: {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgKey: '31906_833502_1572869830',
      MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'edited' } }],
    },
    async handle(ctx, b) {
      // null counts as absent (as in field validation): {"CloudCustomData": null} alone changes nothing, so it is 90001.
      if (b.MsgBody == null && b.CloudCustomData == null)
        throw new ApiError(ErrorCode.MSG_JSON_INVALID, 'give MsgBody, CloudCustomData or both');
      const ref = messageRef(b);
      await ctx.services.messages.modify(ctx.app.sdkAppId, ref, {
        ...(b.MsgBody != null ? { body: validateMsgBody(b.MsgBody) } : {}),
        ...(b.CloudCustomData != null ? { cloudCustomData: b.CloudCustomData as string } : {}),
      });
      return { ErrorInfo: 'succeed' };
    },
  },
  {
    ...base,
    command: 'admin_set_msg_read',
    summary: 'Mark a conversation read for Report_Account (up to MsgReadTime, or everything so far).',
    spec: `${TENCENT_DOC}38996`,
    fields: {
      Report_Account: {
        type: 'string',
        required: true,
        userId: true,
        code: ErrorCode.FROM_ACCOUNT_INVALID,
        doc: 'The user whose messages become read.',
      },
      Peer_Account: {
        type: 'string',
        required: true,
        userId: true,
        code: ErrorCode.TO_ACCOUNT_INVALID,
        doc: 'The other user.',
      },
      MsgReadTime: {
        type: 'string',
        code: ErrorCode.MSG_JSON_INVALID,
        doc: 'Unix seconds (string or integer): messages up to and including it become read; default: everything so far.',
      },
    },
    normalize(b) {
      // The documentation types MsgReadTime as a string holding seconds; integers are common too.
      if (typeof b.MsgReadTime === 'number' && Number.isInteger(b.MsgReadTime)) b.MsgReadTime = String(b.MsgReadTime);
      // null counts as absent, as for every optional field: everything so far becomes read.
      if (b.MsgReadTime === null) delete b.MsgReadTime;
    },
    errors: [
      ErrorCode.MSG_JSON_INVALID,
      ErrorCode.TO_ACCOUNT_INVALID,
      ErrorCode.FROM_ACCOUNT_INVALID,
      ErrorCode.MSG_NOT_ADMIN,
      ErrorCode.MSG_INTERNAL_ERROR,
    ],
    sample: { Report_Account: 'bob', Peer_Account: 'alice' },
    async handle(ctx, b) {
      let readTime: number | undefined;
      if (b.MsgReadTime !== undefined) {
        if (!/^\d{1,10}$/.test(b.MsgReadTime as string))
          throw new ApiError(ErrorCode.MSG_JSON_INVALID, 'MsgReadTime must be Unix seconds');
        readTime = Number(b.MsgReadTime);
      }
      await ctx.services.messages.setRead(
        ctx.app.sdkAppId,
        b.Report_Account as string,
        b.Peer_Account as string,
        readTime,
        restCaller(ctx),
      );
      return {};
    },
  },
  {
    ...base,
    command: 'get_c2c_unread_msg_num',
    summary: "A user's total one-to-one unread count, and per peer for up to 10 peers.",
    spec: `${TENCENT_DOC}41046`,
    fields: {
      To_Account: {
        type: 'string',
        required: true,
        userId: true,
        code: ErrorCode.TO_ACCOUNT_INVALID,
        doc: 'The user whose unread counts are read.',
      },
      Peer_Account: {
        type: 'string[]',
        maxItems: 10,
        userIds: true,
        code: ErrorCode.MSG_JSON_INVALID,
        doc: 'Up to 10 peers for per-conversation counts.',
      },
    },
    errors: [
      ErrorCode.MSG_JSON_INVALID,
      ErrorCode.TO_ACCOUNT_INVALID,
      ErrorCode.MSG_NOT_ADMIN,
      ErrorCode.MSG_INTERNAL_ERROR,
    ],
    sample: { To_Account: 'bob', Peer_Account: ['alice'] },
    async handle(ctx, b) {
      const peers = b.Peer_Account as string[] | undefined;
      const r = await ctx.services.messages.unread(ctx.app.sdkAppId, b.To_Account as string, peers);
      if (peers === undefined) return { AllC2CUnreadMsgNum: r.total };
      return {
        AllC2CUnreadMsgNum: r.total,
        C2CUnreadMsgNumList: r.perPeer.map((p) => ({ Peer_Account: p.peer, C2CUnreadMsgNum: p.unread })),
        ...(r.unknown.length > 0
          ? { ErrorList: r.unknown.map((p) => ({ Peer_Account: p, ErrorCode: ErrorCode.ACCOUNT_NOT_FOUND })) }
          : {}),
      };
    },
  },
  ...(['query_online_status', 'querystate'] as const).map(
    (command): ApiDefinition => ({
      ...base,
      command,
      summary:
        command === 'querystate'
          ? 'Legacy name of query_online_status.'
          : 'Online status of up to 500 users, with per-platform detail.',
      spec: `${TENCENT_DOC}35477`,
      fields: {
        To_Account: {
          type: 'string[]',
          required: true,
          maxItems: 500,
          maxItemsCode: ErrorCode.TOO_MANY_RECIPIENTS,
          userIds: true,
          code: ErrorCode.TO_ACCOUNT_INVALID,
          doc: 'UserIDs, at most 500.',
        },
        IsNeedDetail: {
          type: 'integer',
          min: 0,
          max: 1,
          code: ErrorCode.MSG_JSON_INVALID,
          doc: '1: include per-platform detail.',
        },
        // Accepted for newer clients; Parley has no instance ids or custom statuses to add.
        IsReturnInstid: {
          type: 'integer',
          min: 0,
          max: 1,
          code: ErrorCode.MSG_JSON_INVALID,
          doc: 'Accepted (0/1); adds nothing.',
        },
        IsReturnCustomStatus: {
          type: 'integer',
          min: 0,
          max: 1,
          code: ErrorCode.MSG_JSON_INVALID,
          doc: 'Accepted (0/1); adds nothing.',
        },
      },
      errors: [
        ErrorCode.ACCOUNT_NOT_FOUND,
        ErrorCode.MSG_JSON_INVALID,
        ErrorCode.TO_ACCOUNT_INVALID,
        ErrorCode.MSG_NOT_ADMIN,
        ErrorCode.TOO_MANY_RECIPIENTS,
        ErrorCode.MSG_INTERNAL_ERROR,
      ],
      sample: { To_Account: ['alice', 'bob'], IsNeedDetail: 1 },
      async handle(ctx, b) {
        const users = b.To_Account as string[];
        // The page's table gives 90001 for an empty To_Account.
        if (users.length === 0)
          throw new ApiError(ErrorCode.MSG_JSON_INVALID, 'To_Account must name at least one UserID');
        const existing = await ctx.services.accounts.existing(ctx.app.sdkAppId, users);
        const known = users.filter((u) => existing.has(u));
        const unknown = users.filter((u) => !existing.has(u));
        const errorList = unknown.map((u) => ({ To_Account: u, ErrorCode: ErrorCode.ACCOUNT_NOT_FOUND }));
        if (known.length === 0)
          return {
            ActionStatus: 'FAIL',
            ErrorCode: ErrorCode.ACCOUNT_NOT_FOUND,
            ErrorInfo: 'none of the accounts exist',
            ErrorList: errorList,
          };
        const devices = await ctx.services.presence.devices(ctx.app.sdkAppId, known);
        return {
          QueryResult: known.map((u) => {
            const list = devices.get(u) ?? [];
            return {
              To_Account: u,
              // Current docs and SDKs read Status; the legacy querystate page named it State.
              [command === 'querystate' ? 'State' : 'Status']: list.length > 0 ? 'Online' : 'Offline',
              ...(b.IsNeedDetail === 1
                ? { Detail: list.map((d) => ({ Platform: statusPlatformOf(d.platform), Status: 'Online' })) }
                : {}),
            };
          }),
          ...(errorList.length > 0 ? { ErrorList: errorList } : {}),
        };
      },
    }),
  ),
];
