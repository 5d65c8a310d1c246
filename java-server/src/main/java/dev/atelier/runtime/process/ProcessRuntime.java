package dev.atelier.runtime.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.http.Json;
import dev.atelier.runtime.AgentClient;
import dev.atelier.runtime.AgentException;
import dev.atelier.runtime.InstanceRuntime;
import dev.atelier.runtime.InstanceSpec;
import dev.atelier.runtime.ZmqLoop;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The no-container runtime: each instance is a local agent process ({@code python -m
 * atelier.agent}) whose kernels are local processes, all in the instance's own cgroup with its
 * type's CPU and memory limits ({@link Cgroups}). When the host refuses the cgroup the instance
 * still runs, without limits, and says why ({@link Instance#limits()}). An agent dies with the
 * server (its stdin closes, and on Linux it watches its parent), and it stops its kernels before
 * it exits; its cgroup is removed after it. So, as with a notebook server's own kernels, nothing
 * survives a server restart: there is nothing for the next server to adopt, and no kernel left
 * running unseen.
 */
public final class ProcessRuntime implements InstanceRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessRuntime.class);

  private final String python;
  private final ZmqLoop loop;
  private final Duration startTimeout;
  private final Cgroups cgroups;
  private final Set<ProcessInstance> running = ConcurrentHashMap.newKeySet();

  /** @param cgroups where instances get their limits ({@link Cgroups#off} for none) */
  public ProcessRuntime(String python, ZmqLoop loop, Duration startTimeout, Cgroups cgroups) {
    this.python = python;
    this.loop = loop;
    this.startTimeout = startTimeout;
    this.cgroups = cgroups;
  }

  /** Whether instances get their type's limits on this host (as the last instance cgroup made found), and if not why. */
  @Override
  public HostLimits hostLimits() {
    Cgroups.Status s = cgroups.status();
    return new HostLimits(s.enforced(), s.version(), s.parent(), s.problem());
  }

  @Override
  public String name() {
    return "process";
  }

  /** Agents end with their server (see above): nothing survives to adopt. */
  @Override
  public boolean instancesOutliveClose() {
    return false;
  }

  @Override
  public CompletableFuture<Instance> start(InstanceSpec spec) {
    return CompletableFuture.supplyAsync(() -> launch(spec), Thread.ofVirtual().name("agent-start")::start);
  }

  private Instance launch(InstanceSpec spec) {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    String key = HexFormat.of().formatHex(k);
    InstanceCgroup cgroup = null;
    String problem = null;
    if (spec.cpus() > 0 || spec.memoryBytes() > 0) {
      try {
        cgroup = cgroups.create(cgroupName(k), spec.cpus(), spec.memoryBytes());
      } catch (AgentException e) {
        problem = e.getMessage();
      }
    }
    Process process = spawn(key, cgroup, spec);
    JsonNode ready = readReadyLine(process);
    if ("cgroup_failed".equals(ready.path("event").asText())) {
      // The host let the cgroup be made but not joined (a v2 move needs write access to the
      // common ancestor): run without limits, saying so, rather than not at all.
      problem = ready.path("problem").asText();
      waitFor(process);
      cgroup.remove();
      cgroup = null;
      process = spawn(key, null, spec);
      ready = readReadyLine(process);
    }
    if (!"ready".equals(ready.path("event").asText())) {
      process.destroyForcibly();
      throw new AgentException("the kernel agent sent an unexpected first line: " + ready);
    }
    Limits limits = cgroup != null ? new Limits(true, null, cgroup.toString())
        : problem != null ? new Limits(false, problem, null)
        : new Limits(true, null, "none requested");
    if (!limits.enforced()) {
      LOG.warn("instance {} (kernel agent pid {}) runs WITHOUT its CPU and memory limits ({} vCPU, {} MiB): {}",
          spec.instanceType(), process.pid(), spec.cpus(), spec.memoryBytes() >> 20, problem);
    }
    int port = ready.path("control_port").asInt();
    LOG.info("kernel agent pid {} listening on 127.0.0.1:{}{}", process.pid(), port,
        cgroup == null ? "" : " in cgroup " + cgroup);
    AgentClient agent = new AgentClient(loop, "127.0.0.1", port, key);
    try {
      agent.handshake(startTimeout);
    } catch (AgentException e) {
      process.destroyForcibly();
      agent.close();
      if (cgroup != null) {
        waitFor(process);
        cgroup.remove();
      }
      throw e;
    }
    ProcessInstance instance = new ProcessInstance(spec, process, agent, cgroup, limits);
    running.add(instance);
    return instance;
  }

  /** Random; {@link Cgroups} puts the server's owner label before it, so leftovers can be found. */
  private static String cgroupName(byte[] k) {
    return HexFormat.of().formatHex(k, 0, 6);
  }

  private Process spawn(String key, InstanceCgroup cgroup, InstanceSpec spec) {
    List<String> argv = new java.util.ArrayList<>(List.of(python, "-m", "atelier.agent", "--ip", "127.0.0.1",
        "--control-port", "0", "--exit-on-stdin-close", "--kernel-port-range", KERNEL_PORTS));
    if (cgroup != null) {
      cgroup.dirs().forEach(d -> argv.addAll(List.of("--cgroup", d.toString())));
    }
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.directory(spec.workDir().toFile());
    pb.environment().put("ATELIER_AGENT_KEY", key);
    pb.environment().put("PYTHONUNBUFFERED", "1");
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.redirectInput(ProcessBuilder.Redirect.PIPE);
    try {
      return pb.start();
    } catch (IOException e) {
      if (cgroup != null) {
        cgroup.remove();
      }
      throw new AgentException("cannot start the kernel agent with '" + python + "': " + e.getMessage()
          + " (set --python to the interpreter of an environment with ipykernel and the atelier package)");
    }
  }

  private static void waitFor(Process p) {
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private JsonNode readReadyLine(Process p) {
    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
      try {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        return r.readLine();
      } catch (IOException e) {
        return null;
      }
    }, Thread.ofVirtual()::start);
    String text;
    try {
      text = line.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new AgentException("the kernel agent did not report ready within " + startTimeout.toSeconds() + " s");
    }
    if (text == null) {
      throw new AgentException("the kernel agent exited at start (is the atelier package installed for '"
          + python + "'? run: " + python + " -m pip install -e kernel-gateway)");
    }
    try {
      JsonNode ready = Json.mapper().readTree(text);
      if ("cgroup_failed".equals(ready.path("event").asText())) {
        return ready;
      }
      if (!"ready".equals(ready.path("event").asText()) || ready.path("control_port").asInt() <= 0) {
        throw new AgentException("the kernel agent sent an unexpected first line: " + text);
      }
      return ready;
    } catch (IOException e) {
      throw new AgentException("the kernel agent sent an unexpected first line: " + text);
    }
  }

  @Override
  public void close() {
    for (ProcessInstance i : List.copyOf(running)) {
      i.stopNow();
    }
    cgroups.close();
  }

  private final class ProcessInstance implements Instance {
    private final InstanceSpec spec;
    private final Process process;
    private final AgentClient agent;
    private final InstanceCgroup cgroup;
    private final Limits limits;
    private final java.util.concurrent.atomic.AtomicBoolean cgroupRemoved = new java.util.concurrent.atomic.AtomicBoolean();
    private final CompletableFuture<Void> cgroupGone = new CompletableFuture<>();
    private final CompletableFuture<String> terminated;

    ProcessInstance(InstanceSpec spec, Process process, AgentClient agent, InstanceCgroup cgroup, Limits limits) {
      this.spec = spec;
      this.process = process;
      this.agent = agent;
      this.cgroup = cgroup;
      this.limits = limits;
      this.terminated = process.onExit().thenApplyAsync(p -> {
        running.remove(this);
        // Read before the cgroup goes: a SIGKILL with OOM kills counted is the memory limit.
        boolean oom = cgroup != null && p.exitValue() == 137 && cgroup.oomKills() > 0;
        removeCgroup();
        return oom ? spec.outOfMemory() : "the kernel agent exited with code " + p.exitValue();
      }, r -> Thread.ofVirtual().name("agent-exit").start(r));
    }

    /** Removes the cgroup once; a second caller (the stop and the exit watcher race) waits until it is gone. */
    private void removeCgroup() {
      if (cgroup == null) {
        return;
      }
      if (cgroupRemoved.compareAndSet(false, true)) {
        try {
          cgroup.remove();
        } finally {
          cgroupGone.complete(null);
        }
      } else {
        cgroupGone.join();
      }
    }

    @Override
    public Limits limits() {
      return limits;
    }

    @Override
    public String id() {
      return "pid-" + process.pid();
    }

    @Override
    public InstanceSpec spec() {
      return spec;
    }

    @Override
    public AgentClient agent() {
      return agent;
    }

    @Override
    public CompletableFuture<String> terminated() {
      return terminated;
    }

    @Override
    public CompletableFuture<Void> stop() {
      return CompletableFuture.runAsync(this::stopNow, Thread.ofVirtual()::start);
    }

    void stopNow() {
      try {
        // Closing stdin asks the agent to stop its kernels and exit; SIGTERM does the same.
        process.getOutputStream().close();
      } catch (IOException e) {
        // already gone
      }
      try {
        if (!process.waitFor(4, TimeUnit.SECONDS)) {
          Termination.end(process.toHandle(), List.of(), Duration.ofSeconds(4));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      agent.close();
      removeCgroup();
      running.remove(this);
    }
  }
}
