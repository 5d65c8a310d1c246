# shellcheck shell=bash
# The instance images for `atelier test`, built in the background while the build and the suites
# that do not need them run. images/build.sh rebuilds an image only when its inputs changed, so on
# a machine that has them this takes seconds; on a new one (Debian bootstrapped, every package
# downloaded) it takes minutes, and the suites need not wait for all of it:
#
#   base  atelier/base-os and atelier/base: the kernels on Docker (the java suite's Docker tests,
#         the e2e suite's docker backend)
#   all   the rest on top: atelier/datascience, atelier/sklearn and atelier/deeplearning (training
#         and processing jobs, the debugger: the images, e2e and browser suites)
#
# Each step's output goes to a log; its exit status to a file beside it. A suite that needs a step
# waits for it; a step that failed is reported with its log and fails the run, once.

IMAGES_PID=""
IMAGES_DIR=""
IMAGES_REPORTED=" "   # the steps already waited for
IMAGES_PHASED=" "     # the images already in the phases

# Which images a suite needs: base, all, or nothing.
images_needed_by() {
  case $1 in
    java) echo base ;;
    images|e2e|browser) echo all ;;
  esac
}

# images_start SUITE...: starts the build in the background when one of the suites needs images.
images_start() {
  local s need=""
  [[ -f images/build.sh ]] || return 0
  for s in "$@"; do
    case $(images_needed_by "$s") in
      all) need=all ;;
      base) [[ $need == all ]] || need=base ;;
    esac
  done
  [[ -n $need ]] || return 0
  IMAGES_DIR=$LOG_DIR/images
  rm -rf "$IMAGES_DIR"
  mkdir -p "$IMAGES_DIR"
  say "build: instance images building in the background (logs: $IMAGES_DIR)"
  (
    step() {   # step NAME ARGS...: one run of images/build.sh, its log and its exit status
      local rc=0 t0; t0=$(now_ms)
      timeout --kill-after=30 "${ATELIER_SUITE_TIMEOUT:-1800}" bash images/build.sh -q "${@:2}" \
        </dev/null >"$IMAGES_DIR/$1.log" 2>&1 || rc=$?
      (( rc == 124 || rc == 137 )) && printf 'images: timed out after %ss\n' "${ATELIER_SUITE_TIMEOUT:-1800}" >>"$IMAGES_DIR/$1.log"
      elapsed_since "$t0" >"$IMAGES_DIR/$1.time"
      echo "$rc" >"$IMAGES_DIR/$1.rc"
      return "$rc"
    }
    if step base --only base; then
      [[ $need == all ]] && step all
    else
      echo "images: not built: atelier/base, which the others are built on, failed" >"$IMAGES_DIR/all.log"
      echo 1 >"$IMAGES_DIR/all.rc"
    fi
  ) &
  IMAGES_PID=$!
}

# images_stop: ends a background build still running (the run was interrupted or is over).
images_stop() {
  [[ -n $IMAGES_PID ]] && kill -0 "$IMAGES_PID" 2>/dev/null || return 0
  pkill -TERM -P "$IMAGES_PID" 2>/dev/null || true
  kill -TERM "$IMAGES_PID" 2>/dev/null || true
  wait "$IMAGES_PID" 2>/dev/null || true
}

# images_await STEP: waits for a step (base, all) and reports it once: a phase per image built or
# up to date, and on failure the step's log and a FAILED result. Returns the step's status.
images_await() {
  local step=$1 rc line t0 waited
  [[ -n $IMAGES_DIR ]] || return 0
  # The rest is built on atelier/base: its step is reported first, with its own log.
  [[ $step == all ]] && { images_await base || true; }
  t0=$(now_ms)
  while [[ ! -f $IMAGES_DIR/$step.rc ]]; do
    if ! kill -0 "$IMAGES_PID" 2>/dev/null && [[ ! -f $IMAGES_DIR/$step.rc ]]; then
      echo 1 >"$IMAGES_DIR/$step.rc"   # the background build ended without a word
      break
    fi
    sleep 0.2
  done
  rc=$(<"$IMAGES_DIR/$step.rc")
  [[ $IMAGES_REPORTED == *" $step "* ]] && return "$rc"
  IMAGES_REPORTED+="$step "
  waited=$(elapsed_since "$t0")
  # One phase per image, from build.sh's one line per image (the second step checks base again).
  while IFS= read -r line; do
    [[ $line =~ ^images:\ atelier/([^ :]+) && $IMAGES_PHASED != *" ${BASH_REMATCH[1]} "* ]] || continue
    if [[ $line =~ ^images:\ atelier/([^ :]+)(:[^ ]+)?\ built\ in\ ([0-9.]+s)$ ]]; then
      local note=""
      [[ ${BASH_REMATCH[1]} == base-os ]] && note="debootstrap, docker import"
      phase_record "image ${BASH_REMATCH[1]}" built "${BASH_REMATCH[3]}" "$note"
      IMAGES_PHASED+="${BASH_REMATCH[1]} "
    elif [[ $line =~ ^images:\ atelier/([^ :]+)(:[^ ]+)?\ is\ up\ to\ date ]]; then
      phase_record "image ${BASH_REMATCH[1]}" "up to date" -
      IMAGES_PHASED+="${BASH_REMATCH[1]} "
    fi
  done <"$IMAGES_DIR/$step.log"
  phase_record "images ($step)" "$([[ $rc == 0 ]] && echo ready || echo FAILED)" \
    "$(cat "$IMAGES_DIR/$step.time" 2>/dev/null || echo -)" "in the background; the tests waited $waited"
  if [[ $rc != 0 ]]; then
    printf '\n==== images (%s): bash images/build.sh failed (exit code %s); its log, %s: ====\n' \
      "$step" "$rc" "$IMAGES_DIR/$step.log" >&2
    cat "$IMAGES_DIR/$step.log" >&2
    printf '\natelier: FAILED: the instance images could not be built (bash images/build.sh); the Docker tests will fail\n' >&2
    record "images-$step" FAILED "$(cat "$IMAGES_DIR/$step.time" 2>/dev/null || echo -)" \
      "bash images/build.sh failed, log: $IMAGES_DIR/$step.log"
  else
    say "build: instance images ($step) ready (the tests waited $waited)"
  fi
  return "$rc"
}
