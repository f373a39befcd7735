#!/usr/bin/env node
// Entry point of the `parley` command; the compiled CLI lives in dist/ (npm run build, which
// npm start and npm test also run).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('parley: not built yet; run `npm run build` (or `npm start`) first\n');
  process.exit(2);
}
const { cli: run } = await import(cli.href);
const code = await run(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
