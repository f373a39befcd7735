// on/off/once with Tencent's envelope: every handler gets one argument, `{ name, data }`.
export interface EventEnvelope<T = unknown> {
  name: string;
  data: T;
  [extra: string]: unknown;
}

// Handlers are whatever the app registers; any callable is accepted, as in Tencent's SDK.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventHandler = (event: any) => unknown;

interface Listener {
  handler: EventHandler;
  context: unknown;
  once: boolean;
}

export class Emitter {
  private readonly listeners = new Map<string, Listener[]>();

  constructor(private readonly onHandlerError: (name: string, err: unknown) => void) {}

  on(name: string, handler: EventHandler, context?: unknown, once = false): void {
    if (typeof handler !== 'function') return;
    const list = this.listeners.get(name) ?? [];
    list.push({ handler, context, once });
    this.listeners.set(name, list);
  }

  off(name: string, handler: EventHandler, context?: unknown): void {
    const list = this.listeners.get(name);
    if (!list) return;
    const i = list.findIndex((l) => l.handler === handler && l.context === context);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.listeners.delete(name);
  }

  emit(name: string, data: unknown, extra: Record<string, unknown> = {}): void {
    const list = this.listeners.get(name);
    if (!list || list.length === 0) return;
    const envelope: EventEnvelope = { name, data, ...extra };
    for (const l of [...list]) {
      if (l.once) this.off(name, l.handler, l.context);
      try {
        l.handler.call(l.context, envelope);
      } catch (err) {
        this.onHandlerError(name, err);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
