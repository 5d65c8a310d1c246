package dev.atelier.experiments;

import dev.atelier.http.ScopedTokens;
import dev.atelier.http.ScopedTokens.Scope;
import java.util.Map;

/**
 * The scope of a token that may log to one run and read it (and its experiment): what a job's
 * container gets, so that the MLflow client inside it logs to the job's run and nothing else.
 */
public final class RunScope {
  /** The audience of run tokens; admitted on the MLflow routes only. */
  public static final String AUDIENCE = "mlflow-run";
  static final String EXPERIMENT = "experiment";
  static final String RUN = "run";

  private RunScope() {}

  static Scope of(String experimentId, String runId) {
    return new Scope(AUDIENCE, Map.of(EXPERIMENT, experimentId, RUN, runId));
  }

  /** Refuses {@code scope} unless it is the run {@code runId}'s. */
  public static void requireRun(Scope scope, String runId) {
    if (scope != null && !(AUDIENCE.equals(scope.audience()) && scope.claim(RUN).equals(runId))) {
      throw ScopedTokens.denied("this token may only use the run " + scope.claim(RUN) + ", not "
          + (runId == null || runId.isEmpty() ? "a request that names no run" : "the run " + runId));
    }
  }

  /** Refuses {@code scope} unless it is a run token of the experiment {@code experimentId}. */
  static void requireExperiment(Scope scope, String experimentId) {
    if (scope != null && !(AUDIENCE.equals(scope.audience()) && scope.claim(EXPERIMENT).equals(experimentId))) {
      throw ScopedTokens.denied("this token may only read the experiment " + scope.claim(EXPERIMENT));
    }
  }

  /** The refusal of what a run token asked for beyond its run. */
  static dev.atelier.http.ApiException denial(Scope scope, String what) {
    return ScopedTokens.denied("this token may only log to and read the run " + scope.claim(RUN) + "; it cannot "
        + what);
  }

  /** The experiment id of a run token, or null. */
  public static String experiment(Scope scope) {
    return scope == null ? null : scope.claim(EXPERIMENT);
  }

  /** The run id of a run token, or null. */
  public static String run(Scope scope) {
    return scope == null ? null : scope.claim(RUN);
  }
}
