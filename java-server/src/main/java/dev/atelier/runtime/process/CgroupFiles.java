package dev.atelier.runtime.process;

import dev.atelier.runtime.AgentException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@link Cgroups} writes into a cgroup's control files: the limits in v1's and in v2's
 * files, and v2's hand-down of controllers to a parent; each refusal becomes an
 * {@link AgentException} naming the file and what would let the server write it.
 */
final class CgroupFiles {
  /** CFS period, as Docker uses: the quota is the instance type's vCPUs times this. */
  static final long CPU_PERIOD_US = 100_000;

  private CgroupFiles() {}

  /** cgroup v2: {@code memory.max} (with no swap beyond it) and {@code cpu.max}; a zero limit is none. */
  static void limitV2(Path dir, long memoryBytes, double cpus) {
    if (memoryBytes > 0) {
      write(dir, "memory.max", Long.toString(memoryBytes));
      writeIfPresent(dir, "memory.swap.max", "0"); // no swap beyond the limit, as Docker's --memory-swap
    }
    if (cpus > 0) {
      write(dir, "cpu.max", Math.round(cpus * CPU_PERIOD_US) + " " + CPU_PERIOD_US);
    }
  }

  /** cgroup v1: {@code memory.limit_in_bytes} (and memory+swap) and the CFS quota; a zero limit is none. */
  static void limitV1(Path dir, long memoryBytes, double cpus) {
    if (memoryBytes > 0) {
      write(dir, "memory.limit_in_bytes", Long.toString(memoryBytes));
      writeIfPresent(dir, "memory.memsw.limit_in_bytes", Long.toString(memoryBytes));
    }
    if (cpus > 0) {
      write(dir, "cpu.cfs_period_us", Long.toString(CPU_PERIOD_US));
      write(dir, "cpu.cfs_quota_us", Long.toString(Math.round(cpus * CPU_PERIOD_US)));
    }
  }

  /**
   * Creates the parent and, on v2, hands the given controllers down to it from the mount (only
   * those: on a hybrid host v2 refuses one that a v1 hierarchy holds).
   */
  static void prepareParent(Path parentDir, Path mount, boolean v2, List<String> controllers) {
    if (!Files.isDirectory(parentDir)) {
      act("create the cgroup parent", parentDir, () -> Files.createDirectories(parentDir));
    }
    if (!v2) {
      return;
    }
    List<Path> chain = new ArrayList<>();
    for (Path p = parentDir; p != null && p.startsWith(mount); p = p.getParent()) {
      chain.add(0, p);
    }
    for (Path p : chain) {
      Path control = p.resolve("cgroup.subtree_control");
      List<String> enabled = List.of(read(control).trim().split("\\s+"));
      StringBuilder wanted = new StringBuilder();
      for (String ctl : controllers) {
        if (!enabled.contains(ctl)) {
          wanted.append(wanted.isEmpty() ? "" : " ").append('+').append(ctl);
        }
      }
      if (!wanted.isEmpty()) {
        act("enable " + wanted + " in", control, () -> Files.writeString(control, wanted.toString()));
      }
    }
  }

  static void write(Path dir, String file, String value) {
    Path f = dir.resolve(file);
    act("write " + value + " to", f, () -> Files.writeString(f, value));
  }

  private static void writeIfPresent(Path dir, String file, String value) {
    if (Files.exists(dir.resolve(file))) {
      write(dir, file, value);
    }
  }

  /** A control file's text, or empty when it cannot be read. */
  static String read(Path f) {
    try {
      return Files.readString(f, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return "";
    }
  }

  interface Io {
    void run() throws IOException;
  }

  static void act(String what, Path where, Io io) {
    try {
      io.run();
    } catch (IOException e) {
      String hint = e instanceof AccessDeniedException
          ? " (the server needs write access to the cgroup hierarchy: run it as root, or in a delegated"
              + " cgroup named by cgroupParent)"
          : e.getMessage() != null && e.getMessage().contains("busy")
              ? " (a cgroup v2 with processes of its own cannot hand controllers to child cgroups: name an"
                  + " empty delegated cgroup as cgroupParent)"
              : "";
      throw new AgentException("cannot " + what + " " + where + ": " + why(e) + hint);
    }
  }

  static String why(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason().toLowerCase(Locale.ROOT);
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
