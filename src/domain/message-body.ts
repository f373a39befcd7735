// MsgBody: an array of TIMMsgElement (spec §5). Validation is shared by every path that stores a
// message (sendmsg, batchsendmsg, importmsg, modify_c2c_msg, client sends, before-send callbacks).
import { ErrorCode } from '@parley/protocol';
import { ApiError } from './errors.js';
import type { MsgElement } from '@parley/protocol';

export type { MsgElement };

type FieldType = 'string' | 'number' | 'integer' | 'array';
interface ElemRule {
  required: Record<string, FieldType>;
  optional: Record<string, FieldType>;
}

// A Map, so a MsgType such as "constructor" or "__proto__" finds no rule through Object.prototype.
const RULES = new Map<string, ElemRule>(
  Object.entries<ElemRule>({
    TIMTextElem: { required: { Text: 'string' }, optional: {} },
    TIMLocationElem: { required: { Latitude: 'number', Longitude: 'number' }, optional: { Desc: 'string' } },
    TIMFaceElem: { required: { Index: 'integer' }, optional: { Data: 'string' } },
    TIMCustomElem: { required: {}, optional: { Data: 'string', Desc: 'string', Ext: 'string', Sound: 'string' } },
    TIMSoundElem: {
      required: { UUID: 'string' },
      optional: { Url: 'string', Size: 'integer', Second: 'integer', Download_Flag: 'integer' },
    },
    TIMImageElem: { required: { UUID: 'string', ImageInfoArray: 'array' }, optional: { ImageFormat: 'integer' } },
    TIMFileElem: {
      required: { UUID: 'string' },
      optional: { Url: 'string', FileSize: 'integer', FileName: 'string', Download_Flag: 'integer' },
    },
    TIMVideoFileElem: {
      required: { VideoUUID: 'string', ThumbUUID: 'string' },
      optional: {
        VideoUrl: 'string',
        VideoSize: 'integer',
        VideoSecond: 'integer',
        VideoFormat: 'string',
        VideoDownloadFlag: 'integer',
        ThumbUrl: 'string',
        ThumbSize: 'integer',
        ThumbWidth: 'integer',
        ThumbHeight: 'integer',
        ThumbFormat: 'string',
        ThumbDownloadFlag: 'integer',
      },
    },
    TIMRelayElem: {
      required: {},
      optional: {
        Title: 'string',
        MsgNum: 'integer',
        CompatibleText: 'string',
        AbstractList: 'array',
        MsgList: 'array',
        JsonMsgKey: 'string',
      },
    },
  }),
);

export const MSG_TYPES = [...RULES.keys()];

function isType(v: unknown, t: FieldType): boolean {
  switch (t) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'array':
      return Array.isArray(v);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates MsgBody and returns it typed. Codes: 90007 not an array; 90002 an element that is not
 * {MsgType, MsgContent}, an unknown MsgType, an empty body or more than one TIMCustomElem;
 * 90010 a MsgContent field missing or of the wrong type.
 */
export function validateMsgBody(body: unknown): MsgElement[] {
  if (!Array.isArray(body))
    throw new ApiError(ErrorCode.MSG_BODY_NOT_ARRAY, 'MsgBody must be an array of message elements');
  if (body.length === 0)
    throw new ApiError(ErrorCode.MSG_BODY_INVALID, 'MsgBody must hold at least one message element');
  let custom = 0;
  body.forEach((el, i) => {
    if (!isObject(el))
      throw new ApiError(ErrorCode.MSG_BODY_INVALID, `MsgBody[${i}] must be an object with MsgType and MsgContent`);
    const type = el.MsgType;
    if (typeof type !== 'string')
      throw new ApiError(ErrorCode.MSG_BODY_INVALID, `MsgBody[${i}].MsgType must be a string`);
    const rule = RULES.get(type);
    if (!rule)
      throw new ApiError(
        ErrorCode.MSG_BODY_INVALID,
        `MsgBody[${i}].MsgType ${JSON.stringify(type).slice(0, 40)} is not a known message element type`,
      );
    const content = el.MsgContent;
    if (!isObject(content))
      throw new ApiError(ErrorCode.MSG_BODY_INVALID, `MsgBody[${i}].MsgContent must be an object`);
    if (type === 'TIMCustomElem' && ++custom > 1)
      throw new ApiError(ErrorCode.MSG_BODY_INVALID, 'a message may hold at most one TIMCustomElem');
    for (const [name, t] of Object.entries(rule.required)) {
      if (!Object.hasOwn(content, name))
        throw new ApiError(ErrorCode.MSG_ELEMENT_INVALID, `MsgBody[${i}] ${type} needs MsgContent.${name}`);
      if (!isType(content[name], t))
        throw new ApiError(
          ErrorCode.MSG_ELEMENT_INVALID,
          `MsgBody[${i}] ${type} MsgContent.${name} must be ${article(t)}`,
        );
    }
    for (const [name, t] of Object.entries(rule.optional)) {
      if (content[name] !== undefined && !isType(content[name], t)) {
        throw new ApiError(
          ErrorCode.MSG_ELEMENT_INVALID,
          `MsgBody[${i}] ${type} MsgContent.${name} must be ${article(t)}`,
        );
      }
    }
    if (type === 'TIMImageElem') validateImageInfo(content.ImageInfoArray as unknown[], i);
  });
  return body as MsgElement[];
}

function validateImageInfo(items: unknown[], i: number): void {
  items.forEach((info, j) => {
    if (!isObject(info))
      throw new ApiError(
        ErrorCode.MSG_ELEMENT_INVALID,
        `MsgBody[${i}] TIMImageElem ImageInfoArray[${j}] must be an object`,
      );
    for (const f of ['Type', 'Size', 'Width', 'Height']) {
      if (info[f] !== undefined && !isType(info[f], 'integer'))
        throw new ApiError(
          ErrorCode.MSG_ELEMENT_INVALID,
          `MsgBody[${i}] TIMImageElem ImageInfoArray[${j}].${f} must be an integer`,
        );
    }
    if (info.URL !== undefined && typeof info.URL !== 'string')
      throw new ApiError(
        ErrorCode.MSG_ELEMENT_INVALID,
        `MsgBody[${i}] TIMImageElem ImageInfoArray[${j}].URL must be a string`,
      );
  });
}

const article = (t: FieldType): string => (t === 'integer' || t === 'array' ? `an ${t}` : `a ${t}`);
