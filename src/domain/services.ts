// The domain services one server (or one test) runs with, wired to its ports.
import type { Bus } from '../ports/bus.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { nobodyOnline, type Presence } from '../ports/presence.js';
import { AccountService } from './accounts.js';
import { AppDirectory } from './apps.js';
import { MessageService } from './messages.js';
import { CallbackService } from './callbacks.js';
import type { WebhookTransport } from '../ports/webhooks.js';
import { Metrics } from '../observability/metrics.js';
import { timedStore } from '../observability/timed-store.js';

export interface Services {
  apps: AppDirectory;
  accounts: AccountService;
  messages: MessageService;
  store: Store;
  clock: Clock;
  bus: Bus;
  /** Replaced by the client gateway when it starts. */
  presence: Presence;
  callbacks: CallbackService;
  metrics: Metrics;
}

export interface ServiceOptions {
  webhooks: WebhookTransport;
  log: { warn(obj: object, msg: string): void };
}

export function createServices(store: Store, clock: Clock, apps: AppDirectory, bus: Bus, o: ServiceOptions): Services {
  const metrics = new Metrics();
  store = timedStore(store, metrics);
  const callbacks = new CallbackService(apps, store, o.webhooks, clock, metrics, o.log);
  return {
    apps,
    accounts: new AccountService(store, clock, bus),
    messages: new MessageService(store, clock, bus, callbacks, metrics),
    callbacks,
    metrics,
    store,
    clock,
    bus,
    presence: nobodyOnline,
  };
}
