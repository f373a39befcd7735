// Prints the README's API coverage table from the handler registry (run after `npm run build`):
//   node scripts/api-table.mjs
// test/readme.test.ts checks that the README holds exactly this table.
import { defaultRegistry } from '../dist/src/api/index.js';

/** Tencent's APIs link to Tencent's public page (named by its id); Parley's own to the README section named. */
const specLink = (spec) => {
  const tencent = /^https:\/\/www\.tencentcloud\.com\/document\/product\/1047\/(\d+)$/.exec(spec);
  if (tencent) return `[Tencent 1047/${tencent[1]}](${spec})`;
  // APIs Tencent documents only on its Chinese site (product 269).
  const chinese = /^https:\/\/cloud\.tencent\.com\/document\/product\/269\/(\d+)$/.exec(spec);
  if (chinese) return `[Tencent 269/${chinese[1]}](${spec})`;
  if (spec.startsWith('README.md § ')) return `[${spec}](#${spec.replace(/^README\.md § /, '').replace(/ \(.*\)$/, '').toLowerCase().replace(/\s+/g, '-')})`;
  throw new Error(`spec ${JSON.stringify(spec)} is neither a Tencent documentation page nor a README section`);
};

export function apiTable() {
  const rows = defaultRegistry().list().map((a) =>
    `| \`v4/${a.service}/${a.command}\` | ${a.summary} | ${a.rateLimit}/s | ${a.errors.map((c) => (c === 120001 ? '120001–130000 (from the before-send callback)' : String(c))).join(', ')} | ${specLink(a.spec)} |`);
  return ['| API | What it does | Default limit | ErrorCodes besides the common ones | Spec |', '|---|---|---|---|---|', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(apiTable());
