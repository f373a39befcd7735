// Accounts: import, delete, check, kick. UserIDs arrive validated (1–32 bytes) from the edge.
import { ErrorCode } from '@parley/protocol';
import type { AccountInput, AppId, Store } from '../ports/store.js';
import type { Bus } from '../ports/bus.js';
import { nowSeconds, type Clock } from '../ports/clock.js';
import { ApiError } from './errors.js';

export type AccountStatus = 'Imported' | 'NotImported';

export class AccountService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly bus?: Bus,
  ) {}

  async importAccount(app: AppId, account: AccountInput): Promise<void> {
    await this.store.importAccount(app, account, nowSeconds(this.clock));
  }

  async importAccounts(app: AppId, userIds: string[]): Promise<void> {
    await this.store.importAccounts(app, [...new Set(userIds)], nowSeconds(this.clock));
  }

  /** Imports in order (a UserID given twice ends with its later values); all or nothing. */
  async importAccountList(app: AppId, accounts: AccountInput[]): Promise<void> {
    await this.store.importAccountList(app, accounts, nowSeconds(this.clock));
  }

  /** Per UserID: deleted (true) or unknown (false), in request order. */
  async deleteAccounts(app: AppId, userIds: string[]): Promise<Map<string, boolean>> {
    const deleted = new Set(await this.store.deleteAccounts(app, [...new Set(userIds)]));
    return new Map(userIds.map((id) => [id, deleted.has(id)]));
  }

  async checkAccounts(app: AppId, userIds: string[]): Promise<Map<string, AccountStatus>> {
    const existing = await this.store.existingAccounts(app, [...new Set(userIds)]);
    return new Map(userIds.map((id) => [id, existing.has(id) ? 'Imported' : 'NotImported']));
  }

  async exists(app: AppId, userId: string): Promise<boolean> {
    return (await this.store.existingAccounts(app, [userId])).has(userId);
  }

  /** Which of these UserIDs are imported. */
  existing(app: AppId, userIds: string[]): Promise<Set<string>> {
    return this.store.existingAccounts(app, [...new Set(userIds)]);
  }

  /**
   * May this user log in with a UserSig issued at `sigTime` (TLS.time)? 70107 for an unknown
   * account; 20002 when the account was kicked after the sig was issued.
   */
  async authorizeLogin(app: AppId, userId: string, sigTime: number): Promise<void> {
    if (!(await this.exists(app, userId)))
      throw new ApiError(ErrorCode.ACCOUNT_NOT_FOUND, `UserID ${userId} does not exist`);
    const kickedAt = await this.store.kickedAt(app, userId);
    if (kickedAt !== undefined && sigTime < kickedAt)
      throw new ApiError(
        ErrorCode.USERSIG_REJECTED,
        'this UserSig was issued before the account was kicked; make a new one',
      );
  }

  /** Invalidates the user's sessions issued before now; 70107 for an unknown account. */
  async kick(app: AppId, userId: string): Promise<number> {
    const at = nowSeconds(this.clock);
    if (!(await this.store.kickAccount(app, userId, at)))
      throw new ApiError(ErrorCode.ACCOUNT_NOT_FOUND, (n) => `${n.account} ${userId} does not exist`, 'account');
    // Open sessions end now, wherever they are connected.
    this.bus?.publish({ kind: 'kick', app, user: userId, at });
    return at;
  }
}
