# shellcheck shell=bash
# `atelier build`: the Python environment, the server jar, the npm workspace and the JupyterLab
# extension, each step skipped when its output is up to date.

VENV=.venv
VENV_PY=$VENV/bin/python
VENV_STAMP=$VENV/.atelier-build-stamp
TEST_DEPS_STAMP=$VENV/.atelier-test-deps-stamp
EXT_STAMP=$VENV/.atelier-labextension-stamp
NPM_STAMP=node_modules/.atelier-stamp
SERVER_JAR=java-server/target/atelier-server.jar

# Browsers come from the system (/usr/bin/chromium): never let an npm package download one.
export PUPPETEER_SKIP_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

pip_install() {
  "$VENV_PY" -m pip install --disable-pip-version-check --no-input -q "$@"
}

# (a) .venv from scripts/requirements.txt plus the editable kernel-gateway package.
build_venv() {
  local hash t0; t0=$(now_ms)
  hash=$(hash_files scripts/requirements.txt kernel-gateway/pyproject.toml)
  if [[ -x $VENV_PY ]] && "$VENV_PY" -c '' 2>/dev/null && stamp_matches "$VENV_STAMP" "$hash"; then
    say "build: python environment up to date ($VENV)"
    phase_record venv "up to date" "$(elapsed_since "$t0")"
    return 0
  fi
  if ! [[ -x $VENV_PY ]] || ! "$VENV_PY" -c '' 2>/dev/null; then
    say "build: creating the python environment ($VENV) with $PYTHON3"
    rm -rf "$VENV"
    "$PYTHON3" -m venv "$VENV" || die "could not create $VENV with $PYTHON3 -m venv"
  fi
  say "build: installing scripts/requirements.txt into $VENV"
  pip_install -r scripts/requirements.txt || die "pip install -r scripts/requirements.txt failed"
  if [[ -f kernel-gateway/pyproject.toml ]]; then
    say "build: installing kernel-gateway (editable) into $VENV"
    pip_install -e kernel-gateway || die "pip install -e kernel-gateway failed"
  else
    warn "kernel-gateway/pyproject.toml not found: the agent package is not installed yet"
  fi
  rm -f "$TEST_DEPS_STAMP"   # test dependencies go on top of this environment: check them again
  printf '%s\n' "$hash" > "$VENV_STAMP"
  say "build: python environment ready ($(elapsed_since "$t0"))"
  phase_record venv built "$(elapsed_since "$t0")" "pip install -r scripts/requirements.txt, -e kernel-gateway"
}

# (b) the server jar, when a source or a pom is newer than it.
build_jar() {
  if [[ ! -f java-server/pom.xml ]]; then
    warn "java-server/pom.xml not found: no server to build"
    return 0
  fi
  local t0; t0=$(now_ms)
  if [[ -f $SERVER_JAR ]] && ! newer_than "$SERVER_JAR" java-server/src java-server/pom.xml pom.xml; then
    say "build: server jar up to date ($SERVER_JAR)"
    phase_record jar "up to date" "$(elapsed_since "$t0")"
    return 0
  fi
  say "build: building the server jar (mvn package)"
  # Maven's console library writes colour resets even in batch mode: keep them out of the output.
  mvn -B -q -ntp package -DskipTests 2>&1 | strip_ansi ||
    die "the server build failed (mvn -B -q package -DskipTests)"
  [[ -f $SERVER_JAR ]] || die "the server build made no $SERVER_JAR"
  touch "$SERVER_JAR"
  say "build: server jar ready ($(elapsed_since "$t0"))"
  phase_record jar built "$(elapsed_since "$t0")" "mvn package -DskipTests"
}

# Paths of the npm workspace package.json files, for the npm stamp.
npm_manifests() {
  local ws
  printf '%s\n' package.json package-lock.json
  while IFS= read -r ws; do
    [[ -n $ws ]] && printf '%s\n' "$ws/package.json"
  done < <(node_field package.json 'p.workspaces || []')
}

# (c) npm install (npm ci with a lock file) when package.json or the lock changed.
build_npm() {
  [[ -f package.json ]] || return 0
  local manifests hash t0; t0=$(now_ms)
  mapfile -t manifests < <(npm_manifests)
  hash=$(hash_files "${manifests[@]}")
  if [[ -d node_modules ]] && stamp_matches "$NPM_STAMP" "$hash"; then
    say "build: npm packages up to date"
    phase_record npm "up to date" "$(elapsed_since "$t0")"
    return 0
  fi
  if [[ -f package-lock.json ]]; then
    say "build: installing npm packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed"
  else
    say "build: installing npm packages (npm install)"
    npm install --no-audit --no-fund --loglevel=error || die "npm install failed"
  fi
  mkdir -p node_modules
  hash_files "${manifests[@]}" > "$NPM_STAMP"   # npm install may have written the lock file
  say "build: npm packages ready ($(elapsed_since "$t0"))"
  phase_record npm built "$(elapsed_since "$t0")" "npm ci (the root workspace)"
}

# (d) the JupyterLab extension: built and installed into .venv when its sources changed.
build_extension() {
  local pkg=labextension/package.json name build_script install_script t0; t0=$(now_ms)
  if [[ ! -f $pkg ]]; then
    warn "labextension/package.json not found: no JupyterLab extension to build yet"
    return 0
  fi
  name=$(node_field "$pkg" 'p.name')
  build_script=$(node_field "$pkg" '(p.scripts || {}).build')
  install_script=$(node_field "$pkg" '(p.scripts || {})["install:lab"]')
  if [[ -z $build_script ]]; then
    warn "labextension has no \"build\" script yet: the extension is not built"
    return 0
  fi
  if [[ -f $EXT_STAMP && -n $name && -e $VENV/share/jupyter/labextensions/$name/package.json ]] &&
     ! newer_than "$EXT_STAMP" labextension "$NPM_STAMP" -- labextension/lib labextension/atelier_labextension; then
    say "build: JupyterLab extension up to date ($name)"
    phase_record extension "up to date" "$(elapsed_since "$t0")"
    return 0
  fi
  say "build: building the JupyterLab extension (npm run build -w labextension)"
  # The extension's own tools (jupyter labextension) come from .venv.
  PATH="$ATELIER_REPO/$VENV/bin:$PATH" npm run build -w labextension ||
    die "the extension build failed (npm run build -w labextension)"
  if [[ -z $install_script ]]; then
    warn "labextension has no \"install:lab\" script yet: the extension is built but not installed"
    return 0
  fi
  say "build: installing the JupyterLab extension (npm run install:lab -w labextension)"
  PATH="$ATELIER_REPO/$VENV/bin:$PATH" npm run install:lab -w labextension ||
    die "the extension install failed (npm run install:lab -w labextension)"
  touch "$EXT_STAMP"
  say "build: JupyterLab extension ready ($(elapsed_since "$t0"))"
  phase_record extension built "$(elapsed_since "$t0")" "npm run build, install:lab"
}

# Test-only Python packages (pytest, websocket-client, ...) on top of .venv.
build_test_deps() {
  local files=(scripts/test-requirements.txt) hash args=()
  [[ -f tests/requirements.txt ]] && files+=(tests/requirements.txt)
  local t0 f; t0=$(now_ms)
  hash=$(hash_files "$VENV_STAMP" "${files[@]}")
  if stamp_matches "$TEST_DEPS_STAMP" "$hash"; then
    say "build: python test packages up to date"
    phase_record test-deps "up to date" "$(elapsed_since "$t0")"
    return 0
  fi
  for f in "${files[@]}"; do args+=(-r "$f"); done
  say "build: installing python test packages (${files[*]})"
  pip_install "${args[@]}" || return 1
  printf '%s\n' "$hash" > "$TEST_DEPS_STAMP"
  say "build: python test packages ready ($(elapsed_since "$t0"))"
  phase_record test-deps built "$(elapsed_since "$t0")" "pip install -r ${files[*]}"
}

# cmd_build [ALONGSIDE]: ALONGSIDE, a function, runs in the background once .venv is ready, while
# Maven and npm build (neither uses .venv), and is waited for before the extension, whose build
# runs jupyter from .venv.
cmd_build() {
  local t0 alongside=${1:-} pid rc=0; t0=$(now_ms)
  build_venv
  if [[ -n $alongside ]]; then
    "$alongside" & pid=$!
    ( build_jar; build_npm ) || rc=$?
    wait "$pid" || true
    (( rc == 0 )) || exit "$rc"
  else
    build_jar
    build_npm
  fi
  build_extension
  say "build: done in $(elapsed_since "$t0")"
}
