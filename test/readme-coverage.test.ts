// The README's coverage list (which of Tencent's APIs Parley has, which not yet) is generated from
// the registry: it must match the registry, and follow it when APIs are added.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ApiRegistry, type ApiDefinition } from '../src/api/registry.js';
import { defaultRegistry } from '../src/api/index.js';

// The generator is a plain script next to the build (scripts/api-table.mjs).
const { coverage } = (await import(new URL('../../scripts/api-table.mjs', import.meta.url).href)) as {
  coverage(r?: ApiRegistry): string;
};

const fake = (service: string, command: string): ApiDefinition => ({
  service,
  command,
  summary: 'x',
  family: 'openim',
  rateLimit: 1,
  spec: 'README.md § x',
  fields: {},
  errors: [],
  sample: {},
  handle: async () => ({}),
});
const section = (text: string, from: string, to?: string): string => {
  const a = text.indexOf(from);
  assert.ok(a >= 0, `no ${from}`);
  return text.slice(a, to ? text.indexOf(to, a) : undefined);
};

test('the README holds the coverage list the registry gives', () => {
  const readme = readFileSync('README.md', 'utf8');
  const listed = /<!-- coverage:start -->\n([\s\S]*?)\n<!-- coverage:end -->/.exec(readme)?.[1];
  assert.equal(listed, coverage(), 'run: node scripts/build.mjs && node scripts/api-table.mjs --write');
});

test('every registered Tencent API is on the "has" side, none on "not yet"; Parley\'s own APIs are not listed', () => {
  const text = coverage();
  const has = section(text, '| Area', '**Not yet:**');
  const notYet = section(text, '**Not yet:**');
  for (const a of defaultRegistry().list()) {
    const name = `\`v4/${a.service}/${a.command}\``;
    if (a.service === 'parley') {
      assert.ok(!text.includes(name), `${name} is Parley's own`);
      continue;
    }
    assert.ok(has.includes(name), `${name} is listed as present`);
    assert.ok(!notYet.includes(name), `${name} is not listed as missing`);
  }
  for (const family of ['group_open_http_svc', 'sns', 'all_member_push'])
    assert.match(notYet, new RegExp(`every API of \`v4/${family}/\\*\``));
});

test('an API registered later moves from "not yet" to "has" with no edit of the generator', () => {
  // As if the profile APIs were not built yet, then portrait_get alone were registered.
  const withoutProfiles = defaultRegistry()
    .list()
    .filter((a) => a.service !== 'profile');
  const reg = new ApiRegistry().add(
    ...withoutProfiles,
    fake('profile', 'portrait_get'),
    fake('sns', 'friend_add'),
    fake('newsvc', 'thing'),
  );
  const text = coverage(reg);
  const has = section(text, '| Area', '**Not yet:**');
  const notYet = section(text, '**Not yet:**');
  assert.match(has, /\| Profiles \| `v4\/profile\/portrait_get` \|/);
  assert.match(notYet, /- Profiles: `v4\/profile\/portrait_set`\n/, 'the other profile API is still missing');
  assert.match(has, /\| Relationship chain \(friends, blocklist\) \| `v4\/sns\/friend_add` \|/);
  assert.match(notYet, /the rest of `v4\/sns\/\*`/);
  assert.match(has, /\| Other \| `v4\/newsvc\/thing` \|/, 'an API the catalogue does not name still shows');
  assert.ok(!coverage().includes('| Other |'), 'no Other row while every API is named');
});
