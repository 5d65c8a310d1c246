package dev.atelier.instances;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.catalog.ImageCatalog;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.catalog.InstanceType;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.http.Routes;
import dev.atelier.runtime.InstanceRuntime;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The instances API under {@code {base}atelier/api/}: instance types, images, running instances
 * (stop one), usage per type for a period, and the OpenAPI document describing all of it.
 */
public final class InstanceRoutes {
  private static final Duration MAX_PERIOD = Duration.ofDays(3660);

  private final Vertx vertx;
  private final InstancePool pool;
  private final InstanceCatalog types;
  private final ImageCatalog images;
  private final UsageMeter meter;
  private final InstanceKernels kernels;
  private final IdlePolicies idle;

  public InstanceRoutes(Vertx vertx, InstancePool pool, InstanceCatalog types, ImageCatalog images, UsageMeter meter,
      InstanceKernels kernels, IdlePolicies idle) {
    this.idle = idle;
    this.vertx = vertx;
    this.pool = pool;
    this.types = types;
    this.images = images;
    this.meter = meter;
    this.kernels = kernels;
  }

  /** Mounts under {@code {baseUrl}atelier/api/}; may be called for several routers. */
  public void mount(Router router, String baseUrl) {
    String api = baseUrl + "atelier/api/";
    router.get(api + "instance-types").handler(this::listTypes);
    router.get(api + "images").handler(ctx -> blocking(ctx, this::listImages));
    router.get(api + "instances").handler(this::listInstances);
    router.delete(api + "instances/:id").handler(this::stopInstance);
    router.get(api + "usage").handler(ctx -> blocking(ctx, () -> usage(ctx)));
    router.get(api + "openapi.yaml").handler(this::openapi);
    router.get(api + "idle-policy").handler(this::listPolicies);
    router.put(api + "idle-policy/:type").handler(io.vertx.ext.web.handler.BodyHandler.create(false).setBodyLimit(64 * 1024))
        .handler(ctx -> blocking(ctx, () -> idle.put(ctx.pathParam("type"), Routes.objectBody(ctx)).model()));
  }

  private void blocking(RoutingContext ctx, Callable<Object> work) {
    vertx.executeBlocking(work, false)
        .onSuccess(body -> Routes.json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void listTypes(RoutingContext ctx) {
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("default", types.defaultType().name());
    body.put("host_gpus", types.hostGpus());
    ArrayNode list = body.putArray("instance_types");
    for (InstanceType t : types.all()) {
      ObjectNode m = t.model();
      String why = types.unavailableReason(t);
      m.put("available", why == null);
      m.put("unavailable_reason", why);
      list.add(m);
    }
    Routes.json(ctx, 200, body);
  }

  private Object listImages() {
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("default", images.defaultImage());
    body.put("default_reason", images.defaultImageReason());
    ArrayNode list = body.putArray("images");
    images.list().forEach(i -> list.add(i.model()));
    body.put("docker_problem", images.dockerProblem());
    return body;
  }

  /** The instances, then whether Docker can be used (asked off the event loop: it calls the engine). */
  private void listInstances(RoutingContext ctx) {
    vertx.executeBlocking(images::dockerStatus, false)
        .onSuccess(docker -> Routes.json(ctx, 200, instancesBody(docker)))
        .onFailure(ctx::fail);
  }

  private ObjectNode instancesBody(ObjectNode docker) {
    Instant now = meter.clock().instant();
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode list = body.putArray("instances");
    for (PooledInstance p : pool.list()) {
      ObjectNode m = list.addObject();
      m.put("id", p.id());
      m.put("instance_type", p.type().name());
      m.put("image", p.key().image());
      m.put("runtime", p.runtime());
      m.put("state", p.state());
      m.put("vcpus", p.type().vcpus());
      m.put("memory_bytes", p.type().memoryBytes());
      m.put("price_per_hour", p.type().pricePerHour());
      Instant started = p.startedAt();
      m.put("started", started == null ? null : started.toString());
      double up = started == null ? 0 : Math.max(0, Duration.between(started, now).toMillis() / 1000.0);
      m.put("uptime_seconds", up);
      m.put("cost_so_far", round(up / 3600 * p.type().pricePerHour(), 6));
      m.put("stops_at", p.stopsAt() == null ? null : p.stopsAt().toString());
      Instant idleAt = kernels.instanceIdleShutdownAt(p.id());
      m.put("idle_shutdown_at", idleAt == null ? null : idleAt.toString());
      m.set("limits", limitsModel(p));
      ArrayNode ks = m.putArray("kernels");
      for (String id : p.kernels()) {
        ks.add(kernelSummary(id));
      }
    }
    body.set("docker", docker);
    body.set("process_limits", processLimitsModel(pool.hostLimits("process")));
    return body;
  }

  /** {@code {id, path, name, execution_state}}: a kernel not known yet is {@code starting}. */
  private ObjectNode kernelSummary(String kernelId) {
    InstanceKernels.Summary k = kernels.summary(kernelId);
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("id", kernelId);
    n.put("path", k == null ? null : k.path());
    n.put("name", k == null ? null : k.name());
    n.put("execution_state", k == null ? "starting" : k.executionState());
    return n;
  }

  /** {@code {enforced, vcpus, memory_bytes, where, problem}}: an instance runs within its type's limits, or why not. */
  private static ObjectNode limitsModel(PooledInstance p) {
    ObjectNode n = Json.mapper().createObjectNode();
    var limits = p.limits();
    n.put("enforced", limits == null ? null : limits.enforced());
    n.put("vcpus", p.type().vcpus());
    n.put("memory_bytes", p.type().memoryBytes());
    n.put("where", limits == null ? null : limits.where());
    n.put("problem", limits == null ? null : limits.problem());
    return n;
  }

  /**
   * {@code {enforced, cgroup_version, cgroup_parent, problem}}: whether process instances get their
   * type's limits on this host (as the last instance cgroup made found), and if not why; the
   * runtime's version and place of its limits are the cgroup version and parent.
   */
  public static ObjectNode processLimitsModel(InstanceRuntime.HostLimits s) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("enforced", s != null && s.enforced());
    n.put("cgroup_version", s == null ? null : s.version());
    n.put("cgroup_parent", s == null ? null : s.where());
    n.put("problem", s == null ? "this server has no process runtime" : s.problem());
    return n;
  }

  private void stopInstance(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    var stopping = kernels.stopInstance(id);
    if (stopping == null) {
      throw ApiException.notFound("instance " + id + " not found");
    }
    Routes.onContext(vertx, stopping).onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
  }

  private void listPolicies(RoutingContext ctx) {
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode list = body.putArray("policies");
    idle.all().values().forEach(p -> list.add(p.model()));
    Routes.json(ctx, 200, body);
  }

  private Object usage(RoutingContext ctx) {
    Instant now = meter.clock().instant();
    Instant to = instant(ctx, "to", now);
    Instant from = instant(ctx, "from", to.minus(Duration.ofDays(30)));
    if (!from.isBefore(to)) {
      throw ApiException.badRequest("from: must be before to (" + from + " is not before " + to + ")");
    }
    if (Duration.between(from, to).compareTo(MAX_PERIOD) > 0) {
      throw ApiException.badRequest("from: the period may span at most " + MAX_PERIOD.toDays() + " days");
    }
    Map<String, Double> seconds = meter.secondsByType(from, to);
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("from", from.toString());
    body.put("to", to.toString());
    ArrayNode list = body.putArray("usage");
    double total = 0;
    for (Map.Entry<String, Double> e : seconds.entrySet()) {
      double price = types.all().stream().filter(t -> t.name().equals(e.getKey())).findFirst()
          .map(InstanceType::pricePerHour).orElse(0.0);
      double hours = e.getValue() / 3600;
      ObjectNode row = list.addObject();
      row.put("instance_type", e.getKey());
      row.put("seconds", round(e.getValue(), 3));
      row.put("hours", round(hours, 6));
      row.put("price_per_hour", price);
      row.put("cost", round(hours * price, 6));
      total += hours * price;
    }
    body.put("total_cost", round(total, 6));
    return body;
  }

  private static Instant instant(RoutingContext ctx, String name, Instant fallback) {
    String v = ctx.queryParams().get(name);
    if (v == null) {
      return fallback;
    }
    if (v.isBlank()) {
      throw ApiException.badRequest(name + ": empty; give a time (ISO 8601 such as 2026-11-01T00:00:00Z) or leave "
          + name + " out for its default");
    }
    if (v.length() > 40) {
      throw ApiException.badRequest(name + ": not a time (expected ISO 8601 such as 2026-11-01T00:00:00Z)");
    }
    try {
      return Instant.parse(v.trim());
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(name + ": '" + v + "' is not a time (expected ISO 8601 such as 2026-11-01T00:00:00Z)");
    }
  }

  private static double round(double v, int places) {
    double f = Math.pow(10, places);
    return Math.round(v * f) / f;
  }

  private void openapi(RoutingContext ctx) {
    try (InputStream in = InstanceRoutes.class.getResourceAsStream("/openapi.yaml")) {
      if (in == null) {
        throw ApiException.notFound("this build has no OpenAPI document");
      }
      ctx.response().putHeader("Content-Type", "application/yaml; charset=utf-8")
          .end(io.vertx.core.buffer.Buffer.buffer(in.readAllBytes()));
    } catch (IOException e) {
      ctx.fail(e);
    }
  }
}
