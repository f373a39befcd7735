// Rewrites the API table between the README's api-table markers from the registry.
//   npm run build && node scripts/readme-api-table.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { apiTable } from './api-table.mjs';

const readme = readFileSync('README.md', 'utf8');
const next = readme.replace(/(<!-- api-table:start -->\n)[\s\S]*?(<!-- api-table:end -->)/, `$1${apiTable()}\n$2`);
writeFileSync('README.md', next);
