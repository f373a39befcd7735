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
  const base = await parley.listen();
  const app = config.apps[0]!;
  const admin = app.admins[0]!;
  const sig = generateUserSig({ sdkAppId: app.sdkAppId, secretKey: app.secretKey, identifier: admin, expire: 7 * 86400 });
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
    `  curl -s -X POST '${base}/v4/im_open_login_svc/account_import?${query}' -d '{"UserID":"alice"}'`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const stop = async (signal: string) => {
    parley.http.log.info({ signal }, 'shutting down');
    await parley.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    process.stderr.write(`parley: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
