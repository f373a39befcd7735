// Builds the web console: type-checks console/ (its own tsconfig: DOM lib, noEmit), bundles
// console/src/main.ts with esbuild for browsers (the live view, with the client SDK, is a chunk
// loaded on first use) and copies index.html and style.css, all into dist/console/, which
// src/http/console.ts serves at /console. Run by `npm run build`.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'console');
const out = join(root, 'dist', 'console');
const clientEntry = join(root, 'packages', 'client', 'src', 'index.ts');
const require = createRequire(import.meta.url);

// Without the client SDK (packages/client/), the rest of the console still builds:
// its import is pointed at a stub whose every call says so.
let tsconfig = join(src, 'tsconfig.json');
const haveClient = existsSync(clientEntry);
const stubDir = join(root, 'dist', 'console-stub');
if (!haveClient) {
  console.warn(
    'build-console: packages/client/src/index.ts is missing; the live recall view is built without the client SDK',
  );
  mkdirSync(stubDir, { recursive: true });
  const stub = [
    "const missing = () => { throw new Error('this build has no client SDK (packages/client/src/index.ts was missing when it was built)'); };",
    'export const create = missing;',
    'export const EVENT = {};',
    'export class MemoryCache { constructor() { missing(); } }',
    'export class IndexedDBCache { constructor() { missing(); } }',
  ].join('\n');
  writeFileSync(
    join(stubDir, 'client.ts'),
    `${stub}\nexport type ChatSDK = any; export type Message = any; export type Conversation = any;\n`,
  );
  tsconfig = join(stubDir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify(
      {
        extends: join(src, 'tsconfig.json'),
        compilerOptions: { baseUrl: src, paths: { '@parley/client': [join(stubDir, 'client.ts')] } },
        include: [join(src, 'src', '**', '*.ts')],
      },
      null,
      2,
    ),
  );
}

const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error('build-console: type errors in console/ (see above)');
  process.exit(1);
}

// Only the files this script writes: dist/console/src/ holds console modules that tsc compiled
// for the Node tests (they import the pure ones); the server serves no subfolder.
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out, { withFileTypes: true })) if (f.isFile()) rmSync(join(out, f.name));
await build({
  entryPoints: { app: join(src, 'src', 'main.ts') },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: 'linked',
  chunkNames: 'chunk-[hash]',
  tsconfig,
  // The SDK reaches for node:fs / ws only under Node, through dynamic imports never taken here.
  external: ['node:*', 'ws'],
  logLevel: 'warning',
  legalComments: 'none',
});
for (const f of ['index.html', 'style.css']) copyFileSync(join(src, f), join(out, f));
if (!haveClient) rmSync(stubDir, { recursive: true, force: true });
console.log(`build-console: dist/console built${haveClient ? '' : ' (without the client SDK)'}`);
