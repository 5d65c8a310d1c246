package dev.atelier.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.experiments.Model.MetricStats;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.http.Routes;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Atelier's own experiment routes under {@code {base}atelier/api/experiments/}, for what MLflow's
 * API has no answer to and the panel needs: the active run count of every experiment
 * ({@code GET run-counts}), and the metric summaries of runs as SageMaker reports them, computed
 * by the server ({@code POST metric-summaries}). MLflow's routes keep MLflow's shapes.
 */
final class ExperimentApiRoutes {
  /** Runs and metric keys one summaries request may name (a comparison of many runs fits). */
  static final int MAX_RUNS = 1_000;
  static final int MAX_KEYS = 1_000;
  private static final long MAX_BODY = 1L << 20;

  private final Vertx vertx;
  private final ExperimentService service;

  ExperimentApiRoutes(Vertx vertx, ExperimentService service) {
    this.vertx = vertx;
    this.service = service;
  }

  void mount(Router router, String baseUrl) {
    String p = baseUrl + "atelier/api/experiments/";
    router.get(p + "run-counts").handler(ctx -> blocking(ctx, this::runCounts));
    router.post(p + "metric-summaries").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
        .handler(ctx -> blocking(ctx, () -> summaries(Routes.objectBody(ctx))));
  }

  private void blocking(RoutingContext ctx, Callable<Object> work) {
    vertx.executeBlocking(work, false).onSuccess(b -> Routes.json(ctx, 200, b)).onFailure(ctx::fail);
  }

  private Object runCounts() {
    ObjectNode body = Json.mapper().createObjectNode();
    ObjectNode counts = body.putObject("run_counts");
    service.runCounts().forEach((id, n) -> counts.put(Long.toString(id), n));
    return body;
  }

  /**
   * {@code {"run_ids": [...], "metric_keys": [...]}} (keys optional: every metric) answered with
   * {@code {"runs": [{"run_id", "metrics": [{"key", "last", "last_step", "last_timestamp", "min",
   * "max", "count", "avg", "stddev"}]}]}}, the runs in the order asked.
   */
  private Object summaries(JsonNode body) {
    List<String> runIds = strings(body, "run_ids", MAX_RUNS);
    if (runIds.isEmpty()) {
      throw ApiException.badRequest("run_ids: name at least one run");
    }
    List<String> keys = strings(body, "metric_keys", MAX_KEYS);
    Map<String, List<MetricStats>> found = service.metricSummaries(runIds, keys);
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode runs = out.putArray("runs");
    found.forEach((runId, metrics) -> {
      ObjectNode r = runs.addObject().put("run_id", runId);
      ArrayNode list = r.putArray("metrics");
      for (MetricStats m : metrics) {
        write(list.addObject(), m);
      }
    });
    return out;
  }

  static ObjectNode write(ObjectNode o, MetricStats m) {
    o.put("key", m.key());
    MlflowJson.number(o, "last", m.last());
    o.put("last_step", m.lastStep());
    o.put("last_timestamp", m.lastTimestamp());
    number(o, "min", m.min());
    number(o, "max", m.max());
    o.put("count", m.count());
    number(o, "avg", m.avg());
    number(o, "stddev", m.stddev());
    return o;
  }

  private static void number(ObjectNode o, String field, Double v) {
    if (v == null) {
      o.putNull(field);
    } else {
      MlflowJson.number(o, field, v);
    }
  }

  /** An optional array of non-empty strings, at most {@code max}; a 400 naming the field otherwise. */
  private static List<String> strings(JsonNode body, String field, int max) {
    JsonNode n = body.get(field);
    List<String> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isArray()) {
      throw ApiException.badRequest(field + ": must be an array of strings");
    }
    if (n.size() > max) {
      throw ApiException.badRequest(field + ": at most " + max + " in one request, got " + n.size());
    }
    for (JsonNode v : n) {
      if (!v.isTextual() || v.asText().isEmpty()) {
        throw ApiException.badRequest(field + ": must be an array of non-empty strings, got " + v);
      }
      out.add(v.asText());
    }
    return out;
  }
}
