// A Parley server in a child process (`node dist/src/main.js`), as an operator runs it: for what
// an in-process server cannot show, such as a crash (SIGKILL) and the next start on the same files.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateUserSig } from '../../src/usersig/usersig.js';
import { ADMIN, SDKAPPID, SECRET } from './server.js';
import { postApi } from './rest.js';

const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const START_TIMEOUT_MS = 20_000;

export interface ChildServer {
  base: string;
  /** POST /v4/<api> as the admin; the parsed answer. */
  call(api: string, body: unknown): Promise<Record<string, any>>;
  /** SIGKILL: no shutdown code runs. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM: the clean stop. */
  stop(): Promise<void>;
}

/** Starts a server on `dataDir` (SQLite) and resolves once it has printed its address. */
export async function startChild(dataDir: string): Promise<ChildServer> {
  const proc = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_PORT: '0',
      PARLEY_HOST: '127.0.0.1',
      PARLEY_SDKAPPID: String(SDKAPPID),
      PARLEY_SECRET_KEY: SECRET,
      PARLEY_ADMIN: ADMIN,
      PARLEY_LOG_LEVEL: 'silent',
      PARLEY_RATE_LIMITS: 'off',
      PARLEY_DATABASE_URL: '',
      PARLEY_REDIS_URL: '',
      PARLEY_CONFIG: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  try {
    const base = await addressOf(proc);
    const sig = generateUserSig({ sdkAppId: SDKAPPID, secretKey: SECRET, identifier: ADMIN, expire: 86400 });
    const end = async (signal: NodeJS.Signals): Promise<void> => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await gone;
    };
    return {
      base,
      call: (api, body) => postApi(base, api, body, { sdkAppId: SDKAPPID, identifier: ADMIN, usersig: sig }),
      kill: () => end('SIGKILL'),
      stop: () => end('SIGTERM'),
    };
  } catch (e) {
    proc.kill('SIGKILL');
    await gone;
    throw e;
  }
}

function addressOf(proc: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`the server did not start within ${START_TIMEOUT_MS} ms: ${err}`)),
      START_TIMEOUT_MS,
    );
    proc.stderr!.on('data', (c: Buffer) => {
      if (err.length < 10_000) err += String(c);
    });
    proc.stdout!.on('data', (c: Buffer) => {
      if (out.length < 10_000) out += String(c);
      const m = /serving .* at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) while starting: ${err}`));
    });
  });
}
