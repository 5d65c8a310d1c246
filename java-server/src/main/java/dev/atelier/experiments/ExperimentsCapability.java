package dev.atelier.experiments;

import dev.atelier.http.Capability;
import dev.atelier.storage.Database;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;

/**
 * Experiments: runs from MLflow clients (and, later, jobs and notebooks) in one store, served
 * through MLflow's tracking REST API under {@code {base}atelier/mlflow/}.
 */
public final class ExperimentsCapability implements Capability {
  private final ExperimentService service;
  private final MlflowRoutes routes;

  public ExperimentsCapability(Vertx vertx, Database db, String owner) {
    this.service = new ExperimentService(db, owner, Clock.systemUTC());
    this.routes = new MlflowRoutes(vertx, service);
  }

  @Override
  public String name() {
    return "experiments";
  }

  @Override
  public void mount(Router router, String baseUrl) {
    routes.mount(router, baseUrl);
  }

  /** Writes what is queued before the database closes. */
  @Override
  public void close() {
    service.close();
  }
}
