// Parley's own REST APIs (not Tencent's): same URL, authentication and envelope as the v4 APIs,
// under the service name "parley". The web console's recall audit view reads recall_audit.
import { ErrorCode } from '@parley/protocol';
import type { ApiDefinition } from './registry.js';

export const RECALL_AUDIT_DEFAULT_LIMIT = 100;
export const RECALL_AUDIT_MAX_LIMIT = 1000;

export const parleyApis: ApiDefinition[] = [
  {
    service: 'parley',
    command: 'recall_audit',
    family: 'openim',
    summary: 'Parley API: the latest recalls of the app (admin or sender, newest first), for auditing.',
    rateLimit: 100,
    spec: 'README.md § Web console (a Parley API)',
    fields: {
      Limit: {
        type: 'integer',
        min: 1,
        max: RECALL_AUDIT_MAX_LIMIT,
        code: ErrorCode.MSG_JSON_INVALID,
        doc: `Entries at most, newest first; default ${RECALL_AUDIT_DEFAULT_LIMIT}, at most ${RECALL_AUDIT_MAX_LIMIT}.`,
      },
    },
    errors: [ErrorCode.MSG_JSON_INVALID, ErrorCode.MSG_NOT_ADMIN, ErrorCode.MSG_INTERNAL_ERROR],
    sample: { Limit: 20 },
    async handle(ctx, b) {
      const limit = (b.Limit as number | undefined) ?? RECALL_AUDIT_DEFAULT_LIMIT;
      const list = await ctx.services.recallAudit.latest(ctx.app.sdkAppId, limit);
      return {
        AuditList: list.map((e) => ({
          From_Account: e.from,
          To_Account: e.to,
          MsgKey: e.msgKey,
          By: e.by,
          Via: e.via,
          At: e.at,
        })),
      };
    },
  },
];
