// The wire shapes of docs/client-protocol.md, as the SDK reads and writes them.

export const PROTOCOL_VERSION = 1;
export const GATEWAY_PATH = '/v1/ws';

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

/** The gateway URL for a server base URL: http(s) becomes ws(s), the path is /v1/ws. */
export function gatewayURL(serverURL: string): string {
  const u = new URL(serverURL);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error(`serverURL must be http(s) or ws(s): ${serverURL}`);
  const path = u.pathname.replace(/\/+$/, '');
  u.pathname = path.endsWith(GATEWAY_PATH) ? path : `${path}${GATEWAY_PATH}`;
  u.search = '';
  u.hash = '';
  return u.toString();
}

/** "{seq}_{random}_{time}" */
export function parseMsgKey(key: string): { seq: number; random: number; time: number } | undefined {
  const m = /^(\d+)_(\d+)_(\d+)$/.exec(key);
  if (!m) return undefined;
  return { seq: Number(m[1]), random: Number(m[2]), time: Number(m[3]) };
}

export const msgKeyOf = (r: { seq: number; random: number; time: number }): string => `${r.seq}_${r.random}_${r.time}`;
