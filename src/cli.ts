// The `parley` command: `parley usersig --user ID [--expire SECONDS] [--sdkappid N]` prints a
// UserSig for the configured app; `parley start` serves.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/config.js';
import { generateUserSig } from './usersig/usersig.js';
import { userIdProblem } from './domain/user-id.js';

const USAGE = `usage:
  parley usersig --user ID [--expire SECONDS] [--sdkappid N]   print a UserSig for the configured app
  parley start                                                 serve (same as npm start)
`;

export async function cli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'start') {
    const { main } = await import('./main.js');
    await main();
    return -1; // keep running
  }
  if (command !== 'usersig') {
    process.stderr.write(USAGE);
    return command === undefined || command === '--help' || command === 'help' ? 0 : 2;
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { user: { type: 'string' }, expire: { type: 'string' }, sdkappid: { type: 'string' } },
    }));
  } catch (e) {
    process.stderr.write(`parley: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.user || userIdProblem(values.user)) {
    process.stderr.write(`parley: --user needs a UserID of 1–32 bytes\n${USAGE}`);
    return 2;
  }
  // Decimal digits only: Number() would also take '1e3' or '0x10'.
  const expire = values.expire === undefined ? 180 * 86400 : /^\d+$/.test(values.expire) ? Number(values.expire) : NaN;
  if (!Number.isSafeInteger(expire) || expire <= 0) {
    process.stderr.write('parley: --expire must be a positive number of seconds\n');
    return 2;
  }
  try {
    const config = loadConfig();
    const app = values.sdkappid ? config.apps.find((a) => String(a.sdkAppId) === values.sdkappid) : config.apps[0];
    if (!app) {
      process.stderr.write(`parley: SDKAppID ${values.sdkappid} is not configured\n`);
      return 2;
    }
    // Run from another directory, the data dir is another one, and its new development app is
    // unknown to the running server: the sig would be rejected with no hint why.
    if (config.devAppCreated) {
      process.stderr.write(
        `parley: warning: no development app in ${config.dataDir}, so a new one was made (SDKAppID ${app.sdkAppId}); a server started elsewhere will reject this UserSig. Run this where you ran npm start, or set PARLEY_DATA_DIR to that server's data directory (or PARLEY_SDKAPPID and PARLEY_SECRET_KEY).\n`,
      );
    }
    process.stdout.write(
      generateUserSig({ sdkAppId: app.sdkAppId, secretKey: app.secretKey, identifier: values.user, expire }) + '\n',
    );
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`parley: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
