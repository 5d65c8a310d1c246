package dev.atelier.experiments;

import dev.atelier.http.Capability;
import dev.atelier.http.RunTracker;
import dev.atelier.http.ScopedTokens;
import dev.atelier.storage.Database;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;

/**
 * Experiments: runs from MLflow clients, jobs (through {@link #tracker()}) and notebooks in one
 * store, served through MLflow's tracking REST API under {@code {base}atelier/mlflow/}. Run tokens
 * ({@link RunScope}) are admitted there and only there.
 */
public final class ExperimentsCapability implements Capability {
  private final ExperimentService service;
  private final MlflowRoutes routes;
  private final ScopedTokens tokens;
  private final TrackedRuns tracked;

  /** @param tokens issues the run tokens jobs get, and admits them on the MLflow routes */
  public ExperimentsCapability(Vertx vertx, Database db, String owner, ScopedTokens tokens) {
    this.service = new ExperimentService(db, owner, Clock.systemUTC());
    this.routes = new MlflowRoutes(vertx, service);
    this.tokens = tokens;
    this.tracked = new TrackedRuns(service, tokens);
  }

  /** Records work Atelier runs (jobs) as runs of this store. */
  public RunTracker tracker() {
    return tracked;
  }

  @Override
  public String name() {
    return "experiments";
  }

  @Override
  public void mount(Router router, String baseUrl) {
    tokens.admit(RunScope.AUDIENCE, baseUrl + "atelier/mlflow/");
    routes.mount(router, baseUrl);
  }

  /** Writes what is queued before the database closes. */
  @Override
  public void close() {
    service.close();
  }
}
