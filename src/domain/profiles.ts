// Profiles (spec §5): reading and writing a user's profile fields. Nick and avatar are the values
// account_import / multiaccount_import store; the other fields are kept by tag.
import { ErrorCode } from '@parley/protocol';
import type { AppId, ProfileValue, Store, StoredProfile } from '../ports/store.js';
import type { Bus } from '../ports/bus.js';
import type { CallbackService, CallOrigin } from './callbacks.js';
import { ApiError } from './errors.js';
import { IMAGE_TAG, NICK_TAG, STANDARD_TAGS, checkTag, checkValue, defaultOf, isCustomTag } from './profile-fields.js';

/** Users per read (portrait_get's documented limit; the gateway's too). */
export const MAX_PROFILE_USERS = 100;
/** Items per write: undocumented; bounds the rows one request writes (custom tags need no declaration). */
export const MAX_PROFILE_ITEMS = 100;

export interface ProfileItem {
  tag: string;
  value: ProfileValue;
}

/** One requested user's profile, or why it could not be read. */
export type ProfileRead = { userId: string; items: ProfileItem[] } | { userId: string; missing: true };

function profileValue(p: StoredProfile, tag: string): ProfileValue {
  const stored = tag === NICK_TAG ? p.nick : tag === IMAGE_TAG ? p.faceUrl : p.fields.get(tag);
  return stored ?? defaultOf(tag);
}

export class ProfileService {
  constructor(
    private readonly store: Store,
    private readonly callbacks: CallbackService,
    private readonly bus?: Bus,
  ) {}

  /**
   * The requested tags of each user, in `tags` order; 40009 for an unknown tag, 40003 when none
   * of the users exists (otherwise the unknown ones are `missing`).
   */
  async get(app: AppId, userIds: string[], tags: string[]): Promise<ProfileRead[]> {
    for (const t of tags) checkTag(t);
    const found = await this.store.profiles(app, userIds);
    if (found.size === 0)
      throw new ApiError(ErrorCode.PROFILE_ACCOUNT_NOT_FOUND, 'none of the requested accounts exists');
    return userIds.map((userId) => {
      const p = found.get(userId);
      return p
        ? { userId, items: tags.map((tag) => ({ tag, value: profileValue(p, tag) })) }
        : { userId, missing: true };
    });
  }

  /**
   * Whole profiles, for clients: every standard field and the custom fields ever set, of those of
   * these users that exist (others are left out).
   */
  async whole(app: AppId, userIds: string[]): Promise<Array<{ userId: string; items: ProfileItem[] }>> {
    const found = await this.store.profiles(app, userIds);
    return [...found].map(([userId, p]) => {
      const custom = [...p.fields.keys()].filter(isCustomTag).sort();
      return { userId, items: [...STANDARD_TAGS, ...custom].map((tag) => ({ tag, value: profileValue(p, tag) })) };
    });
  }

  /**
   * Sets fields of one user's profile, all or nothing (a tag given twice: the later value wins).
   * Every value is checked before the account is looked up. Returns the fields written.
   */
  async set(
    app: AppId,
    operator: string,
    userId: string,
    items: Array<{ tag: string; value: unknown }>,
    origin: CallOrigin,
  ): Promise<ProfileItem[]> {
    if (items.length > MAX_PROFILE_ITEMS) {
      throw new ApiError(
        ErrorCode.PROFILE_INVALID_PARAMETER,
        `at most ${MAX_PROFILE_ITEMS} profile items per change, got ${items.length}`,
      );
    }
    const values = new Map<string, ProfileValue>();
    for (const { tag, value } of items) values.set(tag, checkValue(tag, value));
    const fields = new Map(values);
    fields.delete(NICK_TAG);
    fields.delete(IMAGE_TAG);
    const written = [...values].map(([tag, value]) => ({ tag, value }));
    const callback = this.callbacks.afterPortraitSet(
      app,
      operator,
      userId,
      written.map((i) => ({ Tag: i.tag, Value: i.value })),
      origin,
    );
    const ok = await this.store.writeProfile(app, {
      userId,
      ...(values.has(NICK_TAG) ? { nick: values.get(NICK_TAG) as string } : {}),
      ...(values.has(IMAGE_TAG) ? { faceUrl: values.get(IMAGE_TAG) as string } : {}),
      fields,
      ...(callback ? { callbacks: [callback] } : {}),
    });
    if (!ok) throw new ApiError(ErrorCode.PROFILE_ACCOUNT_NOT_FOUND, `account ${userId} does not exist`);
    if (callback) this.callbacks.written();
    // The user's connected devices learn of the change (PROFILE_UPDATED in the client SDK), with
    // the whole profile as it now stands.
    // The change is committed: a failed read for the push costs the push, not the answer.
    if (this.bus) {
      const [now] = await this.whole(app, [userId]).catch(() => []);
      if (now) this.bus.publish({ kind: 'profile', app, user: userId, items: now.items });
    }
    return written;
  }
}
