// Prints the README's API tables from the handler registry (run after `npm run build`):
//   node scripts/api-table.mjs            the API table
//   node scripts/api-table.mjs coverage   which of Tencent's APIs Parley has, and which not yet
//   node scripts/api-table.mjs --write    both, written into README.md between their markers
// test/readme.test.ts checks that the README holds exactly these tables.
import { readFileSync, writeFileSync } from 'node:fs';
import { defaultRegistry } from '../dist/src/api/index.js';
import { TENCENT_AREAS } from '../dist/src/api/tencent-catalogue.js';

/** Tencent's APIs link to Tencent's public page (named by its id); Parley's own to the README section named. */
const specLink = (spec) => {
  const tencent = /^https:\/\/www\.tencentcloud\.com\/document\/product\/1047\/(\d+)$/.exec(spec);
  if (tencent) return `[Tencent 1047/${tencent[1]}](${spec})`;
  // APIs Tencent documents only on its Chinese site (product 269).
  const chinese = /^https:\/\/cloud\.tencent\.com\/document\/product\/269\/(\d+)$/.exec(spec);
  if (chinese) return `[Tencent 269/${chinese[1]}](${spec})`;
  if (spec.startsWith('README.md § '))
    return `[${spec}](#${spec
      .replace(/^README\.md § /, '')
      .replace(/ \(.*\)$/, '')
      .toLowerCase()
      .replace(/\s+/g, '-')})`;
  throw new Error(`spec ${JSON.stringify(spec)} is neither a Tencent documentation page nor a README section`);
};

export function apiTable() {
  const rows = defaultRegistry()
    .list()
    .map(
      (a) =>
        `| \`v4/${a.service}/${a.command}\` | ${a.summary} | ${a.rateLimit}/s | ${a.errors.map((c) => (c === 120001 ? '120001–130000 (from the before-send callback)' : String(c))).join(', ')} | ${specLink(a.spec)} |`,
    );
  return [
    '| API | What it does | Default limit | ErrorCodes besides the common ones | Spec |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/**
 * Per area of Tencent's API: the APIs the registry has, and the rest as "not yet". A registered
 * Tencent API the catalogue does not name still shows, under "Other". Parley's own APIs are not Tencent's.
 */
export function coverage(registry = defaultRegistry()) {
  const registered = registry
    .list()
    .filter((a) => a.service !== 'parley')
    .map((a) => `${a.service}/${a.command}`);
  const has = new Set(registered);
  const named = new Set();
  const rows = [];
  const missing = [];
  const code = (api) => `\`v4/${api}\``;
  for (const { area, apis } of TENCENT_AREAS) {
    const present = [];
    const absent = [];
    for (const api of apis) {
      if (api.endsWith('/*')) {
        const service = api.slice(0, -1);
        const some = registered.filter((r) => r.startsWith(service));
        some.forEach((r) => named.add(r));
        present.push(...some);
        absent.push(some.length > 0 ? `the rest of ${code(api)}` : `every API of ${code(api)}`);
      } else {
        named.add(api);
        if (has.has(api)) present.push(api);
        else absent.push(code(api));
      }
    }
    rows.push(`| ${area} | ${present.length > 0 ? present.map(code).join(', ') : '—'} |`);
    if (absent.length > 0) missing.push(`${area}: ${absent.join(', ')}`);
  }
  const other = registered.filter((r) => !named.has(r));
  if (other.length > 0) rows.push(`| Other | ${other.map(code).join(', ')} |`);
  return [
    '| Area | Tencent APIs Parley has |',
    '|---|---|',
    ...rows,
    '',
    '**Not yet:**',
    '',
    ...missing.map((m) => `- ${m}`),
  ].join('\n');
}

/** README.md with the text between `<!-- name:start -->` and `<!-- name:end -->` replaced. */
function between(readme, name, text) {
  const start = `<!-- ${name}:start -->\n`;
  const end = `<!-- ${name}:end -->`;
  const a = readme.indexOf(start);
  const b = readme.indexOf(end, a);
  if (a < 0 || b < 0) throw new Error(`README.md has no ${name} markers`);
  return readme.slice(0, a + start.length) + text + '\n' + readme.slice(b);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const mode = process.argv[2];
  if (mode === '--write') {
    const file = new URL('../README.md', import.meta.url);
    writeFileSync(file, between(between(readFileSync(file, 'utf8'), 'api-table', apiTable()), 'coverage', coverage()));
  } else console.log(mode === 'coverage' ? coverage() : apiTable());
}
