// Presence: which devices of a user are connected. The client gateway implements it; without a
// gateway everyone is offline.
export interface OnlineDevice {
  platform: string;
  deviceId: string;
}

export interface Presence {
  devices(app: number, userIds: string[]): Promise<Map<string, OnlineDevice[]>>;
}

export const nobodyOnline: Presence = { devices: async () => new Map() };

/** One connected device as the cluster directory records it: which node holds it, since when. */
export interface DirectoryEntry extends OnlineDevice {
  node: string;
  /** Milliseconds since the epoch of login, to find the oldest. */
  since: number;
}

/**
 * Cluster-wide presence (scale-out): every node records its connections in one shared directory.
 * Writes are fire-and-forget; `lookup` rejects when the directory is unreachable, and the caller
 * decides how to degrade. A node that stops refreshing its entries loses them.
 */
export interface PresenceDirectory {
  /** This node's name in the directory. */
  readonly node: string;
  /** Records a device connected to this node; returns the entry's id for `withdraw`. */
  announce(app: number, user: string, device: { deviceId: string; platform: string; since: number }): string;
  withdraw(app: number, user: string, id: string): void;
  /** The users' devices on every live node (this one included). */
  lookup(app: number, userIds: string[]): Promise<Map<string, DirectoryEntry[]>>;
  close(): Promise<void>;
}
