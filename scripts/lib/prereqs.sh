# shellcheck shell=bash
# Prerequisite checks for scripts/atelier. Each missing tool gets one line saying what to install.
# Sets JAVA (a java >= 21 with javac beside it) and PYTHON3 (a python >= 3.11).

JAVA_MIN=21
NODE_MIN=20
PYTHON_MIN_MINOR=11   # 3.11

# java_major JAVA_BIN: the feature version (17, 21, 25, ...) of a java binary, or nothing.
java_major() {
  local bin home version
  bin=$(readlink -f -- "$1" 2>/dev/null) || return 0
  home=${bin%/bin/java}
  if [[ -f $home/release ]]; then
    version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
  fi
  if [[ -z ${version:-} ]]; then
    version=$("$bin" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)
  fi
  version=${version#1.}            # 1.8.0_x -> 8.0_x
  printf '%s\n' "${version%%[.+_-]*}"
}

# find_java: sets JAVA to the first java >= 21 that has javac beside it, looking at $JAVA_HOME,
# then `java` on PATH, then /usr/lib/jvm/*. Sets JAVA_FOUND to what was seen otherwise.
find_java() {
  local candidates=() c major seen=()
  [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME/bin/java")
  c=$(command -v java 2>/dev/null) && candidates+=("$c")
  for c in /usr/lib/jvm/*/bin/java; do [[ -e $c ]] && candidates+=("$c"); done
  JAVA=""
  JAVA_FOUND=""
  for c in "${candidates[@]}"; do
    [[ -x $c ]] || continue
    major=$(java_major "$c")
    [[ $major =~ ^[0-9]+$ ]] || continue
    if (( major >= JAVA_MIN )) && [[ -x $(dirname -- "$(readlink -f -- "$c")")/javac ]]; then
      JAVA=$(readlink -f -- "$c")
      return 0
    fi
    (( major >= JAVA_MIN )) && major="$major without javac"
    seen+=("$major at $c")
  done
  if (( ${#seen[@]} )); then JAVA_FOUND="found ${seen[0]}"; else JAVA_FOUND="no java found"; fi
  return 1
}

# find_python3: sets PYTHON3 to a python >= 3.11 (python3, then python3.13 .. python3.11).
find_python3() {
  local c minor
  PYTHON3=""
  PYTHON3_FOUND="no python3 found"
  for c in python3 python3.13 python3.12 python3.11; do
    command -v "$c" >/dev/null 2>&1 || continue
    minor=$("$c" -c 'import sys; print(sys.version_info[1] if sys.version_info[0] == 3 else -1)' 2>/dev/null) || continue
    if (( minor >= PYTHON_MIN_MINOR )); then
      PYTHON3=$(command -v "$c")
      return 0
    fi
    [[ $PYTHON3_FOUND == "no python3 found" ]] &&
      PYTHON3_FOUND="found $("$c" -c 'import platform; print(platform.python_version())') at $(command -v "$c")"
  done
  return 1
}

# check_prereqs: every tool a build needs; exits 1 after listing what is missing.
check_prereqs() {
  local missing=0 node_version

  if ! find_java; then
    printf 'atelier: Java %s or newer is required (%s): install a JDK %s+ or set JAVA_HOME\n' \
      "$JAVA_MIN" "$JAVA_FOUND" "$JAVA_MIN" >&2
    missing=1
  fi

  if ! command -v mvn >/dev/null 2>&1; then
    echo "atelier: Maven is required (no mvn on PATH): install Maven 3.6.3+ (apt-get install -y maven)" >&2
    missing=1
  fi

  if ! command -v node >/dev/null 2>&1; then
    echo "atelier: Node.js $NODE_MIN or newer is required (no node on PATH): install Node.js $NODE_MIN+" >&2
    missing=1
  else
    node_version=$(node -p 'process.versions.node' 2>/dev/null || echo 0)
    if (( ${node_version%%.*} < NODE_MIN )); then
      echo "atelier: Node.js $NODE_MIN or newer is required (found $node_version at $(command -v node)): install Node.js $NODE_MIN+" >&2
      missing=1
    fi
  fi

  if ! command -v npm >/dev/null 2>&1; then
    echo "atelier: npm is required (no npm on PATH): install npm (it comes with Node.js)" >&2
    missing=1
  fi

  if ! find_python3; then
    echo "atelier: Python 3.$PYTHON_MIN_MINOR or newer is required ($PYTHON3_FOUND): install python3 (3.$PYTHON_MIN_MINOR+) with python3-venv" >&2
    missing=1
  elif ! "$ATELIER_REPO/.venv/bin/python" -c '' 2>/dev/null &&
       ! "$PYTHON3" -c 'import venv, ensurepip' 2>/dev/null; then
    echo "atelier: the Python venv module is required (missing for $PYTHON3): install python3-venv (apt-get install -y python3-venv)" >&2
    missing=1
  fi

  (( missing == 0 )) || exit 1
  export ATELIER_JAVA=$JAVA
}
