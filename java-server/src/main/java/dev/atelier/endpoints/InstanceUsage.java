package dev.atelier.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.runtime.RuntimeFailure;
import dev.atelier.runtime.ServiceRuntime.Replica;
import dev.atelier.runtime.ServiceRuntime.Service;
import dev.atelier.runtime.ServiceRuntime.Usage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every endpoint instance's CPU and memory, sampled from its runtime every {@link #interval} on
 * virtual threads (never on a request's path): the latest sample per instance, for
 * DescribeEndpoint's {@code Instances[]}, the metrics answer and Prometheus, and per variant the
 * mean of each minute's samples for the metrics' minute points. An instance that is no longer
 * among its endpoint's replicas is forgotten at the next round; a deleted endpoint at once.
 */
final class InstanceUsage implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceUsage.class);
  /** How long one round waits for its samples; a runtime slower than that is asked again next round. */
  private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(8);

  /** One instance's latest sample; {@code memoryPercent} NaN when neither its type nor its limit says a size. */
  record Latest(String variant, String instance, double cpuPercent, double memoryPercent, long memoryBytes,
      Instant at) {}

  private final Supplier<Collection<Deployment>> deployments;
  private final Duration interval;
  private final Clock clock;
  private final int retentionMinutes;
  /** The metrics' minute (see {@code endpointMinuteSeconds}), so that samples land in the invocations' minutes. */
  private final long minuteMillis;
  private final Map<String, Map<String, Latest>> latest = new ConcurrentHashMap<>();
  private final Map<String, Map<String, UsageMinutes>> minutes = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean closed;

  InstanceUsage(Supplier<Collection<Deployment>> deployments, Duration interval, Clock clock) {
    this(deployments, interval, Duration.ofMinutes(1), clock);
  }

  InstanceUsage(Supplier<Collection<Deployment>> deployments, Duration interval, Duration minute, Clock clock) {
    this.deployments = deployments;
    this.interval = interval;
    this.clock = clock;
    this.minuteMillis = Math.max(1000, minute.toMillis());
    this.retentionMinutes = (int) Math.min(24 * 60, Duration.ofHours(24).toMillis() / minuteMillis);
    this.thread = Thread.ofVirtual().name("endpoint-usage").unstarted(this::loop);
  }

  void start() {
    thread.start();
  }

  private void loop() {
    while (!closed) {
      try {
        sampleAll();
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warn("sampling the endpoints' instances failed: {}", RuntimeFailure.rootMessage(e));
      }
    }
  }

  /** One round: every replica of every endpoint that is not being deleted, all at once. */
  void sampleAll() throws InterruptedException {
    List<Callable<Void>> tasks = new ArrayList<>();
    Map<String, Set<String>> present = new TreeMap<>();
    for (Deployment dep : deployments.get()) {
      Set<String> ids = present.computeIfAbsent(dep.name, n -> new HashSet<>());
      if (dep.deleting) {
        continue;
      }
      for (Deployment.Variant v : dep.variants) {
        Service s = v.service;
        if (s == null || v.runtime == null) {
          continue;
        }
        for (Replica r : s.replicas()) {
          ids.add(r.id());
          tasks.add(() -> {
            sample(dep.name, v, s, r);
            return null;
          });
        }
      }
    }
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      pool.invokeAll(tasks, ROUND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
    latest.keySet().removeIf(e -> !present.containsKey(e));
    latest.forEach((e, byId) -> byId.keySet().removeIf(id -> !present.getOrDefault(e, Set.of()).contains(id)));
    long now = minute(clock.instant());
    minutes.forEach((e, byVariant) -> byVariant.values().removeIf(m -> m.lastMinute() < now - retentionMinutes));
    minutes.values().removeIf(Map::isEmpty);
  }

  private void sample(String endpoint, Deployment.Variant v, Service s, Replica r) {
    Usage u;
    try {
      u = v.runtime.usage(s, r);
    } catch (RuntimeException e) {
      LOG.debug("endpoint {}: no usage for instance {}: {}", endpoint, r.id(), RuntimeFailure.rootMessage(e));
      return;
    }
    if (u == null) {
      return;
    }
    String variant = v.plan.variant();
    double memory = memoryPercent(u.memoryBytes(), v.plan.memoryBytes(), u.memoryLimitBytes());
    latest.computeIfAbsent(endpoint, e -> new ConcurrentHashMap<>())
        .put(r.id(), new Latest(variant, r.id(), u.cpuPercent(), memory, u.memoryBytes(), u.at()));
    minutes.computeIfAbsent(endpoint, e -> new ConcurrentHashMap<>())
        .computeIfAbsent(variant, x -> new UsageMinutes(retentionMinutes)).add(minute(u.at()), u.cpuPercent(), memory);
  }

  /** Memory in use as a percent of the instance type's memory, else of the limit; NaN when neither is known. */
  static double memoryPercent(long used, long typeBytes, long limitBytes) {
    long of = typeBytes > 0 ? typeBytes : limitBytes;
    return of > 0 ? used * 100.0 / of : Double.NaN;
  }

  private long minute(Instant t) {
    return Math.floorDiv(t.toEpochMilli(), minuteMillis);
  }

  /** A deleted endpoint: what is kept about it goes. */
  void forget(String endpoint) {
    latest.remove(endpoint);
    minutes.remove(endpoint);
  }

  /** DescribeEndpoint with each instance's {@code CPUUtilization}, {@code MemoryUtilization}, {@code MemoryUsedBytes}. */
  ObjectNode describe(ObjectNode d) {
    Map<String, Latest> byId = latest.getOrDefault(d.path("EndpointName").asText(), Map.of());
    for (JsonNode v : d.path("ProductionVariants")) {
      for (JsonNode i : v.path("Instances")) {
        put((ObjectNode) i, byId.get(i.path("Id").asText()));
      }
    }
    return d;
  }

  private static void put(ObjectNode n, Latest l) {
    if (l == null) {
      n.putNull("CPUUtilization").putNull("MemoryUtilization").putNull("MemoryUsedBytes");
      return;
    }
    n.put("CPUUtilization", round(l.cpuPercent()));
    percent(n, "MemoryUtilization", l.memoryPercent());
    n.put("MemoryUsedBytes", l.memoryBytes());
  }

  /**
   * The metrics answer with {@code CPUUtilization} and {@code MemoryUtilization} in every minute
   * point (null in a minute without a sample; a variant that has samples but no invocation gets
   * points with zero counts), and {@code Instances: {<variant>: [{Id, CPUUtilization,
   * MemoryUtilization, MemoryUsedBytes, At}]}} from the latest samples.
   */
  ObjectNode metrics(String endpoint, ObjectNode answer, int count) {
    ObjectNode variants = answer.get("Variants") instanceof ObjectNode o ? o : answer.putObject("Variants");
    Map<String, UsageMinutes> series = minutes.getOrDefault(endpoint, Map.of());
    long now = minute(clock.instant());
    int n = Math.max(1, Math.min(count, retentionMinutes));
    for (String variant : new TreeMap<>(series).keySet()) {
      if (!variants.has(variant)) {
        ArrayNode points = variants.putArray(variant);
        for (long m = now - n + 1; m <= now; m++) {
          points.addObject().put("Timestamp", Instant.ofEpochMilli(m * minuteMillis).toString()).put("Invocations", 0)
              .put("Invocation4XXErrors", 0).put("Invocation5XXErrors", 0).put("InvocationsAbandoned", 0)
              .putNull("ModelLatency")
              .putNull("ModelLatencyP99").putNull("OverheadLatency").putNull("OverheadLatencyP99");
        }
      }
    }
    variants.properties().forEach(e -> {
      UsageMinutes u = series.get(e.getKey());
      for (JsonNode p : e.getValue()) {
        UsageMinutes.Means mean = u == null ? null : u.mean(minute(Instant.parse(p.path("Timestamp").asText())));
        ObjectNode point = (ObjectNode) p;
        if (mean == null) {
          point.putNull("CPUUtilization").putNull("MemoryUtilization");
        } else {
          point.put("CPUUtilization", round(mean.cpuPercent()));
          percent(point, "MemoryUtilization", mean.memoryPercent());
        }
      }
    });
    ObjectNode instances = answer.putObject("Instances");
    latest.getOrDefault(endpoint, Map.of()).values().stream()
        .sorted(java.util.Comparator.comparing(Latest::variant).thenComparing(Latest::instance)).forEach(l -> {
          ArrayNode list = instances.get(l.variant()) instanceof ArrayNode a ? a : instances.putArray(l.variant());
          ObjectNode i = list.addObject().put("Id", l.instance());
          put(i, l);
          i.put("At", l.at().toString());
        });
    return answer;
  }

  /** The latest samples as Prometheus gauges, labelled {@code endpoint}, {@code variant} and {@code instance}. */
  String prometheus() {
    StringBuilder cpu = new StringBuilder();
    StringBuilder memory = new StringBuilder();
    new TreeMap<>(latest).forEach((endpoint, byId) -> new TreeMap<>(byId).values().forEach(l -> {
      String labels = "{endpoint=\"" + escape(endpoint) + "\",variant=\"" + escape(l.variant()) + "\",instance=\""
          + escape(l.instance()) + "\"} ";
      cpu.append("atelier_endpoint_instance_cpu_utilization").append(labels).append(round(l.cpuPercent())).append('\n');
      memory.append("atelier_endpoint_instance_memory_bytes").append(labels).append(l.memoryBytes()).append('\n');
    }));
    return "# HELP atelier_endpoint_instance_cpu_utilization An endpoint instance's CPU in its latest sample, in"
        + " percent of one core.\n# TYPE atelier_endpoint_instance_cpu_utilization gauge\n" + cpu
        + "# HELP atelier_endpoint_instance_memory_bytes An endpoint instance's memory in use (without the page"
        + " cache) in its latest sample.\n# TYPE atelier_endpoint_instance_memory_bytes gauge\n" + memory;
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static void percent(ObjectNode n, String field, double value) {
    if (Double.isNaN(value)) {
      n.putNull(field);
    } else {
      n.put(field, round(value));
    }
  }

  private static double round(double v) {
    return Math.round(v * 100.0) / 100.0;
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
