package dev.atelier.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.http.Json;
import dev.atelier.kernels.ClientSink;
import dev.atelier.kernels.ConnectionInfo;
import dev.atelier.kernels.KernelConnection;
import dev.atelier.kernels.WireMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.zeromq.ZContext;

/**
 * What every runtime must do, run against each implementation by a ten-line subclass: start an
 * instance whose agent answers, run a real kernel reachable over the wire protocol, report a
 * kernel's death, and stop cleanly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class RuntimeContract {
  protected ZContext zmq;
  protected ZmqLoop loop;
  protected InstanceRuntime runtime;
  protected Path workDir;

  /** The runtime under test. */
  protected abstract InstanceRuntime createRuntime(ZmqLoop loop);

  /** A spec this runtime can start, with the given limits. */
  protected abstract InstanceSpec spec(Path workDir, double cpus, long memoryBytes);

  /** Asks the runtime to leave its instances running when it closes, where it offers that. */
  protected void keepInstancesOnClose(InstanceRuntime runtime) {}

  @BeforeAll
  protected void setUp() throws Exception {
    zmq = new ZContext();
    loop = new ZmqLoop(zmq, "contract-agent");
    runtime = createRuntime(loop);
    workDir = Files.createTempDirectory("atelier-contract");
  }

  @AfterAll
  protected void tearDown() {
    if (runtime != null) {
      runtime.close();
    }
    loop.close();
    zmq.close();
  }

  protected InstanceRuntime.Instance start(double cpus, long memoryBytes) throws Exception {
    return runtime.start(spec(workDir, cpus, memoryBytes)).get(120, TimeUnit.SECONDS);
  }

  @Test
  void anInstanceAgentAnswersAndOffersPython3() throws Exception {
    InstanceRuntime.Instance instance = start(0, 0);
    try {
      JsonNode specs = instance.agent().request("kernelspecs", Map.of(), Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
      assertThat(specs.path("kernelspecs").has("python3")).isTrue();
      assertThat(specs.path("kernelspecs").path("python3").path("spec").path("language").asText()).isEqualTo("python");
    } finally {
      instance.stop().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void aKernelRunsCodeOverTheWireProtocolAndItsDeathIsReported() throws Exception {
    InstanceRuntime.Instance instance = start(0, 0);
    LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    instance.agent().onEvent(events::add);
    try {
      String id = UUID.randomUUID().toString();
      JsonNode reply = instance.agent().request("start", Map.of("kernel_id", id, "kernelspec", "python3",
          "key", "contract-key", "env", Map.of(), "cwd", workDir.toString()), Duration.ofSeconds(60)).get(60, TimeUnit.SECONDS);
      ConnectionInfo info = ConnectionInfo.fromJson(reply.path("connection"));
      // Kernel ports come from below the ephemeral range, where no outgoing connection sits.
      String[] range = InstanceRuntime.KERNEL_PORTS.split("-");
      assertThat(List.of(info.shellPort(), info.iopubPort(), info.stdinPort(), info.controlPort(), info.hbPort()))
          .doesNotHaveDuplicates()
          .allSatisfy(p -> assertThat(p).isBetween(Integer.parseInt(range[0]), Integer.parseInt(range[1])));
      List<String> out = run(info,
          "import os; open('written-by-kernel.txt', 'w').write('x'); print('pid', os.getpid())");
      assertThat(String.join("", out)).startsWith("pid ");
      // The notebook root is the kernel's working directory, the same path as on the host.
      assertThat(workDir.resolve("written-by-kernel.txt")).exists();
      long pid = Long.parseLong(String.join("", out).trim().substring(4));
      assertThat(pid).isPositive();
      instance.agent().request("signal", Map.of("kernel_id", id, "signum", 9), Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
      JsonNode exited = poll(events, e -> "exited".equals(e.path("event").asText()) && id.equals(e.path("kernel_id").asText()));
      assertThat(exited.path("signal").asInt()).isEqualTo(9);
      assertThat(exited.path("expected").asBoolean()).isFalse();
    } finally {
      instance.stop().get(60, TimeUnit.SECONDS);
    }
  }

  /**
   * A server restart: the runtime closes and a new one of the same owner looks for what is left.
   * A runtime whose instances outlive it offers each for adoption, its agent answering again; one
   * whose instances end with it has ended them and offers nothing.
   */
  @Test
  void whatOutlivesAClosedRuntimeIsFoundAndAdoptedByTheNextOne() throws Exception {
    InstanceRuntime kept = runtime; // createRuntime may set the field the tear-down closes
    InstanceRuntime first = createRuntime(loop);
    runtime = kept;
    InstanceRuntime next = null;
    try {
      keepInstancesOnClose(first);
      InstanceSpec plain = spec(workDir, 0, 0);
      InstanceSpec spec = new InstanceSpec(plain.instanceType(), plain.image(), 0, 0, workDir,
          Map.of("dev.atelier.contract-test", "kept"));
      InstanceRuntime.Instance instance = first.start(spec).get(120, TimeUnit.SECONDS);
      boolean outlives = first.instancesOutliveClose();
      first.close();
      next = createRuntime(loop);
      runtime = kept;
      List<InstanceRuntime.Survivor> mine = next.survivors().stream().filter(s -> s.id().equals(instance.id())).toList();
      if (!outlives) {
        assertThat(mine).isEmpty();
        assertThat(instance.terminated()).succeedsWithin(Duration.ofSeconds(30));
        return;
      }
      assertThat(mine).singleElement().satisfies(s -> {
        assertThat(s.type()).isEqualTo(spec.instanceType());
        assertThat(s.image()).isEqualTo(spec.image());
        assertThat(s.labels()).containsEntry("dev.atelier.contract-test", "kept");
        assertThat(s.startedAt()).isBefore(Instant.now().plusSeconds(5));
      });
      InstanceRuntime.Instance adopted = next.adopt(mine.get(0), spec);
      try {
        assertThat(adopted.id()).isEqualTo(instance.id());
        JsonNode specs = adopted.agent().request("kernelspecs", Map.of(), Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
        assertThat(specs.path("kernelspecs").has("python3")).isTrue();
      } finally {
        adopted.stop().get(60, TimeUnit.SECONDS);
      }
      assertThat(next.survivors()).noneMatch(s -> s.id().equals(instance.id()));
    } finally {
      if (next != null) {
        next.close();
      }
    }
  }

  @Test
  void stoppingAnInstanceEndsIt() throws Exception {
    InstanceRuntime.Instance instance = start(0, 0);
    instance.stop().get(60, TimeUnit.SECONDS);
    assertThat(instance.terminated().get(30, TimeUnit.SECONDS)).isNotBlank();
  }

  /**
   * What a kernel reads from its own cgroup (found in /proc/self/cgroup, on cgroup v1 or v2; in a
   * container whose cgroup is mounted at the root, the root's files): the memory limit in bytes,
   * then the CPU limit in cores.
   */
  static final String READ_OWN_LIMITS = """
      import os
      v1, v2 = {}, None
      for line in open('/proc/self/cgroup'):
          num, ctls, path = line.rstrip('\\n').split(':', 2)
          if num == '0' and not ctls:
              v2 = path
          for c in ctls.split(','):
              v1[c] = path
      def read(roots, path, name):
          for root in roots:
              for d in (os.path.join(root, path.lstrip('/')), root):
                  if os.path.exists(os.path.join(d, name)):
                      return open(os.path.join(d, name)).read().strip()
          return None
      v2roots = ('/sys/fs/cgroup/unified', '/sys/fs/cgroup')
      mem = read(('/sys/fs/cgroup/memory',), v1['memory'], 'memory.limit_in_bytes') if 'memory' in v1 else None
      if mem is None and v2 is not None:
          mem = read(v2roots, v2, 'memory.max')
      cpus = None
      if 'cpu' in v1:
          cpu_roots = ('/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct')
          quota = read(cpu_roots, v1['cpu'], 'cpu.cfs_quota_us')
          period = read(cpu_roots, v1['cpu'], 'cpu.cfs_period_us')
          cpus = int(quota) / int(period) if quota not in (None, '-1') else 'max'
      if cpus is None and v2 is not None:
          quota, period = (read(v2roots, v2, 'cpu.max') or 'max 100000').split()
          cpus = 'max' if quota == 'max' else int(quota) / int(period)
      print(mem, cpus)
      """;

  @Test
  void theKernelReadsTheInstanceTypesLimitsInItsOwnCgroup() throws Exception {
    InstanceRuntime.Instance instance = start(1.0, 512L << 20);
    try {
      assertThat(instance.limits().enforced()).as("limits enforced: %s", instance.limits()).isTrue();
      String id = UUID.randomUUID().toString();
      JsonNode reply = instance.agent().request("start", Map.of("kernel_id", id, "kernelspec", "python3",
          "key", "limits-key", "env", Map.of(), "cwd", workDir.toString()), Duration.ofSeconds(60)).get(60, TimeUnit.SECONDS);
      String out = String.join("", run(ConnectionInfo.fromJson(reply.path("connection")), READ_OWN_LIMITS)).trim();
      assertThat(out).isEqualTo((512L << 20) + " 1.0");
    } finally {
      instance.stop().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void aKernelThatOutgrowsTheInstancesMemoryIsReportedKilledForIt() throws Exception {
    InstanceRuntime.Instance instance = start(1.0, 256L << 20);
    LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    instance.agent().onEvent(events::add);
    try {
      String id = UUID.randomUUID().toString();
      JsonNode reply = instance.agent().request("start", Map.of("kernel_id", id, "kernelspec", "python3",
          "key", "oom-key", "env", Map.of(), "cwd", workDir.toString()), Duration.ofSeconds(60)).get(60, TimeUnit.SECONDS);
      List<JsonNode> exits = new ArrayList<>();
      run(ConnectionInfo.fromJson(reply.path("connection")), "x = b'x' * (768 << 20)", () -> {
        for (JsonNode e; (e = events.poll()) != null; ) {
          if ("exited".equals(e.path("event").asText()) && id.equals(e.path("kernel_id").asText())) {
            exits.add(e);
          }
        }
        return !exits.isEmpty();
      });
      assertThat(exits).as("the kernel's exit event").isNotEmpty();
      assertThat(exits.get(0).path("signal").asInt()).isEqualTo(9);
      assertThat(exits.get(0).path("oom_killed").asBoolean()).as("oom_killed in %s", exits.get(0)).isTrue();
      // the instance itself lives on: only the kernel went
      assertThat(instance.terminated()).isNotDone();
    } finally {
      instance.stop().get(60, TimeUnit.SECONDS);
    }
  }

  /** Executes code on a kernel through a real KernelConnection; returns its stdout text parts. */
  protected List<String> run(ConnectionInfo info, String code) throws Exception {
    return run(info, code, () -> false);
  }

  /** Like {@link #run(ConnectionInfo, String)}, but returns early once {@code done} says so (the kernel died). */
  protected List<String> run(ConnectionInfo info, String code, java.util.function.BooleanSupplier done)
      throws Exception {
    ZmqLoop kernelLoop = new ZmqLoop(zmq, "contract-kernel");
    LinkedBlockingQueue<WireMessage> inbox = new LinkedBlockingQueue<>();
    KernelConnection connection = new KernelConnection("contract", kernelLoop, info, new KernelConnection.Listener() {
      public void onExecutionState(String state) {}

      public void onActivity(Instant when) {}

      public void onConnections(int n) {}

      public void onHeartbeatLost() {}
    }, 1 << 20);
    try {
      connection.awaitReady().get(60, TimeUnit.SECONDS);
      var handle = connection.attach("contract-session", new ClientSink() {
        public void send(WireMessage m) {
          inbox.add(m);
        }

        public void close(String why) {}
      }).get(10, TimeUnit.SECONDS);
      String msgId = UUID.randomUUID().toString();
      String header = "{\"msg_id\":\"" + msgId + "\",\"msg_type\":\"execute_request\",\"username\":\"t\","
          + "\"session\":\"contract-session\",\"date\":\"" + Instant.now() + "\",\"version\":\"5.3\"}";
      byte[] content = Json.mapper().writeValueAsBytes(Map.of("code", code, "silent", false));
      handle.send(new WireMessage("shell", msgId, "execute_request", header.getBytes(StandardCharsets.UTF_8),
          "{}".getBytes(), "{}".getBytes(), content, List.of()));
      List<String> out = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        WireMessage m = inbox.poll(200, TimeUnit.MILLISECONDS);
        if (done.getAsBoolean()) {
          return out;
        }
        if (m == null || !new String(m.parentHeader(), StandardCharsets.UTF_8).contains(msgId)) {
          continue;
        }
        JsonNode c = Json.mapper().readTree(m.content());
        if ("stream".equals(m.msgType())) {
          out.add(c.path("text").asText());
        }
        if ("status".equals(m.msgType()) && "idle".equals(c.path("execution_state").asText())) {
          return out;
        }
      }
      throw new AssertionError("the kernel did not finish running: " + code);
    } finally {
      connection.close();
      kernelLoop.close();
    }
  }

  protected static JsonNode poll(LinkedBlockingQueue<JsonNode> q, java.util.function.Predicate<JsonNode> match)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      JsonNode e = q.poll(1, TimeUnit.SECONDS);
      if (e != null && match.test(e)) {
        return e;
      }
    }
    throw new AssertionError("no matching agent event within 30 s");
  }
}
