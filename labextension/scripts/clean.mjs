#!/usr/bin/env node
/* Remove build outputs: node scripts/clean.mjs PATH... (relative to the package). */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
for (const target of process.argv.slice(2)) {
  const resolved = path.resolve(root, target);
  if (!resolved.startsWith(root + path.sep)) {
    console.error(`Refusing to remove ${resolved}: outside the package.`);
    process.exit(1);
  }
  rmSync(resolved, { recursive: true, force: true });
}
