// What the metrics add to one sendmsg, measured in isolation (the full REST benchmark cannot see a
// few microseconds on a busy machine): the per-request counter and histogram of the HTTP edge and
// the timing Proxy around each Store call (a sendmsg makes about three), each against the same
// work without them. Prints CPU µs per request-equivalent. `node dist/bench/metrics-cost.js`
import { cpuUsage } from 'node:process';
import { Metrics } from '../src/observability/metrics.js';
import { timedStore } from '../src/observability/timed-store.js';
import type { Store } from '../src/ports/store.js';

const N = Number(process.env.METRICS_COST_N ?? 300_000);
const STORE_CALLS_PER_SEND = 3;

async function cpuMicros(fn: () => Promise<void> | void): Promise<number> {
  const start = cpuUsage();
  await fn();
  const d = cpuUsage(start);
  return (d.user + d.system) / N;
}

const metrics = new Metrics();
const raw = {
  async appendMessage(): Promise<number> {
    return 1;
  },
} as unknown as Store;
const timed = timedStore(raw, metrics);
const callStore = async (s: Store): Promise<void> => {
  for (let j = 0; j < STORE_CALLS_PER_SEND; j++)
    await (s as unknown as { appendMessage(): Promise<number> }).appendMessage();
};

for (let round = 0; round < 3; round++) {
  const edge = await cpuMicros(() => {
    for (let i = 0; i < N; i++) {
      metrics.httpRequests.inc({ api: 'openim/sendmsg', code: '0' });
      metrics.httpLatency.observe({ api: 'openim/sendmsg' }, 0.004);
    }
  });
  const plain = await cpuMicros(async () => {
    for (let i = 0; i < N; i++) await callStore(raw);
  });
  const withTiming = await cpuMicros(async () => {
    for (let i = 0; i < N; i++) await callStore(timed);
  });
  console.log(
    `round ${round + 1}: edge counter+histogram ${edge.toFixed(3)} µs/request; ` +
      `${STORE_CALLS_PER_SEND} store calls ${plain.toFixed(3)} µs plain, ${withTiming.toFixed(3)} µs timed (+${(withTiming - plain).toFixed(3)} µs)`,
  );
}
