// Prometheus metrics, served at GET /metrics. One registry per server instance, so tests that
// run several servers in one process do not share counters.
import { Counter, Registry } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  /** Third-party callbacks by command and outcome: sent, failed, retried, given_up. */
  readonly callbacks = new Counter({
    name: 'parley_callbacks_total',
    help: 'Third-party callbacks by command and outcome (sent, failed, retried, given_up)',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });
}
