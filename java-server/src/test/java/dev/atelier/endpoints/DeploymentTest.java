package dev.atelier.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.endpoints.router.Routes;
import dev.atelier.runtime.ServiceRuntime.Replica;
import dev.atelier.runtime.ServiceRuntime.Service;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The routing snapshot the router reads: the same object between changes, a new one after each. */
class DeploymentTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  private static Deployment.Variant variant(String name, int replicas) {
    VariantPlan plan = new VariantPlan(name, "iris", "ep-iris-" + name, "process", "local", "ml.t3.medium", replicas,
        1L << 30, 1, 1.0, "s3://atelier/m/model.tar.gz", Map.of(), Path.of("/data/ep/" + name + "/model"), null);
    Deployment.Variant v = new Deployment.Variant(plan, null);
    List<Replica> list = new java.util.ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      list.add(new Replica("pid-" + name + i, i, 9000 + i, T));
    }
    v.service = new Service(plan.spec("iris", replicas, "/venv/bin/python"), list);
    return v;
  }

  private static Deployment deployment(Deployment.Variant... variants) {
    Deployment dep = new Deployment("iris", "arn:iris", "c1", "InService", "alice", T, T, null);
    dep.variants = List.of(variants);
    return dep;
  }

  private static List<String> instances(Routes.Route r, int variant) {
    return r.variants().get(variant).instances().stream().map(Routes.Instance::id).toList();
  }

  @Test
  void theRouteIsOneSnapshotUntilTheDeploymentChanges() {
    Deployment.Variant blue = variant("blue", 2);
    Deployment dep = deployment(blue);
    Routes.Route first = dep.route();
    assertThat(first.variants()).hasSize(1);
    assertThat(instances(first, 0)).isEmpty();
    assertThat(dep.route()).isSameAs(first);

    blue.healthy.add("pid-blue0");
    assertThat(dep.route()).as("not rebuilt on the invocation path").isSameAs(first);
    Routes.Route healthy = dep.refresh();
    assertThat(dep.route()).isSameAs(healthy).isNotSameAs(first);
    assertThat(instances(healthy, 0)).containsExactly("pid-blue0");
    assertThat(dep.route()).isSameAs(healthy);
  }

  @Test
  void aStatusWeightOrShiftChangeMakesANewSnapshot() {
    Deployment.Variant blue = variant("blue", 1);
    blue.healthy.add("pid-blue0");
    Deployment dep = deployment(blue);
    Routes.Route before = dep.route();

    dep.status("Updating", null, T.plusSeconds(1));
    Routes.Route updating = dep.route();
    assertThat(updating).isNotSameAs(before);
    assertThat(updating.status()).isEqualTo("Updating");

    blue.plan = blue.plan.withWeight(0.25);
    dep.refresh();
    assertThat(dep.route().variants().get(0).weight()).isEqualTo(0.25);

    Deployment.Variant green = variant("green", 1);
    green.healthy.add("pid-green0");
    TrafficShift shift = new TrafficShift("c2", dev.atelier.endpoints.bluegreen.DeploymentPolicy.parse(null),
        List.of(green), T, new dev.atelier.endpoints.router.FleetWindow(System::currentTimeMillis));
    dep.shift = shift;
    dep.refresh();
    assertThat(dep.route().pending()).as("not routed before the new fleet is up").isEmpty();
    shift.routed = true;
    shift.share = 0.2;
    dep.refresh();
    Routes.Route shifting = dep.route();
    assertThat(shifting.pendingShare()).isEqualTo(0.2);
    assertThat(shifting.pending().get(0).instances()).extracting(Routes.Instance::id).containsExactly("pid-green0");
    assertThat(shifting.pending().get(0).window()).isSameAs(shift.window);
  }
}
