# shellcheck shell=bash
# `atelier test`: build, then every test suite that exists, each one's result, and a summary.
# A suite that fails does not stop the others; the exit status is 1 when any failed.

# shellcheck source=images.sh
source scripts/lib/images.sh

SUITES=(java agent images e2e extension browser)
SUITE_TIMEOUT=${ATELIER_SUITE_TIMEOUT:-1800}   # seconds one suite may take
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}

RESULT_NAMES=()
RESULT_STATES=()
RESULT_TIMES=()
RESULT_NOTES=()
RESULT_REPORTS=()
SLOWEST=5   # the slowest tests of each suite shown in the summary

record() {   # record NAME STATE TIME NOTE [REPORT...]: REPORTs are JUnit XML files or folders of them
  RESULT_NAMES+=("$1"); RESULT_STATES+=("$2"); RESULT_TIMES+=("$3"); RESULT_NOTES+=("$4")
  RESULT_REPORTS+=("${*:5}")
}

# Per-test times: pytest writes a JUnit report next to the suite's log and lists its slowest
# tests at the end of its output; Maven and Playwright write their own reports (see the suites).
pytest_timing() {   # pytest_timing NAME: the pytest options for suite NAME
  printf '%s\n' "--junitxml=$LOG_DIR/$1.xml" --durations=10 --durations-min=1
}

banner() { printf '\n==== %s ====\n' "$*"; }

failed_now() {   # failed_now NAME NOTE: a suite that could not run although it exists
  printf '\natelier: FAILED: %s: %s\n' "$1" "$2" >&2
  record "$1" FAILED - "$2"
}

# run_suite NAME EMPTY_CHECK [--reports PATHS] CMD...: runs CMD with its output shown and kept in a
# log. EMPTY_CHECK says how to tell that no test ran: pytest (exit 5), maven (no "Tests run:"),
# none. PATHS (space-separated) are the suite's JUnit reports, for its slowest tests.
run_suite() {
  local name=$1 empty_check=$2 reports=""; shift 2
  if [[ ${1:-} == --reports ]]; then reports=$2; shift 2; fi
  local log=$LOG_DIR/$name.log t0 rc=0 took state note=""
  banner "$name: $*"
  t0=$(now_ms)
  { timeout --kill-after=30 "$SUITE_TIMEOUT" "$@" </dev/null 2>&1 | strip_ansi | tee "$log"; } || rc=$?
  took=$(elapsed_since "$t0")
  if (( rc == 0 )); then
    state=passed
    if [[ $empty_check == maven ]] && ! grep -q 'Tests run:' "$log"; then
      state=empty; note="no tests ran"
    fi
  elif [[ $empty_check == pytest && $rc == 5 ]]; then
    state=empty; note="no tests collected"
  elif (( rc == 124 || rc == 137 )); then
    state=FAILED; note="timed out after ${SUITE_TIMEOUT}s"
  else
    state=FAILED; note="exit code $rc"
  fi
  [[ $state == FAILED ]] && note="$note, log: $log"
  if [[ $state == FAILED ]]; then
    printf '\natelier: FAILED: %s (%s)\n' "$name" "$note" >&2
  else
    say "$name: $state${note:+ ($note)} in $took"
  fi
  # shellcheck disable=SC2086 # the report paths are space-separated on purpose
  record "$name" "$state" "$took" "$note" $reports
}

# build_test_deps in the background of the build (cmd_build's ALONGSIDE): output to a log, status to a file.
test_deps_alongside() {
  local rc=0
  build_test_deps >"$LOG_DIR/test-deps.log" 2>&1 || rc=$?
  echo "$rc" >"$LOG_DIR/test-deps.rc"
}

venv_has() { "$VENV_PY" -c "import $1" 2>/dev/null; }

suite_java() {
  if [[ ! -f java-server/pom.xml ]]; then record java absent - "java-server/pom.xml not found"; return; fi
  rm -rf java-server/target/surefire-reports java-server/target/failsafe-reports   # this run's only
  run_suite java maven --reports "java-server/target/surefire-reports java-server/target/failsafe-reports" \
    mvn -B -ntp verify "-Datelier.python=$ATELIER_REPO/$VENV_PY"
}

suite_agent() {
  if [[ ! -d kernel-gateway/tests ]]; then record agent absent - "kernel-gateway/tests not found"; return; fi
  if ! venv_has pytest; then failed_now agent "pytest is not installed in $VENV (see scripts/test-requirements.txt)"; return; fi
  local timing; mapfile -t timing < <(pytest_timing agent)
  run_suite agent pytest --reports "$LOG_DIR/agent.xml" "$VENV_PY" -m pytest kernel-gateway/tests -q "${timing[@]}"
}

suite_images() {
  if [[ ! -d images/tests ]]; then record images absent - "images/tests not found"; return; fi
  if ! venv_has pytest; then failed_now images "pytest is not installed in $VENV (see scripts/test-requirements.txt)"; return; fi
  local timing; mapfile -t timing < <(pytest_timing images)
  run_suite images pytest --reports "$LOG_DIR/images.xml" "$VENV_PY" -m pytest images/tests -q "${timing[@]}"
}

suite_e2e() {
  if [[ ! -d tests/e2e ]]; then record e2e absent - "tests/e2e not found"; return; fi
  if ! venv_has pytest; then failed_now e2e "pytest is not installed in $VENV (add it to tests/requirements.txt)"; return; fi
  local timing; mapfile -t timing < <(pytest_timing e2e)
  # Most of its time is spent waiting on kernels, containers and jobs, so two processes share the
  # machine's cores (tests/e2e/conftest.py keeps each backend's tests, and each module's own, in one).
  local procs=${ATELIER_E2E_PROCESSES:-2} dist=()
  (( procs > 1 )) && dist=(-n "$procs" --dist loadgroup)
  run_suite e2e pytest --reports "$LOG_DIR/e2e.xml" "$VENV_PY" -m pytest tests/e2e -v -rs "${dist[@]}" "${timing[@]}"
}

suite_extension() {
  if [[ -z $(node_field labextension/package.json '(p.scripts || {}).test') ]]; then
    record extension absent - "labextension has no test script"; return
  fi
  run_suite extension none npm test -w labextension
}

suite_browser() {
  local dir=tests/browser
  if [[ ! -f $dir/package.json ]]; then record browser absent - "$dir/package.json not found"; return; fi
  if [[ ! -x $CHROMIUM ]]; then failed_now browser "no Chromium at $CHROMIUM: install chromium (apt-get install -y chromium)"; return; fi
  if [[ -z $(node_field "$dir/package.json" '(p.scripts || {}).test') ]]; then
    failed_now browser "$dir/package.json has no test script"; return
  fi
  # Its packages, unless the root npm workspace already covers the folder.
  if ! node_field package.json 'p.workspaces || []' | grep -qx "$dir"; then
    local hash stamp=$dir/node_modules/.atelier-stamp
    hash=$(hash_files "$dir/package.json" "$dir/package-lock.json")
    if ! stamp_matches "$stamp" "$hash"; then
      say "build: installing the browser tests' npm packages ($dir)"
      local npm_cmd=install; [[ -f $dir/package-lock.json ]] && npm_cmd=ci
      if ! npm "$npm_cmd" --prefix "$dir" --no-audit --no-fund --loglevel=error; then
        failed_now browser "npm $npm_cmd --prefix $dir failed"; return
      fi
      mkdir -p "$dir/node_modules"
      hash_files "$dir/package.json" "$dir/package-lock.json" > "$stamp"
    fi
  fi
  # The list reporter as configured, and a JUnit report for the summary.
  rm -f "$LOG_DIR/browser.xml"
  PLAYWRIGHT_JUNIT_OUTPUT_FILE=$LOG_DIR/browser.xml \
    run_suite browser none --reports "$LOG_DIR/browser.xml" npm test --prefix "$dir" -- --reporter=list,junit
}

print_summary() {
  local i passed=0 failed=0 name state took note
  banner "summary"
  # The build phases, in the order they ran: what was built (and how long it took) or up to date.
  if [[ -s ${PHASES_FILE:-} ]]; then
    printf '  %-18s %-10s %-8s %s\n' PHASE RESULT TIME NOTE
    while IFS=$'\t' read -r name state took note; do
      printf '  %-18s %-10s %-8s %s\n' "$name" "$state" "$took" "$note"
    done < "$PHASES_FILE"
    printf '\n'
  fi
  printf '  %-10s %-7s %-8s %s\n' SUITE RESULT TIME NOTE
  for i in "${!RESULT_NAMES[@]}"; do
    printf '  %-10s %-7s %-8s %s\n' "${RESULT_NAMES[$i]}" "${RESULT_STATES[$i]}" "${RESULT_TIMES[$i]}" "${RESULT_NOTES[$i]}"
    case ${RESULT_STATES[$i]} in
      passed) passed=$(( passed + 1 )) ;;
      FAILED) failed=$(( failed + 1 )) ;;
    esac
  done
  # Where each suite's time went: its slowest tests, from its JUnit reports.
  for i in "${!RESULT_NAMES[@]}"; do
    [[ -n ${RESULT_REPORTS[$i]} ]] || continue
    local slow
    # shellcheck disable=SC2086 # space-separated report paths
    slow=$(python3 scripts/lib/slowest_tests.py "$SLOWEST" ${RESULT_REPORTS[$i]} 2>/dev/null || true)
    [[ -n $slow ]] && printf '\n  slowest %s tests:\n%s\n' "${RESULT_NAMES[$i]}" "$slow"
  done
  printf '%d passed, %d failed\n' "$passed" "$failed"
  (( failed == 0 ))
}

cmd_test() {
  local selected=() s t0 need
  for s in "$@"; do
    case " ${SUITES[*]} " in
      *" $s "*) selected+=("$s") ;;
      *) die "test: unknown suite '$s' (suites: ${SUITES[*]})" ;;
    esac
  done
  (( ${#selected[@]} )) || selected=("${SUITES[@]}")

  LOG_DIR=$DATA_DIR/test-logs
  mkdir -p "$LOG_DIR"
  PHASES_FILE=$LOG_DIR/phases.tsv
  : > "$PHASES_FILE"
  export PHASES_FILE
  # What the suites may use to find the project's tools.
  export ATELIER_PYTHON=$ATELIER_REPO/$VENV_PY ATELIER_JAR=$ATELIER_REPO/$SERVER_JAR
  [[ -x $CHROMIUM ]] && export CHROMIUM_PATH=$CHROMIUM PUPPETEER_EXECUTABLE_PATH=$CHROMIUM

  t0=$(now_ms)
  # The instance images build in the background meanwhile (scripts/lib/images.sh): each suite that
  # needs them waits for what it needs just before it runs.
  images_start "${selected[@]}"
  trap images_stop EXIT
  # The test packages install while Maven and npm build; their output follows the build's.
  rm -f "$LOG_DIR/test-deps.rc"
  if ! ( cmd_build test_deps_alongside ); then
    printf '\natelier: FAILED: build (see above)\n' >&2
    record build FAILED "$(elapsed_since "$t0")" "the build failed: no suite ran"
    print_summary
    return 1
  fi
  cat "$LOG_DIR/test-deps.log" 2>/dev/null || true
  if [[ $(cat "$LOG_DIR/test-deps.rc" 2>/dev/null) != 0 ]]; then
    printf '\natelier: FAILED: python test packages could not be installed\n' >&2
    record test-deps FAILED - "pip install of the test requirements failed"
  fi

  # A suite runs even when its images failed: its tests that need them fail saying so, the others
  # still report.
  for s in "${selected[@]}"; do
    need=$(images_needed_by "$s")
    [[ -z $need ]] || images_await "$need" || true
    "suite_$s"
  done
  images_stop
  say "tests took $(elapsed_since "$t0")"
  print_summary
}
