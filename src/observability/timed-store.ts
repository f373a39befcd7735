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
        const method = prop;
        fn = function timed(this: unknown, ...args: unknown[]): unknown {
          const started = performance.now();
          const observe = (outcome: 'ok' | 'error'): void => {
            metrics.storeLatency.observe({ method, outcome }, (performance.now() - started) / 1000);
          };
          let result: unknown;
          try {
            result = (value as (...a: unknown[]) => unknown).apply(target, args);
          } catch (e) {
            observe('error');
            throw e;
          }
          if (result instanceof Promise) {
            return result.then((r) => { observe('ok'); return r; }, (e: unknown) => { observe('error'); throw e; });
          }
          observe('ok');
          return result;
        };
        wrapped.set(value, fn);
      }
      return fn;
    },
  });
}
