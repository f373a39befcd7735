// REST APIs of one user's view of its conversations: the conversation list (recentcontact, spec
// one-to-one-more §4) and the one-sided delete of messages (openim delete_c2c_msg_ramble, §3).
import { ErrorCode } from '@parley/protocol';
import { ApiError } from '../domain/errors.js';
import { MAX_DELETE_KEYS } from '../domain/conversations.js';
import { u32, type FieldSpec } from './fields.js';
import type { ApiDefinition } from './registry.js';

/** Tencent's public documentation pages: the international site, and the Chinese one for APIs only it documents. */
const TENCENT_DOC = 'https://www.tencentcloud.com/document/product/1047/';
const TENCENT_DOC_ZH = 'https://cloud.tencent.com/document/product/269/';
const BAD = ErrorCode.CONVERSATION_INVALID_PARAMETER;
const recentcontact = { service: 'recentcontact', family: 'recentcontact' as const, rateLimit: 200 };

const cursor = (doc: string): FieldSpec => ({ type: 'integer', ...u32, code: BAD, doc });
const fromAccount: FieldSpec = { type: 'string', required: true, userId: true, code: BAD, doc: 'Whose conversations.' };
/** recentcontact names the owner From_Account and the peer To_Account. */
const owner = { role: 'sender' as const, unknownCode: ErrorCode.CONVERSATION_ACCOUNT_NOT_FOUND };
const peer = { role: 'recipient' as const, unknownCode: ErrorCode.CONVERSATION_ACCOUNT_NOT_FOUND };

export const conversationApis: ApiDefinition[] = [
  {
    ...recentcontact,
    command: 'get_list',
    summary: "One page of a user's conversations (peer, time, pinned flag), newest first; no message content.",
    spec: `${TENCENT_DOC}43087`,
    fields: {
      From_Account: fromAccount,
      TimeStamp: cursor('Cursor of ordinary conversations: 0 first, then the value returned.'),
      StartIndex: cursor('Cursor of ordinary conversations: 0 first, then the value returned.'),
      TopTimeStamp: cursor('Cursor of pinned conversations (Parley pins none over REST): 0.'),
      TopStartIndex: cursor('Cursor of pinned conversations: 0.'),
      AssistFlags: cursor('Bit 0 pinned conversations, bit 1 empty ones, bit 2 page pinned ones.'),
    },
    errors: [
      ErrorCode.CONVERSATION_ACCOUNT_NOT_FOUND,
      BAD,
      ErrorCode.CONVERSATION_NOT_ADMIN,
      ErrorCode.CONVERSATION_INTERNAL_ERROR,
    ],
    sample: { From_Account: 'alice', TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0, AssistFlags: 7 },
    async handle(ctx, b) {
      const page = await ctx.services.conversations.list(
        ctx.app.sdkAppId,
        b.From_Account as string,
        { time: (b.TimeStamp as number | undefined) ?? 0, skip: (b.StartIndex as number | undefined) ?? 0 },
        owner,
      );
      return {
        // Who and when only: no last message, no preview, no unread count (spec §4.1).
        SessionItem: page.conversations.map((c) => ({ Type: 1, To_Account: c.peer, MsgTime: c.lastTime, TopFlag: 0 })),
        CompleteFlag: page.complete ? 1 : 0,
        TimeStamp: page.next.time,
        StartIndex: page.next.skip,
        TopTimeStamp: 0,
        TopStartIndex: 0,
      };
    },
  },
  {
    ...recentcontact,
    command: 'delete',
    summary:
      "Delete a conversation from one user's list, with ClearRamble 1 also from that user's history; the peer keeps everything.",
    spec: `${TENCENT_DOC}43088`,
    fields: {
      From_Account: fromAccount,
      Type: {
        type: 'integer',
        required: true,
        min: 1,
        max: 2,
        code: BAD,
        doc: '1 one-to-one (2, group, is not supported).',
      },
      To_Account: { type: 'string', userId: true, code: BAD, doc: 'The peer (Type 1).' },
      ToGroupid: { type: 'string', code: BAD, doc: 'The group (Type 2; Parley has no groups).' },
      ClearRamble: {
        type: 'integer',
        min: 0,
        max: 1,
        code: BAD,
        doc: "1: also delete the history from this user's side.",
      },
    },
    errors: [
      ErrorCode.CONVERSATION_ACCOUNT_NOT_FOUND,
      BAD,
      ErrorCode.CONVERSATION_NOT_ADMIN,
      ErrorCode.CONVERSATION_INTERNAL_ERROR,
    ],
    sample: { From_Account: 'alice', Type: 1, To_Account: 'bob', ClearRamble: 1 },
    async handle(ctx, b) {
      if (b.Type === 2)
        throw new ApiError(BAD, 'Type 2 (group conversation) is not supported: this server has no groups');
      if (b.To_Account == null) throw new ApiError(BAD, 'To_Account is required with Type 1');
      await ctx.services.conversations.delete(
        ctx.app.sdkAppId,
        b.From_Account as string,
        b.To_Account as string,
        b.ClearRamble === 1,
        { owner, peer },
      );
      return {};
    },
  },
  {
    service: 'openim',
    family: 'openim',
    rateLimit: 200,
    command: 'delete_c2c_msg_ramble',
    summary: "Delete messages from one party's history and devices only; the other party keeps them.",
    spec: `${TENCENT_DOC_ZH}101439`,
    fields: {
      Operator_Account: {
        type: 'string',
        required: true,
        userId: true,
        code: ErrorCode.FROM_ACCOUNT_INVALID,
        doc: 'The party whose view loses the messages.',
      },
      Peer_Account: {
        type: 'string',
        required: true,
        userId: true,
        code: ErrorCode.TO_ACCOUNT_INVALID,
        doc: 'The other party.',
      },
      MsgKeyList: {
        type: 'string[]',
        required: true,
        maxItems: MAX_DELETE_KEYS,
        code: ErrorCode.MSG_JSON_INVALID,
        doc: `MsgKeys of messages in either direction, at most ${MAX_DELETE_KEYS}; keys naming nothing are ignored.`,
      },
    },
    errors: [
      ErrorCode.MSG_JSON_INVALID,
      ErrorCode.TO_ACCOUNT_INVALID,
      ErrorCode.FROM_ACCOUNT_INVALID,
      ErrorCode.MSG_NOT_ADMIN,
      ErrorCode.MSG_KEY_INVALID,
      ErrorCode.MSG_INTERNAL_ERROR,
    ],
    sample: { Operator_Account: 'alice', Peer_Account: 'bob', MsgKeyList: ['31906_833502_1572869830'] },
    async handle(ctx, b) {
      const keys = b.MsgKeyList as string[];
      if (keys.length === 0)
        throw new ApiError(ErrorCode.MSG_JSON_INVALID, 'MsgKeyList must name at least one message');
      await ctx.services.conversations.deleteMessages(
        ctx.app.sdkAppId,
        b.Operator_Account as string,
        b.Peer_Account as string,
        keys,
        {
          owner: { role: 'operator', unknownCode: ErrorCode.FROM_ACCOUNT_INVALID },
          peer: { role: 'peer', unknownCode: ErrorCode.TO_ACCOUNT_INVALID },
          msgKey: ErrorCode.MSG_KEY_INVALID,
          request: ErrorCode.MSG_JSON_INVALID,
        },
      );
      return {};
    },
  },
];
