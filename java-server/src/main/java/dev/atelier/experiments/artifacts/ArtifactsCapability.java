package dev.atelier.experiments.artifacts;

import dev.atelier.config.AtelierConfig;
import dev.atelier.http.Capability;
import dev.atelier.storage.Database;
import dev.atelier.storage.ObjectStore;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * MLflow's proxied artifact routes and MLflow 3's logged models (what {@code log_model} keeps its
 * files under), over the object store (which the objects capability owns and closes) and the
 * metadata database. Meant to be folded into the experiments capability.
 */
public final class ArtifactsCapability implements Capability {
  private final ArtifactRoutes routes;
  private final LoggedModelRoutes models;

  /** @param owner who the logged models this server stores belong to (the server's user) */
  public ArtifactsCapability(Vertx vertx, AtelierConfig config, ObjectStore objects, Database db, String owner) {
    this.routes = new ArtifactRoutes(vertx, objects, config.defaultBucket(), config.maxUploadBytes());
    this.models = new LoggedModelRoutes(vertx, new LoggedModelStore(db, owner), java.time.Clock.systemUTC());
  }

  @Override
  public String name() {
    return "mlflow-artifacts";
  }

  @Override
  public void mount(Router router, String baseUrl) {
    routes.mount(router, baseUrl);
    models.mount(router, baseUrl);
  }
}
