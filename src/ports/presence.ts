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
