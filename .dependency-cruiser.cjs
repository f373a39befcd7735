// The layer rules of docs/design.md, checked by `npm test` (scripts/check.mjs):
// edges (http, gateway, api) → domain → ports ← adapters; protocol below everything; the client
// SDK sees only the protocol. A rule broken here is a design change: say so in docs/design.md.
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'An import cycle.', from: {}, to: { circular: true } },
    {
      name: 'protocol-imports-nothing', severity: 'error',
      comment: '@parley/protocol is shared by server and client: it imports nothing, not even Node built-ins.',
      from: { path: '^packages/protocol/src' }, to: { pathNot: '^packages/protocol/src' },
    },
    {
      name: 'client-sees-only-the-protocol', severity: 'error',
      comment: 'The client SDK installs without the server: it imports only @parley/protocol (and ws/node:fs lazily).',
      from: { path: '^packages/client/src' }, to: { path: '^(src|console|test|bench)/' },
    },
    {
      name: 'ports-import-only-ports', severity: 'error',
      comment: 'Ports are the bottom of the server: they import only each other and the protocol.',
      from: { path: '^src/ports/' }, to: { path: '^src/', pathNot: '^src/ports/' },
    },
    {
      name: 'domain-knows-no-edge-or-adapter', severity: 'error',
      comment: 'The domain knows nothing of HTTP, WebSocket, configuration files or storage engines.',
      from: { path: '^src/domain/' }, to: { path: '^src/(http|gateway|api|adapters|config|app\\.ts|main\\.ts|cli\\.ts)' },
    },
    {
      name: 'adapters-hold-no-rules', severity: 'error',
      comment: 'Adapters implement ports; they import no domain service and no edge.',
      from: { path: '^src/adapters/' }, to: { path: '^src/(domain|http|gateway|api|config|app\\.ts)' },
    },
    {
      name: 'adapters-know-not-each-other', severity: 'error',
      comment: 'SQLite, PostgreSQL, Redis and the webhook transport are independent.',
      from: { path: '^src/adapters/([^/.]+)' }, to: { path: '^src/adapters/', pathNot: '^src/adapters/$1' },
    },
    {
      name: 'edges-are-peers', severity: 'error',
      comment: 'The REST edge and the WebSocket gateway do not import each other.',
      from: { path: '^src/gateway/' }, to: { path: '^src/(http|api)/' },
    },
    {
      name: 'rest-edge-not-gateway', severity: 'error',
      from: { path: '^src/(http|api)/' }, to: { path: '^src/gateway/' },
    },
    {
      name: 'only-the-root-composes', severity: 'error',
      comment: 'src/app.ts wires everything; only the entry points import it.',
      from: { pathNot: '^src/(main|cli|index)\\.ts$|^(test|bench)/' }, to: { path: '^src/app\\.ts$' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    combinedDependencies: true,
  },
};
