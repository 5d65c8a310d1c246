package dev.atelier.kernels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.instances.InstancePool;
import dev.atelier.instances.PooledInstance;
import dev.atelier.runtime.AgentClient;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a kernel dies, as jupyter_server's restarter does it: clients get iopub
 * {@code status: restarting} and the kernel is started again (on its instance, same ports and
 * key, so every connection carries on), up to {@link KernelRestarter}'s limit of consecutive
 * deaths; then, or when its instance is gone, it is {@code dead} for good with the reason, and
 * no longer holds its instance up. A restart asked for (Restart Kernel) brings even a dead kernel
 * back, on a new instance of the same type and image when its own has stopped.
 */
final class KernelRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(KernelRecovery.class);

  /** Per kernel: the restart count and which start attempt is the current one. */
  private static final class Watch {
    final KernelRestarter restarter;
    /** Fails the kernel's first start once its deaths reach the limit (never completes normally). */
    final CompletableFuture<Void> firstStartGaveUp = new CompletableFuture<>();
    int epoch;

    Watch(int limit) {
      restarter = new KernelRestarter(limit);
    }
  }

  private final KernelService kernels;
  private final InstancePool pool;
  private final InstanceCatalog types;
  private final int restartLimit;
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();

  KernelRecovery(KernelService kernels, InstancePool pool, InstanceCatalog types, int restartLimit) {
    this.kernels = kernels;
    this.pool = pool;
    this.types = types;
    this.restartLimit = restartLimit;
  }

  private Watch watch(Kernel k) {
    return watches.computeIfAbsent(k.id(), id -> new Watch(restartLimit));
  }

  /** A new kernel starts with no restarts counted. */
  void track(Kernel k) {
    k.restarts(0, restartLimit);
    watch(k);
  }

  /**
   * The first start's readiness, or its failure once the kernel died on launch more often than
   * the restart limit allows (with the reason), whichever comes first.
   */
  CompletableFuture<Void> firstStart(Kernel k, CompletableFuture<Void> ready) {
    return ready.applyToEither(watch(k).firstStartGaveUp, v -> v);
  }

  /** The kernel was shut down: nothing more to watch. */
  void forget(String kernelId) {
    watches.remove(kernelId);
  }

  /** An agent's event: an unexpected exit is a death. */
  void onAgentEvent(JsonNode event) {
    if (!"exited".equals(event.path("event").asText()) || event.path("expected").asBoolean()) {
      return;
    }
    Kernel kernel = kernels.find(event.path("kernel_id").asText());
    if (kernel != null) {
      died(kernel, deathOf(kernel, event));
    }
  }

  private Kernel.Death deathOf(Kernel kernel, JsonNode event) {
    Integer signal = event.hasNonNull("signal") ? event.path("signal").asInt() : null;
    Integer exit = event.path("exit_code").canConvertToInt() && !event.path("exit_code").isNull()
        ? event.path("exit_code").asInt() : null;
    boolean oom = event.path("oom_killed").asBoolean();
    String why;
    if (oom) {
      PooledInstance p = pool.get(kernel.instanceId());
      why = "the kernel ran out of memory" + (p == null ? "" : " (instance type " + p.type().name() + " allows "
          + (p.type().memoryBytes() >> 20) + " MiB)") + " and was killed";
    } else if (signal != null) {
      why = "the kernel process was killed by signal " + signal + signalName(signal);
    } else {
      why = "the kernel process exited with code " + (exit == null ? "unknown" : exit);
    }
    return new Kernel.Death(Instant.now(), why, signal, exit, oom, false);
  }

  private static String signalName(int sig) {
    return switch (sig) {
      case 9 -> " (SIGKILL)";
      case 15 -> " (SIGTERM)";
      case 11 -> " (SIGSEGV)";
      case 6 -> " (SIGABRT)";
      case 7 -> " (SIGBUS)";
      case 4 -> " (SIGILL)";
      case 8 -> " (SIGFPE)";
      default -> "";
    };
  }

  /** The heartbeat stopped: ask the agent whether the process is still there. */
  void heartbeatLost(Kernel kernel) {
    if (!"idle".equals(kernel.executionState()) && !"busy".equals(kernel.executionState())) {
      return;
    }
    Watch w = watch(kernel);
    int epoch;
    synchronized (w) {
      epoch = w.epoch;
    }
    kernels.agentOf(kernel)
        .thenCompose(a -> a.request("list", Map.of(), Duration.ofSeconds(2)))
        .whenComplete((reply, err) -> {
          synchronized (w) {
            if (w.epoch != epoch) {
              return;
            }
          }
          if (err != null) {
            deadForGood(kernel, "the kernel's instance is not answering: " + KernelService.unwrap(err).getMessage());
            return;
          }
          for (JsonNode k : reply.path("kernels")) {
            if (kernel.id().equals(k.path("kernel_id").asText()) && k.path("alive").asBoolean()) {
              LOG.warn("kernel {} missed heartbeats but its process is alive", kernel.id());
              return;
            }
          }
          died(kernel, new Kernel.Death(Instant.now(),
              "the kernel stopped answering heartbeats and its process is gone", null, null, false, false));
        });
  }

  /** The kernel's process ended unexpectedly: restart it, or leave it dead once the limit is reached. */
  void died(Kernel kernel, Kernel.Death death) {
    if (kernels.find(kernel.id()) != kernel || kernel.isDead()) {
      return;
    }
    Watch w = watch(kernel);
    KernelRestarter.Decision d;
    synchronized (w) {
      d = w.restarter.onDeath(death.at());
      kernel.lastDeath(death.withRestarted(d.restart()));
      kernel.restarts(d.restart() ? d.attempt() : d.limit(), d.limit());
    }
    String tries = d.limit() == 0 ? "" : "; it was restarted "
        + (d.limit() == 1 ? "once and died again" : d.limit() + " times in a row and died each time");
    if ("starting".equals(kernel.executionState())) {
      // It died before it ever answered: as jupyter_client's restarter, start it again (counted
      // toward the limit); the start under way waits for it, and fails with the reason at the limit.
      if (!d.restart()) {
        w.firstStartGaveUp.completeExceptionally(new IllegalStateException(death.reason() + tries));
        return;
      }
      LOG.warn("kernel {} died while starting ({}); starting it again ({}/{})", kernel.id(), death.reason(),
          d.attempt(), d.limit());
      Duration timeout = Duration.ofSeconds(Math.max(kernels.launchTimeout().toSeconds(), 30));
      kernels.agentOf(kernel).thenCompose(a -> a.request("restart", Map.of("kernel_id", kernel.id()), timeout))
          .whenComplete((r, err) -> {
            if (err != null) {
              w.firstStartGaveUp.completeExceptionally(new IllegalStateException(death.reason()
                  + "; starting it again failed: " + KernelService.unwrap(err).getMessage()));
            }
          });
      return;
    }
    if (!d.restart()) {
      deadForGood(kernel, death.reason() + tries + ", so it is left dead: restart it to try again");
      return;
    }
    LOG.warn("kernel {} died ({}); restarting it ({}/{})", kernel.id(), death.reason(), d.attempt(), d.limit());
    startAgain(kernel, true).exceptionally(err -> null);
  }

  /** Its instance is gone or stopping: the kernel is dead with that reason until restarted. */
  void deadForGood(Kernel kernel, String why) {
    if (kernels.find(kernel.id()) != kernel || kernel.isDead()) {
      return;
    }
    synchronized (watch(kernel)) {
      watch(kernel).epoch++;
    }
    LOG.warn("kernel {} is dead: {}", kernel.id(), why);
    kernel.dead(why);
    KernelConnection c = kernel.connection();
    if (c != null) {
      c.pauseHeartbeat();
      c.relay(KernelConnection.Relay.DROP);
      c.publishStatus("dead", statusMetadata(kernel));
    }
    pool.dormant(kernel.id(), true);
    kernels.announce(kernel, "dead");
    kernels.changed();
  }

  /** Restart Kernel: a running kernel in place; a dead one too, on a new instance if its own is gone. */
  CompletableFuture<Kernel> restart(Kernel kernel) {
    Watch w = watch(kernel);
    synchronized (w) {
      w.restarter.reset();
      kernel.restarts(0, restartLimit);
    }
    return startAgain(kernel, false);
  }

  private CompletableFuture<Kernel> startAgain(Kernel kernel, boolean automatic) {
    KernelConnection c = kernel.connection();
    if (c == null) {
      return CompletableFuture.failedFuture(ApiException.unavailable("kernel " + kernel.id() + " is still starting"));
    }
    Watch w = watch(kernel);
    int epoch;
    synchronized (w) {
      epoch = ++w.epoch;
    }
    kernel.alive();
    kernel.executionState("restarting");
    c.pauseHeartbeat();
    c.relay(KernelConnection.Relay.HOLD);
    pool.dormant(kernel.id(), false);
    if (automatic) {
      // Only the restarter says so, as jupyter_server's does: JupyterLab reads iopub 'restarting'
      // as "the kernel died" (its Kernel Restarting dialog) and learns of a restart it asked for
      // from the restart request's answer.
      c.publishStatus("restarting", statusMetadata(kernel));
      kernels.announce(kernel, "restarting");
    }
    kernels.changed();
    Duration timeout = Duration.ofSeconds(Math.max(kernels.launchTimeout().toSeconds(), 30));
    PooledInstance on = pool.ofKernel(kernel.id());
    CompletableFuture<?> started = on != null && "running".equals(on.state())
        ? kernels.agentOf(kernel).thenCompose(a -> a.request("restart", Map.of("kernel_id", kernel.id()), timeout))
        : elsewhere(kernel, timeout);
    return started
        .thenCompose(r -> c.awaitReady().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS))
        .handle((ok, err) -> {
          synchronized (w) {
            if (w.epoch != epoch) {
              // A later death or restart took over; its outcome is what counts.
              return kernel;
            }
          }
          if (err != null) {
            String why = "restart failed: " + KernelService.unwrap(err).getMessage();
            if (automatic) {
              died(kernel, new Kernel.Death(Instant.now(), why, null, null, false, false));
              return kernel;
            }
            deadForGood(kernel, why);
            throw new CompletionException(new ApiException(500, "Kernel Restart Failed",
                "kernel " + kernel.id() + " could not be restarted: " + KernelService.unwrap(err).getMessage()));
          }
          kernel.executionState("idle");
          kernel.touch(Instant.now());
          kernels.changed();
          LOG.info("kernel {} restarted{}", kernel.id(), automatic ? " automatically" : "");
          return kernel;
        });
  }

  /**
   * Starts the kernel on a new instance of its type and image (its own stopped), with the same
   * id, kernelspec, environment and key, and points its connection there.
   */
  private CompletableFuture<Void> elsewhere(Kernel kernel, Duration timeout) {
    Kernel.Launch launch = kernel.launch();
    if (launch == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("its start request is not known"));
    }
    var type = types.require(kernel.instanceType());
    pool.release(kernel.id());
    return pool.acquire(type, kernel.image(), kernel.id(), kernels.rootDir())
        .thenCompose(pooled -> pooled.instance().thenCompose(inst -> {
          AgentClient agent = inst.agent();
          kernels.watch(agent);
          kernel.placement(pooled.id(), pooled.type().name(), pooled.key().image());
          kernels.changed();
          Map<String, Object> request = new LinkedHashMap<>();
          request.put("kernel_id", kernel.id());
          request.put("kernelspec", launch.specName());
          request.put("key", launch.key());
          request.put("env", launch.env());
          request.put("cwd", launch.cwd());
          return agent.request("start", request, timeout);
        }))
        .thenCompose(reply -> kernel.connection().retarget(ConnectionInfo.fromJson(reply.path("connection"))));
  }

  /** Why, for clients that read a status message's metadata. */
  static ObjectNode statusMetadata(Kernel kernel) {
    ObjectNode model = kernel.atelierModel();
    ObjectNode m = Json.mapper().createObjectNode();
    m.set("reason", model.get("reason"));
    m.set("last_death", model.get("last_death"));
    m.set("restart_count", model.get("restart_count"));
    m.set("restart_limit", model.get("restart_limit"));
    return m;
  }
}
