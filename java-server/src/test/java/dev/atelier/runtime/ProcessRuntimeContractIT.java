package dev.atelier.runtime;

import dev.atelier.support.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The runtime contract on local processes. */
class ProcessRuntimeContractIT extends RuntimeContract {
  @Override
  protected InstanceRuntime createRuntime(ZmqLoop loop) {
    return new ProcessRuntime(TestServer.python(), loop, Duration.ofSeconds(60));
  }

  @Override
  protected InstanceSpec spec(Path workDir, double cpus, long memoryBytes) {
    return new InstanceSpec("local", "", cpus, memoryBytes, workDir, Map.of());
  }
}
