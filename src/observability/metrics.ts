// Prometheus metrics, served at GET /metrics. One registry per server instance, so tests that
// run several servers in one process do not share counters. Label values are never client text:
// an API label is a registered "service/command" (or "unknown"), a code is a number.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds; REST calls and store calls are mostly sub-millisecond to tens of milliseconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class Metrics {
  readonly registry = new Registry();
  /** Third-party callbacks by command and outcome: sent, failed, retried, given_up. */
  readonly callbacks = new Counter({
    name: 'parley_callbacks_total',
    help: 'Third-party callbacks by command and outcome (sent, failed, retried, given_up)',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });
  /** REST calls by API and the envelope's ErrorCode. */
  readonly httpRequests = new Counter({
    name: 'parley_http_requests_total',
    help: 'HTTP requests by API ("service/command", "unknown" or "other" for non-API paths) and ErrorCode',
    labelNames: ['api', 'code'] as const,
    registers: [this.registry],
  });
  readonly httpLatency = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'HTTP request time from the first byte read to the response written, by API',
    labelNames: ['api'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  /** Open client WebSocket sessions: the gateway calls inc() when one starts and dec() when it ends. */
  readonly wsSessions = new Gauge({
    name: 'parley_ws_sessions',
    help: 'Open client WebSocket sessions',
    registers: [this.registry],
  });
  readonly recalls = new Counter({
    name: 'parley_recalls_total',
    help: 'Messages recalled, by who asked: via=admin (REST) or via=client (the sender)',
    labelNames: ['via'] as const,
    registers: [this.registry],
  });
  readonly storeLatency = new Histogram({
    name: 'parley_store_call_duration_seconds',
    help: 'Time of each Store call made by the domain, by method and outcome (ok, error)',
    labelNames: ['method', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    // Process CPU, memory, event-loop lag, GC and handles, prefixed as prom-client names them.
    collectDefaultMetrics({ register: this.registry });
  }
}
