package dev.atelier.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.runtime.AgentException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link Cgroups} writes on cgroup v2, v1 and a hybrid host, against a fake hierarchy in a
 * temporary directory (mountinfo and /proc/self/cgroup as such a host shows them). The kernel's
 * own behaviour is checked for real by the contract tests on this host's cgroups and, on a
 * cgroup v2 kernel, by scripts/check-cgroup-v2.sh (tests/cgroups/test_cgroup_v2_vm.py).
 */
class CgroupsTest {
  private static final long GIB = 1L << 30;
  @TempDir Path tmp;

  private static String mount(int id, Path point, String root, String type, String opts) {
    return id + " 1 0:" + id + " " + root + " " + point + " rw,relatime shared:" + id + " - " + type + " " + type
        + " " + opts + "\n";
  }

  /** A v2 hierarchy at tmp/unified with these controllers available in its root. */
  private Path v2(String controllers) throws Exception {
    Path m = Files.createDirectories(tmp.resolve("unified"));
    Files.writeString(m.resolve("cgroup.controllers"), controllers + "\n");
    return m;
  }

  @Test
  void onV2TheInstanceGetsMemoryMaxAndCpuMaxAndTheControllersAreHandedDown() throws Exception {
    Path m = v2("cpuset cpu io memory pids");
    Cgroups c = Cgroups.detect(mount(30, m, "/", "cgroup2", "rw"), "0::/\n", "", "own");
    InstanceCgroup cg = c.create("a1", 2, 4 * GIB); // ml.t3.medium: 2 vCPUs, 4 GiB

    assertThat(cg.dirs()).containsExactly(m.resolve("atelier/own-a1"));
    assertThat(cg.memoryV2()).isTrue();
    Path dir = cg.dirs().get(0);
    assertThat(Files.readString(dir.resolve("memory.max"))).isEqualTo(Long.toString(4 * GIB));
    assertThat(Files.readString(dir.resolve("cpu.max"))).isEqualTo("200000 100000");
    assertThat(Files.readString(m.resolve("cgroup.subtree_control"))).isEqualTo("+memory +cpu");
    assertThat(Files.readString(m.resolve("atelier/cgroup.subtree_control"))).isEqualTo("+memory +cpu");
    assertThat(c.status()).isEqualTo(new Cgroups.Status(true, "v2", m.resolve("atelier").toString(), null));
  }

  @Test
  void onV2TheDefaultParentIsAtTheTopOfTheHierarchyNotInTheServersOwnCgroupAndControllersOnAreNotWrittenAgain()
      throws Exception {
    // The server's own cgroup (a login session's scope, say) holds the server: v2 would refuse
    // to hand it controllers (EBUSY), so the instances' parent cannot be inside it.
    Path m = v2("cpu memory");
    Files.createDirectories(m.resolve("user.slice/session-1.scope"));
    Files.createDirectories(m.resolve("atelier"));
    Files.writeString(m.resolve("cgroup.subtree_control"), "cpu memory\n");
    Files.writeString(m.resolve("atelier/cgroup.subtree_control"), "memory\n");
    Cgroups c = Cgroups.detect(mount(30, m, "/", "cgroup2", "rw"), "0::/user.slice/session-1.scope\n", "", "own");
    c.create("b2", 0.5, 0);

    assertThat(Files.readString(m.resolve("cgroup.subtree_control"))).isEqualTo("cpu memory\n");
    assertThat(Files.readString(m.resolve("atelier/cgroup.subtree_control"))).isEqualTo("+cpu");
    assertThat(Files.readString(m.resolve("atelier/own-b2/cpu.max"))).isEqualTo("50000 100000");
    assertThat(m.resolve("atelier/own-b2/memory.max")).as("a zero limit is none").doesNotExist();
    assertThat(m.resolve("user.slice/session-1.scope/atelier")).doesNotExist();
  }

  @Test
  void onV2InACgroupNamespaceTheDefaultParentIsAtTheTopOfWhatTheMountShows() throws Exception {
    Path m = v2("cpu memory");
    Cgroups c = Cgroups.detect(mount(30, m, "/ns", "cgroup2", "rw"), "0::/ns/app\n", "", "own");
    assertThat(c.create("b3", 1, GIB).dirs()).containsExactly(m.resolve("atelier/own-b3"));
  }

  @Test
  void onV1TheDefaultParentIsInsideTheServersOwnCgroup() throws Exception {
    Path mem = Files.createDirectories(tmp.resolve("memory"));
    Path cpu = Files.createDirectories(tmp.resolve("cpu"));
    String mountinfo = mount(31, mem, "/", "cgroup", "rw,memory") + mount(32, cpu, "/", "cgroup", "rw,cpu");
    Cgroups c = Cgroups.detect(mountinfo, "5:cpu:/srv\n4:memory:/srv\n", "", "own");
    assertThat(c.create("b4", 1, GIB).dirs())
        .containsExactly(mem.resolve("srv/atelier/own-b4"), cpu.resolve("srv/atelier/own-b4"));
  }

  @Test
  void aV2MountShowingAnInnerCgroupAsItsRootMapsTheParentIntoIt() throws Exception {
    // In a cgroup namespace (a container) the mount's root is the namespace's cgroup.
    Path m = v2("cpu memory");
    Cgroups c = Cgroups.detect(mount(30, m, "/ns", "cgroup2", "rw"), "0::/ns\n", "/ns/jobs", "own");
    assertThat(c.create("c3", 1, GIB).dirs()).containsExactly(m.resolve("jobs/own-c3"));
  }

  @Test
  void onAHybridHostMemoryComesFromV1AndCpuFromV2AndV2IsAskedOnlyForCpu() throws Exception {
    Path mem = Files.createDirectories(tmp.resolve("memory"));
    Path u = v2("cpu io pids"); // memory is bound to the v1 hierarchy, so v2 does not offer it
    String mountinfo = mount(31, mem, "/", "cgroup", "rw,memory") + mount(30, u, "/", "cgroup2", "rw");
    Cgroups c = Cgroups.detect(mountinfo, "4:memory:/\n0::/\n", "/atelier", "own");
    InstanceCgroup cg = c.create("d4", 2, GIB);

    assertThat(cg.dirs()).containsExactly(mem.resolve("atelier/own-d4"), u.resolve("atelier/own-d4"));
    assertThat(cg.memoryV2()).isFalse();
    assertThat(Files.readString(mem.resolve("atelier/own-d4/memory.limit_in_bytes"))).isEqualTo(Long.toString(GIB));
    assertThat(mem.resolve("atelier/own-d4/cpu.cfs_quota_us")).doesNotExist();
    assertThat(Files.readString(u.resolve("atelier/own-d4/cpu.max"))).isEqualTo("200000 100000");
    assertThat(u.resolve("atelier/own-d4/memory.max")).doesNotExist();
    // The kernel refuses the whole write when it names a controller v2 does not have here.
    assertThat(Files.readString(u.resolve("cgroup.subtree_control"))).isEqualTo("+cpu");
    assertThat(Files.readString(u.resolve("atelier/cgroup.subtree_control"))).isEqualTo("+cpu");
    assertThat(c.status().version()).isEqualTo("hybrid");
  }

  @Test
  void onV1CpuAndMemoryEachGoToTheirOwnHierarchy() throws Exception {
    Path mem = Files.createDirectories(tmp.resolve("memory"));
    Path cpu = Files.createDirectories(tmp.resolve("cpu,cpuacct"));
    String mountinfo = mount(31, mem, "/", "cgroup", "rw,memory") + mount(32, cpu, "/", "cgroup", "rw,cpu,cpuacct")
        + mount(30, v2(""), "/", "cgroup2", "rw");
    Cgroups c = Cgroups.detect(mountinfo, "5:cpu,cpuacct:/\n4:memory:/\n0::/\n", "", "own");
    InstanceCgroup cg = c.create("e5", 1.5, GIB);
    assertThat(cg.dirs()).containsExactly(mem.resolve("atelier/own-e5"), cpu.resolve("atelier/own-e5"));
    assertThat(Files.readString(cpu.resolve("atelier/own-e5/cpu.cfs_quota_us"))).isEqualTo("150000");
    assertThat(Files.readString(cpu.resolve("atelier/own-e5/cpu.cfs_period_us"))).isEqualTo("100000");
    assertThat(c.status().version()).isEqualTo("v1");
  }

  @Test
  void aV2WithoutTheMemoryControllerIsRefusedSayingSo() throws Exception {
    Path m = v2("cpu io pids");
    Cgroups c = Cgroups.detect(mount(30, m, "/", "cgroup2", "rw"), "0::/\n", "", "own");
    assertThatThrownBy(() -> c.create("f6", 1, GIB)).isInstanceOf(AgentException.class)
        .hasMessage("this host offers no cgroup memory controller (neither a cgroup v1 hierarchy nor cgroup v2 has it)");
    assertThat(m.resolve("atelier")).doesNotExist();
  }

  @Test
  void aParentOutsideTheVisibleHierarchyIsRefusedNamingBoth() throws Exception {
    Path m = v2("cpu memory");
    Cgroups c = Cgroups.detect(mount(30, m, "/ns", "cgroup2", "rw"), "0::/ns\n", "/elsewhere", "own");
    assertThatThrownBy(() -> c.create("g7", 1, GIB)).hasMessage("the cgroup parent /elsewhere is outside the memory"
        + " hierarchy visible at " + m + " (it shows /ns)");
  }

  @Test
  void aParentThatCannotBeMadeIsRefusedNamingItAndTheStatusSaysWhy() throws Exception {
    Path m = v2("cpu memory");
    Files.writeString(m.resolve("cgroup.procs"), "");
    Cgroups c = Cgroups.detect(mount(30, m, "/", "cgroup2", "rw"), "0::/\n", "/cgroup.procs/atelier", "own");
    assertThatThrownBy(() -> c.create("h8", 1, GIB)).isInstanceOf(AgentException.class)
        .hasMessageStartingWith("cannot create the cgroup parent " + m.resolve("cgroup.procs/atelier"));
    assertThat(c.status().enforced()).isFalse();
    assertThat(c.status().problem()).startsWith("cannot create the cgroup parent");
  }

  @Test
  void theCgroupsAnEarlierServerOfThisOwnerLeftAreRemovedAndNoOneElses() throws Exception {
    Path m = v2("cpu memory");
    Path parent = Files.createDirectories(m.resolve("atelier"));
    Files.createDirectories(parent.resolve("own-old1"));
    Files.createDirectories(parent.resolve("own-old2"));
    Files.createDirectories(parent.resolve("other-x"));
    Files.createDirectories(parent.resolve("owner-y"));
    Cgroups c = Cgroups.detect(mount(30, m, "/", "cgroup2", "rw"), "0::/\n", "", "own");
    c.removeLeftovers();
    try (var left = Files.list(parent)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("other-x", "owner-y");
    }
  }

  @Test
  void oomKillsAreReadFromV2MemoryEvents() throws Exception {
    Path d = Files.createDirectories(tmp.resolve("i"));
    Files.writeString(d.resolve("memory.events"), "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n");
    assertThat(new InstanceCgroup(java.util.List.of(d), true).oomKills()).isEqualTo(2);
    assertThat(new InstanceCgroup(java.util.List.of(tmp.resolve("none")), true).oomKills()).isEqualTo(-1);
  }
}
