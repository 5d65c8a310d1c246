# shellcheck shell=bash
# Shared helpers for scripts/atelier: messages, timing, hashing, stamps.
# Sourced, not executed. Expects ATELIER_REPO to be set and the working directory to be the repo.

say() { printf 'atelier: %s\n' "$*"; }
warn() { printf 'atelier: warning: %s\n' "$*" >&2; }
die() { printf 'atelier: %s\n' "$*" >&2; exit 1; }

# Milliseconds since the epoch, for timings.
now_ms() { date +%s%3N; }

# Seconds (one decimal) elapsed since a now_ms value.
elapsed_since() {
  local ms=$(( $(now_ms) - $1 ))
  printf '%d.%01ds' $(( ms / 1000 )) $(( (ms % 1000) / 100 ))
}

# phase_record NAME RESULT TIME [NOTE]: one build phase of `atelier test`, for its summary. The
# phases go to $PHASES_FILE (set by `atelier test`; nothing is kept without it), one tab-separated
# line each: a file, so that steps run in a subshell count too.
phase_record() {
  [[ -n ${PHASES_FILE:-} ]] || return 0
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-}" >> "$PHASES_FILE"
}

# sha256 over the given files' names and contents; a missing file counts as "absent", so its
# later appearance changes the hash.
hash_files() {
  local f
  for f in "$@"; do
    printf '%s\n' "== $f"
    if [[ -f $f ]]; then cat -- "$f"; else printf 'absent\n'; fi
  done | sha256sum | cut -d' ' -f1
}

# stamp_matches FILE HASH: true when FILE holds exactly HASH.
stamp_matches() { [[ -f $1 && "$(<"$1")" == "$2" ]]; }

# newer_than REF PATH... [-- EXCLUDED_PATH...]: true when any regular file under PATH... is newer
# than REF, or REF is missing. node_modules, caches and the excluded paths (build outputs) are skipped.
newer_than() {
  local ref=$1; shift
  [[ -e $ref ]] || return 0
  local paths=() prune=(-name node_modules -o -name __pycache__ -o -name .pytest_cache -o -name '*.tsbuildinfo')
  while (( $# )) && [[ $1 != -- ]]; do [[ -e $1 ]] && paths+=("$1"); shift; done
  if (( $# )); then
    shift
    while (( $# )); do prune+=(-o -path "$1"); shift; done
  fi
  (( ${#paths[@]} )) || return 1
  [[ -n $(find "${paths[@]}" \( "${prune[@]}" \) -prune -o -type f -newer "$ref" -print -quit 2>/dev/null) ]]
}

# A fresh random token (64 hex characters) written to FILE with mode 600, or the one already there.
ensure_token() {
  local file=$1
  if [[ ! -s $file ]]; then
    ( umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$file.tmp" && mv -f "$file.tmp" "$file" )
  fi
  chmod 600 "$file"
}

# port_free PORT: true when 127.0.0.1:PORT can be bound (as servers do, with SO_REUSEADDR).
port_free() {
  python3 - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
}

# strip_ansi: copy stdin to stdout without terminal colour codes, line by line.
strip_ansi() { sed -u 's/\x1b\[[0-9;]*m//g'; }

# is_port NUMBER
is_port() { [[ $1 =~ ^[0-9]+$ ]] && (( $1 > 0 && $1 < 65536 )); }

# json_field FILE KEY: print a top-level field of a small JSON file (empty if unreadable).
json_field() {
  python3 -c 'import json,sys
try:
    print(json.load(open(sys.argv[1]))[sys.argv[2]])
except Exception:
    pass' "$1" "$2"
}

# node_field FILE EXPR: evaluate a JS expression on a package.json read into `p` (empty if none).
node_field() {
  node -e 'let p; try { p = require(require("path").resolve(process.argv[1])); } catch { process.exit(0); }
const v = (new Function("p", "return (" + process.argv[2] + ")"))(p);
if (v !== undefined && v !== null) console.log(Array.isArray(v) ? v.join("\n") : String(v));' "$1" "$2"
}
