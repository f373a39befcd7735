// Who is connected to this node: app → user → device → session. It implements the Presence
// port for query_online_status and lets the gateway find a user's sessions.
import type { OnlineDevice, Presence } from '../ports/presence.js';

export interface PresentSession {
  deviceId: string;
  platform: string;
  /** Milliseconds since the epoch of login, to find the oldest. */
  since: number;
}

export class LocalPresence<S extends PresentSession> implements Presence {
  private readonly byUser = new Map<string, Map<string, S>>();

  private key(app: number, user: string): string {
    return `${app}\u0000${user}`;
  }

  add(app: number, user: string, s: S): void {
    const k = this.key(app, user);
    let devices = this.byUser.get(k);
    if (!devices) this.byUser.set(k, (devices = new Map()));
    devices.set(s.deviceId, s);
  }

  /** Removes the session if it is still the one registered for its device. */
  remove(app: number, user: string, s: S): void {
    const k = this.key(app, user);
    const devices = this.byUser.get(k);
    if (!devices || devices.get(s.deviceId) !== s) return;
    devices.delete(s.deviceId);
    if (devices.size === 0) this.byUser.delete(k);
  }

  sessions(app: number, user: string): S[] {
    return [...(this.byUser.get(this.key(app, user))?.values() ?? [])];
  }

  session(app: number, user: string, deviceId: string): S | undefined {
    return this.byUser.get(this.key(app, user))?.get(deviceId);
  }

  async devices(app: number, userIds: string[]): Promise<Map<string, OnlineDevice[]>> {
    const out = new Map<string, OnlineDevice[]>();
    for (const u of userIds) {
      const list = this.sessions(app, u).map((s) => ({ platform: s.platform, deviceId: s.deviceId }));
      if (list.length > 0) out.set(u, list);
    }
    return out;
  }

  get size(): number {
    let n = 0;
    for (const d of this.byUser.values()) n += d.size;
    return n;
  }
}
