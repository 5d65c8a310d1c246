/** Shared between the global setup (in the runner) and the tests (in the worker). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Environment variables the global setup sets for the tests. */
export const ENV = {
  baseUrl: 'ATELIER_BROWSER_BASE_URL', // http://127.0.0.1:<port>, JupyterLab's base URL without the trailing slash
  token: 'ATELIER_BROWSER_TOKEN', // JupyterLab's token
  rootDir: 'ATELIER_BROWSER_ROOT_DIR', // the notebook root of this run
  launcherLog: 'ATELIER_BROWSER_LAUNCHER_LOG', // output of `scripts/atelier start` (JupyterLab's log too)
  serverLog: 'ATELIER_BROWSER_SERVER_LOG' // the Atelier server's log
} as const;

export const RESULTS_DIR = path.join(__dirname, '..', 'test-results');
/** Copies of the stack's logs, written when the stack stops. */
export const STACK_LOG_DIR = path.join(RESULTS_DIR, 'stack');

/** The last lines of a text file, or a note saying why there are none. */
export function fileTail(file: string, lines: number): string {
  try {
    const all = fs.readFileSync(file, 'utf8').split('\n');
    return all.slice(-lines - 1).join('\n');
  } catch (error) {
    return `<no ${file}: ${(error as Error).message}>`;
  }
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the browser tests with 'npm test --prefix tests/browser' (global setup starts the stack)`);
  }
  return value;
}
