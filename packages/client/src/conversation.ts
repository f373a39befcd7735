// Conversations: the record the cache keeps per peer, and the Conversation object apps see.
import { TYPES } from './constants.js';
import { messageForShow, type Message } from './message.js';

/** A conversation as the local cache stores it. */
export interface ConversationRecord {
  peer: string;
  /** unreadCount: messages counted here plus `uncachedUnread`. */
  unread: number;
  /** Unread messages the server counted that this cache holds no copy of (from a snapshot). */
  uncachedUnread: number;
  /** Incoming messages with time ≤ readTime are read. */
  readTime: number;
  /** The peer has read my messages up to this time. */
  peerReadTime: number;
  lastMessageID: string | null;
  /** Unix seconds of the last change, for ordering. */
  updatedAt: number;
  /** Server time of the snapshot this conversation came from (0: built from events). */
  snapshotAt: number;
}

export const newConversationRecord = (peer: string): ConversationRecord => ({
  peer,
  unread: 0,
  uncachedUnread: 0,
  readTime: 0,
  peerReadTime: 0,
  lastMessageID: null,
  updatedAt: 0,
  snapshotAt: 0,
});

export interface LastMessage {
  lastTime: number;
  lastSequence: number;
  fromAccount: string;
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  payload: any;
  messageForShow: string;
  isRevoked: boolean;
  revoker: string | null;
  isPeerRead: boolean;
  cloudCustomData: string;
  nick: string;
  nameCard: string;
  version: number;
  onlineOnlyFlag: boolean;
}

export interface Profile {
  userID: string;
  nick: string;
  avatar: string;
  [more: string]: unknown;
}

export interface Conversation {
  conversationID: string;
  type: string;
  subType: string;
  unreadCount: number;
  lastMessage: LastMessage;
  userProfile: Profile;
  peerReadTime: number;
  remark: string;
  isPinned: boolean;
  messageRemindType: string;
  markList: number[];
  customData: string;
  conversationGroupList: string[];
  draftText: string;
  groupProfile: undefined;
  groupAtInfoList: unknown[];
}

export const conversationIDOf = (peer: string): string => `${TYPES.CONV_C2C}${peer}`;

/** The peer of a C2C conversationID, or undefined when it is not one. */
export function peerOfConversationID(conversationID: unknown): string | undefined {
  if (typeof conversationID !== 'string' || !conversationID.startsWith(TYPES.CONV_C2C)) return undefined;
  const peer = conversationID.slice(TYPES.CONV_C2C.length);
  return peer.length > 0 ? peer : undefined;
}

export function buildLastMessage(m: Message | undefined): LastMessage {
  if (!m) {
    return {
      lastTime: 0,
      lastSequence: 0,
      fromAccount: '',
      type: '',
      payload: null,
      messageForShow: '',
      isRevoked: false,
      revoker: null,
      isPeerRead: false,
      cloudCustomData: '',
      nick: '',
      nameCard: '',
      version: 0,
      onlineOnlyFlag: false,
    };
  }
  return {
    lastTime: m.time,
    lastSequence: m.sequence,
    fromAccount: m.from,
    type: m.type,
    payload: m.isRevoked ? { ...m.payload } : m.payload,
    messageForShow: messageForShow(m),
    isRevoked: m.isRevoked,
    revoker: m.isRevoked ? m.revoker : null,
    isPeerRead: m.flow === 'out' && m.isPeerRead,
    cloudCustomData: m.cloudCustomData,
    nick: m.nick,
    nameCard: m.nameCard,
    version: m.version,
    onlineOnlyFlag: false,
  };
}

export function buildConversation(r: ConversationRecord, last: Message | undefined): Conversation {
  return {
    conversationID: conversationIDOf(r.peer),
    type: TYPES.CONV_C2C,
    subType: '',
    unreadCount: r.unread,
    lastMessage: buildLastMessage(last),
    userProfile: { userID: r.peer, nick: '', avatar: '' },
    peerReadTime: r.peerReadTime,
    remark: '',
    isPinned: false,
    messageRemindType: TYPES.MSG_REMIND_ACPT_AND_NOTE,
    markList: [],
    customData: '',
    conversationGroupList: [],
    draftText: '',
    groupProfile: undefined,
    groupAtInfoList: [],
  };
}

/** Pinned first, then by last-message time (or last change), newest first. */
export function sortConversations(list: Conversation[], updatedAt: (c: Conversation) => number): Conversation[] {
  return list.sort((a, b) => {
    if (a.isPinned !== b.isPinned) return a.isPinned ? -1 : 1;
    const ta = a.lastMessage.lastTime || updatedAt(a);
    const tb = b.lastMessage.lastTime || updatedAt(b);
    if (ta !== tb) return tb - ta;
    return a.conversationID < b.conversationID ? -1 : a.conversationID > b.conversationID ? 1 : 0;
  });
}
