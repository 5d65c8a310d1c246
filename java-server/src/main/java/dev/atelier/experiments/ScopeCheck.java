package dev.atelier.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.experiments.artifacts.LoggedModelRoutes.Source;
import dev.atelier.http.ScopedTokens;
import dev.atelier.http.ScopedTokens.Scope;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * What a {@linkplain RunScope run token} may do on the MLflow routes: log to its run and read it,
 * read its experiment, upload, list and download its run's artifacts, and log models of its run
 * ({@code log_model} and autologging: create a logged model whose source is the run, upload its
 * files, finalize it, tag it, record it as the run's output). Everything else is a 403
 * {@code PERMISSION_DENIED}. Requests with the server's own token pass untouched. Mounted before
 * every other route under {@code atelier/mlflow/}.
 */
final class ScopeCheck {
  private static final Set<String> RUN_ROUTES = Set.of("runs/get", "runs/update", "runs/log-batch",
      "runs/log-metric", "runs/log-parameter", "runs/set-tag", "runs/delete-tag", "runs/log-inputs",
      "metrics/get-history");
  private static final String MODELS = "logged-models/";

  private final Vertx vertx;
  private final Function<String, Source> models;

  /** @param models where a logged model came from (null when there is none); called on a worker */
  ScopeCheck(Vertx vertx, Function<String, Source> models) {
    this.vertx = vertx;
    this.models = models;
  }

  /** The check of paths outside the tracking API (artifacts, anything else), then, after the body, of the API. */
  void mountBefore(Router router, String baseUrl) {
    String mlflow = baseUrl + "atelier/mlflow/";
    router.route(mlflow + "*").handler(ctx -> {
      Scope scope = ScopedTokens.of(ctx);
      if (scope == null) {
        ctx.next();
        return;
      }
      String rest = ctx.normalizedPath().substring(Math.min(ctx.normalizedPath().length(), mlflow.length()));
      int slash = rest.indexOf('/');
      String api = slash < 0 ? rest : rest.substring(0, slash);
      String after = slash < 0 ? "" : rest.substring(slash + 1);
      if ((api.equals("api") || api.equals("ajax-api")) && after.startsWith("2.0/mlflow/")) {
        ctx.next();
      } else if ((api.equals("api") || api.equals("ajax-api")) && after.startsWith("2.0/mlflow-artifacts/")) {
        artifacts(ctx, scope, after.substring("2.0/mlflow-artifacts/".length()));
      } else {
        ctx.fail(deny(scope, "call this route"));
      }
    });
  }

  /** The tracking API's check; the body has been read. */
  void mountAfterBody(Router router, String apiPrefix) {
    router.route(apiPrefix + "*").handler(ctx -> {
      Scope scope = ScopedTokens.of(ctx);
      if (scope == null) {
        ctx.next();
        return;
      }
      List<String> ownModels;
      try {
        ownModels = tracking(scope, ctx.normalizedPath().substring(apiPrefix.length()), MlflowRequest.of(ctx));
      } catch (RuntimeException e) {
        ctx.fail(e);
        return;
      }
      if (ownModels.isEmpty()) {
        ctx.next();
      } else {
        requireOwnModels(ctx, scope, ownModels, null);
      }
    });
  }

  /** Checks what can be checked from the request alone; returns the logged models that must be the run's. */
  private static List<String> tracking(Scope scope, String endpoint, MlflowRequest r) {
    if (RUN_ROUTES.contains(endpoint)) {
      RunScope.requireRun(scope, r.runId());
    } else if (endpoint.equals("metrics/get-history-bulk-interval")) {
      for (String id : r.strings("run_ids")) {
        RunScope.requireRun(scope, id);
      }
    } else if (endpoint.equals("experiments/get")) {
      RunScope.requireExperiment(scope, r.string("experiment_id"));
    } else if (endpoint.equals("logged-models")) {
      RunScope.requireExperiment(scope, r.string("experiment_id"));
      RunScope.requireRun(scope, r.string("source_run_id"));
    } else if (endpoint.equals("runs/outputs")) {
      RunScope.requireRun(scope, r.runId());
      List<String> ids = new ArrayList<>();
      for (JsonNode m : r.objects("models")) {
        ids.add(m.path("model_id").asText(""));
      }
      return ids;
    } else if (endpoint.startsWith(MODELS) && !endpoint.equals(MODELS + "search")) {
      String rest = endpoint.substring(MODELS.length());
      int slash = rest.indexOf('/');
      return List.of(slash < 0 ? rest : rest.substring(0, slash));
    } else {
      throw deny(scope, "call " + endpoint);
    }
    return List.of();
  }

  /**
   * {@code artifacts/<experiment>/<run>/...}, {@code artifacts/<experiment>/models/<model>/...} of a
   * model of the run, and the listing of a path there.
   */
  private void artifacts(RoutingContext ctx, Scope scope, String rest) {
    String experiment = RunScope.experiment(scope);
    String own = experiment + "/" + RunScope.run(scope) + "/";
    String path = rest.equals("artifacts") ? ctx.request().getParam("path") : rest.startsWith("artifacts/")
        ? rest.substring("artifacts/".length()) : null;
    if (path == null || path.contains("..")) {
      ctx.fail(deny(scope, "reach the artifacts of another run"));
    } else if ((path + "/").startsWith(own)) {
      ctx.next();
    } else if (path.startsWith(experiment + "/models/")) {
      String model = path.substring((experiment + "/models/").length());
      int slash = model.indexOf('/');
      // The upload's body waits while the model is looked up; its handler resumes it.
      ctx.request().pause();
      requireOwnModels(ctx, scope, List.of(slash < 0 ? model : model.substring(0, slash)), experiment);
    } else {
      ctx.fail(deny(scope, "reach the artifacts of another run"));
    }
  }

  /**
   * Goes on when every model in {@code ids} was logged by the scope's run (and lies in
   * {@code experiment} when it is given), else refuses; the look-up runs on a worker.
   */
  private void requireOwnModels(RoutingContext ctx, Scope scope, List<String> ids, String experiment) {
    boolean paused = experiment != null;
    vertx.executeBlocking(() -> {
      for (String id : ids) {
        Source s = id.isEmpty() ? null : models.apply(id);
        if (s == null || !RunScope.run(scope).equals(s.runId())
            || (experiment != null && !experiment.equals(s.experimentId()))) {
          return false;
        }
      }
      return true;
    }, false).onComplete(done -> {
      if (done.succeeded() && done.result()) {
        ctx.next();
      } else {
        ctx.fail(done.failed() ? done.cause() : deny(scope, "use a logged model that another run logged"));
      }
      if (paused) {
        ctx.request().resume();
      }
    });
  }

  private static RuntimeException deny(Scope scope, String what) {
    return RunScope.denial(scope, what);
  }
}
