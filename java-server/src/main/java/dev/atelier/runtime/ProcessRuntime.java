package dev.atelier.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.http.Json;
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
 * atelier.agent}) whose kernels are local processes; limits are not enforced. An agent dies with
 * the server (its stdin closes, and on Linux it watches its parent), and it stops its kernels
 * before it exits.
 */
public final class ProcessRuntime implements InstanceRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessRuntime.class);

  private final String python;
  private final ZmqLoop loop;
  private final Duration startTimeout;
  private final Set<ProcessInstance> running = ConcurrentHashMap.newKeySet();

  public ProcessRuntime(String python, ZmqLoop loop, Duration startTimeout) {
    this.python = python;
    this.loop = loop;
    this.startTimeout = startTimeout;
  }

  @Override
  public String name() {
    return "process";
  }

  @Override
  public CompletableFuture<Instance> start(InstanceSpec spec) {
    return CompletableFuture.supplyAsync(() -> launch(spec), Thread.ofVirtual().name("agent-start")::start);
  }

  private Instance launch(InstanceSpec spec) {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    String key = HexFormat.of().formatHex(k);
    ProcessBuilder pb = new ProcessBuilder(List.of(python, "-m", "atelier.agent", "--ip", "127.0.0.1",
        "--control-port", "0", "--exit-on-stdin-close", "--kernel-port-range", KERNEL_PORTS));
    pb.directory(spec.workDir().toFile());
    pb.environment().put("ATELIER_AGENT_KEY", key);
    pb.environment().put("PYTHONUNBUFFERED", "1");
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.redirectInput(ProcessBuilder.Redirect.PIPE);
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new AgentException("cannot start the kernel agent with '" + python + "': " + e.getMessage()
          + " (set --python to the interpreter of an environment with ipykernel and the atelier package)");
    }
    JsonNode ready = readReadyLine(process);
    int port = ready.path("control_port").asInt();
    LOG.info("kernel agent pid {} listening on 127.0.0.1:{}", process.pid(), port);
    AgentClient agent = new AgentClient(loop, "127.0.0.1", port, key);
    try {
      agent.handshake(startTimeout);
    } catch (AgentException e) {
      process.destroyForcibly();
      agent.close();
      throw e;
    }
    ProcessInstance instance = new ProcessInstance(spec, process, agent);
    running.add(instance);
    return instance;
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
  }

  private final class ProcessInstance implements Instance {
    private final InstanceSpec spec;
    private final Process process;
    private final AgentClient agent;
    private final CompletableFuture<String> terminated;

    ProcessInstance(InstanceSpec spec, Process process, AgentClient agent) {
      this.spec = spec;
      this.process = process;
      this.agent = agent;
      this.terminated = process.onExit().thenApply(p -> {
        running.remove(this);
        return "the kernel agent exited with code " + p.exitValue();
      });
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
          process.destroy();
          if (!process.waitFor(4, TimeUnit.SECONDS)) {
            process.destroyForcibly();
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      agent.close();
      running.remove(this);
    }
  }
}
