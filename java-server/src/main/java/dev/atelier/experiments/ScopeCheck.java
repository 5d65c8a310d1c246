package dev.atelier.experiments;

import dev.atelier.http.ScopedTokens;
import dev.atelier.http.ScopedTokens.Scope;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * What a {@linkplain RunScope run token} may do on the MLflow routes: log to its run and read it,
 * read its experiment, and upload, list and download its run's artifacts. Everything else is a
 * 403 {@code PERMISSION_DENIED}. Requests with the server's own token pass untouched. Mounted
 * before every other route under {@code atelier/mlflow/}.
 */
final class ScopeCheck {
  private static final Set<String> RUN_ROUTES = Set.of("runs/get", "runs/update", "runs/log-batch",
      "runs/log-metric", "runs/log-parameter", "runs/set-tag", "runs/delete-tag", "runs/log-inputs",
      "metrics/get-history");

  private ScopeCheck() {}

  /** The check of paths outside the tracking API (artifacts, anything else), then, after the body, of the API. */
  static void mountBefore(Router router, String baseUrl) {
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
  static void mountAfterBody(Router router, String apiPrefix) {
    router.route(apiPrefix + "*").handler(ctx -> {
      Scope scope = ScopedTokens.of(ctx);
      if (scope == null) {
        ctx.next();
        return;
      }
      try {
        tracking(scope, ctx.normalizedPath().substring(apiPrefix.length()), MlflowRequest.of(ctx));
        ctx.next();
      } catch (RuntimeException e) {
        ctx.fail(e);
      }
    });
  }

  private static void tracking(Scope scope, String endpoint, MlflowRequest r) {
    if (RUN_ROUTES.contains(endpoint)) {
      RunScope.requireRun(scope, r.runId());
    } else if (endpoint.equals("metrics/get-history-bulk-interval")) {
      for (String id : r.strings("run_ids")) {
        RunScope.requireRun(scope, id);
      }
    } else if (endpoint.equals("experiments/get")) {
      RunScope.requireExperiment(scope, r.string("experiment_id"));
    } else {
      throw deny(scope, "call " + endpoint);
    }
  }

  /** {@code artifacts/<experiment>/<run>/...} and the listing of a path there. */
  private static void artifacts(RoutingContext ctx, Scope scope, String rest) {
    String own = RunScope.experiment(scope) + "/" + RunScope.run(scope) + "/";
    String path = rest.equals("artifacts") ? ctx.request().getParam("path") : rest.startsWith("artifacts/")
        ? rest.substring("artifacts/".length()) : null;
    if (path != null && (path + "/").startsWith(own) && !path.contains("..")) {
      ctx.next();
    } else {
      ctx.fail(deny(scope, "reach the artifacts of another run"));
    }
  }

  private static RuntimeException deny(Scope scope, String what) {
    return RunScope.denial(scope, what);
  }
}
