package dev.atelier.experiments;

import dev.atelier.config.AtelierConfig;
import dev.atelier.experiments.artifacts.ArtifactRoutes;
import dev.atelier.experiments.artifacts.LoggedModelRoutes;
import dev.atelier.http.Capability;
import dev.atelier.http.EventStream;
import dev.atelier.http.RunTracker;
import dev.atelier.http.ScopedTokens;
import dev.atelier.storage.Database;
import dev.atelier.storage.ObjectStore;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;

/**
 * Experiments: runs from MLflow clients, jobs (through {@link #tracker()}) and notebooks in one
 * store, served through MLflow's tracking REST API under {@code {base}atelier/mlflow/}, with MLflow's
 * proxied artifact routes and MLflow 3's logged models over the object store (which the objects
 * capability owns and closes); {@code run} and {@code experiment} frames on the event stream as
 * they change; and under {@code {base}atelier/api/experiments/} what MLflow's API has no
 * route for: every experiment's active run count and runs' metric summaries
 * ({@link ExperimentApiRoutes}). Run tokens
 * ({@link RunScope}) are admitted under {@code atelier/mlflow/} and only there.
 */
public final class ExperimentsCapability implements Capability {
  private final Vertx vertx;
  private final ExperimentService service;
  private final MlflowRoutes routes;
  private final ArtifactRoutes artifacts;
  private final LoggedModelRoutes models;
  private final ExperimentFrames frames;
  private final ScopedTokens tokens;
  private final TrackedRuns tracked;
  private final ExperimentApiRoutes api;

  /**
   * @param owner who what this server stores belongs to (the server's user)
   * @param tokens issues the run tokens jobs get, and admits them on the MLflow routes
   */
  public ExperimentsCapability(Vertx vertx, AtelierConfig config, Database db, ObjectStore objects, String owner,
      EventStream events, ScopedTokens tokens) {
    this.vertx = vertx;
    this.service = new ExperimentService(db, owner, Clock.systemUTC());
    this.models = LoggedModelRoutes.over(vertx, db, owner, Clock.systemUTC());
    this.routes = new MlflowRoutes(vertx, service, models::source);
    this.artifacts = new ArtifactRoutes(vertx, objects, config.defaultBucket(), config.maxUploadBytes());
    this.frames = new ExperimentFrames(vertx, service, events);
    this.tokens = tokens;
    this.tracked = new TrackedRuns(service, tokens);
    this.api = new ExperimentApiRoutes(vertx, service);
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
  public void start() {
    frames.start();
  }

  @Override
  public void mount(Router router, String baseUrl) {
    // The tracking routes first: their check of run tokens runs before the artifacts and models.
    tokens.admit(RunScope.AUDIENCE, baseUrl + "atelier/mlflow/");
    routes.mount(router, baseUrl);
    artifacts.mount(router, baseUrl);
    models.mount(router, baseUrl);
    api.mount(router, baseUrl);
  }

  /** Writes what is queued before the database closes. */
  @Override
  public void close() {
    frames.stop();
    service.close();
  }
}
