// A Store that times every call into metrics.storeLatency. It is a Proxy, not a class, so it
// implements whatever the Store port holds today and after it changes, with no edit here.
import type { Store } from '../ports/store.js';
import type { Metrics } from './metrics.js';

export function timedStore(store: Store, metrics: Pick<Metrics, 'storeLatency'>): Store {
  // Keyed by the function itself, so a method replaced on the store later is timed as replaced.
  const wrapped = new WeakMap<object, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      let fn = wrapped.get(value);
      if (!fn) {
        // The labelled series are looked up once per method, not once per call.
        const ok = metrics.storeLatency.labels({ method: prop, outcome: 'ok' });
        const failed = metrics.storeLatency.labels({ method: prop, outcome: 'error' });
        fn = function timed(...args: unknown[]): unknown {
          const started = performance.now();
          let result: unknown;
          try {
            result = (value as (...a: unknown[]) => unknown).apply(target, args);
          } catch (e) {
            failed.observe((performance.now() - started) / 1000);
            throw e;
          }
          if (result instanceof Promise) {
            return result.then(
              (r: unknown) => {
                ok.observe((performance.now() - started) / 1000);
                return r;
              },
              (e: unknown) => {
                failed.observe((performance.now() - started) / 1000);
                throw e;
              },
            );
          }
          ok.observe((performance.now() - started) / 1000);
          return result;
        };
        wrapped.set(value, fn);
      }
      return fn;
    },
  });
}
