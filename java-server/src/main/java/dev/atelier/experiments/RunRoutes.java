package dev.atelier.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.experiments.ExperimentService.Page;
import dev.atelier.experiments.Model.DatasetInput;
import dev.atelier.experiments.Model.Point;
import dev.atelier.experiments.Model.Run;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** MLflow's run routes: create, read, update, delete and search runs, and everything a run logs. */
final class RunRoutes {
  /** The bulk-interval history reads at most this many points of a run before sampling them. */
  private static final int MAX_INTERVAL_POINTS = 100_000;

  private final MlflowRoutes routes;
  private final ExperimentService service;

  RunRoutes(MlflowRoutes routes, ExperimentService service) {
    this.routes = routes;
    this.service = service;
  }

  void mount(Router router, String p) {
    routes.post(router, p + "runs/create", r -> run(service.createRun(r.string("experiment_id"), r.string("user_id"),
        r.string("run_name"), r.integer("start_time"), r.keyValues("tags"), null, null)));
    routes.read(router, p + "runs/get", r -> run(service.run(r.runId())));
    routes.post(router, p + "runs/update", r -> {
      ObjectNode o = MlflowJson.object();
      o.set("run_info", MlflowJson.info(service.updateRun(r.runId(), r.string("status"), r.integer("end_time"),
          r.string("run_name"))));
      return o;
    });
    routes.post(router, p + "runs/delete", r -> {
      service.deleteRun(r.runId());
      return MlflowJson.object();
    });
    routes.post(router, p + "runs/restore", r -> {
      service.restoreRun(r.runId());
      return MlflowJson.object();
    });
    routes.read(router, p + "runs/search", this::search);
    routes.async(router, p + "runs/log-batch", r -> {
      List<Point> metrics = new ArrayList<>();
      for (JsonNode m : r.objects("metrics")) {
        metrics.add(point(m, "metrics"));
      }
      List<Map.Entry<String, String>> params = new ArrayList<>();
      for (JsonNode m : r.objects("params")) {
        params.add(Map.entry(key(m, "params"), value(m, "params")));
      }
      return service.log(r.runId(), metrics, params, r.keyValues("tags"), List.of(), List.of());
    });
    routes.async(router, p + "runs/log-metric", r -> service.log(r.runId(),
        List.of(new Point(r.required("key"), MlflowRequest.number(r.raw("value"), "value"),
            required(r.integer("timestamp"), "timestamp"), step(r.integer("step")))),
        List.of(), Map.of(), List.of(), List.of()));
    routes.async(router, p + "runs/log-parameter", r -> service.log(r.runId(), List.of(),
        List.of(Map.entry(r.required("key"), orEmpty(r.string("value")))), Map.of(), List.of(), List.of()));
    routes.async(router, p + "runs/set-tag", r -> service.log(r.runId(), List.of(), List.of(),
        Map.of(r.required("key"), orEmpty(r.string("value"))), List.of(), List.of()));
    routes.async(router, p + "runs/delete-tag", r -> service.log(r.runId(), List.of(), List.of(), Map.of(),
        List.of(r.required("key")), List.of()));
    routes.async(router, p + "runs/log-inputs", r -> {
      List<DatasetInput> inputs = new ArrayList<>();
      for (JsonNode d : r.objects("datasets")) {
        inputs.add(dataset(d));
      }
      return service.log(r.runId(), List.of(), List.of(), Map.of(), List.of(), inputs);
    });
    routes.read(router, p + "metrics/get-history", r -> {
      Page<Point> page = service.history(r.runId(), r.required("metric_key"), r.integer("max_results"),
          r.string("page_token"));
      return MlflowJson.history(page.items(), page.nextPageToken());
    });
    routes.read(router, p + "metrics/get-history-bulk-interval", this::historyBetween);
  }

  private Object search(MlflowRequest r) {
    Page<Run> page = service.searchRuns(r.strings("experiment_ids"), r.string("filter"),
        MlflowRoutes.viewType(r, "run_view_type"), r.integer("max_results"), r.strings("order_by"),
        r.string("page_token"));
    return MlflowJson.runs(page.items(), page.nextPageToken());
  }

  /** MLflow's sampled history of several runs: up to max_results points of each, spread over the steps. */
  private Object historyBetween(MlflowRequest r) {
    List<String> ids = r.strings("run_ids");
    if (ids.isEmpty()) {
      throw MlflowErrors.missing("run_ids");
    }
    if (ids.size() > 100) {
      throw MlflowErrors.invalid("GetMetricHistoryBulkInterval request must specify at most 100 run_ids.");
    }
    String key = r.required("metric_key");
    Long start = r.integer("start_step");
    Long end = r.integer("end_step");
    int max = Rules.maxResults(r.integer("max_results"), 320, 2_500);
    ObjectNode o = MlflowJson.object();
    ArrayNode list = o.putArray("metrics");
    service.historyBetween(ids, key, start == null ? Long.MIN_VALUE : start, end == null ? Long.MAX_VALUE : end,
        MAX_INTERVAL_POINTS).forEach((runId, points) -> {
          for (Point pt : sample(points, max)) {
            MlflowJson.point(list.addObject(), pt).put("run_id", runId);
          }
        });
    return o;
  }

  /** At most {@code max} points, evenly spaced, the first and the last always among them. */
  static List<Point> sample(List<Point> points, int max) {
    if (points.size() <= max) {
      return points;
    }
    List<Point> out = new ArrayList<>(max);
    for (int i = 0; i < max; i++) {
      out.add(points.get((int) ((long) i * (points.size() - 1) / Math.max(1, max - 1))));
    }
    return out;
  }

  private static Point point(JsonNode m, String field) {
    Long ts = MlflowRequest.integer(m.get("timestamp"), field + ".timestamp");
    return new Point(key(m, field), MlflowRequest.number(m.get("value"), field + ".value"),
        required(ts, field + ".timestamp"), step(MlflowRequest.integer(m.get("step"), field + ".step")));
  }

  private static String key(JsonNode m, String field) {
    String k = MlflowRequest.string(m.get("key"), field + ".key");
    if (k == null || k.isEmpty()) {
      throw MlflowErrors.missing(field + ".key");
    }
    return k;
  }

  private static String value(JsonNode m, String field) {
    return orEmpty(MlflowRequest.string(m.get("value"), field + ".value"));
  }

  private static DatasetInput dataset(JsonNode input) {
    JsonNode d = input.get("dataset");
    if (d == null || !d.isObject()) {
      throw MlflowErrors.missing("datasets.dataset");
    }
    java.util.Map<String, String> tags = new java.util.LinkedHashMap<>();
    JsonNode t = input.get("tags");
    if (t != null && t.isArray()) {
      for (JsonNode kv : t) {
        tags.put(key(kv, "datasets.tags"), value(kv, "datasets.tags"));
      }
    }
    return new DatasetInput(text(d, "name"), text(d, "digest"), text(d, "source_type"), text(d, "source"),
        MlflowRequest.string(d.get("schema"), "dataset.schema"), MlflowRequest.string(d.get("profile"),
            "dataset.profile"), tags);
  }

  private static String text(JsonNode d, String field) {
    String v = MlflowRequest.string(d.get(field), "dataset." + field);
    if (v == null || v.isEmpty()) {
      throw MlflowErrors.missing("dataset." + field);
    }
    return v;
  }

  private static long required(Long v, String field) {
    if (v == null) {
      throw MlflowErrors.missing(field);
    }
    return v;
  }

  private static long step(Long step) {
    return step == null ? 0 : step;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static ObjectNode run(Run r) {
    ObjectNode o = MlflowJson.object();
    o.set("run", MlflowJson.run(r));
    return o;
  }
}
