package dev.atelier.instances;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * What the instances API needs of the kernels running on instances: how each is listed, when the
 * idle rule stops an instance, and stopping one (its kernels are told why first).
 */
public interface InstanceKernels {
  /** A kernel as an instance's entry lists it; any field may be null while the kernel is being placed. */
  record Summary(String path, String name, String executionState) {}

  /** The kernel's summary, or null when no kernel has that id (yet). */
  Summary summary(String kernelId);

  /** Shuts down the instance's kernels, then the instance; null when there is no such instance. */
  CompletableFuture<Void> stopInstance(String instanceId);

  /** When the instance's idle rule stops it, or null. */
  Instant instanceIdleShutdownAt(String instanceId);
}
