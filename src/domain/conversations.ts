// A user's conversation list and one-sided deletes: what leaves one user's view while the peer
// keeps everything (recentcontact/get_list and delete, delete_c2c_msg_ramble, the client's
// deleteConversation and deleteMessage).
import type { Bus } from '../ports/bus.js';
import { nowSeconds, type Clock } from '../ports/clock.js';
import type { AppId, ConversationRecord, MessageRef, Store } from '../ports/store.js';
import { ApiError, type FieldRole } from './errors.js';
import { deleteConversationRequest, deleteMessagesRequest } from './message-events.js';
import { parseMsgKey } from '@parley/protocol';

/** Conversations per get_list page (spec §4.3: at most 100). */
export const CONVERSATION_PAGE_SIZE = 100;
/** MsgKeys per one-sided delete (delete_c2c_msg_ramble; the client SDK's deleteMessage). */
export const MAX_DELETE_KEYS = 30;

/** Where a page of the list starts: after `skip` conversations at exactly `time` (0, 0: the start). */
export interface ListCursor {
  time: number;
  skip: number;
}

export interface ConversationPage {
  conversations: ConversationRecord[];
  /** Every conversation has been returned. */
  complete: boolean;
  /** The cursor of the next page. */
  next: ListCursor;
}

/**
 * How the asking API names a party and which code it answers when the account does not exist:
 * recentcontact (From_Account/To_Account, 50001) and openim (Operator_Account/Peer_Account,
 * 90008/90003) differ.
 */
export interface Party {
  role: FieldRole;
  unknownCode: number;
}

export interface DeleteCodes {
  owner: Party;
  peer: Party;
  /** A key not of the MsgKey form. */
  msgKey: number;
  /** Too many keys. */
  request: number;
}

export class ConversationService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly bus?: Bus,
  ) {}

  /** One page of owner's conversations, newest last message first. */
  async list(app: AppId, owner: string, cursor: ListCursor, ownerParty: Party): Promise<ConversationPage> {
    await this.requireAccounts(app, [[owner, ownerParty]]);
    const before = cursor.time > 0 ? { before: cursor } : {};
    // One more than a page says whether another page follows.
    const rows = await this.store.conversationPage(app, { owner, ...before, limit: CONVERSATION_PAGE_SIZE + 1 });
    const conversations = rows.slice(0, CONVERSATION_PAGE_SIZE);
    const complete = rows.length <= CONVERSATION_PAGE_SIZE;
    const last = conversations.at(-1);
    if (!last) return { conversations, complete: true, next: cursor };
    // The next page skips the conversations at the last one's time already returned (on this and
    // earlier pages, when a whole page shared one time).
    const atLast = conversations.filter((c) => c.lastTime === last.lastTime).length;
    const skip = atLast + (cursor.time === last.lastTime ? cursor.skip : 0);
    return { conversations, complete, next: { time: last.lastTime, skip } };
  }

  /** Deletes owner's side of the conversation with peer (see DeleteConversationRequest). */
  async delete(
    app: AppId,
    owner: string,
    peer: string,
    clearHistory: boolean,
    parties: Pick<DeleteCodes, 'owner' | 'peer'>,
  ): Promise<void> {
    await this.requireAccounts(app, [
      [owner, parties.owner],
      [peer, parties.peer],
    ]);
    await this.store.deleteConversation(
      app,
      deleteConversationRequest(owner, peer, clearHistory, nowSeconds(this.clock)),
    );
    this.notify(app, [owner, peer]);
  }

  /**
   * One-sided delete of messages named by MsgKey, in either direction of the conversation. Keys
   * that name nothing (or something already deleted from owner's side) are ignored.
   */
  async deleteMessages(
    app: AppId,
    owner: string,
    peer: string,
    msgKeys: string[],
    codes: DeleteCodes,
  ): Promise<MessageRef[]> {
    if (msgKeys.length > MAX_DELETE_KEYS)
      throw new ApiError(codes.request, `at most ${MAX_DELETE_KEYS} MsgKeys per call, got ${msgKeys.length}`, 'msgKey');
    const refs: MessageRef[] = [];
    for (const key of msgKeys) {
      const k = parseMsgKey(key);
      if (!k)
        throw new ApiError(
          codes.msgKey,
          (n) => `${n.msgKey} ${JSON.stringify(key.slice(0, 60))} is not a MsgKey`,
          'msgKey',
        );
      refs.push({ from: owner, to: peer, ...k }, { from: peer, to: owner, ...k });
    }
    await this.requireAccounts(app, [
      [owner, codes.owner],
      [peer, codes.peer],
    ]);
    const r = await this.store.deleteMessages(app, deleteMessagesRequest(owner, peer, refs, nowSeconds(this.clock)));
    if (r.deleted.length > 0) this.notify(app, [owner]);
    return r.deleted;
  }

  private notify(app: AppId, users: string[]): void {
    for (const user of new Set(users)) this.bus?.publish({ kind: 'events', app, user });
  }

  private async requireAccounts(app: AppId, checks: Array<[string, Party]>): Promise<void> {
    const existing = await this.store.existingAccounts(
      app,
      checks.map((c) => c[0]),
    );
    for (const [user, { role, unknownCode }] of checks) {
      if (!existing.has(user)) throw new ApiError(unknownCode, (n) => `${n[role]} ${user} does not exist`, role);
    }
  }
}
