package dev.atelier.storage;

import dev.atelier.config.AtelierConfig;
import dev.atelier.http.Capability;
import dev.atelier.http.ScopedTokens;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Objects: the object store's API (with download tickets and zips of folders), and in health where
 * the store is and whether it answers.
 */
public final class ObjectsCapability implements Capability {
  private final AtelierConfig config;
  private final ObjectStore store;
  private final ObjectRoutes routes;
  private final DownloadRoutes downloads;

  /** @param tickets the scoped tokens download tickets are issued as */
  public ObjectsCapability(Vertx vertx, AtelierConfig config, ObjectStore store, ScopedTokens tickets) {
    this.config = config;
    this.store = store;
    this.routes = new ObjectRoutes(vertx, store, config.maxUploadBytes());
    this.downloads = new DownloadRoutes(vertx, store, tickets, java.time.Clock.systemUTC());
  }

  @Override
  public String name() {
    return "objects";
  }

  @Override
  public void mount(Router router, String baseUrl) {
    downloads.mount(router, baseUrl);
    routes.mount(router, baseUrl);
  }

  @Override
  public void health(Map<String, Object> body) {
    Map<String, Object> part = new LinkedHashMap<>();
    String problem = store.problem();
    part.put("endpoint", store.endpoint());
    part.put("embedded", config.embeddedS3());
    part.put("available", problem == null);
    part.put("problem", problem);
    part.put("default_bucket", config.defaultBucket());
    body.put("object_store", part);
  }

  @Override
  public void close() {
    store.close();
  }
}
