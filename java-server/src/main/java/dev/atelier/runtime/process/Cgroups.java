package dev.atelier.runtime.process;

import dev.atelier.runtime.AgentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CPU and memory limits for process instances through the host's cgroups: cgroup v1 (a
 * hierarchy per controller), v2 (one unified hierarchy), or the hybrid of both, each controller
 * taken where the host mounts it. Each instance gets its own cgroup under one parent, named
 * after the server's owner label, so a server can find and remove what an earlier one of the
 * same data directory left behind.
 *
 * <p>The parent is {@code cgroupParent} when set (a path in the hierarchy, the same in each),
 * else {@code atelier} inside the server's own cgroup on v1 and at the top of the hierarchy on v2
 * (where a cgroup with processes, as the server's own, can hand no controllers down). Writing
 * there needs root or a delegated subtree; when it is refused the instance runs without limits
 * and {@link #status()} says why.
 */
public final class Cgroups {
  private static final Logger LOG = LoggerFactory.getLogger(Cgroups.class);
  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
  private static final Path SELF = Path.of("/proc/self/cgroup");

  /**
   * Whether process instances get their type's limits.
   *
   * @param enforced limits are applied
   * @param version {@code v1}, {@code v2} or {@code hybrid}; null when no hierarchy was usable
   * @param parent where instance cgroups go (paths in the hierarchy)
   * @param problem why they are not enforced, for a person, or null
   */
  public record Status(boolean enforced, String version, String parent, String problem) {}

  /**
   * One place controllers live: its mount, whether it is v2, the parent cgroup directory in it, and
   * which of memory and cpu are taken from it (on a hybrid host the other may be a v1 one's).
   */
  private record Hierarchy(Path mount, boolean v2, Path parentDir, String parentPath, List<String> controllers) {}

  private final String owner;
  private final List<Hierarchy> hierarchies; // memory's first
  private final String version;
  private final String setupProblem;
  private volatile Status status;

  private Cgroups(String owner, List<Hierarchy> hierarchies, String version, String setupProblem) {
    this.owner = owner;
    this.hierarchies = hierarchies;
    this.version = version;
    this.setupProblem = setupProblem;
  }

  /** No limits: the server was told not to use cgroups. */
  public static Cgroups off(String why) {
    Cgroups c = new Cgroups("", List.of(), null, why);
    c.status = new Status(false, null, "", why);
    return c;
  }

  /**
   * Finds the memory and cpu controllers, removes cgroups an earlier server of this owner left,
   * and checks that an instance cgroup can be made.
   *
   * @param parent {@code cgroupParent}: an absolute path in the hierarchy, or empty for the
   *     default (see above)
   * @param owner the server's owner label (its user and data directory)
   */
  public static Cgroups open(String parent, String owner) {
    Cgroups c = detected(parent, owner);
    c.removeLeftovers();
    c.probe();
    return c;
  }

  /**
   * As {@link #open}, for workloads that outlive the server (local jobs): what an earlier server
   * of this owner left is kept, since a restarted server picks those jobs up again. The owner must
   * differ from the instances' (whose leftovers are removed), and not start with theirs and a dash.
   */
  public static Cgroups openKeeping(String parent, String owner) {
    Cgroups c = detected(parent, owner);
    c.probe();
    return c;
  }

  private static Cgroups detected(String parent, String owner) {
    String safeOwner = owner.replaceAll("[^A-Za-z0-9_.-]", "-");
    Cgroups c;
    try {
      c = detect(Files.readString(MOUNTINFO), Files.readString(SELF), parent, safeOwner);
    } catch (IOException e) {
      c = new Cgroups(safeOwner, List.of(), null, "this host has no cgroups to read (" + CgroupFiles.why(e) + ")");
    }
    return c;
  }

  /** Parses mountinfo and /proc/self/cgroup; package-private for tests. */
  static Cgroups detect(String mountinfo, String selfCgroup, String parent, String owner) {
    Map<String, String> ownV1 = new LinkedHashMap<>();
    String ownV2 = null;
    for (String line : selfCgroup.split("\n")) {
      String[] f = line.split(":", 3);
      if (f.length < 3) {
        continue;
      }
      if (f[0].equals("0") && f[1].isEmpty()) {
        ownV2 = f[2];
      } else {
        for (String ctl : f[1].split(",")) {
          ownV1.put(ctl, f[2]);
        }
      }
    }
    Path v2Mount = null;
    Map<String, Path> v1Mounts = new LinkedHashMap<>();
    Map<Path, String> roots = new LinkedHashMap<>();
    for (String line : mountinfo.split("\n")) {
      String[] f = line.split(" ");
      int sep = List.of(f).indexOf("-");
      if (sep < 0 || f.length < sep + 4) {
        continue;
      }
      Path point = Path.of(f[4].replace("\\040", " "));
      if (f[sep + 1].equals("cgroup2")) {
        v2Mount = point;
        roots.put(point, f[3]);
      } else if (f[sep + 1].equals("cgroup")) {
        for (String opt : f[sep + 3].split(",")) {
          if (opt.equals("memory") || opt.equals("cpu")) {
            v1Mounts.put(opt, point);
            roots.put(point, f[3]);
          }
        }
      }
    }
    Set<String> v2Controllers = Set.of();
    if (v2Mount != null) {
      try {
        v2Controllers = Set.of(Files.readString(v2Mount.resolve("cgroup.controllers")).trim().split("\\s+"));
      } catch (IOException e) {
        // an unreadable v2 mount offers nothing
      }
    }
    List<Hierarchy> found = new ArrayList<>();
    boolean anyV1 = false;
    boolean anyV2 = false;
    for (String ctl : List.of("memory", "cpu")) {
      Path mount;
      String own;
      boolean v2;
      if (v1Mounts.containsKey(ctl)) {
        mount = v1Mounts.get(ctl);
        own = ownV1.getOrDefault(ctl, "/");
        v2 = false;
      } else if (v2Mount != null && v2Controllers.contains(ctl)) {
        mount = v2Mount;
        own = ownV2 == null ? "/" : ownV2;
        v2 = true;
      } else {
        return new Cgroups(owner, List.of(), null, "this host offers no cgroup " + ctl
            + " controller (neither a cgroup v1 hierarchy nor cgroup v2 has it)");
      }
      String root = roots.getOrDefault(mount, "/");
      String parentPath = parent != null && !parent.isBlank() ? parent : defaultParent(v2, own, root);
      String rel = relativeTo(parentPath, root);
      if (rel == null) {
        return new Cgroups(owner, List.of(), null, "the cgroup parent " + parentPath + " is outside the "
            + ctl + " hierarchy visible at " + mount + " (it shows " + root + ")");
      }
      Path dir = rel.isEmpty() ? mount : mount.resolve(rel);
      int same = found.stream().map(Hierarchy::mount).toList().indexOf(mount);
      if (same < 0) {
        found.add(new Hierarchy(mount, v2, dir, parentPath, List.of(ctl)));
      } else {
        Hierarchy h = found.get(same);
        found.set(same, new Hierarchy(mount, v2, dir, parentPath, List.of(h.controllers.get(0), ctl)));
      }
      anyV1 |= !v2;
      anyV2 |= v2;
    }
    return new Cgroups(owner, found, anyV1 && anyV2 ? "hybrid" : anyV2 ? "v2" : "v1", null);
  }

  /**
   * {@code atelier} inside the server's own cgroup on v1; on v2 at the top of the hierarchy the
   * server sees. cgroup v2 hands controllers only to a cgroup without processes of its own (the
   * root excepted), and the server's own cgroup has at least the server: under it, no instance
   * could get a limit.
   */
  private static String defaultParent(boolean v2, String own, String root) {
    String base = v2 ? root : own;
    return (base.endsWith("/") ? base : base + "/") + "atelier";
  }

  private static String relativeTo(String path, String root) {
    String p = path.replaceAll("/+$", "");
    String r = root.replaceAll("/+$", "");
    if (!p.equals(r) && !p.startsWith(r + "/")) {
      return null;
    }
    return p.substring(r.length()).replaceAll("^/+", "");
  }

  /** Whether instances get limits, and if not why; refreshed whenever an instance cgroup is made. */
  public Status status() {
    return status;
  }

  private String parentPaths() {
    return String.join(", ", hierarchies.stream().map(h -> h.parentDir.toString()).distinct().toList());
  }

  private void probe() {
    if (setupProblem != null) {
      status = new Status(false, version, parentPaths(), setupProblem);
      LOG.warn("process instances run WITHOUT their instance type's CPU and memory limits: {}", setupProblem);
      return;
    }
    try {
      create("probe", 1, 256L << 20).remove();
      LOG.info("process instances get their instance type's limits in cgroups under {} (cgroup {})", parentPaths(),
          version);
    } catch (AgentException e) {
      LOG.warn("process instances run WITHOUT their instance type's CPU and memory limits: {}", e.getMessage());
    }
  }

  /**
   * Makes an instance's cgroup, {@code <owner>-<suffix>}, with its limits (a zero limit is none),
   * or fails saying why (and {@link #status()} says so until a later one succeeds).
   */
  public InstanceCgroup create(String suffix, double cpus, long memoryBytes) {
    String name = owner + "-" + suffix;
    if (setupProblem != null) {
      throw new AgentException(setupProblem);
    }
    List<Path> made = new ArrayList<>();
    try {
      for (Hierarchy h : hierarchies) {
        Path dir = h.parentDir.resolve(name);
        CgroupFiles.prepareParent(h.parentDir, h.mount, h.v2, h.controllers);
        try {
          Files.createDirectory(dir);
        } catch (NoSuchFileException e) {
          // another server of this cgroup removed the empty parent just now: make it again
          CgroupFiles.prepareParent(h.parentDir, h.mount, h.v2, h.controllers);
          CgroupFiles.act("create the cgroup", dir, () -> Files.createDirectory(dir));
        } catch (IOException e) {
          CgroupFiles.act("create the cgroup", dir, () -> {
            throw e;
          });
        }
        made.add(dir);
        boolean hasMemory = h.controllers.contains("memory");
        boolean hasCpu = h.controllers.contains("cpu");
        if (h.v2) {
          CgroupFiles.limitV2(dir, hasMemory ? memoryBytes : 0, hasCpu ? cpus : 0);
        } else {
          CgroupFiles.limitV1(dir, hasMemory ? memoryBytes : 0, hasCpu ? cpus : 0);
        }
      }
    } catch (AgentException e) {
      new InstanceCgroup(made, hierarchies.get(0).v2).remove();
      status = new Status(false, version, parentPaths(), e.getMessage());
      throw e;
    }
    status = new Status(true, version, parentPaths(), null);
    return new InstanceCgroup(made, hierarchies.get(0).v2);
  }

  /**
   * Removes the parent cgroups once no instance is left in them (another server's instances keep
   * them), so that nothing of Atelier's stays in the host's hierarchy.
   */
  public void close() {
    for (Hierarchy h : hierarchies) {
      try {
        Files.deleteIfExists(h.parentDir);
      } catch (IOException e) {
        // not empty, or not ours to remove: it stays
      }
    }
  }

  /** Removes the instance cgroups an earlier server of this owner left (it was killed); package-private for tests. */
  void removeLeftovers() {
    int removed = 0;
    for (Hierarchy h : hierarchies) {
      if (!Files.isDirectory(h.parentDir)) {
        continue;
      }
      try (Stream<Path> children = Files.list(h.parentDir)) {
        for (Path dir : children.filter(p -> p.getFileName().toString().startsWith(owner + "-")
            && Files.isDirectory(p)).toList()) {
          new InstanceCgroup(List.of(dir), h.v2).remove();
          removed++;
        }
      } catch (IOException e) {
        LOG.debug("cannot list {}: {}", h.parentDir, CgroupFiles.why(e));
      }
    }
    if (removed > 0) {
      LOG.info("removed {} cgroup(s) of instances an earlier server left", removed);
    }
  }
}
