package dev.atelier.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.endpoints.bluegreen.DeploymentPolicy;
import dev.atelier.endpoints.bluegreen.Drain;
import dev.atelier.http.Json;
import dev.atelier.runtime.ServiceRuntime;
import dev.atelier.storage.Database;
import dev.atelier.support.StoreBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MaximumExecutionTimeoutInSeconds, counted from the UpdateEndpoint: an update whose new fleet
 * started late runs past it during its bake and is rolled back (all traffic to the old fleet, the
 * new one stopped); a new fleet not healthy by the deadline ends the update without traffic moved,
 * saying the timeout, though the ready timeout is longer; an update within its time completes.
 * Pure logic over a stand-in runtime (replicas are records, health a flag) and a clock that runs a
 * thousand times faster than the wall's, so that the 600 s the timeout takes at least pass in less
 * than a second.
 */
@Timeout(60)
class BlueGreenDeadlineTest {
  private static final String UPDATE = "{'BlueGreenUpdatePolicy': {'TrafficRoutingConfiguration': {'Type': 'ALL_AT_ONCE',"
      + " 'WaitIntervalInSeconds': %d}, 'TerminationWaitInSeconds': 0, 'MaximumExecutionTimeoutInSeconds': 600}}";

  private final StoreBackend.Sqlite backend = new StoreBackend.Sqlite();
  private final Database db = backend.open();
  /** A thousand fake seconds a real second, from now. */
  private final Clock fast = new Clock() {
    private final Instant base = Instant.parse("2026-12-03T10:00:00Z");
    private final long start = System.nanoTime();

    @Override
    public Instant instant() {
      return base.plusNanos((System.nanoTime() - start) * 1000);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  };

  @AfterEach
  void close() {
    db.close();
    backend.close();
  }

  /** Replicas as records; healthy once started when {@code healthy} says so; stops remembered. */
  private static final class StandIn implements ServiceRuntime {
    volatile boolean healthy = true;
    final List<String> stopped = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "process";
    }

    @Override
    public Service start(ServiceSpec spec) {
      List<Replica> replicas = new ArrayList<>();
      for (int i = 0; i < spec.replicas(); i++) {
        replicas.add(new Replica(spec.name() + "-" + i, i, 9000 + i, Instant.now()));
      }
      return new Service(spec, replicas);
    }

    @Override
    public boolean running(Replica replica) {
      return true;
    }

    @Override
    public Health health(Service service, Replica replica, Duration timeout) {
      return healthy ? new Health(true, 200, null) : new Health(false, 503, "GET /ping answered 503");
    }

    @Override
    public Service replace(Service service, int index) {
      return service;
    }

    @Override
    public void stop(Service service, Duration grace) {
      stopped.add(service.spec().name());
    }

    @Override
    public List<Found> list() {
      return List.of();
    }

    @Override
    public Service adopt(ServiceSpec spec) {
      return new Service(spec, List.of());
    }

    @Override
    public Usage usage(Service service, Replica replica) {
      return null;
    }

    @Override
    public void close() {}
  }

  private static Deployment.Variant variant(String name, ServiceRuntime runtime, Path dir) {
    VariantPlan plan = new VariantPlan("AllTraffic", "m-" + name, "ep-" + name, "process", "local", "ml.t3.medium", 1,
        1L << 30, 1, 1.0, null, Map.of(), dir.resolve(name).resolve("model"), null);
    return new Deployment.Variant(plan, runtime);
  }

  private static DeploymentPolicy policy(int bakeSeconds) throws Exception {
    return DeploymentPolicy.parse(Json.mapper().readTree(String.format(UPDATE, bakeSeconds).replace('\'', '"')));
  }

  private record Run(String reason, Deployment dep, Deployment.Variant old, StandIn runtime) {}

  private Run update(DeploymentPolicy policy, boolean newFleetHealthy, Duration readyTimeout) throws Exception {
    Path dir = Files.createTempDirectory("atelier-bluegreen-deadline");
    StandIn runtime = new StandIn();
    Rollout rollout = new Rollout(new EndpointStore(db), null, "python", fast, readyTimeout, Duration.ZERO, d -> {});
    Deployment dep = new Deployment("ep", "arn:ep", "c1", "Updating", "alice", fast.instant(), fast.instant(), null);
    Deployment.Variant old = variant("old", runtime, dir);
    old.service = runtime.start(old.plan.spec("ep", 1, "python"));
    old.healthy.add(old.service.replica(0).id());
    dep.variants = List.of(old);
    runtime.healthy = newFleetHealthy;
    BlueGreenUpdate update = new BlueGreenUpdate(rollout, fast, i -> 0, Drain.standard());
    String reason = update.run(dep, List.of(variant("new", runtime, dir)), "c2", null, policy);
    return new Run(reason, dep, old, runtime);
  }

  @Test
  void anUpdateStillBakingAtItsDeadlineIsRolledBackOntoTheOldFleet() throws Exception {
    // 500 s of baking fits in 600 s, but not once the fast clock's first tick has passed the deadline.
    Run r = update(policy(500), true, Duration.ofSeconds(240));
    assertThat(r.reason()).isEqualTo("the update to c2 was rolled back: it did not complete within"
        + " MaximumExecutionTimeoutInSeconds (600 s)");
    assertThat(r.dep().status()).isEqualTo("RollingBack");
    assertThat(r.dep().variants).containsExactly(r.old());
    assertThat(r.dep().configName).isEqualTo("c1");
    assertThat(r.dep().shift).isNull();
    assertThat(r.runtime().stopped).as("the new fleet stopped, the old one not").containsExactly("ep-new");
  }

  @Test
  void aNewFleetNotHealthyByTheDeadlineEndsTheUpdateSayingTheTimeoutThoughTheReadyTimeoutIsLonger()
      throws Exception {
    Run r = update(policy(0), false, Duration.ofHours(1));
    assertThat(r.reason()).startsWith("the update to c2 did not complete within MaximumExecutionTimeoutInSeconds"
        + " (600 s): variant AllTraffic: instance 0 did not pass the health check");
    assertThat(r.dep().variants).containsExactly(r.old());
    assertThat(r.runtime().stopped).containsExactly("ep-new");
  }

  @Test
  void anUpdateWithinItsTimeCompletesOnTheNewFleet() throws Exception {
    Run r = update(policy(0), true, Duration.ofSeconds(240));
    assertThat(r.reason()).isNull();
    assertThat(r.dep().configName).isEqualTo("c2");
    assertThat(r.dep().variants).extracting(v -> v.plan.service()).containsExactly("ep-new");
    assertThat(r.runtime().stopped).as("the old fleet stopped after the shift").containsExactly("ep-old");
  }
}
