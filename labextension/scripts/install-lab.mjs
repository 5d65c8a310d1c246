#!/usr/bin/env node
/*
 * Install the built extension into a Python environment as a prebuilt
 * JupyterLab extension:
 *   $VENV/share/jupyter/labextensions/@atelier/labextension
 *
 * VENV defaults to ../.venv (the repository's virtual environment).
 * Options:
 *   --link   symlink the build output instead of copying it (development)
 */
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const source = path.join(root, pkg.jupyterlab.outputDir);
const venv = path.resolve(root, process.env.VENV || '../.venv');
const link = process.argv.includes('--link');

if (!existsSync(path.join(source, 'package.json'))) {
  console.error(`No build output in ${source}: run "npm run build" first.`);
  process.exit(1);
}
const built = JSON.parse(
  readFileSync(path.join(source, 'package.json'), 'utf8')
);
if (!built.jupyterlab?._build?.load) {
  console.error(`${source} is not a finished build (no jupyterlab._build).`);
  process.exit(1);
}
if (!existsSync(venv)) {
  console.error(`Python environment not found: ${venv} (set VENV).`);
  process.exit(1);
}

const target = path.join(
  venv,
  'share',
  'jupyter',
  'labextensions',
  ...pkg.name.split('/')
);
mkdirSync(path.dirname(target), { recursive: true });
let exists = false;
try {
  lstatSync(target);
  exists = true;
} catch {
  exists = false;
}
if (exists) {
  rmSync(target, { recursive: true, force: true });
}
if (link) {
  symlinkSync(source, target, 'dir');
  console.log(`Linked ${target} -> ${source}`);
} else {
  cpSync(source, target, { recursive: true });
  console.log(`Installed ${pkg.name} ${built.version} into ${target}`);
}
