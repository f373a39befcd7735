// One load run with autocannon's programmatic API, in this (the parent) process. Latencies are
// recorded here from autocannon's 'response' events at sub-millisecond resolution (autocannon's
// own histogram keeps whole milliseconds), and every response body is checked for success, so a
// server that answered fast with errors cannot look good.
import autocannon from 'autocannon';
import { percentile } from './common.js';

export interface NextRequest {
  path: string;
  body: string;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  pipelining: number;
  /** The next request to send (path with query string, JSON body). */
  next: () => NextRequest;
  /** When it returns true the run stops early (e.g. no recallable message is left). */
  exhausted?: () => boolean;
}

export interface LoadResult {
  /** Responses with HTTP 200 and "ActionStatus":"OK". */
  ok: number;
  /** Responses that were not (HTTP status or body). */
  failed: number;
  firstFailure?: string;
  /** Connection errors and timeouts. */
  errors: number;
  timeouts: number;
  durationS: number;
  /** ok / durationS. */
  rps: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  stoppedEarly: boolean;
}

const OK = '"ActionStatus":"OK"';

export function runLoad(o: LoadOptions): Promise<LoadResult> {
  let ok = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  let stoppedEarly = false;
  let latencies = new Float64Array(1 << 16);
  let n = 0;
  let instance: autocannon.Instance | undefined;
  const started = process.hrtime.bigint();

  return new Promise<LoadResult>((resolve, reject) => {
    instance = autocannon(
      {
        url: o.url,
        connections: o.connections,
        duration: o.seconds,
        pipelining: o.pipelining,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            setupRequest(req) {
              if (o.exhausted?.()) {
                if (!stoppedEarly) {
                  stoppedEarly = true;
                  // Deferred: the first request is built inside autocannon() itself.
                  setImmediate(() => instance?.stop());
                }
              }
              const r = o.next();
              req.path = r.path;
              req.body = r.body;
              return req;
            },
            onResponse(status, body) {
              if (status === 200 && body.includes(OK)) ok++;
              else {
                failed++;
                firstFailure ??= `HTTP ${status}: ${body.slice(0, 300)}`;
              }
            },
          },
        ],
      },
      (err, res) => {
        if (err) return reject(err);
        const durationS = Number(process.hrtime.bigint() - started) / 1e9;
        const sorted = latencies.subarray(0, n).sort();
        let sum = 0;
        for (let i = 0; i < n; i++) sum += sorted[i]!;
        resolve({
          ok,
          failed,
          ...(firstFailure !== undefined ? { firstFailure } : {}),
          errors: res.errors,
          timeouts: res.timeouts,
          durationS,
          rps: ok / durationS,
          latencyMs: {
            mean: n ? sum / n : NaN,
            p50: percentile(sorted, 0.5),
            p90: percentile(sorted, 0.9),
            p99: percentile(sorted, 0.99),
            max: n ? sorted[n - 1]! : NaN,
          },
          stoppedEarly,
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      if (n === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[n++] = responseTime;
    });
  });
}
