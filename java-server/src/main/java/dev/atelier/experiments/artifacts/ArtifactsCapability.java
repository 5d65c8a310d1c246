package dev.atelier.experiments.artifacts;

import dev.atelier.config.AtelierConfig;
import dev.atelier.http.Capability;
import dev.atelier.storage.ObjectStore;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * MLflow's proxied artifact routes as a capability of their own, over the object store (which the
 * objects capability owns and closes). The experiments capability mounts {@link ArtifactRoutes}
 * itself once it is there.
 */
public final class ArtifactsCapability implements Capability {
  private final ArtifactRoutes routes;

  public ArtifactsCapability(Vertx vertx, AtelierConfig config, ObjectStore objects) {
    this.routes = new ArtifactRoutes(vertx, objects, config.defaultBucket(), config.maxUploadBytes());
  }

  @Override
  public String name() {
    return "mlflow-artifacts";
  }

  @Override
  public void mount(Router router, String baseUrl) {
    routes.mount(router, baseUrl);
  }
}
