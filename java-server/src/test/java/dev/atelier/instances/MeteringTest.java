package dev.atelier.instances;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.catalog.ImageCatalog;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.catalog.InstanceType;
import dev.atelier.runtime.AgentClient;
import dev.atelier.runtime.InstanceRuntime;
import dev.atelier.runtime.InstanceSpec;
import dev.atelier.storage.Database;
import dev.atelier.support.HandClock;
import dev.atelier.support.StoreBackend;
import dev.atelier.support.StoreTest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metering follows SageMaker's rule: an instance is billed from start to stop, whatever runs on
 * it. The pool and the meter are real, on SQLite and on PostgreSQL; only the runtime is a fake
 * that starts instances at once, and the clock is moved by hand.
 */
class MeteringTest {
  /** The project environment, run by the process runtime, as the image catalog lists it. */
  static final ImageCatalog.Image LOCAL = new ImageCatalog.Image("local", "local", "process", List.of(), 0);

  static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");

  /** A clock the test moves. */

  /** Starts instances at once and remembers them; stopping one terminates it. */
  static final class FakeRuntime implements InstanceRuntime {
    final List<InstanceSpec> started = new ArrayList<>();

    @Override
    public String name() {
      return "process";
    }

    @Override
    public CompletableFuture<Instance> start(InstanceSpec spec) {
      started.add(spec);
      CompletableFuture<String> terminated = new CompletableFuture<>();
      return CompletableFuture.completedFuture(new Instance() {
        @Override
        public String id() {
          return "fake-" + started.size();
        }

        @Override
        public InstanceSpec spec() {
          return spec;
        }

        @Override
        public AgentClient agent() {
          return null;
        }

        @Override
        public CompletableFuture<String> terminated() {
          return terminated;
        }

        @Override
        public CompletableFuture<Void> stop() {
          terminated.complete("stopped");
          return CompletableFuture.completedFuture(null);
        }
      });
    }

    @Override
    public void close() {}
  }

  @TempDir Path dir;

  @StoreTest
  void sageMakersDocumentedExampleBillsThreeHoursOfT3MediumAndOneOfM5Large(StoreBackend backend) {
    HandClock clock = new HandClock(T0);
    FakeRuntime runtime = new FakeRuntime();
    InstanceCatalog catalog = InstanceCatalog.load(null, null, 0);
    try (Database db = backend.open()) {
      UsageMeter meter = new UsageMeter(db, clock);
      InstancePool pool = new InstancePool(Map.of("process", runtime), meter, Duration.ZERO);
      InstanceType t3 = catalog.require("ml.t3.medium");
      InstanceType m5 = catalog.require("ml.m5.large");

      pool.acquire(t3, LOCAL, "nb1", dir).join();        // nb1 opens on ml.t3.medium
      clock.advance(Duration.ofHours(1));
      pool.acquire(t3, LOCAL, "nb2", dir).join();        // 1 h later nb2 opens: same instance
      clock.advance(Duration.ofHours(1));
      pool.acquire(t3, LOCAL, "nb3", dir).join();        // 1 h later nb3 opens...
      pool.release("nb3");
      pool.acquire(m5, LOCAL, "nb3", dir).join();        // ...and switches to ml.m5.large
      assertThat(runtime.started).extracting(InstanceSpec::instanceType).containsExactly("ml.t3.medium", "ml.m5.large");
      clock.advance(Duration.ofHours(1));
      pool.release("nb1");                                 // 1 h later all kernels shut down
      pool.release("nb2");
      pool.release("nb3");
      assertThat(pool.list()).isEmpty();
      clock.advance(Duration.ofHours(5));                  // nothing runs: nothing is billed

      Map<String, Double> seconds = meter.secondsByType(T0.minus(Duration.ofDays(1)), clock.instant());
      assertThat(seconds).containsExactlyInAnyOrderEntriesOf(Map.of(
          "ml.t3.medium", 3 * 3600.0,
          "ml.m5.large", 1 * 3600.0));
      pool.close();
    }
  }

  @StoreTest
  void usageSurvivesARestartAndAPeriodCutsIntervals(StoreBackend backend) {
    HandClock clock = new HandClock(T0);
    FakeRuntime runtime = new FakeRuntime();
    InstanceCatalog catalog = InstanceCatalog.load(null, null, 0);
    try (Database db = backend.open()) {
      UsageMeter meter = new UsageMeter(db, clock);
      InstancePool pool = new InstancePool(Map.of("process", runtime), meter, Duration.ZERO);
      pool.acquire(catalog.require("ml.c5.large"), LOCAL, "k", dir).join();
      clock.advance(Duration.ofMinutes(90));
      meter.seen(pool.list().stream().map(PooledInstance::id).toList());
      clock.advance(Duration.ofMinutes(10));
      // the server dies here: its instance was last seen 10 minutes ago
    }
    try (Database db = backend.open()) {
      UsageMeter meter = new UsageMeter(db, clock);
      assertThat(meter.closeLeftOpen(List.of(), "server died")).isEqualTo(1);
      clock.advance(Duration.ofHours(3));
      assertThat(meter.secondsByType(T0, clock.instant())).containsExactlyEntriesOf(Map.of("ml.c5.large", 90 * 60.0));
      // a period that cuts the interval counts only its part
      assertThat(meter.secondsByType(T0.plus(Duration.ofMinutes(60)), T0.plus(Duration.ofMinutes(75))))
          .containsExactlyEntriesOf(Map.of("ml.c5.large", 15 * 60.0));
    }
  }

  @Test
  void aTypeNeedingAGpuTheHostLacksIsRefusedAndUnknownTypesListTheValidOnes() {
    InstanceCatalog catalog = InstanceCatalog.load(null, null, 0);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> catalog.require("ml.g4dn.xlarge"))
        .hasMessageContaining("needs 1 GPU").hasMessageContaining("this host has none");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> catalog.require("ml.p3.16xlarge"))
        .hasMessageContaining("unknown instance type 'ml.p3.16xlarge'")
        .hasMessageContaining("ml.t3.medium, ml.m5.large, ml.c5.large, ml.m5.xlarge, ml.g4dn.xlarge");
    assertThat(InstanceCatalog.load(null, null, 1).require("ml.g4dn.xlarge").gpus()).isEqualTo(1);
    assertThat(catalog.defaultType().name()).isEqualTo("ml.t3.medium");
    assertThat(catalog.require("ml.m5.xlarge").memoryBytes()).isEqualTo(16L << 30);
  }
}
