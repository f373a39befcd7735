// Global mute (setnospeaking / getnospeaking): how long an account may not send one-to-one or
// group messages. Stored as the second each mute ends, so it runs out by the clock alone.
import { ErrorCode } from '@parley/protocol';
import { nowSeconds, type Clock } from '../ports/clock.js';
import type { AppId, MuteState, Store } from '../ports/store.js';
import { ApiError } from './errors.js';

/** The duration Tencent uses for "permanent". */
export const MUTE_PERMANENT_SECONDS = 4294967295;
/** How a permanent mute is stored: an end no clock reaches. */
const FOREVER = Number.MAX_SAFE_INTEGER;

/** A duration in seconds as a mute's end: 0 lifts it, MUTE_PERMANENT_SECONDS never ends. */
export function muteUntil(seconds: number, now: number): number {
  if (seconds === 0) return 0;
  return seconds === MUTE_PERMANENT_SECONDS ? FOREVER : now + seconds;
}

/**
 * What getnospeaking reports for a mute ending at `until`, at `now` (seconds, with fraction):
 * seconds left, rounded up; 0 when over. `until` counts from a whole second, so this never
 * exceeds the duration set.
 */
export function muteRemaining(until: number, now: number): number {
  if (until === FOREVER) return MUTE_PERMANENT_SECONDS;
  return Math.max(0, Math.ceil(until - now));
}

/** Remaining seconds of each mute (0: not muted). */
export interface MuteDurations {
  c2c: number;
  group: number;
}

export class MuteService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Sets the mutes given, in seconds from now; an absent one stays as it is. */
  async set(app: AppId, user: string, change: { c2c?: number; group?: number }): Promise<void> {
    const now = nowSeconds(this.clock);
    const state: Partial<MuteState> = {
      ...(change.c2c !== undefined ? { c2cUntil: muteUntil(change.c2c, now) } : {}),
      ...(change.group !== undefined ? { groupUntil: muteUntil(change.group, now) } : {}),
    };
    if (!(await this.store.setMutes(app, user, state)))
      throw new ApiError(ErrorCode.SET_ACCOUNT_INVALID, `no account ${JSON.stringify(user)} to mute`);
  }

  async get(app: AppId, user: string): Promise<MuteDurations> {
    const s = await this.store.mutesOf(app, user);
    if (!s) throw new ApiError(ErrorCode.GET_ACCOUNT_INVALID, `no account ${JSON.stringify(user)}`);
    const now = this.clock.nowMs() / 1000;
    return { c2c: muteRemaining(s.c2cUntil, now), group: muteRemaining(s.groupUntil, now) };
  }
}

/** 20012 when `user` is muted for one-to-one messages now (client sends only: REST is not checked). */
export async function requireC2cSpeaking(store: Store, clock: Clock, app: AppId, user: string): Promise<void> {
  const s = await store.mutesOf(app, user);
  const left = s ? muteRemaining(s.c2cUntil, clock.nowMs() / 1000) : 0;
  if (left > 0) {
    throw new ApiError(
      ErrorCode.SENDER_MUTED,
      left === MUTE_PERMANENT_SECONDS ? 'the sender is muted' : `the sender is muted for another ${left} s`,
    );
  }
}
