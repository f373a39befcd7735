// Who hears of a recall, a modify or a read mark, what each is told and how long it is kept: the
// units of work the message service hands to the store, built here so the store decides nothing.
import { msgKeyOf } from '@parley/protocol';
import type {
  CallbackEntry,
  DeleteConversationRequest,
  DeleteMessagesRequest,
  EventWrite,
  MessageRef,
  ModifyRequest,
  Notice,
  ReadRequest,
  RecallRequest,
} from '../ports/store.js';
import type { MsgElement } from '@parley/protocol';

/** Offline events (and recall/read/modify notices) live this long: Tencent's 7-day offline retention. */
export const EVENT_RETENTION_SECONDS = 7 * 86400;

/** The same notice for each user, recorded at `at`; a user talking to itself gets it once. */
function noticeTo(users: [string, string], notice: Notice, at: number): EventWrite[] {
  return [...new Set(users)].map((user) => ({ ...notice, user, at, expiresAt: at + EVENT_RETENTION_SECONDS }));
}

/**
 * A recall: both users' devices learn of it (the recipient's first), and the message leaves the
 * recipient's unread counts if it was still counted there.
 */
export function recallRequest(o: {
  ref: MessageRef;
  by: string;
  via: 'admin' | 'client';
  at: number;
  callbacks?: CallbackEntry[];
}): RecallRequest {
  const { ref, by, via, at } = o;
  const payload = { from: ref.from, to: ref.to, msgKey: msgKeyOf(ref), by, via, at };
  return {
    ref,
    by,
    via,
    at,
    uncountUnread: true,
    events: noticeTo([ref.to, ref.from], { kind: 'recall', payload }, at),
    ...(o.callbacks ? { callbacks: o.callbacks } : {}),
  };
}

/** A modify: both users' devices get the message as it now is. */
export function modifyRequest(
  ref: MessageRef,
  change: { body?: MsgElement[]; cloudCustomData?: string },
  at: number,
): ModifyRequest {
  const payload = { from: ref.from, to: ref.to, msgKey: msgKeyOf(ref) };
  return { ref, ...change, events: noticeTo([ref.to, ref.from], { kind: 'modify', payload }, at) };
}

/**
 * A read mark: with a time, every message of the peer up to that second; without, everything
 * stored so far up to now (an imported message stamped in the future stays unread until its time).
 * When the cursor moves, the owner's other devices follow it and the peer's devices get a receipt.
 */
export function readRequest(
  owner: string,
  peer: string,
  readTime: number | undefined,
  at: number,
  callbacks?: CallbackEntry[],
): ReadRequest {
  return {
    owner,
    peer,
    at,
    upTo: readTime === undefined ? { time: at, through: 'stored' } : { time: readTime, through: 'second' },
    eventsIfMoved: ({ readTime: movedTo, unread }) =>
      noticeTo([owner, peer], { kind: 'read', payload: { owner, peer, readTime: movedTo, unread } }, at),
    ...(callbacks ? { callbacks } : {}),
  };
}

/** Read receipts: the sender's devices learn which of its messages the reader has read. */
export function receiptEvents(o: { from: string; reader: string; msgKeys: string[]; at: number }): EventWrite[] {
  const payload = { from: o.from, reader: o.reader, msgKeys: o.msgKeys, at: o.at };
  return [{ kind: 'receipt', payload, user: o.from, at: o.at, expiresAt: o.at + EVENT_RETENTION_SECONDS }];
}

/**
 * A one-sided delete: only the owner's devices hear of it (so their caches drop the messages);
 * the peer's view, devices and unread are untouched.
 */
export function deleteMessagesRequest(
  owner: string,
  peer: string,
  refs: MessageRef[],
  at: number,
): DeleteMessagesRequest {
  return {
    owner,
    peer,
    refs,
    eventsFor: (deleted) =>
      noticeTo(
        [owner, owner],
        {
          kind: 'delete',
          payload: { owner, peer, messages: deleted.map((r) => ({ from: r.from, to: r.to, msgKey: msgKeyOf(r) })) },
        },
        at,
      ),
  };
}

/**
 * Deleting a conversation: the owner's devices drop it; what it held becomes read for the owner,
 * so when that moves the cursor both users' devices get the read notice, as for a read mark.
 */
export function deleteConversationRequest(
  owner: string,
  peer: string,
  clearHistory: boolean,
  at: number,
): DeleteConversationRequest {
  return {
    owner,
    peer,
    clearHistory,
    at,
    events: noticeTo([owner, owner], { kind: 'conversation_delete', payload: { owner, peer, clearHistory } }, at),
    eventsIfReadMoved: ({ readTime, unread }) =>
      noticeTo([owner, peer], { kind: 'read', payload: { owner, peer, readTime, unread } }, at),
  };
}
