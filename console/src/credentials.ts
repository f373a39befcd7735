// The app credentials the user enters once: SDKAppID, admin identifier, secret key. UserSigs are
// computed here, in the page; the key is never sent anywhere. It is kept in memory only, or in
// sessionStorage (this tab, until it closes) when the user ticks the box — never in localStorage.
import { byId } from './dom.js';
import { generateUserSig } from './usersig.js';
import type { RestCredentials } from './rest.js';

const SESSION_KEY = 'parley-console-credentials';
const PREFS_KEY = 'parley-console-app';

export class CredentialsError extends Error {}

interface Saved {
  sdkAppId: string;
  identifier: string;
  secretKey?: string;
  expire?: string;
}

export class Credentials {
  private readonly form = byId<HTMLFormElement>('cred-form');
  private readonly sdkAppId = byId<HTMLInputElement>('cred-sdkappid');
  private readonly identifier = byId<HTMLInputElement>('cred-identifier');
  private readonly key = byId<HTMLInputElement>('cred-key');
  private readonly expire = byId<HTMLInputElement>('cred-expire');
  private readonly remember = byId<HTMLInputElement>('cred-remember');
  private readonly userSig = byId<HTMLTextAreaElement>('cred-usersig');
  private readonly status = byId('cred-status');
  /** UserSigs made for chat panes, per identifier, with the inputs they were made from. */
  private readonly userSigs = new Map<string, { sig: string; basis: string; until: number }>();

  constructor() {
    this.restore();
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.generate();
    });
    byId('cred-show').addEventListener('click', (e) => {
      const b = e.currentTarget as HTMLButtonElement;
      const show = this.key.type === 'password';
      this.key.type = show ? 'text' : 'password';
      b.textContent = show ? 'Hide key' : 'Show key';
      b.setAttribute('aria-pressed', String(show));
    });
    byId('cred-forget').addEventListener('click', () => {
      sessionStorage.removeItem(SESSION_KEY);
      this.key.value = '';
      this.userSig.value = '';
      this.remember.checked = false;
      this.userSigs.clear();
      this.say('info', "The secret key and UserSig are forgotten (this page and this tab's storage).");
    });
    this.remember.addEventListener('change', () => this.persist());
    for (const el of [this.sdkAppId, this.identifier, this.key, this.expire]) {
      el.addEventListener('change', () => {
        // A UserSig made from the old inputs would only fail (70009, 70013, 70014): make it anew.
        if (this.userSig.value !== '') {
          this.userSig.value = '';
          this.say(
            'info',
            'The credentials changed: the next call computes a new UserSig (or press Generate UserSig).',
          );
        }
        this.userSigs.clear();
        this.persist();
      });
    }
  }

  private say(kind: 'ok' | 'error' | 'info', text: string): void {
    this.status.textContent = `${kind === 'ok' ? 'OK' : kind === 'error' ? 'Error' : 'Note'}: ${text}`;
    this.status.className = `status status-${kind}`;
  }

  private restore(): void {
    try {
      const prefs = JSON.parse(localStorage.getItem(PREFS_KEY) ?? 'null') as Saved | null;
      if (prefs) {
        this.sdkAppId.value = prefs.sdkAppId ?? '';
        this.identifier.value = prefs.identifier || this.identifier.value;
        if (prefs.expire) this.expire.value = prefs.expire;
      }
      const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Saved | null;
      if (session?.secretKey) {
        this.key.value = session.secretKey;
        this.remember.checked = true;
      }
    } catch {
      // unreadable storage: start empty
    }
  }

  /** SDKAppID and identifier are not secret: kept for the next visit. The key only on request, only for this tab. */
  private persist(): void {
    try {
      localStorage.setItem(
        PREFS_KEY,
        JSON.stringify({
          sdkAppId: this.sdkAppId.value.trim(),
          identifier: this.identifier.value.trim(),
          expire: this.expire.value.trim(),
        }),
      );
      if (this.remember.checked && this.key.value !== '')
        sessionStorage.setItem(SESSION_KEY, JSON.stringify({ secretKey: this.key.value }));
      else sessionStorage.removeItem(SESSION_KEY);
    } catch {
      // storage may be disabled; the page still works
    }
  }

  get sdkAppIdText(): string {
    return this.sdkAppId.value.trim();
  }

  get adminIdentifier(): string {
    return this.identifier.value.trim();
  }

  private inputs(identifier: string): { sdkAppId: number; secretKey: string; identifier: string; expire: number } {
    const id = this.sdkAppIdText;
    if (id === '') throw new CredentialsError('Enter the SDKAppID first.');
    if (!/^\d{1,10}$/.test(id) || Number(id) <= 0)
      throw new CredentialsError(`The SDKAppID must be a positive whole number, not “${id}”.`);
    if (identifier === '') throw new CredentialsError('Enter the admin identifier first.');
    if (this.key.value === '')
      throw new CredentialsError('Enter the secret key first: UserSigs are computed from it in this page.');
    const expire = this.expire.value.trim() === '' ? 86400 : Number(this.expire.value.trim());
    if (!Number.isSafeInteger(expire) || expire <= 0)
      throw new CredentialsError('The validity must be a positive whole number of seconds.');
    return { sdkAppId: Number(id), secretKey: this.key.value, identifier, expire };
  }

  /** Computes the admin UserSig into the UserSig field. */
  async generate(): Promise<string | undefined> {
    try {
      const sig = await generateUserSig(this.inputs(this.adminIdentifier));
      this.userSig.value = sig;
      this.persist();
      this.say(
        'ok',
        `UserSig generated in this page for ${this.adminIdentifier}, valid ${this.expire.value || 86400} s. The key was not sent anywhere.`,
      );
      return sig;
    } catch (e) {
      this.say('error', (e as Error).message);
      return undefined;
    }
  }

  /** What REST calls use: the UserSig field as it is (generated, or pasted), generating one if empty. */
  async admin(): Promise<RestCredentials> {
    let sig = this.userSig.value.trim();
    if (sig === '') {
      try {
        this.inputs(this.adminIdentifier);
      } catch (e) {
        throw new CredentialsError(`No UserSig: ${(e as Error).message}`);
      }
      sig = (await this.generate()) ?? '';
    }
    if (this.sdkAppIdText === '') throw new CredentialsError('Enter the SDKAppID first.');
    return { sdkAppId: this.sdkAppIdText, identifier: this.adminIdentifier, userSig: sig };
  }

  /** A UserSig for any user (chat panes), from the same key; reused while its inputs are unchanged. */
  async forUser(userId: string): Promise<{ sdkAppId: number; userSig: string }> {
    const inp = this.inputs(userId);
    const basis = `${inp.sdkAppId}\n${inp.secretKey}\n${inp.expire}`;
    const now = Math.floor(Date.now() / 1000);
    const known = this.userSigs.get(userId);
    if (known && known.basis === basis && known.until > now + 60) return { sdkAppId: inp.sdkAppId, userSig: known.sig };
    const sig = await generateUserSig({ ...inp, now });
    this.userSigs.set(userId, { sig, basis, until: now + inp.expire });
    return { sdkAppId: inp.sdkAppId, userSig: sig };
  }
}
