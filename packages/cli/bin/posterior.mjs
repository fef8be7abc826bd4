#!/usr/bin/env node
// The `posterior` command as npm links it. This file is checked in (with its execute bit) so that npm
// links the bin at the first `npm install`, before anything is built, and a cached build that restores
// dist/ without execute bits cannot break it. It only loads the compiled CLI.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('posterior: the CLI is not built yet; run npm start or npm run build first\n');
  process.exit(1);
}
await import(entry.href);
