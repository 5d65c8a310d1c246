package dev.atelier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.support.TestServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A start that fails once the kernels are up (here: its port is taken) closes what it opened
 * on the way, as a stop does: no kernel agent of the failed server is left running.
 */
class StartFailureIT {
  /** This JVM's kernel agents started since {@code since}. */
  private static List<ProcessHandle> agentsSince(Instant since) {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .filter(p -> p.info().startInstant().map(t -> !t.isBefore(since)).orElse(false))
        .filter(p -> p.info().commandLine().map(c -> c.contains("atelier.agent")).orElse(false))
        .toList();
  }

  @Test
  void aStartThatCannotListenStopsItsKernelAgent() throws Exception {
    Instant before = Instant.now().minusSeconds(1);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> TestServer.start(Map.of("port", String.valueOf(taken.getLocalPort()))))
          .isInstanceOf(Exception.class);
    }
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (!agentsSince(before).isEmpty() && Instant.now().isBefore(deadline)) {
      Thread.onSpinWait();
    }
    assertThat(agentsSince(before)).isEmpty();
  }
}
