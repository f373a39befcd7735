// The apps this server hosts, by SDKAppID. Every request names its app; nothing crosses apps.
// Apps are held resolved (every default applied by resolveApp), so no consumer knows a default.
import { resolveApp, type App, type AppConfig } from './app-settings.js';

export class AppDirectory {
  private readonly byId = new Map<number, App>();

  constructor(apps: AppConfig[]) {
    for (const a of apps) this.byId.set(a.sdkAppId, resolveApp(a));
  }

  get(sdkAppId: number): App | undefined {
    return this.byId.get(sdkAppId);
  }

  list(): App[] {
    return [...this.byId.values()];
  }

  isAdmin(app: AppConfig, identifier: string): boolean {
    return app.admins.includes(identifier);
  }
}
