// Presence as the gateway and query_online_status see it: this node's sessions (always exact)
// plus, in scale-out, the other nodes' devices from the shared directory. When the directory is
// unreachable, presence falls back to this node's own sessions; it is whole again as soon as the
// directory answers (each node writes its entries again when Redis returns).
import type { DirectoryEntry, OnlineDevice, Presence, PresenceDirectory } from '../ports/presence.js';
import { LocalPresence, type PresentSession } from './presence.js';

export class ClusterPresence<S extends PresentSession> implements Presence {
  readonly local = new LocalPresence<S>();
  /** Each registered session's directory entry. */
  private readonly ids = new Map<S, string>();

  constructor(
    private readonly directory?: PresenceDirectory,
    /** Told when a lookup fails (true) and when one succeeds again (false). */
    private readonly onDegraded: (degraded: boolean, err?: unknown) => void = () => {},
  ) {}

  /** This node's name ('local' without a directory). */
  get node(): string {
    return this.directory?.node ?? 'local';
  }

  add(app: number, user: string, s: S): void {
    this.local.add(app, user, s);
    if (this.directory)
      this.ids.set(
        s,
        this.directory.announce(app, user, { deviceId: s.deviceId, platform: s.platform, since: s.since }),
      );
  }

  /** Removes the session if it is still the one registered for its device. */
  remove(app: number, user: string, s: S): void {
    if (this.local.session(app, user, s.deviceId) !== s) return;
    this.local.remove(app, user, s);
    const id = this.ids.get(s);
    if (id === undefined) return;
    this.ids.delete(s);
    this.directory!.withdraw(app, user, id);
  }

  /** The user's devices connected to other nodes; none without a directory or while it is unreachable. */
  async elsewhere(app: number, user: string): Promise<DirectoryEntry[]> {
    const all = await this.lookup(app, [user]);
    return (all?.get(user) ?? []).filter((e) => e.node !== this.node);
  }

  async devices(app: number, userIds: string[]): Promise<Map<string, OnlineDevice[]>> {
    const out = await this.local.devices(app, userIds);
    const all = await this.lookup(app, userIds);
    if (!all) return out;
    for (const [user, entries] of all) {
      const remote = entries
        .filter((e) => e.node !== this.node)
        .map((e) => ({ platform: e.platform, deviceId: e.deviceId }));
      if (remote.length === 0) continue;
      out.set(user, [...(out.get(user) ?? []), ...remote]);
    }
    return out;
  }

  private degraded = false;

  private async lookup(app: number, userIds: string[]): Promise<Map<string, DirectoryEntry[]> | undefined> {
    if (!this.directory) return undefined;
    try {
      const all = await this.directory.lookup(app, userIds);
      if (this.degraded) this.onDegraded((this.degraded = false));
      return all;
    } catch (err) {
      if (!this.degraded) this.onDegraded((this.degraded = true), err);
      return undefined;
    }
  }
}
