// The client protocol's wire shapes (docs/client-protocol.md): what the gateway sends and the SDK
// reads, and back. Declared once here, so the server builds against the same types the SDK parses.

export const PROTOCOL_VERSION = 1;
export const GATEWAY_PATH = '/v1/ws';

/** One element of a MsgBody (Tencent's TIMMsgElement): its type and its content. */
export type MsgElement = WireElement;

export interface WireElement {
  MsgType: string;
  MsgContent: Record<string, unknown>;
}

export interface WireMessage {
  from: string;
  to: string;
  seq: number;
  random: number;
  time: number;
  msgKey: string;
  body: WireElement[];
  cloudCustomData: string;
  recalled: { by: string; at: number } | null;
  /** Whether the recipient has read it; sent for messages the logged-in user sent. */
  isPeerRead?: boolean;
  needReadReceipt?: boolean;
  onlineOnly?: boolean;
  /** False for messages that do not count as unread (NoUnread, imported as read); absent = true. */
  countsUnread?: boolean;
  /** Sent with SupportMessageExtension 1: it may carry extensions (ops extSet / extGet). */
  supportExtension?: boolean;
}

/** One extension pair, with the message's version that last wrote it. */
export interface WireExtension {
  key: string;
  value: string;
  seq: number;
}

/** The data of an 'extension' event: one set / delete / clear of a message's extensions. */
export interface ExtensionData {
  from: string;
  to: string;
  msgKey: string;
  operation: 'set' | 'delete' | 'clear';
  /** The message's extension version after the change. */
  seq: number;
  /** Set pairs; deleted ones with value ''; [] for a clear. */
  extensions: WireExtension[];
}

/** extSet: `seq` of each pair is the version of that key the device last saw (0 for a new key). */
export interface ExtensionSetRequest {
  from: string;
  to: string;
  msgKey: string;
  operation: 'set' | 'delete' | 'clear';
  extensions: WireExtension[];
}

export interface ExtensionSetAnswer {
  /** Per requested pair: code 0 and the pair as written, or 23001 and the pair as stored. */
  results: Array<{ code: number; extension: WireExtension }>;
}

export interface ExtensionGetAnswer {
  extensions: WireExtension[];
  complete: boolean;
  latestSeq: number;
  clearSeq: number;
}

export interface RecallData {
  from: string;
  to: string;
  msgKey: string;
  by: string;
  via?: string;
  at: number;
}

export interface ReadData {
  owner: string;
  peer: string;
  readTime: number;
  unread?: number;
}

/** A `receipt` event: `reader` has read these messages `from` sent it (c2c read receipts). */
export interface ReceiptData {
  from: string;
  reader: string;
  msgKeys: string[];
  at: number;
}

/** A 'delete' event: these messages left the owner's view (one-sided delete). */
export interface DeleteData {
  owner: string;
  peer: string;
  messages: Array<{ from: string; to: string; msgKey: string }>;
}

/** A 'conversation_delete' event: the owner's side of the conversation with peer was deleted. */
export interface ConversationDeleteData {
  owner: string;
  peer: string;
  clearHistory: boolean;
}

/** The answer to a deleteMessages request: the messages that left the user's view. */
export interface DeleteMessagesAnswer {
  deleted: Array<{ from: string; to: string; msgKey: string }>;
}

export interface WireEvent {
  seq: number;
  kind: string;
  at: number;
  message?: WireMessage;
  data?: Record<string, unknown>;
  originDevice?: string;
}

export interface WireConversation {
  peer: string;
  unread: number;
  readTime: number;
  peerReadTime: number;
  lastMessage: WireMessage | null;
  updatedAt: number;
}

export interface LoginAnswer {
  serverTime: number;
  deviceId: string;
  lastSeq: number;
}

export interface SyncAnswer {
  lastSeq: number;
  /** The page was bounded: events after it may remain; sync again from the new cursor. */
  more?: boolean;
}

export interface SnapshotAnswer {
  lastSeq: number;
  conversations: WireConversation[];
}

export interface SendRequest {
  to: string;
  random: number;
  seq?: number;
  body: WireElement[];
  cloudCustomData: string;
  onlineOnly: boolean;
  needReadReceipt: boolean;
  noUnread: boolean;
  noLastMsg: boolean;
  supportExtension?: boolean;
}

/** The `receipt` op: read receipts for 1 to 30 messages `peer` sent the logged-in user. */
export interface ReceiptRequest {
  peer: string;
  msgKeys: string[];
}

export interface ReadAnswer {
  unread: number;
  totalUnread: number;
  readTime: number;
}

export interface HistoryAnswer {
  messages: WireMessage[];
  complete: boolean;
}

/** One profile field: a Tencent profile tag (Tag_Profile_IM_Nick, Tag_Profile_Custom_Hobby…) and its value. */
export interface WireProfileItem {
  tag: string;
  /** An integer for uint32 fields, a string otherwise. */
  value: string | number;
}

/** A user's whole profile: every standard field and the custom fields ever set. */
export interface WireProfile {
  userID: string;
  items: WireProfileItem[];
}

/** Answer of getProfiles: the users that exist, others left out. */
export interface ProfilesAnswer {
  profiles: WireProfile[];
}

/** Answer of setProfile: the fields written. */
export interface SetProfileAnswer {
  items: WireProfileItem[];
}
