// The SDK's Message and its two other forms: the REST MsgBody on the wire and the record in the
// local cache. A message's ID is `${from}_${to}_${seq}_${random}`, the same on every device.
import { TYPES } from './constants.js';
import { msgKeyOf, type WireElement, type WireMessage } from '@parley/protocol';

export type MessageFlow = 'in' | 'out';
export type MessageStatus = 'unSend' | 'success' | 'fail';

export interface MessageElement {
  type: string;
  content: Record<string, unknown>;
}

export interface TextPayload {
  text: string;
}
export interface CustomPayload {
  data: string;
  description: string;
  extension: string;
}
export interface FacePayload {
  index: number;
  data: string;
}
export interface LocationPayload {
  description: string;
  longitude: number;
  latitude: number;
}

export interface RevokerInfo {
  userID: string;
  nick: string;
  avatar: string;
}

/** Bookkeeping the app never sees: kept beside each Message, persisted in its record. */
export interface MessageMeta {
  /** Counts toward the recipient's unread (false for NoUnread, online-only and imported-as-read). */
  countsUnread: boolean;
  /** This message currently contributes 1 to its conversation's unreadCount. */
  unreadCounted: boolean;
  /** The seq of the event that delivered it (0: it came from history, a snapshot or this device). */
  eventSeq: number;
  onlineOnly: boolean;
  elements: MessageElement[];
}

const metas = new WeakMap<Message, MessageMeta>();

export function metaOf(m: Message): MessageMeta {
  let meta = metas.get(m);
  if (!meta) {
    meta = { countsUnread: true, unreadCounted: false, eventSeq: 0, onlineOnly: false, elements: [] };
    metas.set(m, meta);
  }
  return meta;
}

export class Message {
  ID = '';
  type = '';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  payload: any = {};
  conversationID = '';
  conversationType = TYPES.CONV_C2C as string;
  conversationSubType = '';
  to = '';
  from = '';
  flow: MessageFlow = 'out';
  time = 0;
  status: MessageStatus = 'unSend';
  isRevoked = false;
  revoker = '';
  revokerInfo: RevokerInfo = { userID: '', nick: '', avatar: '' };
  revokeReason = '';
  isPeerRead = false;
  isRead = false;
  sequence = 0;
  random = 0;
  clientSequence = 0;
  clientTime = 0;
  cloudCustomData = '';
  nick = '';
  avatar = '';
  nameCard = '';
  isDeleted = false;
  isModified = false;
  version = 0;
  needReadReceipt = false;
  readReceiptInfo = { readCount: 0, unreadCount: 1, isPeerRead: false, timestamp: 0 };
  hasRiskContent = false;
  priority = TYPES.MSG_PRIORITY_NORMAL as string;
  atUserList: string[] = [];
  isBroadcastMessage = false;
  isSupportExtension = false;
  isResend = false;
  isSystemMessage = false;
  protocol = 'JSON';
  senderTinyID = '';
  level = 0;

  /** The message's elements, `[{ type, content }]` (payload is the first one's content). */
  getElements(): MessageElement[] {
    return metaOf(this).elements;
  }

  get elements(): MessageElement[] {
    return metaOf(this).elements;
  }
}

export const messageID = (from: string, to: string, seq: number, random: number): string =>
  `${from}_${to}_${seq}_${random}`;

export const wireMessageID = (w: Pick<WireMessage, 'from' | 'to' | 'seq' | 'random'>): string =>
  messageID(w.from, w.to, w.seq, w.random);

/** The MsgKey the server knows the message by. */
export const msgKeyOfMessage = (m: Message): string => msgKeyOf({ seq: m.sequence, random: m.random, time: m.time });

export const peerOf = (m: { from: string; to: string }, me: string): string => (m.from === me ? m.to : m.from);

export function randomU32(): number {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.getRandomValues) return c.getRandomValues(new Uint32Array(1))[0]!;
  return Math.floor(Math.random() * 4294967296);
}

// ---- elements ---------------------------------------------------------------------------------

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** A REST element as the SDK's `{ type, content }` (content is what `payload` holds). */
export function elementFromWire(el: WireElement): MessageElement {
  const c = el.MsgContent ?? {};
  switch (el.MsgType) {
    case TYPES.MSG_TEXT:
      return { type: el.MsgType, content: { text: str(c.Text) } };
    case TYPES.MSG_CUSTOM:
      return { type: el.MsgType, content: { data: str(c.Data), description: str(c.Desc), extension: str(c.Ext) } };
    case TYPES.MSG_FACE:
      return { type: el.MsgType, content: { index: num(c.Index), data: str(c.Data) } };
    case TYPES.MSG_LOCATION:
      return {
        type: el.MsgType,
        content: { description: str(c.Desc), longitude: num(c.Longitude), latitude: num(c.Latitude) },
      };
    case TYPES.MSG_IMAGE:
      return {
        type: el.MsgType,
        content: {
          uuid: str(c.UUID),
          imageFormat: num(c.ImageFormat),
          imageInfoArray: (Array.isArray(c.ImageInfoArray) ? c.ImageInfoArray : []).map(
            (i: Record<string, unknown>) => ({
              type: num(i?.Type),
              size: num(i?.Size),
              width: num(i?.Width),
              height: num(i?.Height),
              url: str(i?.URL),
              imageUrl: str(i?.URL),
            }),
          ),
        },
      };
    case TYPES.MSG_AUDIO:
      return {
        type: el.MsgType,
        content: {
          uuid: str(c.UUID),
          url: str(c.Url),
          remoteAudioUrl: str(c.Url),
          size: num(c.Size),
          second: num(c.Second),
          downloadFlag: num(c.Download_Flag),
        },
      };
    case TYPES.MSG_FILE:
      return {
        type: el.MsgType,
        content: {
          uuid: str(c.UUID),
          fileUrl: str(c.Url),
          fileSize: num(c.FileSize),
          fileName: str(c.FileName),
          downloadFlag: num(c.Download_Flag),
        },
      };
    case TYPES.MSG_VIDEO:
      return {
        type: el.MsgType,
        content: {
          videoUUID: str(c.VideoUUID),
          videoUrl: str(c.VideoUrl),
          remoteVideoUrl: str(c.VideoUrl),
          videoSize: num(c.VideoSize),
          videoSecond: num(c.VideoSecond),
          videoFormat: str(c.VideoFormat),
          videoDownloadFlag: num(c.VideoDownloadFlag),
          thumbUUID: str(c.ThumbUUID),
          thumbUrl: str(c.ThumbUrl),
          thumbSize: num(c.ThumbSize),
          thumbWidth: num(c.ThumbWidth),
          thumbHeight: num(c.ThumbHeight),
          thumbFormat: str(c.ThumbFormat),
          thumbDownloadFlag: num(c.ThumbDownloadFlag),
        },
      };
    case TYPES.MSG_MERGER:
      return {
        type: el.MsgType,
        content: {
          title: str(c.Title),
          abstractList: Array.isArray(c.AbstractList) ? c.AbstractList : [],
          compatibleText: str(c.CompatibleText),
          messageNumber: num(c.MsgNum),
          messageList: Array.isArray(c.MsgList) ? c.MsgList : [],
          downloadKey: str(c.JsonMsgKey),
        },
      };
    default:
      return { type: String(el.MsgType), content: { ...c } };
  }
}

/** An element the SDK creates, in REST form. */
export function elementToWire(el: MessageElement): WireElement {
  const c = el.content;
  switch (el.type) {
    case TYPES.MSG_TEXT:
      return { MsgType: el.type, MsgContent: { Text: c.text } };
    case TYPES.MSG_CUSTOM:
      return { MsgType: el.type, MsgContent: { Data: c.data, Desc: c.description, Ext: c.extension } };
    case TYPES.MSG_FACE:
      return { MsgType: el.type, MsgContent: { Index: c.index, Data: c.data } };
    case TYPES.MSG_LOCATION:
      return { MsgType: el.type, MsgContent: { Desc: c.description, Longitude: c.longitude, Latitude: c.latitude } };
    default:
      throw new Error(`${el.type} messages cannot be sent by this SDK`);
  }
}

/** The payload a recalled message keeps: the type's fields, all empty. */
export function blankPayload(type: string): Record<string, unknown> {
  switch (type) {
    case TYPES.MSG_TEXT:
      return { text: '' };
    case TYPES.MSG_CUSTOM:
      return { data: '', description: '', extension: '' };
    case TYPES.MSG_FACE:
      return { index: 0, data: '' };
    case TYPES.MSG_LOCATION:
      return { description: '', longitude: 0, latitude: 0 };
    default:
      return {};
  }
}

export function setElements(m: Message, elements: MessageElement[]): void {
  metaOf(m).elements = elements;
  const first = elements[0];
  if (first) {
    m.type = first.type;
    m.payload = first.content;
  } else {
    if (!m.type) m.type = TYPES.MSG_TEXT;
    m.payload = blankPayload(m.type);
  }
}

// ---- previews -----------------------------------------------------------------------------------

/** English labels of Tencent's international build (client-sdk.md §5.3). */
const LABELS: Record<string, string> = {
  TIMCustomElem: '[Custom Messages]',
  TIMFaceElem: '[Animated Sticker]',
  TIMLocationElem: '[Location]',
  TIMImageElem: '[Image]',
  TIMSoundElem: '[Voice]',
  TIMVideoFileElem: '[Video]',
  TIMFileElem: '[File]',
  TIMRelayElem: '[Chat Record]',
};

/** What a conversation shows for a recalled last message; never the recalled content. */
export const RECALLED_LABEL = '[Message Recalled]';

export function messageForShow(m: Message): string {
  if (m.isRevoked) return RECALLED_LABEL;
  return m
    .getElements()
    .map((el) => (el.type === TYPES.MSG_TEXT ? str(el.content.text) : (LABELS[el.type] ?? '')))
    .join('');
}

// ---- building and updating ----------------------------------------------------------------------

/** Erases the content for good: payload emptied, elements and cloudCustomData cleared. */
export function eraseContent(m: Message, by: string): void {
  metaOf(m).elements = [];
  m.payload = blankPayload(m.type || TYPES.MSG_TEXT);
  if (!m.type) m.type = TYPES.MSG_TEXT;
  m.cloudCustomData = '';
  m.isRevoked = true;
  m.revoker = by;
  m.revokerInfo = { userID: by, nick: '', avatar: '' };
  m.revokeReason = '';
}

function placeIn(m: Message, me: string): void {
  m.flow = m.from === me ? 'out' : 'in';
  m.conversationID = `${TYPES.CONV_C2C}${peerOf(m, me)}`;
  m.conversationType = TYPES.CONV_C2C;
}

/** A Message for a wire message never seen before. */
export function messageFromWire(w: WireMessage, me: string): Message {
  const m = new Message();
  m.from = w.from;
  m.to = w.to;
  placeIn(m, me);
  m.ID = wireMessageID(w);
  m.clientSequence = w.seq;
  m.clientTime = w.time;
  m.isRead = m.flow === 'out';
  mergeWire(m, w);
  return m;
}

/**
 * Takes the server's view of a message into an existing Message. Content recalled once never
 * comes back: a recalled message stays erased whatever an older copy on the wire says.
 */
export function mergeWire(m: Message, w: WireMessage): void {
  const meta = metaOf(m);
  m.sequence = w.seq;
  m.random = w.random;
  m.time = w.time;
  m.status = 'success';
  if (w.recalled) {
    if (!m.isRevoked) {
      const body = w.body ?? [];
      if (!m.type && body[0]) m.type = body[0].MsgType;
      eraseContent(m, w.recalled.by);
    }
  } else if (!m.isRevoked) {
    setElements(m, (w.body ?? []).map(elementFromWire));
    m.cloudCustomData = typeof w.cloudCustomData === 'string' ? w.cloudCustomData : '';
  }
  if (w.isPeerRead === true && m.flow === 'out') {
    m.isPeerRead = true;
    m.readReceiptInfo = { ...m.readReceiptInfo, isPeerRead: true, readCount: 1, unreadCount: 0 };
  }
  m.needReadReceipt = w.needReadReceipt === true;
  m.isSupportExtension = w.supportExtension === true;
  meta.onlineOnly = w.onlineOnly === true;
  meta.countsUnread = w.countsUnread !== false && !meta.onlineOnly;
}

export interface CreateContext {
  me: string;
  /** Server-corrected now, seconds. */
  now: number;
}

export interface CreateMessageOptions<P> {
  to: string;
  conversationType: string;
  payload: P;
  cloudCustomData?: string;
  needReadReceipt?: boolean;
  /** The message may carry extensions (setMessageExtensions). */
  isSupportExtension?: boolean;
  priority?: string;
  [more: string]: unknown;
}

/** A new outgoing message, `status: 'unSend'`, ready to be sent. */
export function newOutgoingMessage(
  element: MessageElement,
  options: CreateMessageOptions<unknown>,
  ctx: CreateContext,
): Message {
  const m = new Message();
  m.from = ctx.me;
  m.to = options.to;
  placeIn(m, ctx.me);
  m.sequence = randomU32();
  m.clientSequence = m.sequence;
  m.random = randomU32();
  m.ID = messageID(m.from, m.to, m.sequence, m.random);
  m.time = ctx.now;
  m.clientTime = ctx.now;
  m.isRead = true;
  m.cloudCustomData = typeof options.cloudCustomData === 'string' ? options.cloudCustomData : '';
  m.needReadReceipt = options.needReadReceipt === true;
  m.isSupportExtension = options.isSupportExtension === true;
  if (typeof options.priority === 'string') m.priority = options.priority;
  setElements(m, [element]);
  return m;
}

// ---- cache records --------------------------------------------------------------------------

/** A message as the local cache stores it. A recalled one has no elements and no cloudCustomData. */
export interface MessageRecord {
  ID: string;
  from: string;
  to: string;
  seq: number;
  random: number;
  time: number;
  clientTime: number;
  type: string;
  elements: MessageElement[];
  cloudCustomData: string;
  revoked: { by: string } | null;
  isPeerRead: boolean;
  isRead: boolean;
  needReadReceipt: boolean;
  /** Absent in records written before extensions. */
  supportExtension?: boolean;
  isModified: boolean;
  version: number;
  countsUnread: boolean;
  unreadCounted: boolean;
  eventSeq: number;
  onlineOnly: boolean;
}

export function toRecord(m: Message): MessageRecord {
  const meta = metaOf(m);
  return {
    ID: m.ID,
    from: m.from,
    to: m.to,
    seq: m.sequence,
    random: m.random,
    time: m.time,
    clientTime: m.clientTime,
    type: m.type,
    elements: m.isRevoked ? [] : meta.elements.map((e) => ({ type: e.type, content: { ...e.content } })),
    cloudCustomData: m.isRevoked ? '' : m.cloudCustomData,
    revoked: m.isRevoked ? { by: m.revoker } : null,
    isPeerRead: m.isPeerRead,
    isRead: m.isRead,
    needReadReceipt: m.needReadReceipt,
    supportExtension: m.isSupportExtension,
    isModified: m.isModified,
    version: m.version,
    countsUnread: meta.countsUnread,
    unreadCounted: meta.unreadCounted,
    eventSeq: meta.eventSeq,
    onlineOnly: meta.onlineOnly,
  };
}

export function fromRecord(r: MessageRecord, me: string): Message {
  const m = new Message();
  m.ID = r.ID;
  m.from = r.from;
  m.to = r.to;
  placeIn(m, me);
  m.sequence = r.seq;
  m.clientSequence = r.seq;
  m.random = r.random;
  m.time = r.time;
  m.clientTime = r.clientTime;
  m.status = 'success';
  m.type = r.type;
  if (r.revoked) {
    eraseContent(m, r.revoked.by);
  } else {
    setElements(m, r.elements);
    m.cloudCustomData = r.cloudCustomData;
  }
  m.isPeerRead = r.isPeerRead;
  if (r.isPeerRead) m.readReceiptInfo = { ...m.readReceiptInfo, isPeerRead: true, readCount: 1, unreadCount: 0 };
  m.isRead = r.isRead;
  m.needReadReceipt = r.needReadReceipt;
  m.isSupportExtension = r.supportExtension === true;
  m.isModified = r.isModified;
  m.version = r.version;
  const meta = metaOf(m);
  meta.countsUnread = r.countsUnread;
  meta.unreadCounted = r.unreadCounted;
  meta.eventSeq = r.eventSeq;
  meta.onlineOnly = r.onlineOnly;
  return m;
}
