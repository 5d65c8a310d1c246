package dev.atelier.jobs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.http.Routes;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The jobs API under {@code {base}atelier/api/}: SageMaker-shaped create, describe, list and stop
 * for training and processing jobs, their logs and metrics, and one list of both for the panel.
 */
public final class JobRoutes {
  /** Requests are small JSON documents; inline script-mode files are the largest part. */
  private static final long MAX_BODY = 12L << 20;
  private static final Set<String> STATUSES = Set.of("InProgress", "Completed", "Failed", "Stopping", "Stopped");

  private final Vertx vertx;
  private final JobService jobs;

  public JobRoutes(Vertx vertx, JobService jobs) {
    this.vertx = vertx;
    this.jobs = jobs;
  }

  /** Mounts under {@code {baseUrl}atelier/api/}; may be called for several routers. */
  public void mount(Router router, String baseUrl) {
    String api = baseUrl + "atelier/api/";
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY);
    for (JobKind<?> kind : jobs.kinds().all()) {
      mount(router, api, body, kind);
    }
    router.get(api + "jobs").handler(ctx -> ok(ctx, () -> list(ctx, kind(ctx), "Jobs")));
  }

  /** A kind's collection: create, list, describe, stop, logs, and metrics where it has them. */
  private <S extends JobKind.Request> void mount(Router router, String api, BodyHandler body, JobKind<S> kind) {
    String path = api + kind.path();
    router.post(path).handler(body).handler(ctx -> created(ctx, () -> {
      ObjectNode request = (ObjectNode) Routes.objectBody(ctx);
      S spec = jobs.parse(kind, request);
      return Json.mapper().createObjectNode().put(kind.arnField(), jobs.create(kind, spec, request));
    }));
    router.get(path).handler(ctx -> ok(ctx, () -> list(ctx, kind.name(), kind.summariesField())));
    router.get(path + "/:name").handler(ctx -> ok(ctx, () -> jobs.describe(kind.name(), name(ctx))));
    router.post(path + "/:name/stop").handler(ctx -> ok(ctx, () -> stop(kind.name(), name(ctx))));
    router.get(path + "/:name/logs").handler(ctx -> ok(ctx, () -> logs(ctx, kind.name())));
    if (kind.hasMetrics()) {
      router.get(path + "/:name/metrics").handler(ctx -> ok(ctx, () -> metrics(kind.name(), name(ctx))));
    }
  }

  private void ok(RoutingContext ctx, Callable<Object> work) {
    vertx.executeBlocking(work, false).onSuccess(b -> Routes.json(ctx, 200, b)).onFailure(ctx::fail);
  }

  private void created(RoutingContext ctx, Callable<Object> work) {
    vertx.executeBlocking(work, false).onSuccess(b -> Routes.json(ctx, 201, b)).onFailure(ctx::fail);
  }

  private static String name(RoutingContext ctx) {
    String n = ctx.pathParam("name");
    if (n == null || !Fields.NAME.matcher(n).matches()) {
      throw ApiException.badRequest("'" + abbreviate(n) + "' is not a job name (1-63 letters, digits and hyphens)");
    }
    return n;
  }

  private String kind(RoutingContext ctx) {
    String k = ctx.request().getParam("kind");
    return k == null ? null : jobs.kinds().requested(k, "kind").name();
  }

  private Object stop(String kind, String name) {
    jobs.stop(kind, name);
    return jobs.describe(kind, name);
  }

  private Object list(RoutingContext ctx, String kind, String field) {
    String status = param(ctx, "status", 32);
    if (status != null && !STATUSES.contains(status)) {
      throw ApiException.badRequest("status: '" + status + "' is not one of " + String.join(", ", STATUSES));
    }
    JobStore.Filter f = new JobStore.Filter(kind, status, param(ctx, "name_contains", 63),
        param(ctx, "instance_type", 64), param(ctx, "created_by", 256), limit(ctx, "max_results", 100, 1000));
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode list = body.putArray(field);
    jobs.list(f).forEach(list::add);
    return body;
  }

  private Object logs(RoutingContext ctx, String kind) {
    String token = param(ctx, "nextToken", 20);
    long offset;
    try {
      offset = token == null ? 0 : Long.parseLong(token);
      if (offset < 0) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("nextToken: '" + token + "' is not a token returned by this endpoint");
    }
    JobLog.Page page = jobs.logs(kind, name(ctx), offset, limit(ctx, "limit", 1000, 10_000));
    ObjectNode body = Json.mapper().createObjectNode();
    ArrayNode events = body.putArray("events");
    page.events().forEach(events::add);
    body.put("nextForwardToken", Long.toString(page.next()));
    return body;
  }

  private Object metrics(String kind, String name) {
    ObjectNode body = Json.mapper().createObjectNode();
    ObjectNode m = body.putObject("metrics");
    for (Map.Entry<String, List<JobStore.Sample>> e : jobs.metrics(kind, name).entrySet()) {
      ArrayNode series = m.putArray(e.getKey());
      e.getValue().forEach(s -> series.addObject().put("timestamp", s.ts()).put("value", s.value()));
    }
    return body;
  }

  /**
   * A query parameter, or null when it is absent. An empty value is refused rather than read as
   * absent: {@code status=} asks for something, and no job has an empty status or name.
   */
  private static String param(RoutingContext ctx, String name, int max) {
    String v = ctx.request().getParam(name);
    if (v == null) {
      return null;
    }
    if (v.isEmpty()) {
      throw empty(name);
    }
    if (v.length() > max) {
      throw ApiException.badRequest(name + ": longer than " + max + " characters");
    }
    return v;
  }

  private static int limit(RoutingContext ctx, String name, int dflt, int max) {
    String v = ctx.request().getParam(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 1 || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name + ": '" + abbreviate(v) + "' must be a whole number from 1 to " + max);
    }
  }

  private static ApiException empty(String name) {
    return ApiException.badRequest(name + ": empty; give a value or leave " + name + " out");
  }

  static String abbreviate(String s) {
    return s == null ? "" : s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
