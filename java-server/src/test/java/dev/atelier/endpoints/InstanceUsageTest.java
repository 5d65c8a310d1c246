package dev.atelier.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.runtime.ServiceRuntime;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The usage sampler over a runtime that answers set numbers: latest per instance, minute means, forgetting. */
class InstanceUsageTest {
  private static final Instant NOW = Instant.parse("2026-12-03T10:00:30Z");
  private static final long GIB = 1L << 30;

  /** Answers the usage set for each replica id; nothing else is asked of it here. */
  private static final class SetUsage implements ServiceRuntime {
    final Map<String, Usage> usage = new ConcurrentHashMap<>();

    @Override
    public Usage usage(Service service, Replica replica) {
      return usage.get(replica.id());
    }

    @Override
    public String name() {
      return "set";
    }

    @Override
    public Service start(ServiceSpec spec) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean running(Replica replica) {
      return true;
    }

    @Override
    public Service replace(Service service, int index) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void stop(Service service, Duration grace) {}

    @Override
    public List<Found> list() {
      return List.of();
    }

    @Override
    public Service adopt(ServiceSpec spec) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  private static Deployment.Variant variant(SetUsage rt, String name, String... ids) {
    VariantPlan plan = new VariantPlan(name, "m", "ep-x-" + name, "process", "local", "ml.t3.medium", 2, 4 * GIB,
        ids.length, 1, null, Map.of(), Path.of("/tmp/m"), null);
    Deployment.Variant v = new Deployment.Variant(plan, rt);
    v.service = service(plan, ids);
    return v;
  }

  private static ServiceRuntime.Service service(VariantPlan plan, String... ids) {
    ServiceRuntime.ServiceSpec spec = new ServiceRuntime.ServiceSpec(plan.service(), "local", List.of("serve"), null,
        null, null, null, Math.max(1, ids.length), 0, 0, "/ping", 0);
    List<ServiceRuntime.Replica> replicas = new java.util.ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      replicas.add(new ServiceRuntime.Replica(ids[i], i, 10000 + i, NOW));
    }
    return new ServiceRuntime.Service(spec, replicas);
  }

  private static ObjectNode described(Deployment dep, InstanceUsage usage) {
    return usage.describe(dep.describe());
  }

  private static JsonNode instance(ObjectNode d, String id) {
    for (JsonNode i : d.path("ProductionVariants").get(0).path("Instances")) {
      if (id.equals(i.path("Id").asText())) {
        return i;
      }
    }
    throw new AssertionError("no instance " + id + " in " + d);
  }

  @Test
  void eachInstanceShowsItsLatestSampleAndAVariantItsMinuteMeans() throws Exception {
    SetUsage rt = new SetUsage();
    Deployment dep = new Deployment("ep", "arn", "cfg", "InService", "me", NOW, NOW, null);
    dep.variants = List.of(variant(rt, "AllTraffic", "a", "b"));
    InstanceUsage usage = new InstanceUsage(() -> List.of(dep), Duration.ofSeconds(10),
        Clock.fixed(NOW, ZoneOffset.UTC));
    assertThat(instance(described(dep, usage), "a").get("CPUUtilization").isNull()).as("before a sample").isTrue();

    rt.usage.put("a", new ServiceRuntime.Usage(50, GIB, 8 * GIB, NOW));
    rt.usage.put("b", new ServiceRuntime.Usage(150, 2 * GIB, 8 * GIB, NOW));
    usage.sampleAll();
    ObjectNode d = described(dep, usage);
    assertThat(instance(d, "a").path("CPUUtilization").asDouble()).isEqualTo(50.0);
    assertThat(instance(d, "a").path("MemoryUtilization").asDouble()).as("of the type's 4 GiB").isEqualTo(25.0);
    assertThat(instance(d, "b").path("MemoryUsedBytes").asLong()).isEqualTo(2 * GIB);

    ObjectNode metrics = usage.metrics("ep", Json.mapper().createObjectNode().put("Period", 60), 2);
    JsonNode points = metrics.path("Variants").path("AllTraffic");
    assertThat(points).as("a variant sampled but never invoked gets its minutes").hasSize(2);
    assertThat(points.get(0).get("CPUUtilization").isNull()).as("the minute before, without samples").isTrue();
    assertThat(points.get(1).path("Timestamp").asText()).isEqualTo("2026-12-03T10:00:00Z");
    assertThat(points.get(1).path("CPUUtilization").asDouble()).isEqualTo(100.0);
    assertThat(points.get(1).path("MemoryUtilization").asDouble()).isEqualTo(37.5);
    assertThat(points.get(1).path("Invocations").asLong()).isZero();
    assertThat(metrics.path("Instances").path("AllTraffic")).hasSize(2);
    assertThat(usage.prometheus()).contains(
        "atelier_endpoint_instance_cpu_utilization{endpoint=\"ep\",variant=\"AllTraffic\",instance=\"b\"} 150.0\n",
        "atelier_endpoint_instance_memory_bytes{endpoint=\"ep\",variant=\"AllTraffic\",instance=\"a\"} " + GIB + "\n");
  }

  @Test
  void aReplacedInstanceAndADeletedEndpointAreForgotten() throws Exception {
    SetUsage rt = new SetUsage();
    Deployment dep = new Deployment("ep", "arn", "cfg", "InService", "me", NOW, NOW, null);
    Deployment.Variant v = variant(rt, "AllTraffic", "a", "b");
    dep.variants = List.of(v);
    List<Deployment> live = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(dep));
    InstanceUsage usage = new InstanceUsage(() -> live, Duration.ofSeconds(10), Clock.fixed(NOW, ZoneOffset.UTC));
    rt.usage.put("a", new ServiceRuntime.Usage(10, GIB, 8 * GIB, NOW));
    rt.usage.put("b", new ServiceRuntime.Usage(20, GIB, 8 * GIB, NOW));
    usage.sampleAll();
    v.service = service(v.plan, "a", "c");
    usage.sampleAll();
    assertThat(usage.prometheus()).contains("instance=\"a\"").doesNotContain("instance=\"b\"");
    assertThat(usage.metrics("ep", Json.mapper().createObjectNode(), 1).path("Instances").path("AllTraffic"))
        .as("c has not given a sample yet").hasSize(1);

    live.clear();
    usage.sampleAll();
    assertThat(usage.prometheus()).doesNotContain("endpoint=\"ep\"");
    usage.forget("ep");
    assertThat(usage.metrics("ep", Json.mapper().createObjectNode(), 1).path("Variants").size()).isZero();
  }
}
