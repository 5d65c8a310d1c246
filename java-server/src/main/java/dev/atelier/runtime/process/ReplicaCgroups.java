package dev.atelier.runtime.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.runtime.AgentException;
import dev.atelier.runtime.ServiceRuntime.Limits;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CPU and memory limits of local service replicas (an endpoint's local instances), as process
 * instances and local jobs get theirs: each replica in a cgroup of its own ({@link Cgroups}) with
 * its instance type's limits. The replica is started behind a gate ({@code sh} waiting for a line
 * on its stdin); the server moves it into the cgroup, then opens the gate and it execs the model
 * server, so that the model server and every worker it forks are inside from their first
 * instruction. When the host refuses (no writable cgroup hierarchy, or a v2 move without access to
 * the common ancestor), the replica runs without limits and its {@link Limits} say why.
 */
final class ReplicaCgroups {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaCgroups.class);
  /** {@code sh -c GATE NAME COMMAND...}: waits for the server's line, then becomes the command. */
  static final String GATE = "read -r _; exec \"$@\" </dev/null";

  private final Cgroups cgroups;

  ReplicaCgroups(Cgroups cgroups) {
    this.cgroups = cgroups;
  }

  /** A replica's cgroup being made: the cgroup, or why there is none. */
  record Prepared(InstanceCgroup cgroup, String problem) {
    /** Whether the replica starts behind the gate (it has a cgroup to be moved into). */
    boolean gated() {
      return cgroup != null;
    }
  }

  /** Makes the replica's cgroup; none when nothing is asked, or when the host refuses (saying why). */
  Prepared prepare(String service, int index, double cpus, long memoryBytes) {
    if (cpus <= 0 && memoryBytes <= 0) {
      return new Prepared(null, null);
    }
    byte[] r = new byte[4];
    new SecureRandom().nextBytes(r);
    try {
      return new Prepared(cgroups.create("r" + index + "-" + HexFormat.of().formatHex(r), cpus, memoryBytes), null);
    } catch (AgentException e) {
      LOG.warn("service {} replica {} runs WITHOUT its CPU and memory limits ({} vCPU, {} MiB): {}", service, index,
          cpus, memoryBytes >> 20, e.getMessage());
      return new Prepared(null, e.getMessage());
    }
  }

  /** The command line behind the gate when the replica has a cgroup, else as it is. */
  static List<String> command(Prepared prepared, List<String> command) {
    if (!prepared.gated()) {
      return command;
    }
    List<String> gated = new ArrayList<>(List.of("/bin/sh", "-c", GATE, "atelier-replica"));
    gated.addAll(command);
    return gated;
  }

  /**
   * Moves the started (gated) replica into its cgroup and opens the gate; its limits. A move the
   * host refuses leaves it running without (all of) its limits, saying why; the cgroup stays
   * recorded with the replica (on cgroup v1 it may be in one hierarchy already), removed when it ends.
   */
  static Limits join(Process process, Prepared prepared) {
    if (!prepared.gated()) {
      return prepared.problem() != null ? new Limits(false, prepared.problem(), null)
          : new Limits(true, null, "none requested");
    }
    InstanceCgroup cgroup = prepared.cgroup();
    String problem = null;
    try {
      for (Path d : cgroup.dirs()) {
        Files.writeString(d.resolve("cgroup.procs"), Long.toString(process.pid()));
      }
    } catch (IOException e) {
      problem = "the host let the cgroup " + cgroup + " be made but not joined: " + CgroupFiles.why(e);
    }
    try (OutputStream gate = process.getOutputStream()) {
      gate.write('\n');
    } catch (IOException e) {
      // it has ended already: the runtime sees it as not running
    }
    if (problem != null) {
      LOG.warn("local service replica pid {} runs WITHOUT its CPU and memory limits: {}", process.pid(), problem);
      return new Limits(false, problem, cgroup.toString());
    }
    return new Limits(true, null, cgroup.toString());
  }

  /** What the replica's record keeps of its limits, for a restarted server. */
  static void record(ObjectNode record, Prepared prepared, Limits limits) {
    record.put("limits_enforced", limits.enforced());
    if (limits.problem() != null) {
      record.put("limits_problem", limits.problem());
    }
    if (prepared.cgroup() != null) {
      record.set("cgroup", Json.mapper().valueToTree(prepared.cgroup().dirs().stream().map(Path::toString).toList()));
      record.put("memory_v2", prepared.cgroup().memoryV2());
    }
  }

  /** The limits a record says the replica got (a record of an older server says nothing: unknown, none). */
  static Limits limits(JsonNode record) {
    if (!record.has("limits_enforced")) {
      return new Limits(false, "started by a server that did not apply limits to local endpoint instances", null);
    }
    InstanceCgroup c = cgroup(record);
    boolean enforced = record.path("limits_enforced").asBoolean();
    return new Limits(enforced, record.path("limits_problem").asText(null),
        c != null ? c.toString() : enforced ? "none requested" : null);
  }

  /** The replica's cgroup from its record, or null. */
  static InstanceCgroup cgroup(JsonNode record) {
    JsonNode dirs = record.path("cgroup");
    if (!dirs.isArray() || dirs.isEmpty()) {
      return null;
    }
    return new InstanceCgroup(dirs.valueStream().map(n -> Path.of(n.asText())).toList(),
        record.path("memory_v2").asBoolean());
  }
}
