// The domain services one server (or one test) runs with, wired to its ports. The edges (REST,
// gateway) reach the store only through these.
import type { Bus } from '../ports/bus.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { Presence } from '../ports/presence.js';
import { AccountService } from './accounts.js';
import { ProfileService } from './profiles.js';
import type { AppDirectory } from './apps.js';
import { MessageService } from './messages.js';
import { ConversationService } from './conversations.js';
import { ExtensionService } from './extensions.js';
import { CallbackService } from './callbacks.js';
import { SyncService } from './sync.js';
import { RecallAudit } from './recall-audit.js';
import { MuteService } from './mutes.js';
import { ReadReceiptService } from './read-receipts.js';
import type { WebhookTransport } from '../ports/webhooks.js';
import { Metrics } from '../observability/metrics.js';
import { timedStore } from '../observability/timed-store.js';

export interface Services {
  apps: AppDirectory;
  accounts: AccountService;
  profiles: ProfileService;
  messages: MessageService;
  /** Global mute (setnospeaking / getnospeaking). */
  mutes: MuteService;
  receipts: ReadReceiptService;
  conversations: ConversationService;
  extensions: ExtensionService;
  sync: SyncService;
  recallAudit: RecallAudit;
  clock: Clock;
  bus: Bus;
  /** Who is connected (the client gateway's sessions), for query_online_status. */
  presence: Presence;
  callbacks: CallbackService;
  metrics: Metrics;
}

export interface ServiceOptions {
  webhooks: WebhookTransport;
  presence: Presence;
  log: { warn(obj: object, msg: string): void };
}

export function createServices(store: Store, clock: Clock, apps: AppDirectory, bus: Bus, o: ServiceOptions): Services {
  const metrics = new Metrics();
  store = timedStore(store, metrics);
  const callbacks = new CallbackService(apps, store, o.webhooks, clock, metrics, o.log);
  return {
    apps,
    accounts: new AccountService(store, clock, bus),
    profiles: new ProfileService(store, callbacks, bus),
    messages: new MessageService(store, clock, bus, callbacks, metrics),
    mutes: new MuteService(store, clock),
    receipts: new ReadReceiptService(store, clock, bus, callbacks),
    conversations: new ConversationService(store, clock, bus),
    extensions: new ExtensionService(store, clock, bus, callbacks),
    sync: new SyncService(store, clock),
    recallAudit: new RecallAudit(store),
    callbacks,
    metrics,
    clock,
    bus,
    presence: o.presence,
  };
}
