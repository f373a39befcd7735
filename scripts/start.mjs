// `npm start`: brings dist/ up to date (incrementally: nothing to do costs a timestamp check) and
// runs the server in this very process. npm signals its script's process; with no shell and no
// child in between, SIGTERM or SIGINT reaches the server's own handlers and it stops.
import { build } from './build.mjs';

try {
  build();
} catch (e) {
  process.stderr.write(`parley: ${e.message}\n`);
  process.exit(1);
}
const { main } = await import('../dist/src/main.js');
await main();
