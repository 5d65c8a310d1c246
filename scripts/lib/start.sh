# shellcheck shell=bash
# `atelier start`: the Atelier server, then stock JupyterLab in gateway mode in front of it.
# Both run in their own process groups; Ctrl-C or SIGTERM stops JupyterLab first (so it can shut
# its kernels down through the server), then the server, and leaves nothing behind.

READY_TIMEOUT=60      # seconds for the server to write its ready file
JUPYTER_TIMEOUT=60    # seconds for JupyterLab to listen
STOP_TIMEOUT=20       # seconds each process gets to stop before it is killed

SERVER_PID=""
JUPYTER_PID=""
SLEEP_PID=""
STOPPING=0

start_usage() {
  cat <<EOF
usage: atelier start [--port N] [--atelier-port N] [--root-dir DIR] [--open] [--no-build] [--gateway-mode]

  --port N           JupyterLab port on 127.0.0.1 (default 8888)
  --atelier-port N   Atelier server port on 127.0.0.1 (default \$ATELIER_PORT or 8890)
  --root-dir DIR     notebook root (default: the directory atelier was started from)
  --open             open JupyterLab in a browser
  --no-build         use what is built; do not check or rebuild anything
  --gateway-mode     JupyterLab serves the port itself and uses the server only as its kernel
                     gateway (for deployments with their own proxy); by default the Atelier
                     front door serves the port, kernel channels included, in front of JupyterLab
EOF
}

# descendants PID...: the PIDs and every process below them.
descendants() {
  ps -e -o pid=,ppid= | awk -v roots="$*" '
    { parent[$1] = $2; pids[NR] = $1 }
    END {
      n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1
      do { added = 0
        for (i = 1; i <= NR; i++) { p = pids[i]; if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; added = 1 } }
      } while (added)
      for (p in keep) print p
    }'
}

alive() { [[ -n $1 ]] && kill -0 "$1" 2>/dev/null; }

# wait_gone SECONDS PID...: wait (bounded) until none of the PIDs is alive.
wait_gone() {
  local deadline=$(( $(now_ms) + $1 * 1000 )) p any
  shift
  while :; do
    any=0
    for p in "$@"; do alive "$p" && { any=1; break; }; done
    (( any )) || return 0
    (( $(now_ms) < deadline )) || return 1
    sleep 0.2
  done
}

# stop_one NAME PID: SIGTERM, bounded wait, then SIGKILL to its whole process group.
stop_one() {
  local name=$1 pid=$2
  alive "$pid" || return 0
  say "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$STOP_TIMEOUT" "$pid"; then
    warn "$name did not stop within ${STOP_TIMEOUT}s: killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# Stops JupyterLab, then the server, then anything left of their process trees or groups.
stop_all() {
  (( STOPPING )) && return 0
  STOPPING=1
  trap '' INT TERM HUP
  [[ -z $SLEEP_PID ]] || kill "$SLEEP_PID" 2>/dev/null || true
  local roots=() tree=() left=() p
  [[ -n $JUPYTER_PID ]] && roots+=("$JUPYTER_PID")
  [[ -n $SERVER_PID ]] && roots+=("$SERVER_PID")
  if (( ${#roots[@]} )); then
    mapfile -t tree < <(descendants "${roots[@]}")
    stop_one JupyterLab "$JUPYTER_PID"
    stop_one "the Atelier server" "$SERVER_PID"
    # Whatever is left of either tree (including processes that moved to their own group).
    for p in "${tree[@]}"; do alive "$p" && left+=("$p"); done
    for p in "${roots[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
    if (( ${#left[@]} )); then
      kill -TERM "${left[@]}" 2>/dev/null || true
      wait_gone 3 "${left[@]}" || kill -KILL "${left[@]}" 2>/dev/null || true
    fi
    for p in "${roots[@]}"; do kill -KILL -- "-$p" 2>/dev/null || true; done
    say "stopped"
  fi
  rm -f "$RUN_DIR/server.json" "$RUN_DIR/start.pid"
}

on_signal() {
  echo
  say "received $1: shutting down"
  stop_all
  exit 0
}

# show_server_log LOG: the server's own error lines, then the log's last lines.
show_server_log() {
  local errors
  errors=$(grep -m 5 '^atelier-server:' "$1" 2>/dev/null || true)
  [[ -n $errors ]] && printf '%s\n' "$errors" | sed 's/^/  ! /' >&2
  echo "  last lines of $1:" >&2
  tail -n 20 "$1" | sed 's/^/  | /' >&2
}

port_busy_message() {
  local port=$1 what=$2 hint=$3 other=""
  if [[ -s $RUN_DIR/start.pid ]] && ps -o args= -p "$(<"$RUN_DIR/start.pid")" 2>/dev/null | grep -q 'atelier start'; then
    other=" (another 'atelier start' runs as pid $(<"$RUN_DIR/start.pid"))"
  fi
  printf 'atelier: port %s (%s) is busy on 127.0.0.1%s: stop what is using it or choose another with %s\n' \
    "$port" "$what" "$other" "$hint" >&2
}

cmd_start() {
  local jupyter_port=8888 atelier_port=${ATELIER_PORT:-8890} root_dir=$START_DIR open=0 build=1 front_door=1
  while (( $# )); do
    case $1 in
      --port) jupyter_port=${2:?--port needs a value}; shift 2 ;;
      --port=*) jupyter_port=${1#*=}; shift ;;
      --atelier-port) atelier_port=${2:?--atelier-port needs a value}; shift 2 ;;
      --atelier-port=*) atelier_port=${1#*=}; shift ;;
      --root-dir) root_dir=${2:?--root-dir needs a value}; shift 2 ;;
      --root-dir=*) root_dir=${1#*=}; shift ;;
      --open) open=1; shift ;;
      --no-build) build=0; shift ;;
      --gateway-mode) front_door=0; shift ;;
      -h|--help) start_usage; return 0 ;;
      *) start_usage >&2; die "start: unknown option $1" ;;
    esac
  done
  is_port "$jupyter_port" || die "start: --port must be a port number (got $jupyter_port)"
  is_port "$atelier_port" || die "start: the Atelier port must be a port number (got $atelier_port)"
  (( jupyter_port != atelier_port )) || die "start: JupyterLab and the Atelier server need different ports ($jupyter_port)"
  [[ -d $root_dir ]] || die "start: the notebook root $root_dir is not a directory"
  root_dir=$(cd -- "$root_dir" && pwd -P)

  local t0; t0=$(now_ms)
  if (( build )); then cmd_build; fi
  [[ -f $SERVER_JAR ]] || die "the server jar $SERVER_JAR is missing: run 'bash scripts/atelier build'"
  [[ -x $VENV/bin/jupyter ]] || die "JupyterLab is missing from $VENV: run 'bash scripts/atelier build'"

  port_free "$atelier_port" || { port_busy_message "$atelier_port" "Atelier server" "--atelier-port N or ATELIER_PORT=N"; exit 1; }
  port_free "$jupyter_port" || { port_busy_message "$jupyter_port" "JupyterLab" "--port N"; exit 1; }

  mkdir -p "$RUN_DIR"
  chmod 700 "$RUN_DIR"
  ensure_token "$RUN_DIR/atelier-token"
  ensure_token "$RUN_DIR/jupyter-token"
  local ready=$RUN_DIR/server.json server_log=$RUN_DIR/server.log config=$RUN_DIR/jupyter_server_config.json
  rm -f "$ready"
  echo $$ > "$RUN_DIR/start.pid"

  trap 'on_signal SIGINT' INT
  trap 'on_signal SIGTERM' TERM
  trap 'on_signal SIGHUP' HUP
  trap 'stop_all' EXIT

  # The server: its own session and process group, so a terminal's Ctrl-C reaches only this script.
  # The front door (the Atelier server) takes the port users open and serves the kernel
  # channels itself; JupyterLab listens on a loopback port of its own behind it. In gateway mode
  # JupyterLab takes the port and talks to the server only as its kernel gateway.
  local lab_port=$jupyter_port front_args=()
  if (( front_door )); then
    lab_port=$("$VENV_PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    front_args=(--front-door-port "$jupyter_port" --jupyter-url "http://127.0.0.1:$lab_port")
    say "starting the Atelier server on 127.0.0.1:$atelier_port, its front door on 127.0.0.1:$jupyter_port (log: $server_log)"
  else
    # Browsers reach Atelier's API through jupyter-server-proxy, which leaves XSRF checks to the
    # app behind it: the server asks this jupyter_server to check requests made with its cookies.
    front_args=(--jupyter-url "http://127.0.0.1:$jupyter_port")
    say "starting the Atelier server on 127.0.0.1:$atelier_port (log: $server_log)"
  fi
  # Run a copy of the jar: a rebuild while the server runs would otherwise swap classes under it.
  cp "$SERVER_JAR" "$RUN_DIR/atelier-server.jar"
  # The JVM options (the collector, the heap's bounds: see the file) from one file that the
  # benchmarks use too. $ATELIER_JAVA_OPTS comes after, and can change them.
  local java_opts=("@$ATELIER_REPO/scripts/lib/server-jvm.options") extra_java_opts=()
  read -r -a extra_java_opts <<<"${ATELIER_JAVA_OPTS:-}"
  java_opts+=("${extra_java_opts[@]}")
  setsid "$JAVA" "${java_opts[@]}" -jar "$RUN_DIR/atelier-server.jar" --host 127.0.0.1 --port "$atelier_port" \
    --token-file "$RUN_DIR/atelier-token" --data-dir "$DATA_DIR" --python "$ATELIER_REPO/$VENV_PY" \
    --root-dir "$root_dir" --ready-file "$ready" "${front_args[@]}" </dev/null >"$server_log" 2>&1 &
  SERVER_PID=$!

  local deadline=$(( $(now_ms) + READY_TIMEOUT * 1000 )) atelier_url="" code
  while :; do
    if [[ -s $ready ]]; then
      atelier_url=$(json_field "$ready" url)
      [[ -n $atelier_url ]] && break
    fi
    if ! alive "$SERVER_PID"; then
      code=0; wait "$SERVER_PID" 2>/dev/null || code=$?
      SERVER_PID=""
      say "the Atelier server exited (code $code) before it was ready:" >&2
      show_server_log "$server_log"
      exit 1
    fi
    if (( $(now_ms) > deadline )); then
      say "the Atelier server was not ready within ${READY_TIMEOUT}s:" >&2
      show_server_log "$server_log"
      exit 1
    fi
    sleep 0.2
  done
  say "Atelier server ready at $atelier_url"

  local config_args=(--out "$config" --atelier-url "$atelier_url" --atelier-token-file "$RUN_DIR/atelier-token"
    --jupyter-token-file "$RUN_DIR/jupyter-token" --port "$lab_port" --root-dir "$root_dir")
  (( open && !front_door )) && config_args+=(--open)
  (( front_door )) && config_args+=(--display-url "http://127.0.0.1:$jupyter_port/")
  "$VENV_PY" "$ATELIER_REPO/scripts/lib/jupyter_config.py" "${config_args[@]}"

  # JupyterLab: stdin from /dev/null, so it stops on SIGTERM without asking for confirmation.
  if (( front_door )); then
    say "starting JupyterLab on 127.0.0.1:$lab_port, behind the front door"
  else
    say "starting JupyterLab on 127.0.0.1:$jupyter_port (gateway mode)"
  fi
  setsid "$VENV/bin/jupyter" lab --config "$config" </dev/null &
  JUPYTER_PID=$!

  deadline=$(( $(now_ms) + JUPYTER_TIMEOUT * 1000 ))
  until (exec 3<>"/dev/tcp/127.0.0.1/$lab_port") 2>/dev/null; do
    if ! alive "$JUPYTER_PID"; then
      code=0; wait "$JUPYTER_PID" 2>/dev/null || code=$?
      JUPYTER_PID=""
      die "JupyterLab exited (code $code) before it was ready"
    fi
    (( $(now_ms) < deadline )) || die "JupyterLab did not listen on port $lab_port within ${JUPYTER_TIMEOUT}s"
    sleep 0.2
  done

  echo
  local lab_url="http://127.0.0.1:$jupyter_port/lab?token=$(<"$RUN_DIR/jupyter-token")"
  echo "JupyterLab with Atelier: $lab_url"
  if (( open && front_door )); then
    "$VENV_PY" -m webbrowser -t "$lab_url" >/dev/null 2>&1 || warn "could not open a browser"
  fi
  say "up in $(elapsed_since "$t0"); press Ctrl-C to stop"
  echo

  # Until a signal (handled by the traps), one of the two exits on its own, or the npm that ran
  # this script is gone (npm does not pass its SIGTERM on to us).
  local parent=$PPID
  while alive "$SERVER_PID" && alive "$JUPYTER_PID"; do
    if [[ -n ${npm_lifecycle_event:-} && $(ps -o ppid= -p $$ | tr -d ' ') != "$parent" ]]; then
      say "npm exited: shutting down"
      stop_all
      exit 0
    fi
    sleep 1 &
    SLEEP_PID=$!
    wait "$SLEEP_PID" 2>/dev/null || true
    SLEEP_PID=""
  done
  code=0
  if ! alive "$SERVER_PID"; then
    wait "$SERVER_PID" 2>/dev/null || code=$?
  else
    wait "$JUPYTER_PID" 2>/dev/null || code=$?
  fi
  if ! alive "$SERVER_PID"; then
    say "the Atelier server stopped unexpectedly (code $code):" >&2
    show_server_log "$server_log"
    (( code )) || code=1
  elif (( code == 0 )); then
    say "JupyterLab was shut down"
  else
    say "JupyterLab stopped unexpectedly (code $code)" >&2
  fi
  stop_all
  exit "$code"
}
