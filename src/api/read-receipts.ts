// REST API openim/c2c_msg_read_receipt: the admin sends read receipts on behalf of a message's
// recipient (spec: Tencent's page states no maximum and no error table beyond 20001; the codes
// and the limit of 30 are Parley's documented decisions).
import { ErrorCode, type MsgKeyParts, parseMsgKey } from '@parley/protocol';
import { ApiError } from '../domain/errors.js';
import { MAX_RECEIPT_MESSAGES } from '../domain/read-receipts.js';
import type { ApiDefinition } from './registry.js';

const TENCENT_DOC = 'https://www.tencentcloud.com/document/product/1047/';
const account = (doc: string) => ({
  type: 'string' as const,
  required: true,
  userId: true,
  code: ErrorCode.REQUEST_PACKET_INVALID,
  doc,
});

export const readReceiptApis: ApiDefinition[] = [
  {
    service: 'openim',
    family: 'openim',
    rateLimit: 200,
    command: 'c2c_msg_read_receipt',
    summary:
      "Send read receipts for up to 30 of Peer_Account's messages to Operator_Account: IsPeerRead 1, the sender's devices are told.",
    spec: `${TENCENT_DOC}77776`,
    fields: {
      Operator_Account: account('The reader: the recipient of the messages.'),
      Peer_Account: account("The messages' sender."),
      C2CMsgInfo: {
        type: 'object[]',
        required: true,
        maxItems: MAX_RECEIPT_MESSAGES,
        maxItemsCode: ErrorCode.REQUEST_PACKET_INVALID,
        code: ErrorCode.REQUEST_PACKET_INVALID,
        doc: `The messages read, 1 to ${MAX_RECEIPT_MESSAGES}: From_Account (= Peer_Account), To_Account (= Operator_Account), MsgKey.`,
        fields: {
          From_Account: account("The message's sender."),
          To_Account: account("The message's recipient."),
          MsgKey: {
            type: 'string',
            required: true,
            code: ErrorCode.REQUEST_PACKET_INVALID,
            doc: "The message's MsgKey.",
          },
        },
      },
    },
    errors: [
      ErrorCode.REQUEST_PACKET_INVALID,
      ErrorCode.USER_NOT_FOUND,
      ErrorCode.MESSAGE_NOT_FOUND,
      ErrorCode.MESSAGE_ALREADY_RECALLED,
      ErrorCode.MSG_JSON_INVALID,
      ErrorCode.MSG_NOT_ADMIN,
      ErrorCode.MSG_KEY_INVALID,
      ErrorCode.MSG_INTERNAL_ERROR,
    ],
    sample: {
      Operator_Account: 'bob',
      Peer_Account: 'alice',
      C2CMsgInfo: [{ From_Account: 'alice', To_Account: 'bob', MsgKey: '31906_833502_1572869830' }],
    },
    async handle(ctx, b) {
      const reader = b.Operator_Account as string;
      const sender = b.Peer_Account as string;
      const items = b.C2CMsgInfo as Array<Record<string, unknown>>;
      if (items.length === 0)
        throw new ApiError(ErrorCode.REQUEST_PACKET_INVALID, 'C2CMsgInfo must name at least one message');
      // The whole request's shape first, before any account or message is looked up.
      const keys: MsgKeyParts[] = items.map((item, i) => {
        if (item.From_Account !== sender)
          throw new ApiError(ErrorCode.REQUEST_PACKET_INVALID, `C2CMsgInfo[${i}].From_Account must equal Peer_Account`);
        if (item.To_Account !== reader)
          throw new ApiError(
            ErrorCode.REQUEST_PACKET_INVALID,
            `C2CMsgInfo[${i}].To_Account must equal Operator_Account`,
          );
        const key = parseMsgKey(item.MsgKey as string);
        if (!key)
          throw new ApiError(
            ErrorCode.MSG_KEY_INVALID,
            `C2CMsgInfo[${i}].MsgKey is not of the form {MsgSeq}_{MsgRandom}_{MsgTime}`,
          );
        return key;
      });
      await ctx.services.receipts.send(ctx.app.sdkAppId, reader, sender, keys, {
        clientIp: ctx.clientIp,
        optPlatform: 'RESTAPI',
      });
      return {};
    },
  },
];
