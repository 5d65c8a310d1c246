#!/usr/bin/env bash
# Checks the process runtime's cgroup v2 limits on a real cgroup v2 kernel: boots this machine's
# own kernel in a KVM virtual machine whose root is the host's (read-only over virtio-9p, with a
# tmpfs overlay for writes) and whose only cgroup hierarchy is cgroup2, and runs
# tests/cgroups/test_cgroup_v2_vm.py there against the built server. See scripts/README.md.
#
#   bash scripts/check-cgroup-v2.sh [pytest args...]
#
# Environment: ATELIER_VM_KERNEL (default: the running kernel's /boot image, else the newest there), ATELIER_VM_TIMEOUT
# (seconds, default 900, with tcg 2700), ATELIER_VM_MEMORY (MiB, default 3072), ATELIER_VM_CPUS (default 2),
# ATELIER_VM_ACCEL (kvm, the default, or tcg: emulated, for hosts whose KVM cannot boot this kernel).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fail() { printf 'check-cgroup-v2: %s\n' "$*" >&2; exit 2; }

# The running kernel's image when /boot has it, else the newest in /boot that has its modules.
KERNEL="${ATELIER_VM_KERNEL:-}"
if [[ -z $KERNEL ]]; then
  KERNEL="/boot/vmlinuz-$(uname -r)"
  if [[ ! -r $KERNEL ]]; then
    for k in $(ls -1v /boot/vmlinuz-* 2>/dev/null | tac); do
      if [[ -r $k && -r /lib/modules/${k##*/vmlinuz-}/modules.dep ]]; then KERNEL="$k"; break; fi
    done
  fi
fi
[[ -r $KERNEL ]] || fail "no kernel image at $KERNEL (set ATELIER_VM_KERNEL to a bootable vmlinuz)"
KVER="${KERNEL##*/vmlinuz-}"
MODDIR="/lib/modules/$KVER"
[[ -r $MODDIR/modules.dep ]] || fail "no modules for kernel $KVER in $MODDIR"
ACCEL="${ATELIER_VM_ACCEL:-kvm}"
case "$ACCEL" in
  kvm)
    [[ -e /dev/kvm ]] || fail "/dev/kvm is missing: this check needs KVM (a machine with virtualization enabled), or ATELIER_VM_ACCEL=tcg to emulate (slow)"
    [[ -r /dev/kvm && -w /dev/kvm ]] || fail "/dev/kvm is not usable by $(id -un) (join the kvm group, or run as root)"
    if [[ -d /sys/module/kvm_pvm && ! -d /sys/module/kvm_intel && ! -d /sys/module/kvm_amd ]]; then
      fail "this host's KVM is kvm_pvm, which boots only PVM guest kernels, not $KERNEL: run with ATELIER_VM_ACCEL=tcg to emulate (slow)"
    fi
    CPU_MODEL="${ATELIER_VM_CPU_MODEL:-host,-arch-capabilities}"
    ;;
  tcg) CPU_MODEL="${ATELIER_VM_CPU_MODEL:-max}"; ACCEL="tcg,thread=multi" ;;
  *) fail "ATELIER_VM_ACCEL must be kvm or tcg, not $ACCEL" ;;
esac
for tool in qemu-system-x86_64 gcc cpio timeout; do
  command -v "$tool" >/dev/null || fail "$tool is missing (Debian: apt-get install qemu-system-x86 gcc cpio coreutils)"
done
[[ -x $REPO/.venv/bin/python ]] || fail "$REPO/.venv is missing: run \`bash scripts/atelier build\` first"
[[ -f $REPO/java-server/target/atelier-server.jar ]] || fail "the server jar is missing: run \`bash scripts/atelier build\` first"
JAVA_HOME="${JAVA_HOME:-}"
if [[ -z $JAVA_HOME ]]; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")" || fail "no java: set JAVA_HOME"
fi

WORK="$(mktemp -d /tmp/atelier-cgroup-v2.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/initramfs/modules" "$WORK/out"

# The modules the init loads, each after what it needs (modules.dep lists a module's needs).
declare -A seen=()
order=()
add_module() {
  local rel="$1" dep
  [[ -n ${seen[$rel]:-} ]] && return 0
  seen[$rel]=1
  for dep in $(awk -v m="$rel:" '$1 == m { for (i = 2; i <= NF; i++) print $i }' "$MODDIR/modules.dep"); do
    add_module "$dep"
  done
  order+=("$rel")
}
for name in virtio_pci 9pnet_virtio 9p overlay; do
  rel="$(awk -F: -v n="/$name.ko" 'index($1, n) && substr($1, length($1) - length(n) + 1) == n { print $1; exit }' "$MODDIR/modules.dep")"
  [[ -n $rel ]] || fail "kernel $KVER has no module $name (needed: virtio_pci, 9pnet_virtio, 9p, overlay)"
  add_module "$rel"
done
for rel in "${order[@]}"; do
  base="${rel##*/}"
  case "$base" in
    *.ko) cp "$MODDIR/$rel" "$WORK/initramfs/modules/$base" ;;
    *.ko.xz) xz -dc "$MODDIR/$rel" > "$WORK/initramfs/modules/${base%.xz}"; base="${base%.xz}" ;;
    *.ko.zst) zstd -qdc "$MODDIR/$rel" > "$WORK/initramfs/modules/${base%.zst}"; base="${base%.zst}" ;;
    *) fail "unknown module format: $rel" ;;
  esac
  printf '%s\n' "$base" >> "$WORK/initramfs/modules/order"
done

gcc -static -O2 -Wall -o "$WORK/initramfs/init" "$REPO/scripts/lib/vm-init.c"
(cd "$WORK/initramfs" && find . | cpio -o -H newc --quiet > "$WORK/initramfs.cpio")

# What runs inside: the check, as the host would run it, with the repo's virtual environment.
OUT_IN_VM=/mnt/atelier-out
{
  printf 'export JAVA_HOME=%q\n' "$JAVA_HOME"
  printf 'export ATELIER_VM_OUT=%q\n' "$OUT_IN_VM"
  printf 'cd %q\n' "$REPO"
  # the first start of a JVM in the machine is slow (emulated, all of it read over 9p): once here,
  # so that the tests' version probe of it finds it warm
  printf '%q -version 2>&1 | head -1\n' "$JAVA_HOME/bin/java"
  printf 'exec %q -m pytest -p no:cacheprovider -q -s tests/cgroups/test_cgroup_v2_vm.py' "$REPO/.venv/bin/python"
  printf ' %q' "$@"
  printf '\n'
} > "$WORK/out/check.sh"

if [[ $ACCEL == kvm ]]; then TIMEOUT="${ATELIER_VM_TIMEOUT:-900}"; else TIMEOUT="${ATELIER_VM_TIMEOUT:-2700}"; fi
printf 'check-cgroup-v2: booting %s (%s, %s MiB, %s CPUs, at most %ss)\n' "$KERNEL" "$ACCEL" \
  "${ATELIER_VM_MEMORY:-3072}" "${ATELIER_VM_CPUS:-2}" "$TIMEOUT"
start=$(date +%s)
set +e
# No network device: inside, only loopback (127.0.0.1) exists.
timeout --kill-after=10 "$TIMEOUT" qemu-system-x86_64 -accel "$ACCEL" -cpu "$CPU_MODEL" -smp "${ATELIER_VM_CPUS:-2}" \
  -m "${ATELIER_VM_MEMORY:-3072}" -nodefaults -no-reboot -display none -serial stdio -monitor none -nic none \
  -kernel "$KERNEL" -initrd "$WORK/initramfs.cpio" \
  -virtfs "local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap" \
  -virtfs "local,path=$WORK/out,mount_tag=out,security_model=passthrough" \
  -append "console=ttyS0 loglevel=4 panic=-1 no_timer_check ATELIER_VM_CHECK=$OUT_IN_VM/check.sh ATELIER_VM_OUT=$OUT_IN_VM" \
  < /dev/null
vm=$?
set -e
took=$(( $(date +%s) - start ))
if [[ $vm -eq 124 || $vm -eq 137 ]]; then
  fail "the virtual machine did not finish within ${TIMEOUT}s (ATELIER_VM_TIMEOUT)"
fi
[[ -f $WORK/out/exit-code ]] || fail "the virtual machine ended (qemu exit $vm) after ${took}s without the check's exit code"
code="$(<"$WORK/out/exit-code")"
printf 'check-cgroup-v2: the check exited with %s inside the virtual machine, after %ss in all\n' "$code" "$took"
exit "$code"
