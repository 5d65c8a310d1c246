#!/usr/bin/env node
/*
 * Build the prebuilt (federated) extension with @jupyter/builder.
 *
 * The npm package of @jupyter/builder ships the builder as
 * lib/build-labextension.js (no bin entry), and it needs the JupyterLab core
 * package.json, which @jupyterlab/core-meta ships. Both are resolved here, so
 * the build works wherever npm hoisted them.
 *
 * Usage: node scripts/build-labextension.mjs [--development] [--source-map]
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const builder = require.resolve('@jupyter/builder/lib/build-labextension.js');
const corePackage = require.resolve('@jupyterlab/core-meta/core.package.json');

const args = [
  builder,
  '--core-package-file',
  corePackage,
  ...process.argv.slice(2),
  root
];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
if (result.error) {
  console.error(result.error);
  process.exit(1);
}
process.exit(result.status ?? 1);
