// C2C message extensions (spec §7): key/value pairs attached to a message, versioned per message.
// The rules live here: which message, which caller checks Seq, the limits, the new version, who is
// told. The store only applies a change if the message's version has not moved since it was read.
import { ErrorCode, msgKeyOf } from '@parley/protocol';
import type { Bus } from '../ports/bus.js';
import { nowSeconds, type Clock } from '../ports/clock.js';
import type { AppId, ExtensionNotice, ExtensionPair, ExtensionState, MessageRef, Store } from '../ports/store.js';
import { ApiError } from './errors.js';
import { REST_ORIGIN, type CallOrigin, type CallbackService } from './callbacks.js';
import { EVENT_RETENTION_SECONDS } from './message-events.js';
import { PerMessageRate } from './extension-rate.js';

/** Tencent's documented limits (1047/51195). */
export const EXTENSION_LIMITS = {
  pairsPerMessage: 300,
  pairsPerRequest: 20,
  keyBytes: 100,
  valueBytes: 1000,
  pairsPerPage: 200,
  setCallsPerMinute: 200,
} as const;

export type ExtensionOperation = 'set' | 'delete' | 'clear';

/** One requested pair; `seq` is the version of the key the caller last saw (client callers only). */
export interface ExtensionItem {
  key: string;
  value: string;
  seq?: number;
}

/** Who asks: the admin (REST) never has its Seq checked; a user (client) always does. */
export type ExtensionCaller = { kind: 'admin' } | { kind: 'user'; userId: string; originDevice?: string };

export interface ExtensionItemResult {
  errorCode: number;
  /** The pair as written (success) or as stored now (23001). */
  extension: ExtensionPair;
}

export interface ExtensionPage {
  pairs: ExtensionPair[];
  complete: boolean;
  latestSeq: number;
  clearSeq: number;
}

/** A compare-and-set that keeps losing to other writers is given up after this many tries. */
const MAX_ATTEMPTS = 8;

export class ExtensionService {
  private readonly rate: PerMessageRate;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly bus?: Bus,
    private readonly callbacks?: CallbackService,
  ) {
    this.rate = new PerMessageRate(EXTENSION_LIMITS.setCallsPerMinute, 60_000);
  }

  /** Checks a request's items for the documented shape; 10004 for the first that breaks it. */
  static checkItems(op: ExtensionOperation, items: ExtensionItem[] | undefined): ExtensionItem[] {
    if (op === 'clear') return [];
    if (!items || items.length === 0)
      throw new ApiError(ErrorCode.EXT_INVALID_PARAMETER, 'ExtensionList must hold at least one pair');
    if (items.length > EXTENSION_LIMITS.pairsPerRequest) {
      throw new ApiError(
        ErrorCode.EXT_INVALID_PARAMETER,
        `ExtensionList holds ${items.length} pairs; at most ${EXTENSION_LIMITS.pairsPerRequest} per request`,
      );
    }
    items.forEach((it, i) => {
      const kb = Buffer.byteLength(it.key, 'utf8');
      if (kb === 0) throw new ApiError(ErrorCode.EXT_INVALID_PARAMETER, `ExtensionList[${i}].Key must not be empty`);
      if (kb > EXTENSION_LIMITS.keyBytes)
        throw new ApiError(
          ErrorCode.EXT_INVALID_PARAMETER,
          `ExtensionList[${i}].Key is ${kb} bytes; at most ${EXTENSION_LIMITS.keyBytes}`,
        );
      const vb = Buffer.byteLength(it.value, 'utf8');
      if (vb > EXTENSION_LIMITS.valueBytes)
        throw new ApiError(
          ErrorCode.EXT_INVALID_PARAMETER,
          `ExtensionList[${i}].Value is ${vb} bytes; at most ${EXTENSION_LIMITS.valueBytes}`,
        );
    });
    return items;
  }

  /** The message's state, or 23004 / 23002 as the documentation says. */
  private async stateOf(app: AppId, ref: MessageRef): Promise<ExtensionState> {
    const s = await this.store.extensions(app, ref);
    // A recalled message's extensions are gone with its content: "does not exist" from here on.
    if (!s || s.message.recalled) throw notFound();
    if (!s.message.supportExtension)
      throw new ApiError(ErrorCode.EXT_NOT_SUPPORTED, 'the message was sent without SupportMessageExtension 1');
    return s;
  }

  async change(
    app: AppId,
    ref: MessageRef,
    op: ExtensionOperation,
    rawItems: ExtensionItem[] | undefined,
    caller: ExtensionCaller,
    origin: CallOrigin = REST_ORIGIN,
  ): Promise<ExtensionItemResult[]> {
    const items = ExtensionService.checkItems(op, rawItems);
    let state = await this.stateOf(app, ref);
    if (!this.rate.take(`${app}:${ref.from}:${ref.to}:${msgKeyOf(ref)}`, this.clock.nowMs())) {
      throw new ApiError(
        ErrorCode.EXT_TOO_FREQUENT,
        `more than ${EXTENSION_LIMITS.setCallsPerMinute} changes in a minute on this message; retry later`,
      );
    }
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const plan = planChange(state, op, items, caller.kind === 'user');
      if (plan.written.length === 0 && op !== 'clear') return plan.results; // every item conflicted: nothing to write
      const version = state.version + 1;
      const at = nowSeconds(this.clock);
      const notice: ExtensionNotice = {
        from: ref.from,
        to: ref.to,
        msgKey: msgKeyOf(ref),
        operation: op,
        seq: version,
        extensions: plan.written.map((p) => ({ ...p, seq: version })),
      };
      const device = caller.kind === 'user' && caller.originDevice ? { originDevice: caller.originDevice } : {};
      const after = this.callbacks?.afterExtension(app, notice, origin);
      const outcome = await this.store.writeExtensions(app, {
        ref,
        ifVersion: state.version,
        version,
        clear: op === 'clear',
        set: op === 'set' ? plan.written : [],
        remove: op === 'delete' ? plan.written.map((p) => p.key) : [],
        events: [...new Set([ref.to, ref.from])].map((user) => ({
          kind: 'extension' as const,
          payload: notice,
          user,
          at,
          expiresAt: at + EVENT_RETENTION_SECONDS,
          ...device,
        })),
        ...(after ? { callbacks: [after] } : {}),
      });
      if (outcome === 'written') {
        if (after) this.callbacks?.written();
        this.notify(app, [ref.from, ref.to]);
        return plan.results.map((r) =>
          r.errorCode === 0 ? { errorCode: 0, extension: { ...r.extension, seq: version } } : r,
        );
      }
      if (outcome === 'not_found' || outcome === 'recalled') throw notFound();
      state = await this.stateOf(app, ref); // 'moved': someone else changed it; decide again
    }
    throw new ApiError(
      ErrorCode.EXT_INTERNAL_ERROR,
      "the message's extensions kept changing under this request; retry",
    );
  }

  async get(app: AppId, ref: MessageRef, startSeq = 0): Promise<ExtensionPage> {
    const s = await this.stateOf(app, ref);
    const from = s.pairs.filter((p) => p.seq >= startSeq);
    let page = from.slice(0, EXTENSION_LIMITS.pairsPerPage);
    const complete = page.length === from.length;
    // A page ends on a whole Seq (one request writes at most 20 pairs), so the next page starts
    // at its last Seq + 1 and loses nothing.
    if (!complete) {
      const cut = page[page.length - 1]!.seq;
      if (from[page.length]!.seq === cut) page = page.filter((p) => p.seq !== cut);
    }
    return {
      pairs: page,
      complete,
      latestSeq: s.version,
      clearSeq: s.clearSeq,
    };
  }

  private notify(app: AppId, users: string[]): void {
    if (!this.bus) return;
    for (const user of new Set(users)) this.bus.publish({ kind: 'events', app, user });
  }
}

const notFound = (): ApiError =>
  new ApiError(
    ErrorCode.EXT_MESSAGE_NOT_FOUND,
    (n) => `no such message: check ${n.sender}, ${n.recipient} and ${n.msgKey}`,
    'msgKey',
  );

/**
 * What one request does to the state it read: per item its result, and the pairs it writes
 * (value '' for deletes). A user's stale Seq fails its item with 23001; a set that would leave
 * more than 300 pairs is refused whole (10004). Within a request a later item of a key wins.
 */
function planChange(
  state: ExtensionState,
  op: ExtensionOperation,
  items: ExtensionItem[],
  checkSeq: boolean,
): { results: ExtensionItemResult[]; written: Array<{ key: string; value: string }> } {
  const current = new Map(state.pairs.map((p) => [p.key, p]));
  const written = new Map<string, string>();
  const results: ExtensionItemResult[] = [];
  for (const it of items) {
    const now = current.get(it.key);
    if (checkSeq && (it.seq ?? 0) !== (now?.seq ?? 0)) {
      results.push({ errorCode: ErrorCode.EXT_SEQ_CONFLICT, extension: now ?? { key: it.key, value: '', seq: 0 } });
      continue;
    }
    const value = op === 'set' ? it.value : '';
    written.set(it.key, value);
    results.push({ errorCode: 0, extension: { key: it.key, value, seq: 0 } });
  }
  // Later items of the same key win: every success of that key shows the value written.
  for (const r of results) if (r.errorCode === 0) r.extension.value = written.get(r.extension.key)!;
  if (op === 'set') {
    let count = current.size;
    for (const k of written.keys()) if (!current.has(k)) count++;
    if (count > EXTENSION_LIMITS.pairsPerMessage) {
      throw new ApiError(
        ErrorCode.EXT_INVALID_PARAMETER,
        `the message would hold ${count} pairs; at most ${EXTENSION_LIMITS.pairsPerMessage}`,
      );
    }
  }
  return { results, written: [...written].map(([key, value]) => ({ key, value })) };
}
