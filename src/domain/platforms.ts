// A device's platform as query_online_status reports it. Tencent documents Detail[].Platform as
// iPhone, Android, Web, PC, iPad or Mac; a Node device (the SDK outside a browser) is the web SDK,
// so it is reported as Web — as the callbacks' OptPlatform already does (optPlatformOf).
const STATUS_PLATFORM = new Map<string, string>([
  ['Web', 'Web'],
  ['Node', 'Web'],
  ['PC', 'PC'],
  ['Mac', 'Mac'],
  ['Android', 'Android'],
  ['iPhone', 'iPhone'],
  ['iPad', 'iPad'],
]);

export const statusPlatformOf = (platform: string): string => STATUS_PLATFORM.get(platform) ?? 'Web';
