#!/usr/bin/env node
// Entry point of the `parley` command; the compiled CLI lives in dist/ (npm run build).
import { cli } from '../dist/src/cli.js';

const code = await cli(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
