/*
 * The init of the cgroup v2 check's virtual machine (scripts/check-cgroup-v2.sh builds it
 * statically into a tiny initramfs with the kernel modules it loads).
 *
 * It loads the modules listed in /modules/order, mounts the host's root (virtio-9p tag "hostroot",
 * read-only) under a tmpfs overlay for writes, mounts proc, sys, dev, tmp and ONLY cgroup2 at
 * /sys/fs/cgroup (as systemd does: nsdelegate, memory_recursiveprot), the writable 9p share "out"
 * at ATELIER_VM_OUT, brings up loopback, runs the script ATELIER_VM_CHECK with /bin/sh in the new
 * root, writes its exit status to ATELIER_VM_OUT/exit-code and powers off.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "vm-init: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
}

static void off(void) {
  sync();
  reboot(RB_POWER_OFF);
  _exit(1);
}

static void die(const char *what) {
  say("%s: %s", what, strerror(errno));
  off();
}

static void must_mount(const char *src, const char *dst, const char *type, unsigned long flags,
                       const char *data) {
  mkdir(dst, 0755);
  if (mount(src, dst, type, flags, data) != 0) {
    char what[512];
    snprintf(what, sizeof what, "mount %s (%s) on %s with %s", src, type, dst, data ? data : "");
    die(what);
  }
}

static void load_modules(void) {
  FILE *order = fopen("/modules/order", "r");
  if (!order) {
    die("open /modules/order");
  }
  char line[256];
  while (fgets(line, sizeof line, order)) {
    line[strcspn(line, "\n")] = 0;
    if (!*line) {
      continue;
    }
    char path[300];
    snprintf(path, sizeof path, "/modules/%s", line);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      die(path);
    }
    if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST) {
      die(path);
    }
    close(fd);
  }
  fclose(order);
}

static void loopback_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
    die("read the flags of lo");
  }
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) {
    die("bring lo up");
  }
  close(s);
}

int main(void) {
  const char *check = getenv("ATELIER_VM_CHECK");
  const char *out = getenv("ATELIER_VM_OUT");
  if (!check || !out) {
    say("the kernel command line must set ATELIER_VM_CHECK and ATELIER_VM_OUT");
    off();
  }
  mkdir("/dev", 0755);
  mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
  int console = open("/dev/console", O_RDWR); /* the initramfs has no device nodes of its own */
  if (console >= 0) {
    dup2(console, 0);
    dup2(console, 1);
    dup2(console, 2);
    if (console > 2) {
      close(console);
    }
  }
  load_modules();
  must_mount("hostroot", "/lower", "9p", MS_RDONLY,
             "trans=virtio,version=9p2000.L,msize=524288,cache=loose");
  must_mount("rw", "/rw", "tmpfs", 0, "mode=755");
  mkdir("/rw/upper", 0755);
  mkdir("/rw/work", 0755);
  must_mount("overlay", "/newroot", "overlay", 0,
             "lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work");
  umount2("/dev", MNT_DETACH); /* the console stays open */
  if (chdir("/newroot") != 0 || mount(".", "/", NULL, MS_MOVE, NULL) != 0 || chroot(".") != 0 || chdir("/") != 0) {
    die("enter the new root");
  }
  must_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  must_mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  must_mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=755");
  must_mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "mode=620,ptmxmode=666");
  must_mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  must_mount("tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  must_mount("run", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
  must_mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC,
             "nsdelegate,memory_recursiveprot");
  must_mount("out", out, "9p", 0, "trans=virtio,version=9p2000.L,msize=524288");
  loopback_up();

  pid_t child = fork();
  if (child < 0) {
    die("fork");
  }
  if (child == 0) {
    setsid();
    int tty = open("/dev/console", O_RDWR);
    if (tty >= 0) {
      dup2(tty, 0);
      dup2(tty, 1);
      dup2(tty, 2);
    }
    setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
    setenv("HOME", "/root", 1);
    setenv("TMPDIR", "/tmp", 1);
    execl("/bin/sh", "sh", check, (char *)NULL);
    say("exec /bin/sh: %s", strerror(errno));
    _exit(127);
  }
  int status = 0;
  for (;;) { /* as PID 1, reap every orphan until the check itself ends */
    pid_t p = wait(&status);
    if (p == child || (p < 0 && errno == ECHILD)) {
      break;
    }
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  char path[4096];
  snprintf(path, sizeof path, "%s/exit-code", out);
  FILE *f = fopen(path, "w");
  if (f) {
    fprintf(f, "%d\n", code);
    fclose(f);
  }
  say("the check exited with %d", code);
  off();
  return 0;
}
