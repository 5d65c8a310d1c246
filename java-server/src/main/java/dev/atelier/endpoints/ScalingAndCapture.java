package dev.atelier.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.endpoints.EndpointRequests.Desired;
import dev.atelier.endpoints.capture.CaptureSink;
import dev.atelier.endpoints.capture.DataCaptureConfig;
import dev.atelier.endpoints.scaling.AutoscaleScheduler;
import dev.atelier.endpoints.scaling.Capacity;
import dev.atelier.endpoints.scaling.ScalingPolicy;
import dev.atelier.http.ApiException;
import dev.atelier.http.Blocking;
import dev.atelier.http.Routes;
import dev.atelier.jobs.Fields;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An endpoint's data capture and its variants' autoscaling as the endpoints service sees them: the
 * capture sink is told each endpoint's DataCaptureConfig when it goes InService (after a create, an
 * adoption or an update to another config) and forgets it on delete; a variant's scaling policy is
 * put, read and removed under {@code endpoints/{name}/variants/{variant}/scaling}, and the
 * autoscaler's changes go through UpdateEndpointWeightsAndCapacities. Policies are stored with who
 * put them, and a restarted server scales by them again (its minutes counted from the restart).
 */
final class ScalingAndCapture implements Capacity {
  private static final Logger LOG = LoggerFactory.getLogger(ScalingAndCapture.class);
  private static final long MAX_BODY = 64 * 1024;
  private static final int DEFAULT_RECORDS = 20;
  private static final int MAX_RECORDS = 100;

  private final Vertx vertx;
  private final EndpointService endpoints;
  private final CaptureSink sink;
  private final AutoscaleScheduler scheduler;
  private final ScalingStore store;
  private final String user;
  private final java.time.Clock clock;

  /**
   * @param user who puts policies here (CreatedBy)
   * @param minute the metrics' minute the counts are per (60 s but in tests and benchmarks)
   */
  ScalingAndCapture(Vertx vertx, EndpointService endpoints, CaptureSink sink,
      AutoscaleScheduler.InvocationCounts counts, ScalingStore store, String user, java.time.Clock clock,
      java.time.Duration minute) {
    this.vertx = vertx;
    this.endpoints = endpoints;
    this.sink = sink;
    this.store = store;
    this.user = user;
    this.clock = clock;
    this.scheduler = new AutoscaleScheduler(counts, this::currentCount, this, clock, minute);
    for (ScalingStore.Policy p : store.all()) {
      try {
        scheduler.put(p.endpoint(), p.variant(), ScalingPolicy.parse(p.policy()));
      } catch (ApiException e) {
        LOG.warn("endpoint {}: the stored scaling policy of variant {} is not usable: {}", p.endpoint(), p.variant(),
            e.getMessage());
      }
    }
    endpoints.onChange(this::changed);
    endpoints.onDeleted(name -> {
      sink.forget(name);
      scheduler.forget(name);
      try {
        store.deleteEndpoint(name);
      } catch (RuntimeException e) {
        LOG.warn("endpoint {}: its scaling policies could not be removed: {}", name, e.getMessage());
      }
    });
  }

  AutoscaleScheduler scheduler() {
    return scheduler;
  }

  /** An endpoint InService captures by its config's DataCaptureConfig (none: no capture). */
  private void changed(ObjectNode d) {
    if (d.path("deleted").asBoolean(false) || !"InService".equals(d.path("EndpointStatus").asText())) {
      return;
    }
    String name = d.path("EndpointName").asText();
    JsonNode c = d.get("DataCaptureConfig");
    try {
      sink.configure(name, c == null || !c.isObject() ? null : DataCaptureConfig.parse(c, "DataCaptureConfig"));
    } catch (ApiException e) {
      LOG.warn("endpoint {}: its DataCaptureConfig is not usable, nothing is captured: {}", name, e.getMessage());
      sink.configure(name, null);
    }
  }

  /** The variant's desired instance count, or -1 when the endpoint is not InService (or unknown). */
  private int currentCount(String endpoint, String variant) {
    ObjectNode d;
    try {
      d = endpoints.describe(endpoint);
    } catch (ApiException e) {
      return -1;
    }
    if (!"InService".equals(d.path("EndpointStatus").asText())) {
      return -1;
    }
    for (JsonNode v : d.path("ProductionVariants")) {
      if (variant.equals(v.path("VariantName").asText())) {
        return v.path("DesiredInstanceCount").asInt(-1);
      }
    }
    return -1;
  }

  /** As UpdateEndpointWeightsAndCapacities with the variant's new count only. */
  @Override
  public void setInstanceCount(String endpoint, String variant, int count, String reason) {
    LOG.info("endpoint {}: variant {} to {} instances by its scaling policy ({})", endpoint, variant, count, reason);
    endpoints.updateWeightsAndCapacities(endpoint, List.of(new Desired(variant, null, count)));
  }

  void mount(Router router, String baseUrl) {
    String api = baseUrl + "atelier/api/endpoints/:name/";
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY);
    router.get(api + "capture").handler(ctx -> answer(ctx, 200, () -> {
      String name = EndpointRoutes.name(ctx);
      endpoints.describe(name);
      return sink.status(name);
    }));
    router.get(api + "capture/records").handler(ctx -> answer(ctx, 200, () -> {
      String name = EndpointRoutes.name(ctx);
      int limit = limit(ctx.request().getParam("limit"));
      endpoints.describe(name);
      return sink.records(name, limit);
    }));
    String scaling = api + "variants/:variant/scaling";
    router.put(scaling).handler(body).handler(ctx -> answer(ctx, 200, () -> {
      String[] at = variant(ctx);
      ScalingPolicy p = ScalingPolicy.parse(Routes.objectBody(ctx));
      store.put(new ScalingStore.Policy(at[0], at[1], user, clock.millis(), p.toJson()));
      scheduler.put(at[0], at[1], p);
      return scheduler.describe(at[0], at[1]);
    }));
    router.get(scaling).handler(ctx -> answer(ctx, 200, () -> {
      String[] at = variant(ctx);
      ObjectNode n = scheduler.describe(at[0], at[1]);
      if (n == null) {
        throw ApiException.notFound("the variant '" + at[1] + "' of the endpoint '" + at[0] + "' has no scaling policy");
      }
      return n;
    }));
    router.delete(scaling).handler(ctx -> Blocking.run(vertx, "endpoints-api", () -> {
      String[] at = variant(ctx);
      boolean stored = store.delete(at[0], at[1]);
      if (!scheduler.remove(at[0], at[1]) && !stored) {
        throw ApiException.notFound("the variant '" + at[1] + "' of the endpoint '" + at[0] + "' has no scaling policy");
      }
      return null;
    }).onSuccess(x -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail));
  }

  /** The {@code limit} of capture records: 1 to 100, 20 when not given. */
  static int limit(String given) {
    if (given == null) {
      return DEFAULT_RECORDS;
    }
    int n;
    try {
      n = Integer.parseInt(given.trim());
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 1 || n > MAX_RECORDS) {
      throw ApiException.badRequest("limit: '" + EndpointRoutes.abbreviate(given) + "' must be a whole number from 1"
          + " to " + MAX_RECORDS + " (the records kept per endpoint)");
    }
    return n;
  }

  /** The endpoint and variant named by the path, both known (else 404). */
  private String[] variant(RoutingContext ctx) {
    String name = EndpointRoutes.name(ctx);
    String variant = ctx.pathParam("variant");
    if (variant == null || !Fields.NAME.matcher(variant).matches()) {
      throw ApiException.badRequest("'" + EndpointRoutes.abbreviate(variant) + "' is not a variant name (1-63"
          + " letters, digits and hyphens)");
    }
    ObjectNode d = endpoints.describe(name);
    for (JsonNode v : d.path("ProductionVariants")) {
      if (variant.equals(v.path("VariantName").asText())) {
        return new String[] {name, variant};
      }
    }
    throw ApiException.notFound("the endpoint '" + name + "' has no variant '" + variant + "'");
  }

  private void answer(RoutingContext ctx, int status, Callable<ObjectNode> work) {
    Blocking.run(vertx, "endpoints-api", work).onSuccess(b -> Routes.json(ctx, status, b)).onFailure(ctx::fail);
  }
}
