// The README's API table is generated from the handler registry; it must not drift from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { defaultRegistry } from '../src/api/index.js';

test('the README API table lists exactly the registered APIs', () => {
  const readme = readFileSync('README.md', 'utf8');
  const table = /<!-- api-table:start -->\n([\s\S]*?)<!-- api-table:end -->/.exec(readme)?.[1] ?? '';
  const listed = [...table.matchAll(/^\| `v4\/([\w]+\/[\w]+)`/gm)].map((m) => m[1]);
  const registered = defaultRegistry()
    .list()
    .map((a) => `${a.service}/${a.command}`);
  assert.deepEqual(listed, registered, 'run: npm run build && node scripts/readme-api-table.mjs');
});

test('the README keeps the two commands that work on a fresh machine', () => {
  const readme = readFileSync('README.md', 'utf8');
  assert.match(readme, /npm install && npm start/);
  assert.match(readme, /\nnpm test\n/);
});

test("README and docs/ cite Tencent's public pages, never the reference folder outside the repository", () => {
  const files = [
    'README.md',
    ...readdirSync('docs')
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  for (const f of files)
    assert.doesNotMatch(readFileSync(f, 'utf8'), /shared\/spec/, `${f} links into shared/spec, which no clone has`);
  const readme = readFileSync('README.md', 'utf8');
  const table = /<!-- api-table:start -->\n([\s\S]*?)<!-- api-table:end -->/.exec(readme)?.[1] ?? '';
  for (const row of table.split('\n').filter((l) => l.startsWith('| `v4/'))) {
    // 269/<id>: Tencent's Chinese site, for APIs it documents only there (delete_c2c_msg_ramble).
    assert.match(
      row,
      /\]\((https:\/\/www\.tencentcloud\.com\/document\/product\/1047\/\d+|https:\/\/cloud\.tencent\.com\/document\/product\/269\/\d+|#[\w-]+)\) \|$/,
      `spec link of ${row.slice(0, 60)}`,
    );
  }
});
