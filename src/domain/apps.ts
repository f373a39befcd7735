// The apps this server hosts, by SDKAppID. Every request names its app; nothing crosses apps.
import type { AppConfig } from '../config/config.js';

export class AppDirectory {
  private readonly byId = new Map<number, AppConfig>();

  constructor(apps: AppConfig[]) {
    for (const a of apps) this.byId.set(a.sdkAppId, a);
  }

  get(sdkAppId: number): AppConfig | undefined {
    return this.byId.get(sdkAppId);
  }

  list(): AppConfig[] {
    return [...this.byId.values()];
  }

  isAdmin(app: AppConfig, identifier: string): boolean {
    return app.admins.includes(identifier);
  }
}
