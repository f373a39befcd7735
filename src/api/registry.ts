// The handler registry: every REST API is one entry keyed by "service/command". The edge looks
// APIs up here; the catalogue (README, console) is generated from here. Adding an API never
// touches the edge.
import { ErrorCode } from '@parley/protocol';
import type { AppConfig } from '../domain/app-settings.js';
import type { Services } from '../domain/services.js';
import type { Fields } from './fields.js';

/**
 * The REST families differ in the codes they use for the same failures
 * (openim: 90001/90009/91000; im_open_login_svc: 60003/70403/70500; profile: 40001/40004/40006;
 * openim_msg_ext_http_svc: 10004/60010/10002; …).
 */
export type ApiFamily = 'openim' | 'account' | 'profile' | 'openconfigsvr' | 'recentcontact' | 'msgext';

export interface FamilyCodes {
  badJson: number;
  notAdmin: number;
  internal: number;
  tooLong: number;
  /** Fields every answer of the family carries besides ActionStatus/ErrorCode/ErrorInfo. */
  envelope?: Record<string, unknown>;
}

export const FAMILY_CODES: Record<ApiFamily, FamilyCodes> = {
  openim: {
    badJson: ErrorCode.MSG_JSON_INVALID,
    notAdmin: ErrorCode.MSG_NOT_ADMIN,
    internal: ErrorCode.MSG_INTERNAL_ERROR,
    tooLong: ErrorCode.MSG_TOO_LONG,
  },
  account: {
    badJson: ErrorCode.BODY_NOT_JSON,
    notAdmin: ErrorCode.ACCOUNT_NOT_ADMIN,
    internal: ErrorCode.ACCOUNT_INTERNAL_ERROR,
    tooLong: ErrorCode.ACCOUNT_INVALID_PARAMETER,
  },
  profile: {
    badJson: ErrorCode.PROFILE_INVALID_PARAMETER,
    notAdmin: ErrorCode.PROFILE_NOT_ADMIN,
    internal: ErrorCode.PROFILE_INTERNAL_ERROR,
    tooLong: ErrorCode.PROFILE_INVALID_PARAMETER,
    envelope: { ErrorDisplay: '' },
  },
  // Global mute: no not-admin code is documented, so the public "needs app admin" one; a body over
  // the limit is as unreadable as one that is not JSON.
  openconfigsvr: {
    badJson: ErrorCode.CONFIG_JSON_INVALID,
    notAdmin: ErrorCode.ADMIN_REQUIRED,
    internal: ErrorCode.CONFIG_SYSTEM_ERROR,
    tooLong: ErrorCode.CONFIG_JSON_INVALID,
  },
  // recentcontact answers carry ErrorDisplay (text for end users), "" unless there is one.
  recentcontact: {
    badJson: ErrorCode.CONVERSATION_INVALID_PARAMETER,
    notAdmin: ErrorCode.CONVERSATION_NOT_ADMIN,
    internal: ErrorCode.CONVERSATION_INTERNAL_ERROR,
    tooLong: ErrorCode.CONVERSATION_INVALID_PARAMETER,
    envelope: { ErrorDisplay: '' },
  },
  // openim_msg_ext_http_svc documents no admin code (60010, the public one) and one parameter code.
  msgext: {
    badJson: ErrorCode.EXT_INVALID_PARAMETER,
    notAdmin: ErrorCode.ADMIN_REQUIRED,
    internal: ErrorCode.EXT_INTERNAL_ERROR,
    tooLong: ErrorCode.EXT_INVALID_PARAMETER,
  },
};

export interface ApiContext {
  app: AppConfig;
  /** The authenticated admin identifier from the URL. */
  identifier: string;
  services: Services;
  requestId: string;
  clientIp: string;
}

/** What a handler returns: the API's own fields; ActionStatus/ErrorCode/ErrorInfo default to success. */
export type ApiResult = Record<string, unknown>;

export interface ApiDefinition {
  service: string;
  command: string;
  summary: string;
  family: ApiFamily;
  /** Tencent's documented calls per second per app. */
  rateLimit: number;
  /** Request bodies larger than this get the family's "too long" code (93000 for messages). */
  maxBodyBytes?: number;
  /** Where the wire format is written down. */
  spec: string;
  fields: Fields;
  /** ErrorCodes this API can answer with (beyond the edge's common ones), for the catalogue. */
  errors: number[];
  sample: Record<string, unknown>;
  /** Runs before field validation, e.g. to accept a legacy field name. */
  normalize?(body: Record<string, unknown>): void;
  handle(ctx: ApiContext, body: Record<string, unknown>): Promise<ApiResult>;
}

export class ApiRegistry {
  private readonly apis = new Map<string, ApiDefinition>();

  add(...defs: ApiDefinition[]): this {
    for (const d of defs) {
      const key = `${d.service}/${d.command}`;
      if (this.apis.has(key)) throw new Error(`API ${key} registered twice`);
      this.apis.set(key, d);
    }
    return this;
  }

  get(service: string, command: string): ApiDefinition | undefined {
    return this.apis.get(`${service}/${command}`);
  }

  list(): ApiDefinition[] {
    return [...this.apis.values()];
  }
}
