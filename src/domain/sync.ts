// What a device reads to catch up: its event sequence after a cursor, a page at a time, and the
// conversation list with the event position it reflects.
import type { AppId, ConversationRecord, Store, UserEvent } from '../ports/store.js';
import { nowSeconds, type Clock } from '../ports/clock.js';

export interface EventPage {
  events: UserEvent[];
  /** The page is full: events after its last one may remain. */
  full: boolean;
}

export class SyncService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** The latest seq of the user's sequence (0 when it is empty). */
  lastSeq(app: AppId, user: string): Promise<number> {
    return this.store.lastEventSeq(app, user);
  }

  /** At most `limit` events after `cursor`, oldest first, skipping expired ones. */
  async eventsAfter(app: AppId, user: string, cursor: number, limit: number): Promise<EventPage> {
    const events = await this.store.eventsAfter(app, user, cursor, limit, nowSeconds(this.clock));
    return { events, full: events.length >= limit };
  }

  /** The first `limit` conversations and the seq they reflect, read atomically. */
  snapshot(app: AppId, user: string, limit: number): Promise<{ lastSeq: number; conversations: ConversationRecord[] }> {
    return this.store.conversationSnapshot(app, user, limit);
  }
}
