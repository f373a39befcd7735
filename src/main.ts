// `npm start`: serve the embedded default (one process, one SQLite file) and print how to call it.
import { createParley } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { generateUserSig } from './usersig/usersig.js';

export async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`parley: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const parley = await createParley(config);
  let base: string;
  try {
    base = await parley.listen();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw e;
    await parley.close().catch(() => undefined);
    process.stderr.write(
      `parley: cannot listen on ${config.host}:${config.port}: ${listenProblem(code)}; set PARLEY_PORT (and PARLEY_HOST) to listen elsewhere\n`,
    );
    process.exit(1);
  }
  const app = config.apps[0]!;
  const admin = app.admins[0]!;
  const sig = generateUserSig({
    sdkAppId: app.sdkAppId,
    secretKey: app.secretKey,
    identifier: admin,
    expire: 7 * 86400,
  });
  const query = `sdkappid=${app.sdkAppId}&identifier=${admin}&usersig=${sig}&random=99999999&contenttype=json`;
  const lines = [
    '',
    `Parley is serving ${config.devApp ? 'the development app' : `${config.apps.length} app(s)`} at ${base}`,
    `  SDKAppID    ${app.sdkAppId}${config.devApp ? `   (kept in ${config.dataDir}/dev-app.json with its secret key)` : ''}`,
    `  admin       ${admin}`,
    `  UserSig     ${sig}   (valid 7 days; more: npx parley usersig --user ${admin})`,
    `  storage     ${config.database ? `PostgreSQL, ${config.database.replace(/\/\/[^@/]*@/, '//…@')}` : `SQLite, ${config.dataDir}/parley.db`}`,
    `  console     ${base}/console/   (API debugger, live recall, accounts, conversations, recall audit)`,
    '',
    'Try it:',
    // A self-signed certificate makes curl fail with nothing printed under -s: -k says to accept it.
    ...(config.tls
      ? ['  (-k: accept a self-signed certificate; with a CA-signed one, drop it or pass --cacert FILE)']
      : []),
    `  curl -s${config.tls ? ' -k' : ''} -X POST '${base}/v4/im_open_login_svc/account_import?${query}' -d '{"UserID":"alice"}'`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  // At debug, the configuration as resolved (every default applied), without keys or tokens.
  for (const a of config.apps) {
    parley.http.log.debug(
      {
        sdkAppId: a.sdkAppId,
        admins: a.admins,
        rateLimits: a.rateLimits,
        recallWindowSeconds: a.recallWindowSeconds,
        maxDevicesPerPlatform: a.maxDevicesPerPlatform,
        ...(a.callback
          ? {
              callback: {
                ...a.callback,
                url: a.callback.url.replace(/\/\/[^@/]*@/, '//…@'),
                token: a.callback.token ? '[redacted]' : undefined,
              },
            }
          : {}),
      },
      'app configured',
    );
  }
  const stop = async (signal: string) => {
    parley.http.log.info({ signal }, 'shutting down');
    await parley.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

function listenProblem(code: string): string {
  if (code === 'EADDRINUSE') return 'the address is already in use (is another Parley running?)';
  if (code === 'EACCES') return 'permission denied (ports below 1024 need privileges)';
  return 'no such address on this machine';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    process.stderr.write(`parley: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
