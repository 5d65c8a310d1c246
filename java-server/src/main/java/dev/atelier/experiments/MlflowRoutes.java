package dev.atelier.experiments;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.experiments.ExperimentService.Page;
import dev.atelier.experiments.Model.Experiment;
import dev.atelier.experiments.artifacts.LoggedModelRoutes.Source;
import dev.atelier.http.Routes;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * MLflow's tracking REST API 2.0 under {@code {base}atelier/mlflow/api/2.0/mlflow/} (and
 * {@code ajax-api/}, which MLflow's own UI uses), so that the unmodified MLflow client works with
 * {@code MLFLOW_TRACKING_URI={server}atelier/mlflow}. This class mounts the routes and serves the
 * experiments; {@link RunRoutes} serves the runs and what they log.
 */
public final class MlflowRoutes {
  /** A log-batch of 1,000 metrics is about 100 KB; the limit leaves room for long tag values. */
  private static final long MAX_BODY = 16L << 20;

  private final Vertx vertx;
  private final ExperimentService service;
  private final RunRoutes runs;
  private final ScopeCheck scopes;

  /** @param models where a logged model came from, for the check of run tokens; called on a worker */
  public MlflowRoutes(Vertx vertx, ExperimentService service, Function<String, Source> models) {
    this.vertx = vertx;
    this.service = service;
    this.runs = new RunRoutes(this, service);
    this.scopes = new ScopeCheck(vertx, models);
  }

  public void mount(Router router, String baseUrl) {
    scopes.mountBefore(router, baseUrl);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY);
    for (String api : new String[] {"api", "ajax-api"}) {
      String p = baseUrl + "atelier/mlflow/" + api + "/2.0/mlflow/";
      router.route(p + "*").handler(body);
      scopes.mountAfterBody(router, p);
      post(router, p + "experiments/create", this::createExperiment);
      read(router, p + "experiments/get", r -> one(service.experiment(r.required("experiment_id"))));
      read(router, p + "experiments/get-by-name", r -> one(service.experimentByName(r.required("experiment_name"))));
      read(router, p + "experiments/search", this::searchExperiments);
      post(router, p + "experiments/update", r -> {
        service.renameExperiment(r.required("experiment_id"), r.required("new_name"));
        return MlflowJson.object();
      });
      post(router, p + "experiments/delete", r -> {
        service.deleteExperiment(r.required("experiment_id"));
        return MlflowJson.object();
      });
      post(router, p + "experiments/restore", r -> {
        service.restoreExperiment(r.required("experiment_id"));
        return MlflowJson.object();
      });
      post(router, p + "experiments/set-experiment-tag", r -> {
        service.setExperimentTag(r.required("experiment_id"), r.required("key"), value(r));
        return MlflowJson.object();
      });
      runs.mount(router, p);
    }
  }

  private static String value(MlflowRequest r) {
    String v = r.string("value");
    return v == null ? "" : v;
  }

  /** A POST route whose work blocks (the database): run on a worker, answered with 200 and its JSON. */
  void post(Router router, String path, Function<MlflowRequest, Object> work) {
    router.post(path).handler(ctx -> blocking(ctx, work));
  }

  /** A read: GET with query parameters, or POST with a JSON body, as MLflow accepts both. */
  void read(Router router, String path, Function<MlflowRequest, Object> work) {
    router.get(path).handler(ctx -> blocking(ctx, work));
    router.post(path).handler(ctx -> blocking(ctx, work));
  }

  /** A POST route whose work returns a future (the log writer): parsed on the event loop, answered on completion. */
  void async(Router router, String path, Function<MlflowRequest, CompletionStage<?>> work) {
    router.post(path).handler(ctx -> {
      CompletionStage<?> done;
      try {
        done = work.apply(MlflowRequest.of(ctx));
      } catch (RuntimeException e) {
        ctx.fail(e);
        return;
      }
      Routes.onContext(vertx, done).onSuccess(x -> Routes.json(ctx, 200, MlflowJson.object())).onFailure(ctx::fail);
    });
  }

  private void blocking(RoutingContext ctx, Function<MlflowRequest, Object> work) {
    vertx.executeBlocking(() -> work.apply(MlflowRequest.of(ctx)), false)
        .onSuccess(b -> Routes.json(ctx, 200, b)).onFailure(ctx::fail);
  }

  private Object createExperiment(MlflowRequest r) {
    long id = service.createExperiment(r.string("name"), r.string("artifact_location"), r.keyValues("tags"));
    return MlflowJson.object().put("experiment_id", Long.toString(id));
  }

  private static Object one(Experiment e) {
    ObjectNode o = MlflowJson.object();
    o.set("experiment", MlflowJson.experiment(e));
    return o;
  }

  private Object searchExperiments(MlflowRequest r) {
    Page<Experiment> page = service.searchExperiments(viewType(r, "view_type"), r.string("filter"),
        r.strings("order_by"), r.integer("max_results"), r.string("page_token"));
    ObjectNode o = MlflowJson.object();
    ArrayNode list = o.putArray("experiments");
    page.items().forEach(e -> list.add(MlflowJson.experiment(e)));
    if (page.nextPageToken() != null) {
      o.put("next_page_token", page.nextPageToken());
    }
    return o;
  }

  /** The view type, given by name ("ACTIVE_ONLY") or by its enum number. */
  static String viewType(MlflowRequest r, String field) {
    var n = r.raw(field);
    if (n == null) {
      return null;
    }
    return n.isIntegralNumber() ? Integer.toString(n.asInt()) : MlflowRequest.string(n, field);
  }
}
