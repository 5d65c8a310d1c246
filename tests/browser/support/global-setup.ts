/**
 * Starts the real stack once for the whole run: `bash scripts/atelier start --no-build` with free
 * ports, a fresh notebook root and a fresh ATELIER_DATA_DIR, so a user's own instance (default
 * ports, `.atelier`) is left alone. Returns the teardown: SIGTERM to the launcher, then a bounded
 * wait until the launcher, its process group and the processes it started are gone.
 *
 * What the tests need is passed on in environment variables (see `stack.ts`).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { ENV, RESULTS_DIR, STACK_LOG_DIR, fileTail } from './stack';

const REPO = path.resolve(__dirname, '..', '..', '..');
const START_TIMEOUT_MS = 120_000; // the printed URL must appear within this
const STOP_TIMEOUT_MS = 90_000; // the launcher gives JupyterLab and the server 20 s each
const GROUP_TIMEOUT_MS = 15_000; // then whatever is left of the process groups
const URL_LINE = /^JupyterLab with Atelier: (http:\/\/127\.0\.0\.1:(\d+)\/lab\?token=([0-9a-f]+))\s*$/m;

/** ATELIER_BROWSER_KEEP_TMP=1 keeps the temporary directory (notebooks, configs, state, logs). */
function keepTmp(): boolean {
  return process.env.ATELIER_BROWSER_KEEP_TMP === '1';
}

/**
 * bash -c WATCHER _ RUNNER_PID LAUNCHER_PID TMP KEEP: once the test runner is gone, SIGTERM to the
 * launcher if it still runs, a bounded wait for it, then the temporary directory goes.
 */
const WATCHER = `
while kill -0 "$1" 2>/dev/null; do sleep 1; done
if kill -0 "$2" 2>/dev/null && tr '\\0' ' ' <"/proc/$2/cmdline" 2>/dev/null | grep -q 'scripts/atelier start'; then
  kill -TERM "$2"
fi
for _ in $(seq 600); do kill -0 "$2" 2>/dev/null || break; sleep 0.2; done
[ -n "$4" ] || rm -rf -- "$3"
`;

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** Two distinct free TCP ports on 127.0.0.1 (both held open until both are known). */
async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      servers.push(server);
    }
    return servers.map(s => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map(s => new Promise(resolve => s.close(resolve))));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits (bounded) until `done()` holds; false on timeout. */
async function waitFor(done: () => boolean, timeoutMs: number, stepMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) {
      return false;
    }
    await sleep(stepMs);
  }
  return true;
}

/** The environment of the stack: isolated Jupyter and IPython directories, no Jupyter secrets. */
function stackEnv(tmp: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('JUPYTER') && !key.startsWith('JPY_') && !key.startsWith('ATELIER_')) {
      env[key] = value;
    }
  }
  const dir = (name: string): string => {
    const p = path.join(tmp, name);
    fs.mkdirSync(p, { recursive: true });
    return p;
  };
  env.ATELIER_DATA_DIR = dir('atelier-data');
  // Kernels in local processes, as the specs expect: the default (auto) would put them in a
  // container whenever Docker answers and an Atelier image is built.
  env.ATELIER_DEFAULT_IMAGE = 'local';
  env.JUPYTER_CONFIG_DIR = dir('jupyter-config');
  env.JUPYTER_DATA_DIR = dir('jupyter-data');
  env.JUPYTER_RUNTIME_DIR = dir('jupyter-runtime');
  env.JUPYTERLAB_WORKSPACES_DIR = dir('lab-workspaces');
  env.JUPYTERLAB_SETTINGS_DIR = dir('lab-settings');
  env.IPYTHONDIR = dir('ipython');
  // No "Would you like to get notified about official Jupyter news?" toast, no news requests.
  const notification = path.join(env.JUPYTERLAB_SETTINGS_DIR, '@jupyterlab', 'apputils-extension');
  fs.mkdirSync(notification, { recursive: true });
  fs.writeFileSync(
    path.join(notification, 'notification.jupyterlab-settings'),
    JSON.stringify({ fetchNews: 'false', checkForUpdates: false }, null, 2)
  );
  return env;
}

interface Started {
  launcher: ChildProcess;
  url: string;
  token: string;
  port: number;
}

/** One attempt to start the stack; rejects with the launcher's log tail when it fails. */
async function startOnce(tmp: string, env: NodeJS.ProcessEnv, rootDir: string, log: string): Promise<Started> {
  const [labPort, atelierPort] = await freePorts(2);
  const out = fs.openSync(log, 'w');
  const args = [
    'scripts/atelier',
    'start',
    '--no-build',
    '--port',
    String(labPort),
    '--atelier-port',
    String(atelierPort),
    '--root-dir',
    rootDir
  ];
  // Its own process group (detached), so the teardown can tell what is left of it.
  const launcher = spawn('bash', args, { cwd: REPO, env, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited: string | null = null;
  launcher.once('exit', (code, signal) => {
    exited = signal ? `signal ${signal}` : `code ${code}`;
  });
  launcher.once('error', error => {
    exited = `spawn error: ${error.message}`;
  });
  launcher.unref();

  let match: RegExpMatchArray | null = null;
  const ready = await waitFor(() => {
    match = fs.readFileSync(log, 'utf8').match(URL_LINE);
    return match !== null || exited !== null;
  }, START_TIMEOUT_MS);
  if (match) {
    const m = match as RegExpMatchArray;
    return { launcher, url: m[1], port: Number(m[2]), token: m[3] };
  }
  const why = exited
    ? `'bash ${args.join(' ')}' exited (${exited}) before printing its URL`
    : `'bash ${args.join(' ')}' printed no URL within ${START_TIMEOUT_MS / 1000} s`;
  if (!ready && launcher.pid && alive(launcher.pid)) {
    await stopLauncher(launcher.pid, log).catch(() => undefined);
  }
  throw new Error(`${why}\n--- launcher output (${log}):\n${fileTail(log, 40)}`);
}

/** SIGTERM to the launcher, bounded waits, SIGKILL for leftovers; throws when anything was left. */
async function stopLauncher(pid: number, log: string): Promise<void> {
  const problems: string[] = [];
  if (alive(pid)) {
    process.kill(pid, 'SIGTERM');
    if (!(await waitFor(() => !alive(pid), STOP_TIMEOUT_MS))) {
      problems.push(`the launcher (pid ${pid}) did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM`);
    }
  }
  // The launcher's group, and the groups of the processes it says it stopped (it starts
  // JupyterLab and the server with setsid: each leads its own group).
  const groups = new Set<number>([pid]);
  const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
  for (const m of text.matchAll(/^atelier: stopping .* \(pid (\d+)\)$/gm)) {
    groups.add(Number(m[1]));
  }
  const left = (): number[] => [...groups].filter(g => alive(-g));
  if (!(await waitFor(() => left().length === 0, GROUP_TIMEOUT_MS))) {
    const still = left();
    problems.push(`process group(s) ${still.join(', ')} still had processes after the launcher stopped`);
    for (const g of still) {
      try {
        process.kill(-g, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
  if (problems.length) {
    throw new Error(`The stack did not stop cleanly: ${problems.join('; ')}\n--- launcher output:\n${fileTail(log, 30)}`);
  }
}

function copyLogs(tmp: string, log: string): void {
  fs.mkdirSync(STACK_LOG_DIR, { recursive: true });
  const copies: Array<[string, string]> = [
    [log, 'launcher.log'],
    [path.join(tmp, 'atelier-data', 'run', 'server.log'), 'server.log']
  ];
  for (const [from, to] of copies) {
    if (fs.existsSync(from)) {
      fs.copyFileSync(from, path.join(STACK_LOG_DIR, to));
    }
  }
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const t0 = Date.now();
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-browser-'));
  const rootDir = path.join(tmp, 'notebooks');
  fs.mkdirSync(rootDir);
  const env = stackEnv(tmp);
  const log = path.join(tmp, 'launcher.log');
  const bin = path.join(REPO, 'scripts', 'atelier');
  if (!fs.existsSync(bin)) {
    throw new Error(`${bin} not found: the browser tests live in tests/browser of the Atelier repository`);
  }

  let started: Started;
  try {
    started = await startOnce(tmp, { ...env }, rootDir, log).catch(async error => {
      // A port taken between choosing it and binding it: one more try with new ports.
      if (/port \d+ .* is busy/.test(String(error))) {
        return startOnce(tmp, { ...env }, rootDir, log);
      }
      throw error;
    });
  } catch (error) {
    copyLogs(tmp, log);
    throw error;
  }
  const pid = started.launcher.pid as number;
  // If the runner ends without its teardown (killed, or SIGTERM, which Node does not turn into an
  // exit), a detached watcher stops the launcher and removes the temporary directory.
  const watcher = spawn('bash', ['-c', WATCHER, 'atelier-browser-watch', String(process.pid), String(pid), tmp, keepTmp() ? '1' : ''], {
    detached: true,
    stdio: 'ignore'
  });
  watcher.unref();

  const base = started.url.replace(/\/lab\?token=.*$/, '');
  process.env[ENV.baseUrl] = base;
  process.env[ENV.token] = started.token;
  process.env[ENV.rootDir] = rootDir;
  process.env[ENV.launcherLog] = log;
  process.env[ENV.serverLog] = path.join(env.ATELIER_DATA_DIR as string, 'run', 'server.log');
  console.log(`[browser tests] stack up at ${base} in ${((Date.now() - t0) / 1000).toFixed(1)} s (state in ${tmp})`);

  return async () => {
    const t1 = Date.now();
    try {
      await stopLauncher(pid, log);
      console.log(`[browser tests] stack stopped in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    } finally {
      if (watcher.pid && alive(watcher.pid)) {
        process.kill(watcher.pid, 'SIGTERM');
      }
      copyLogs(tmp, log);
      if (keepTmp()) {
        console.log(`[browser tests] kept ${tmp}`);
      } else {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    }
  };
}
