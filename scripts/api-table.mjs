// Prints the README's API coverage table from the handler registry (run after `npm run build`):
//   node scripts/api-table.mjs
// test/readme.test.ts checks that the README holds exactly this table.
import { defaultRegistry } from '../dist/src/api/index.js';

/** Tencent's APIs link to the spec file; Parley's own APIs to the README section named. */
const specLink = (spec) => (spec.startsWith('shared/spec/')
  ? `[${spec.replace('shared/spec/', '')}](../${spec.split(' ')[0]})`
  : `[${spec}](#${spec.replace(/^README\.md § /, '').replace(/ \(.*\)$/, '').toLowerCase().replace(/\s+/g, '-')})`);

export function apiTable() {
  const rows = defaultRegistry().list().map((a) =>
    `| \`v4/${a.service}/${a.command}\` | ${a.summary} | ${a.rateLimit}/s | ${a.errors.map((c) => (c === 120001 ? '120001–130000 (from the before-send callback)' : String(c))).join(', ')} | ${specLink(a.spec)} |`);
  return ['| API | What it does | Default limit | ErrorCodes besides the common ones | Spec |', '|---|---|---|---|---|', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(apiTable());
