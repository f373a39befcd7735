// Authenticates a caller, for both edges (a REST call's query, a WebSocket login): the app by
// sdkappid, the caller by identifier and usersig. Verified sigs are cached (the inflate + HMAC dominate a small request), but expiry and
// identifier are checked against the cache entry on every call.
import { ErrorCode } from '@parley/protocol';
import type { App } from '../domain/app-settings.js';
import type { AppDirectory } from '../domain/apps.js';
import { ApiError } from '../domain/errors.js';
import { nowSeconds, type Clock } from '../ports/clock.js';
import {
  UserSigError,
  checkDecoded,
  decodeUserSig,
  type DecodedUserSig,
  type UserSigFailure,
} from '../usersig/usersig.js';

const SIG_CODES: Record<UserSigFailure, number> = {
  empty: ErrorCode.USERSIG_EMPTY,
  malformed: ErrorCode.USERSIG_MALFORMED,
  expired: ErrorCode.USERSIG_EXPIRED,
  signature: ErrorCode.USERSIG_WRONG_KEY,
  identifier: ErrorCode.USERSIG_IDENTIFIER_MISMATCH,
  sdkappid: ErrorCode.USERSIG_SDKAPPID_MISMATCH,
};

export interface Caller {
  app: App;
  identifier: string;
  sig: DecodedUserSig;
}

const CACHE_LIMIT = 10_000;

export class Authenticator {
  /** usersig → a decoded sig whose HMAC verified, per app. Insertion-ordered for eviction. */
  private readonly verified = new Map<string, DecodedUserSig>();

  constructor(
    private readonly apps: AppDirectory,
    private readonly clock: Clock,
  ) {}

  /** Resolves the app named by the sdkappid query value: 60012 missing, 60006 not a number, 70020 unknown. */
  app(sdkappid: string | undefined): App {
    if (sdkappid === undefined || sdkappid === '')
      throw new ApiError(ErrorCode.SDKAPPID_MISSING, 'sdkappid is missing from the URL');
    if (!/^\d{1,10}$/.test(sdkappid))
      throw new ApiError(
        ErrorCode.SDKAPPID_INVALID,
        `sdkappid ${JSON.stringify(sdkappid.slice(0, 20))} is not a valid SDKAppID`,
      );
    const app = this.apps.get(Number(sdkappid));
    if (!app) throw new ApiError(ErrorCode.SDKAPPID_NOT_FOUND, `SDKAppID ${sdkappid} is not hosted here`);
    return app;
  }

  /** Verifies usersig for identifier in app; throws the UserSig ErrorCodes of the spec README. */
  verify(app: App, identifier: string, usersig: string): DecodedUserSig {
    const now = nowSeconds(this.clock);
    const cacheKey = `${app.sdkAppId}:${usersig}`;
    try {
      const cached = this.verified.get(cacheKey);
      if (cached) {
        // The signature is known good; the rest depends on the call (identifier) and the time.
        if (cached.identifier !== identifier)
          throw new UserSigError('identifier', 'usersig was issued for another identifier');
        if (now > cached.time + cached.expire)
          throw new UserSigError('expired', `usersig expired at ${cached.time + cached.expire}`);
        return cached;
      }
      const d = checkDecoded(decodeUserSig(usersig), {
        sdkAppId: app.sdkAppId,
        secretKey: app.secretKey,
        identifier,
        now,
      });
      if (this.verified.size >= CACHE_LIMIT) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(cacheKey, d);
      return d;
    } catch (e) {
      if (e instanceof UserSigError) throw new ApiError(SIG_CODES[e.reason], e.message);
      throw e;
    }
  }
}
