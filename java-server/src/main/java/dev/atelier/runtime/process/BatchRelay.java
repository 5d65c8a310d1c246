package dev.atelier.runtime.process;

/**
 * The program that stands where a container would for a local job ({@link ProcessBatchRuntime}):
 * in its own session, so it outlives the server, it runs the job's command in the job's cgroup
 * (or, when the host refuses the move, without its limits, saying so in the job's output),
 * writes each line of its output to a log with a timestamp of its own (strictly increasing, RFC
 * 3339 with nanoseconds, so a follow can go on after the last line seen), passes a SIGTERM on,
 * and records the exit code (128 + the signal, as a container's) once the command has ended.
 */
final class BatchRelay {
  private BatchRelay() {}

  /** {@code python -c SCRIPT DIR COMMAND...}; the cgroup.procs files to join in {@code ATELIER_JOB_CGROUPS}. */
  static final String SCRIPT = String.join("\n",
      "import json, os, signal, subprocess, sys, threading, time",
      "d, cmd = sys.argv[1], sys.argv[2:]",
      "procs = [p for p in os.environ.pop('ATELIER_JOB_CGROUPS', '').split(os.pathsep) if p]",
      "lock, last = threading.Lock(), [0]",
      "log = open(os.path.join(d, 'output.log'), 'a', encoding='utf-8')",
      "def stamp():",
      "    last[0] = max(time.time_ns(), last[0] + 1)",
      "    s, ns = divmod(last[0], 1_000_000_000)",
      "    return time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(s)) + '.%09dZ' % ns",
      "def join_cgroups():",
      "    try:",
      "        for p in procs:",
      "            with open(p, 'w') as f:",
      "                f.write(str(os.getpid()))",
      "    except OSError as e:",
      "        # the host made the cgroup but refuses the move (v2 needs the common ancestor): run, and say so",
      "        os.write(log.fileno(), (stamp() + ' E the job runs without its CPU and memory limits: ' + str(e) + '\\n').encode())",
      "def pump(stream, tag):",
      "    for raw in iter(stream.readline, b''):",
      "        text = raw.decode('utf-8', 'replace').rstrip('\\n').rstrip('\\r')",
      "        with lock:",
      "            log.write(stamp() + ' ' + tag + ' ' + text + '\\n')",
      "            log.flush()",
      "def finish(code, error=None):",
      "    tmp = os.path.join(d, 'exit.json.tmp')",
      "    with open(tmp, 'w') as f:",
      "        json.dump({'code': code, 'error': error}, f)",
      "    os.replace(tmp, os.path.join(d, 'exit.json'))",
      "try:",
      "    child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,",
      "                             preexec_fn=join_cgroups, cwd=d)",
      "except Exception as e:",
      "    finish(127, 'cannot run %s: %s' % (cmd[0] if cmd else '(no command)', e))",
      "    sys.exit(0)",
      "signal.signal(signal.SIGTERM, lambda *a: child.send_signal(signal.SIGTERM))",
      "pumps = [threading.Thread(target=pump, args=(child.stdout, 'O')), threading.Thread(target=pump, args=(child.stderr, 'E'))]",
      "for t in pumps:",
      "    t.start()",
      "rc = child.wait()",
      "for t in pumps:",
      "    t.join()",
      "finish(rc if rc >= 0 else 128 - rc)");
}
