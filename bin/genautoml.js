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
const { main } = await import(pathToFileURL(entry).href);
await main(process.argv);
