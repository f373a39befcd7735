// The protocol's numeric limits, written once for the server, the SDK and the console.

/** The largest unsigned 32-bit integer: MsgSeq, MsgRandom, MsgTimeStamp and SDKAppID fit in it. */
export const U32_MAX = 4294967295;

/** A message body's JSON is at most 12 KB (Tencent's sendmsg/batchsendmsg/importmsg pages). */
export const MESSAGE_BODY_BYTES = 12 * 1024;

/** The longest offline lifetime of a one-to-one message: Tencent's 7 days. */
export const MAX_MESSAGE_LIFETIME_SECONDS = 7 * 86400;
