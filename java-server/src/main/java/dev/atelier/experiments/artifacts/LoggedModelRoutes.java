package dev.atelier.experiments.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.experiments.artifacts.LoggedModelStore.LoggedModel;
import dev.atelier.http.Routes;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MLflow 3's logged-model routes under {@code {base}atelier/mlflow/api/2.0/mlflow/}, as the client's
 * {@code log_model} and its {@code runs:/} and {@code models:/} URIs use them: create, get, finalize,
 * tags, params, search by experiment and name, and a run's outputs. The model's files go through the
 * artifact routes to its {@code artifact_uri}.
 */
public final class LoggedModelRoutes {
  private static final int MAX_BODY = 4 << 20;
  /** The filters the client itself sends (a run's model by name); MLflow's grammar has more. */
  private static final Pattern NAME_FILTER = Pattern.compile("\\s*name\\s*=\\s*(?:'([^']*)'|\"([^\"]*)\")\\s*");

  /** Where a logged model came from: its experiment and the run that logged it (null when none did). */
  public record Source(String experimentId, String runId) {}

  private final Vertx vertx;
  private final LoggedModelStore store;
  private final Clock clock;

  LoggedModelRoutes(Vertx vertx, LoggedModelStore store, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.clock = clock;
  }

  /** The routes over the logged models in {@code db}; those created here belong to {@code owner}. */
  public static LoggedModelRoutes over(Vertx vertx, dev.atelier.storage.Database db, String owner, Clock clock) {
    return new LoggedModelRoutes(vertx, new LoggedModelStore(db, owner), clock);
  }

  /** Where the model {@code modelId} came from, or null when there is no such model; blocks (the database). */
  public Source source(String modelId) {
    String[] s = store.source(modelId);
    return s == null ? null : new Source(s[0], s[1]);
  }

  public void mount(Router router, String baseUrl) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY);
    for (String api : List.of("api", "ajax-api")) {
      String p = baseUrl + "atelier/mlflow/" + api + "/2.0/mlflow/";
      String one = p + "logged-models/:model_id";
      router.route(p + "logged-models*").handler(body);
      router.route(p + "runs/outputs").handler(body);
      router.post(p + "logged-models/search").handler(ctx -> answer(ctx, this::search));
      router.post(p + "logged-models").handler(ctx -> answer(ctx, this::create));
      router.get(one).handler(ctx -> answer(ctx, b -> model(store.get(ctx.pathParam("model_id")))));
      router.patch(one).handler(ctx -> answer(ctx, b -> finalize(ctx.pathParam("model_id"), b)));
      router.patch(one + "/tags").handler(ctx -> answer(ctx, b -> {
        store.setTags(ctx.pathParam("model_id"), pairs(b, "tags"));
        return Map.of();
      }));
      router.delete(one + "/tags/:tag_key").handler(ctx -> answer(ctx, b -> {
        store.deleteTag(ctx.pathParam("model_id"), ctx.pathParam("tag_key"));
        return Map.of();
      }));
      router.post(one + "/params").handler(ctx -> answer(ctx, b -> {
        store.setParams(ctx.pathParam("model_id"), pairs(b, "params"));
        return Map.of();
      }));
      router.post(p + "runs/outputs").handler(ctx -> answer(ctx, this::logOutputs));
    }
  }

  private Object create(JsonNode b) {
    long experiment = longValue(b.get("experiment_id"), "experiment_id", true);
    LoggedModel m = store.create(experiment, text(b, "name"), text(b, "source_run_id"), text(b, "model_type"),
        pairs(b, "tags"), pairs(b, "params"), clock.millis());
    return model(m);
  }

  private Object finalize(String modelId, JsonNode b) {
    String status = text(b, "status");
    if (status == null || !LoggedModelStore.STATUSES.contains(status)) {
      throw ArtifactErrors.invalid("status: '" + status + "' is not one of " + LoggedModelStore.STATUSES);
    }
    return model(store.finalize(modelId, status, clock.millis()));
  }

  private Object search(JsonNode b) {
    List<Long> experiments = new ArrayList<>();
    JsonNode ids = b.path("experiment_ids");
    if (!ids.isArray() || ids.isEmpty()) {
      throw ArtifactErrors.invalid("experiment_ids: at least one experiment id is required");
    }
    ids.forEach(id -> experiments.add(longValue(id, "experiment_ids", true)));
    String filter = text(b, "filter");
    String name = null;
    if (filter != null && !filter.isBlank()) {
      Matcher m = NAME_FILTER.matcher(filter);
      if (!m.matches()) {
        throw ArtifactErrors.invalid("filter: '" + filter + "' is not supported: logged models are searched by"
            + " name = '<name>' only");
      }
      name = m.group(1) != null ? m.group(1) : m.group(2);
    }
    long max = b.has("max_results") ? longValue(b.get("max_results"), "max_results", true) : 100;
    if (max < 1 || max > 1000) {
      throw ArtifactErrors.invalid("max_results: " + max + " is out of range: use 1 to 1000");
    }
    String token = text(b, "page_token");
    int offset = 0;
    if (token != null && !token.isEmpty()) {
      try {
        offset = Integer.parseInt(token);
      } catch (NumberFormatException e) {
        throw ArtifactErrors.invalid("page_token: '" + token + "' is not a token this server gave");
      }
    }
    List<LoggedModel> page = store.search(experiments, name, offset, (int) max + 1);
    Map<String, Object> out = new LinkedHashMap<>();
    List<Object> models = new ArrayList<>();
    page.stream().limit(max).forEach(m -> models.add(model(m).get("model")));
    out.put("models", models);
    if (page.size() > max) {
      out.put("next_page_token", Integer.toString(offset + (int) max));
    }
    return out;
  }

  private Object logOutputs(JsonNode b) {
    String run = text(b, "run_id");
    if (run == null || run.isEmpty()) {
      throw ArtifactErrors.invalid("run_id: the run that produced the models is required");
    }
    Map<String, Long> steps = new LinkedHashMap<>();
    for (JsonNode m : b.path("models")) {
      String id = text(m, "model_id");
      if (id == null) {
        throw ArtifactErrors.invalid("models[].model_id is required");
      }
      steps.put(id, m.has("step") ? longValue(m.get("step"), "models[].step", false) : 0L);
    }
    store.logOutputs(run, steps);
    return Map.of();
  }

  /** {@code {"model": {"info", "data"}}} as MLflow's LoggedModel message. */
  static Map<String, Object> model(LoggedModel m) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("model_id", m.modelId());
    info.put("experiment_id", Long.toString(m.experimentId()));
    info.put("name", m.name());
    info.put("creation_timestamp_ms", m.created());
    info.put("last_updated_timestamp_ms", m.updated());
    info.put("artifact_uri", m.artifactLocation());
    info.put("status", m.status());
    if (m.modelType() != null) {
      info.put("model_type", m.modelType());
    }
    if (m.sourceRunId() != null) {
      info.put("source_run_id", m.sourceRunId());
    }
    info.put("tags", keyValues(m.tags()));
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("params", keyValues(m.params()));
    data.put("metrics", List.of());
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("info", info);
    model.put("data", data);
    return Map.of("model", model);
  }

  private static List<Map<String, String>> keyValues(Map<String, String> values) {
    List<Map<String, String>> out = new ArrayList<>();
    values.forEach((k, v) -> out.add(Map.of("key", k, "value", v)));
    return out;
  }

  private static Map<String, String> pairs(JsonNode b, String field) {
    Map<String, String> out = new LinkedHashMap<>();
    JsonNode list = b.path(field);
    if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
      throw ArtifactErrors.invalid(field + ": a list of {\"key\", \"value\"} is expected");
    }
    for (JsonNode kv : list) {
      String k = text(kv, "key");
      if (k == null || k.isEmpty()) {
        throw ArtifactErrors.invalid(field + "[].key is required");
      }
      String v = text(kv, "value");
      out.put(k, v == null ? "" : v);
    }
    return out;
  }

  private static String text(JsonNode b, String field) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      throw ArtifactErrors.invalid(field + ": a string is expected");
    }
    return v.asText();
  }

  private static long longValue(JsonNode v, String field, boolean required) {
    if (v == null || v.isNull()) {
      if (required) {
        throw ArtifactErrors.invalid("Missing value for required parameter '" + field + "'");
      }
      return 0;
    }
    try {
      return Long.parseLong(v.asText().trim());
    } catch (NumberFormatException e) {
      throw ArtifactErrors.invalid(field + ": '" + v.asText() + "' is not an integer");
    }
  }

  /** Parses the body on the event loop, runs the database work on a worker, answers 200 with its JSON. */
  private void answer(RoutingContext ctx, Function<JsonNode, Object> work) {
    JsonNode body;
    try {
      body = Routes.objectBody(ctx);
    } catch (RuntimeException e) {
      ctx.fail(e instanceof dev.atelier.http.ApiException a ? ArtifactErrors.invalid(a.getMessage()) : e);
      return;
    }
    vertx.executeBlocking(() -> work.apply(body), false).onSuccess(b -> Routes.json(ctx, 200, b)).onFailure(ctx::fail);
  }
}
