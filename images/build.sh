#!/usr/bin/env bash
# Build Atelier's instance images with the local Docker engine (see images/README.md).
#
#   bash images/build.sh [--only base|datascience|sklearn|deeplearning] [--force] [--base IMAGE] [--mirror URI] [-q]
#
#   atelier/base-os:bookworm   Debian minbase, debootstrapped and imported (only without --base)
#   atelier/base:latest        Python, ipykernel and the kernel agent (images/base)
#   atelier/datascience:latest atelier/base plus NumPy, pandas, scikit-learn... (images/datascience)
#   atelier/sklearn:latest     the built-in scikit-learn training algorithm (images/sklearn)
#   atelier/deeplearning:latest atelier/datascience plus Keras 3 (JAX), XGBoost (images/deeplearning)
#
# An image is rebuilt only when the hash of its inputs (recorded in its label
# dev.atelier.inputs-hash) changed: its build context, and the image it is built on.
#
#   --only NAME    build only atelier/NAME (`base` includes the bootstrapped base-os it needs)
#   --force        rebuild even when up to date, without Docker's layer cache
#   --base IMAGE   build atelier/base on IMAGE (e.g. python:3.11-slim, pulled when missing)
#                  instead of bootstrapping atelier/base-os:bookworm; or ATELIER_BASE_IMAGE
#   --mirror URI   Debian mirror for the bootstrap and the base-os image's apt sources
#                  (default: the host's, from /etc/apt; or ATELIER_APT_MIRROR)
#   -q             quiet: one line per image; build output goes to a log, shown on failure
#
# Environment: ATELIER_CA_BUNDLE (CA bundle pip trusts during the builds; default $PIP_CERT,
# else /etc/ssl/certs/ca-certificates.crt; `none` for none), TMPDIR (scratch space).
set -euo pipefail

IMAGES_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(dirname -- "$IMAGES_DIR")
SUITE=bookworm
BASE_OS=atelier/base-os:$SUITE
HASH_LABEL=dev.atelier.inputs-hash
# Bump when the bootstrap recipe below changes: it is part of base-os's inputs.
BOOTSTRAP_RECIPE=2

ONLY=""
FORCE=0
QUIET=0
BASE=${ATELIER_BASE_IMAGE:-}
MIRROR=${ATELIER_APT_MIRROR:-}

say() { printf 'images: %s\n' "$*"; }
die() { printf 'images: FAILED: %s\n' "$*" >&2; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }
now_ms() { date +%s%3N; }
elapsed_since() {
  local ms=$(( $(now_ms) - $1 ))
  printf '%d.%01ds' $(( ms / 1000 )) $(( (ms % 1000) / 100 ))
}

while (( $# )); do
  case $1 in
    --only) [[ ${2:-} == @(base|datascience|sklearn|deeplearning) ]] || die "--only takes base, datascience, sklearn or deeplearning"; ONLY=$2; shift 2 ;;
    --only=*) ONLY=${1#--only=}; [[ $ONLY == @(base|datascience|sklearn|deeplearning) ]] || die "--only takes base, datascience, sklearn or deeplearning"; shift ;;
    --force) FORCE=1; shift ;;
    --base) [[ -n ${2:-} ]] || die "--base takes an image name"; BASE=$2; shift 2 ;;
    --base=*) BASE=${1#--base=}; shift ;;
    --mirror) [[ -n ${2:-} ]] || die "--mirror takes a URI"; MIRROR=$2; shift 2 ;;
    --mirror=*) MIRROR=${1#--mirror=}; shift ;;
    -q|--quiet) QUIET=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

# ---- scratch space, logs, and running steps ----

WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/atelier-images.XXXXXX")
LOG_DIR=$WORK/logs
mkdir -p "$LOG_DIR"
KEEP_LOGS=0
cleanup() {
  # debootstrap may leave mounts (/proc, /sys) behind when it fails part-way.
  if [[ -d $WORK/rootfs ]]; then
    grep -o " $WORK/rootfs[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  fi
  if (( KEEP_LOGS )); then
    find "$WORK" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} + 2>/dev/null || true
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_step LOGNAME WHAT CMD...: runs CMD, its output indented on the terminal (unless -q) and kept
# in a log; on failure shows the end of the log (when -q hid it) and fails with one line.
run_step() {
  local log=$LOG_DIR/$1.log what=$2 rc=0; shift 2
  if (( QUIET )); then
    "$@" >"$log" 2>&1 || rc=$?
  else
    { "$@" 2>&1 | tee "$log" | sed -u 's/^/    /'; } || rc=$?
  fi
  if (( rc != 0 )); then
    KEEP_LOGS=1
    if (( QUIET )); then tail -n 25 "$log" | sed 's/^/    /' >&2; fi
    die "$what (exit code $rc); log: $log"
  fi
}

# ---- prerequisites ----

command -v docker >/dev/null 2>&1 || die "the docker command is not installed: install docker.io (Debian) or Docker Engine"
DOCKER_AT=${DOCKER_HOST:-/var/run/docker.sock}
DOCKER_AT=${DOCKER_AT#unix://}
if ! docker info >/dev/null 2>&1; then
  if [[ -e $DOCKER_AT || $DOCKER_AT != /* ]]; then
    die "no Docker engine answers at $DOCKER_AT (is dockerd running, and may this user use it?)"
  fi
  die "no Docker engine answers at $DOCKER_AT: start dockerd or install docker.io"
fi

# The CA bundle pip trusts inside the builds (copied into each build context, never committed).
CA_BUNDLE=${ATELIER_CA_BUNDLE-${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}}
if [[ $CA_BUNDLE == none || -z $CA_BUNDLE ]]; then
  CA_BUNDLE=""
elif [[ ! -r $CA_BUNDLE ]]; then
  if [[ -n ${ATELIER_CA_BUNDLE:-} ]]; then die "ATELIER_CA_BUNDLE=$CA_BUNDLE is not a readable file"; fi
  CA_BUNDLE=""
fi

# The Debian mirror the host's apt uses (deb822 .sources files, then sources.list), for `main`.
host_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    uri=$(awk -v suite="$SUITE" '
      BEGIN { RS = ""; FS = "\n" }
      {
        uris = ""; suites = ""; types = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { uris = $i; sub(/^URIs:[ \t]*/, "", uris) }
          if ($i ~ /^Suites:/) { suites = " " $i " "; sub(/^ Suites:/, " ", suites) }
          if ($i ~ /^Types:/) { types = $i }
        }
        if (types ~ /(^|[ \t])deb([ \t]|$)/ && suites ~ ("[ \t]" suite "[ \t]")) { split(uris, u, /[ \t]+/); print u[1]; exit }
      }' "$f")
    [[ -n $uri ]] && { printf '%s\n' "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    uri=$(awk -v suite="$SUITE" '$1 == "deb" {
        n = 2; if ($2 ~ /^\[/) { while ($n !~ /\]$/) n++; n++ }
        if ($(n + 1) == suite) { print $n; exit } }' "$f")
    [[ -n $uri ]] && { printf '%s\n' "$uri"; return; }
  done
}
# The security archive the host uses, if any (for the base-os image's sources.list).
host_security_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    grep -Eo '(https?|file)://[^ ]*debian-security/?' "$f" | head -n1 && return
  done
  return 0
}

# ---- docker helpers ----

image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
image_hash() { docker image inspect -f "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$1" 2>/dev/null || true; }

# up_to_date NAME HASH: true (and says so) when NAME exists with HASH and --force was not given.
up_to_date() {
  if (( ! FORCE )) && [[ $(image_hash "$1") == "$2" ]]; then
    say "$1 is up to date (inputs ${2:0:12})"
    return 0
  fi
  return 1
}

# forget_old NAME OLD_ID: remember NAME's previous image, replaced by a rebuild, for forget_all.
OLD_IMAGES=()
forget_old() {
  [[ -n $2 && $2 != "$(image_id "$1")" ]] || return 0
  OLD_IMAGES+=("$2")
}

# forget_all: remove the replaced images, images built on others first, each one only when nothing
# else uses it (another tag, a container, an image built on it); keeps the disk from filling up.
forget_all() {
  local i
  for (( i = ${#OLD_IMAGES[@]} - 1; i >= 0; i-- )); do
    docker image rm "${OLD_IMAGES[$i]}" >/dev/null 2>&1 || true
  done
}

# prune_stages NAME KEEP: remove the untagged images of NAME's build stages (label
# dev.atelier.build-stage) but the KEEP newest, which stay as Docker's layer cache for the next build.
prune_stages() {
  docker images -q --no-trunc -f dangling=true -f "label=dev.atelier.build-stage=$1" 2>/dev/null |
    awk '!seen[$0]++' | tail -n +"$(( $2 + 1 ))" | xargs -r docker image rm >/dev/null 2>&1 || true
}

# context_hash DIR EXTRA...: sha256 over the build context (names, modes, contents; the CA
# bundle excluded: it does not change what is built) and the extra strings (e.g. the base's id).
context_hash() {
  local dir=$1; shift
  {
    printf '%s\n' "$@"
    (cd "$dir" && find . ! -name host-ca.crt \( -type f -o -type l \) -printf '%P %m\n' | LC_ALL=C sort)
    (cd "$dir" && find . ! -name host-ca.crt -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
  } | sha256sum | cut -d' ' -f1
}

# ---- the images ----

build_base_os() {
  local mirror=$MIRROR security
  [[ -n $mirror ]] || mirror=$(host_mirror)
  [[ -n $mirror ]] || mirror=http://deb.debian.org/debian
  mirror=${mirror%/}
  security=$(host_security_mirror); security=${security%/}
  local arch; arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
  local hash
  hash=$(printf '%s\n' "recipe $BOOTSTRAP_RECIPE" "$SUITE" "$arch" "$mirror" "$security" | sha256sum | cut -d' ' -f1)
  up_to_date "$BASE_OS" "$hash" && return 0

  if ! command -v debootstrap >/dev/null 2>&1; then
    if (( EUID == 0 )) && command -v apt-get >/dev/null 2>&1; then
      say "installing debootstrap (apt-get)"
      run_step apt-debootstrap "installing debootstrap with apt-get" bash -c '
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y --no-install-recommends debootstrap ||
          { apt-get update && apt-get install -y --no-install-recommends debootstrap; }'
    else
      die "debootstrap is not installed: apt-get install debootstrap (or use --base python:3.11-slim)"
    fi
  fi
  (( EUID == 0 )) || die "bootstrapping $BASE_OS needs root (debootstrap): run as root, or use --base python:3.11-slim"

  local t0 old rootfs=$WORK/rootfs
  t0=$(now_ms); old=$(image_id "$BASE_OS")
  say "$BASE_OS: debootstrap --variant=minbase $SUITE from $mirror"
  local include=()
  [[ $mirror == https://* ]] && include=(--include=ca-certificates)
  run_step debootstrap "debootstrap of $SUITE from $mirror" \
    debootstrap --variant=minbase "${include[@]}" "$SUITE" "$rootfs" "$mirror"
  {
    printf 'deb %s %s main\n' "$mirror" "$SUITE"
    printf 'deb %s %s-updates main\n' "$mirror" "$SUITE"
    [[ -n $security ]] && printf 'deb %s %s-security main\n' "$security" "$SUITE"
  } > "$rootfs/etc/apt/sources.list"
  # As Debian's -slim images do: no documentation (but the copyright files) nor translations,
  # now and from the packages installed later.
  mkdir -p "$rootfs/etc/dpkg/dpkg.cfg.d"
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
    'path-exclude /usr/share/locale/*' 'path-include /usr/share/locale/locale.alias' \
    > "$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim"
  find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete 2>/dev/null || true
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/log/bootstrap.log
  say "$BASE_OS: docker import"
  run_step import "docker import of $BASE_OS" bash -c '
    tar -C "$1" --numeric-owner -c . | docker import \
      --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      --change "CMD [\"/bin/bash\"]" \
      --change "LABEL dev.atelier.image=base-os $2=$3" \
      - "$4"' _ "$rootfs" "$HASH_LABEL" "$hash" "$BASE_OS"
  rm -rf "$rootfs"
  forget_old "$BASE_OS" "$old"
  say "$BASE_OS built in $(elapsed_since "$t0")"
}

# build_image NAME DIR BASE_REF KEEP: stage DIR's files (plus extras already in $WORK/ctx-NAME) and
# the CA bundle into a context, and build it unless its inputs hash is unchanged; keep the KEEP
# newest images of its build stages.
build_image() {
  local name=$1 ctx=$2 base_ref=$3 keep=$4 tag=atelier/$1:latest
  local base_id; base_id=$(image_id "$base_ref")
  [[ -n $base_id ]] || die "$tag needs $base_ref, which is missing (build it first: bash images/build.sh)"
  local hash; hash=$(context_hash "$ctx" "base $base_id")
  up_to_date "$tag" "$hash" && return 0

  if [[ -n $CA_BUNDLE ]]; then cp -L -- "$CA_BUNDLE" "$ctx/host-ca.crt"; fi
  # --force-rm: a failed build leaves no stopped containers behind.
  local t0 old args=(--force-rm --build-arg "BASE=$base_ref" --label "$HASH_LABEL=$hash" -t "$tag")
  (( FORCE )) && args+=(--no-cache)
  t0=$(now_ms); old=$(image_id "$tag")
  say "$tag: docker build on $base_ref${CA_BUNDLE:+ (pip trusts $CA_BUNDLE)}"
  run_step "$name" "docker build of $tag" docker build "${args[@]}" "$ctx"
  rm -f -- "$ctx/host-ca.crt"
  forget_old "$tag" "$old"
  prune_stages "$name" "$keep"
  say "$tag built in $(elapsed_since "$t0")"
}

stage() {   # stage NAME: a fresh build context with images/NAME's files; prints its path
  local ctx=$WORK/ctx-$1
  rm -rf "$ctx"; mkdir -p "$ctx"
  (cd "$IMAGES_DIR/$1" && tar --exclude=host-ca.crt -c .) | tar -C "$ctx" -x
  printf '%s\n' "$ctx"
}

base_image() {
  local base_ref=$BASE ctx
  if [[ -z $base_ref ]]; then
    build_base_os
    base_ref=$BASE_OS
  elif [[ -z $(image_id "$base_ref") ]]; then
    say "pulling $base_ref"
    run_step pull "docker pull $base_ref (no registry reachable? build without --base)" docker pull "$base_ref"
  fi
  ctx=$(stage base)
  [[ -f $REPO/kernel-gateway/pyproject.toml ]] || die "kernel-gateway/pyproject.toml not found in $REPO"
  # The package's sources only: no caches, build output, or tests.
  (cd "$REPO" && tar -c --exclude=__pycache__ --exclude='*.egg-info' --exclude=.pytest_cache \
      --exclude=build --exclude=dist --exclude=tests kernel-gateway) | tar -C "$ctx" -x
  # Its build stage is kept: the pinned packages' layer is reused when only the agent changed.
  build_image base "$ctx" "$base_ref" 1
}

datascience_image() {
  # Its build stage (the packages, again) is not: it is useful only while atelier/base is unchanged.
  build_image datascience "$(stage datascience)" atelier/base:latest 0
}

sklearn_image() {
  # No build stage: one small layer on atelier/datascience.
  build_image sklearn "$(stage sklearn)" atelier/datascience:latest 0
}

deeplearning_image() {
  # Its build stage is not kept either (like datascience's).
  build_image deeplearning "$(stage deeplearning)" atelier/datascience:latest 0
}

T0=$(now_ms)
case $ONLY in
  base) base_image ;;
  datascience) datascience_image ;;
  sklearn) sklearn_image ;;
  deeplearning) deeplearning_image ;;
  "") base_image; datascience_image; sklearn_image; deeplearning_image ;;
esac
forget_all
say "done in $(elapsed_since "$T0")"
