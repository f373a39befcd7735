// The incremental build that `npm install` (prepare), `npm start`, `npm test` and `npm run bench`
// run: tsc builds only what changed since dist/.tsbuildinfo, and the console is bundled only when
// a file it is built from is newer than the bundle. When no source, folder (a file added or
// removed) or setting is newer than dist/.tsbuildinfo, tsc is not even started: loading it costs
// seconds on a busy machine, a stat of every source file a few milliseconds. `npm run build`
// (--clean) starts from an empty dist/ instead.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/** The newest modification time (ms) of the files and folders under these paths; 0 when none exist. */
function newest(paths) {
  let max = 0;
  const visit = (p) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    // A folder's time moves when a file is added, removed or renamed in it.
    if (st.mtimeMs > max) max = st.mtimeMs;
    if (st.isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
  };
  for (const p of paths) visit(join(root, p));
  return max;
}

const BUILD_INFO = join(root, 'dist', '.tsbuildinfo');
/** What tsconfig.json compiles, and what changes how it compiles. */
const PACKAGES = ['packages/protocol', 'packages/client'];
const TS_INPUTS = [
  'src',
  'test',
  'bench',
  'console/src',
  'tsconfig.json',
  'tsconfig.base.json',
  'package-lock.json',
  ...PACKAGES.flatMap((p) => [`${p}/src`, `${p}/tsconfig.json`]),
];

/** True when tsc may have something to do: no build yet, or an input newer than the last one. */
export function tsStale() {
  if (!existsSync(BUILD_INFO)) return true;
  return newest(TS_INPUTS) > statSync(BUILD_INFO).mtimeMs;
}

/** True when the console bundle is missing or older than a file it is built from. */
export function consoleStale() {
  const bundle = join(root, 'dist', 'console', 'app.js');
  if (!existsSync(bundle)) return true;
  return (
    newest(['console', ...PACKAGES.map((p) => `${p}/src`), 'scripts/build-console.mjs']) > statSync(bundle).mtimeMs
  );
}

/** tsc is a dev dependency: an install with --omit=dev cannot build. */
function tscPath() {
  try {
    return require.resolve('typescript/bin/tsc');
  } catch {
    throw new Error(
      'TypeScript is not installed; build with the dev dependencies (npm install, not --omit=dev), then deploy dist/',
    );
  }
}

function run(args, what) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal})`);
}

/** Brings dist/ up to date; throws when tsc or the console build fails. */
export function build({ clean = false } = {}) {
  if (clean)
    for (const d of ['dist', ...PACKAGES.map((p) => `${p}/dist`)])
      rmSync(join(root, d), { recursive: true, force: true });
  if (tsStale()) {
    try {
      run([tscPath(), '-b', 'tsconfig.json'], 'tsc');
    } catch (e) {
      // tsc may have written its build info despite the errors: date it back so that the next
      // build runs tsc again instead of taking the failed build as up to date.
      if (existsSync(BUILD_INFO)) utimesSync(BUILD_INFO, 0, 0);
      throw e;
    }
  }
  if (consoleStale()) run([join(root, 'scripts', 'build-console.mjs')], 'the console build');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    build({ clean: process.argv.includes('--clean') });
  } catch (e) {
    process.stderr.write(`build: ${e.message}\n`);
    process.exit(1);
  }
}
