// `npm start`: brings dist/ up to date (incrementally: nothing to do costs a timestamp check) and
// runs the server in this very process. npm runs scripts through `sh -c` and signals that shell,
// which (dash) neither forwards SIGTERM nor exits on SIGINT while it waits; the script is
// `exec node scripts/start.mjs`, so the shell becomes this process and npm's signal reaches the
// server's own handlers.
import { build } from './build.mjs';

try {
  build();
} catch (e) {
  process.stderr.write(`parley: ${e.message}\n`);
  process.exit(1);
}
const { main } = await import('../dist/src/main.js');
await main();
