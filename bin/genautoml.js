#!/usr/bin/env node
// The genautoml command. The TypeScript sources are compiled into dist/ by `npm run build`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const entry = path.join(root, 'dist', 'server', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  console.error(`genautoml is not built: ${entry} is missing.\nRun \`npm run build\` in ${root} first.`);
  process.exit(1);
}
// Every command ends with process.exit. If the event loop runs dry first, the command was left
// awaiting something nothing can settle any more; Node would exit 13 ("unsettled top-level
// await"), a code nobody documents. Say so and exit 1 instead (docs/cli.md lists the exit codes).
let finished = false;
process.on('beforeExit', () => {
  if (finished) return;
  const code = 'internal.stalled'; // engine/errors/codes.ts lists it
  console.error(`[${code}] genautoml stopped: the command was left waiting for work that can no longer finish. — This is a bug; please report it with the output of GENAUTOML_LOG_LEVEL=debug.`);
  process.exit(1);
});
const { main } = await import(pathToFileURL(entry).href);
await main(process.argv);
finished = true;
