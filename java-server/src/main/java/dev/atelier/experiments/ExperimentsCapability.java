package dev.atelier.experiments;

import dev.atelier.config.AtelierConfig;
import dev.atelier.experiments.artifacts.ArtifactRoutes;
import dev.atelier.experiments.artifacts.LoggedModelRoutes;
import dev.atelier.http.Capability;
import dev.atelier.storage.Database;
import dev.atelier.storage.ObjectStore;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;

/**
 * Experiments: runs from MLflow clients, jobs and notebooks in one store, served through MLflow's
 * tracking REST API under {@code {base}atelier/mlflow/}, with MLflow's proxied artifact routes and
 * MLflow 3's logged models over the object store (which the objects capability owns and closes).
 */
public final class ExperimentsCapability implements Capability {
  private final ExperimentService service;
  private final MlflowRoutes routes;
  private final ArtifactRoutes artifacts;
  private final LoggedModelRoutes models;

  /** @param owner who what this server stores belongs to (the server's user) */
  public ExperimentsCapability(Vertx vertx, AtelierConfig config, Database db, ObjectStore objects, String owner) {
    this.service = new ExperimentService(db, owner, Clock.systemUTC());
    this.routes = new MlflowRoutes(vertx, service);
    this.artifacts = new ArtifactRoutes(vertx, objects, config.defaultBucket(), config.maxUploadBytes());
    this.models = LoggedModelRoutes.over(vertx, db, owner, Clock.systemUTC());
  }

  @Override
  public String name() {
    return "experiments";
  }

  @Override
  public void mount(Router router, String baseUrl) {
    artifacts.mount(router, baseUrl);
    models.mount(router, baseUrl);
    routes.mount(router, baseUrl);
  }

  /** Writes what is queued before the database closes. */
  @Override
  public void close() {
    service.close();
  }
}
