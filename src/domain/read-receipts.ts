// Read receipts for one-to-one messages (c2c_msg_read_receipt, a client's sendMessageReadReceipt):
// the reader tells the sender which of its messages it has read. Each message then shows
// IsPeerRead 1 and the sender's devices get a receipt event. Unread counts are not touched
// (that is a read mark's job). All or nothing: one message missing or recalled marks none.
import { ErrorCode, type MsgKeyParts, msgKeyOf } from '@parley/protocol';
import type { Bus } from '../ports/bus.js';
import { nowSeconds, type Clock } from '../ports/clock.js';
import type { AppId, MessageRef, Store } from '../ports/store.js';
import { REST_ORIGIN, type CallOrigin, type CallbackService } from './callbacks.js';
import { ApiError } from './errors.js';
import { receiptEvents } from './message-events.js';

/** Messages per receipt at most (the SDK's per-call maximum for message lists). */
export const MAX_RECEIPT_MESSAGES = 30;

export class ReadReceiptService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly bus?: Bus,
    private readonly callbacks?: CallbackService,
  ) {}

  /** `reader` has read these messages that `sender` sent it (keys already parsed and counted). */
  async send(
    app: AppId,
    reader: string,
    sender: string,
    keys: MsgKeyParts[],
    caller: CallOrigin = REST_ORIGIN,
  ): Promise<void> {
    if (keys.length === 0) throw new ApiError(ErrorCode.REQUEST_PACKET_INVALID, 'name at least one message');
    if (keys.length > MAX_RECEIPT_MESSAGES)
      throw new ApiError(ErrorCode.REQUEST_PACKET_INVALID, `at most ${MAX_RECEIPT_MESSAGES} messages per receipt`);
    const existing = await this.store.existingAccounts(app, [reader, sender]);
    for (const [role, user] of [
      ['operator', reader],
      ['peer', sender],
    ] as const) {
      if (!existing.has(user))
        throw new ApiError(ErrorCode.USER_NOT_FOUND, (n) => `${n[role]} ${user} does not exist`, role);
    }
    // The same message named twice is one receipt.
    const unique = new Map(keys.map((k) => [msgKeyOf(k), k]));
    const refs: MessageRef[] = [...unique.values()].map((k) => ({
      from: sender,
      to: reader,
      seq: k.seq,
      random: k.random,
      time: k.time,
    }));
    const at = nowSeconds(this.clock);
    const after = this.callbacks?.afterReceipt(app, reader, sender, refs, caller);
    const r = await this.store.markReceipts(app, {
      refs,
      events: receiptEvents({ from: sender, reader, msgKeys: [...unique.keys()], at }),
      ...(after ? { callbacks: [after] } : {}),
    });
    if (r.outcome === 'not_found') {
      throw new ApiError(
        ErrorCode.MESSAGE_NOT_FOUND,
        (n) => `no message ${msgKeyOf(r.ref)} from ${n.peer} to ${n.operator}`,
        'msgKey',
      );
    }
    if (r.outcome === 'recalled')
      throw new ApiError(ErrorCode.MESSAGE_ALREADY_RECALLED, `message ${msgKeyOf(r.ref)} has been recalled`, 'msgKey');
    if (after) this.callbacks?.written();
    this.bus?.publish({ kind: 'events', app, user: sender });
  }
}
