package dev.atelier.kernels;

import dev.atelier.runtime.AgentClient;
import dev.atelier.runtime.AgentException;
import dev.atelier.runtime.InstanceRuntime;
import dev.atelier.runtime.InstanceSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The project's own Python environment: a local instance whose agent tells the kernelspecs kernels
 * start from. It exists before the image catalog (whose {@code local} image offers these
 * kernelspecs) and the kernel service (which places kernels on that catalog's images).
 */
public final class LocalEnvironment implements AutoCloseable {
  private final InstanceRuntime runtime;
  private final Path root;
  private final Kernelspecs kernelspecs = new Kernelspecs(this::agent);
  private volatile CompletableFuture<InstanceRuntime.Instance> instance;

  /** @param runtime the process runtime; closed with this */
  public LocalEnvironment(InstanceRuntime runtime, Path root) {
    this.runtime = runtime;
    this.root = root;
  }

  /** Starts the local agent and learns its kernelspecs; fails if it cannot. */
  public CompletableFuture<Void> startup() {
    instance = runtime.start(InstanceSpec.local(root));
    return instance.thenCompose(i -> kernelspecs.all().thenApply(specs -> null));
  }

  public Kernelspecs kernelspecs() {
    return kernelspecs;
  }

  /** Names of the environment's kernelspecs (known after {@link #startup}); none when the agent does not answer. */
  public List<String> kernelspecNames() {
    try {
      List<String> names = new ArrayList<>();
      kernelspecs.all().get(15, TimeUnit.SECONDS).path("kernelspecs").fieldNames().forEachRemaining(names::add);
      return names;
    } catch (Exception e) {
      return List.of();
    }
  }

  private CompletableFuture<AgentClient> agent() {
    CompletableFuture<InstanceRuntime.Instance> i = instance;
    if (i == null) {
      return CompletableFuture.failedFuture(new AgentException("the server has not started its instance yet"));
    }
    return i.thenApply(InstanceRuntime.Instance::agent);
  }

  /** Stops the runtime, the local agent and whatever else it runs. */
  @Override
  public void close() {
    runtime.close();
  }
}
