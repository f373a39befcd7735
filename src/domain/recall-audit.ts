// The app's latest recalls, for the console's audit view (Parley's own recall_audit API).
import type { AppId, RecallAuditEntry, Store } from '../ports/store.js';

export class RecallAudit {
  constructor(private readonly store: Store) {}

  /** At most `limit` entries, newest first. */
  latest(app: AppId, limit: number): Promise<RecallAuditEntry[]> {
    return this.store.recallAudit(app, limit);
  }
}
