package dev.atelier;

import dev.atelier.config.AtelierConfig;
import dev.atelier.frontdoor.CrossSiteGuard;
import dev.atelier.frontdoor.FrontDoor;
import dev.atelier.http.FailureHandler;
import dev.atelier.http.Routes;
import dev.atelier.http.TokenAuth;
import dev.atelier.kernels.ChannelsHandler;
import dev.atelier.kernels.GatewayRoutes;
import dev.atelier.kernels.IdleEnforcement;
import dev.atelier.kernels.KernelPanelRoutes;
import dev.atelier.kernels.KernelService;
import dev.atelier.kernels.Version;
import dev.atelier.instances.ImageCatalog;
import dev.atelier.instances.InstanceCatalog;
import dev.atelier.instances.InstancePool;
import dev.atelier.instances.InstanceRoutes;
import dev.atelier.instances.UsageMeter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The HTTP side of the server: one router, the token check in front of every route, the one
 * failure handler, and each capability's routes mounted on it.
 */
public final class AtelierServer extends VerticleBase {
  private final AtelierConfig config;
  private final KernelService kernels;
  private final IdleEnforcement idleRules;
  private final InstancePool pool;
  private final InstanceCatalog types;
  private final ImageCatalog images;
  private final Consumer<String> apiUrl;
  private HttpServer server;
  private HttpServer frontDoor;
  /** How often the idle rules are applied. */
  static final long IDLE_CHECK_MILLIS = Long.getLong("atelier.idleCheckMillis", 15_000);

  private final UsageMeter meter;
  private final dev.atelier.instances.IdlePolicies idle;
  private dev.atelier.storage.ObjectStore objects;

  /** @param apiUrl hears where kernels reach Atelier's API once the server listens */
  public AtelierServer(AtelierConfig config, KernelService kernels, IdleEnforcement idleRules, InstancePool pool,
      InstanceCatalog types, ImageCatalog images, UsageMeter meter, dev.atelier.instances.IdlePolicies idle,
      Consumer<String> apiUrl) {
    this.config = config;
    this.kernels = kernels;
    this.idleRules = idleRules;
    this.pool = pool;
    this.types = types;
    this.images = images;
    this.meter = meter;
    this.idle = idle;
    this.apiUrl = apiUrl;
  }

  private dev.atelier.jobs.JobService jobs;

  /** Serves the jobs API and pushes job changes on the event stream; set before deployment. */
  public AtelierServer jobs(dev.atelier.jobs.JobService service) {
    this.jobs = service;
    return this;
  }

  /** Serves the object store's API and reports it in health; set before deployment. */
  public AtelierServer objectStore(dev.atelier.storage.ObjectStore store) {
    this.objects = store;
    return this;
  }

  /** The server answers; the Docker engine's state is part of the answer (the process runtime works without it). */
  private void health(io.vertx.ext.web.RoutingContext ctx) {
    vertx.executeBlocking(() -> {
      Map<String, Object> body = new java.util.LinkedHashMap<>();
      body.put("status", "ok");
      body.put("version", Version.VALUE);
      body.put("docker", images.dockerStatus());
      body.put("default_image", images.defaultImage());
      body.put("default_image_reason", images.defaultImageReason());
      body.put("process_limits",
          dev.atelier.instances.InstanceRoutes.processLimitsModel(pool.processLimits()));
      body.put("default_instance_type", types.defaultType().name());
      if (objects != null) {
        Map<String, Object> store = new java.util.LinkedHashMap<>();
        String storeProblem = objects.problem();
        store.put("endpoint", objects.endpoint());
        store.put("embedded", config.embeddedS3());
        store.put("available", storeProblem == null);
        store.put("problem", storeProblem);
        store.put("default_bucket", config.defaultBucket());
        body.put("object_store", store);
      }
      return body;
    }, false).onSuccess(b -> Routes.json(ctx, 200, b)).onFailure(ctx::fail);
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /** The front door's port, or -1 when it is off. */
  public int frontDoorPort() {
    return frontDoor == null ? -1 : frontDoor.actualPort();
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(new TokenAuth(config.token()));
    // Behind jupyter-server-proxy (gateway mode) a browser's request arrives with Atelier's token
    // in place of its own Authorization header, and jupyter-server-proxy leaves the XSRF check to
    // the app it proxies: a request that carries the browser's cookies gets jupyter_server's
    // origin and XSRF checks here, asked of the jupyter_server at jupyterUrl.
    router.route("/atelier/*").handler(new CrossSiteGuard(vertx, config.jupyterUrl(), config.baseUrl(), true)::handle);
    new GatewayRoutes(vertx, kernels).mount(router);
    ChannelsHandler channels = new ChannelsHandler(kernels, config.clientBufferBytes());
    router.get("/api/kernels/:id/channels").handler(channels);
    KernelPanelRoutes panel = new KernelPanelRoutes(vertx, kernels, idleRules);
    InstanceRoutes instances = new InstanceRoutes(vertx, pool, types, images, meter, idleRules, idle);
    dev.atelier.storage.ObjectRoutes objectRoutes = objects == null ? null
        : new dev.atelier.storage.ObjectRoutes(vertx, objects, config.maxUploadBytes());
    dev.atelier.jobs.JobRoutes jobRoutes = jobs == null ? null : new dev.atelier.jobs.JobRoutes(vertx, jobs);
    if (jobs != null) {
      jobs.onChange(summary -> {
        com.fasterxml.jackson.databind.node.ObjectNode msg = dev.atelier.http.Json.mapper().createObjectNode();
        msg.put("type", "job");
        msg.set("job", summary);
        panel.publish(msg);
      });
    }
    java.util.function.BiConsumer<Router, String> api = (r, base) -> {
      r.get(base + "atelier/api/health").handler(this::health);
      panel.mount(r, base);
      instances.mount(r, base);
      if (objectRoutes != null) {
        objectRoutes.mount(r, base);
      }
      if (jobRoutes != null) {
        jobRoutes.mount(r, base);
      }
    };
    api.accept(router, "/");
    router.route().last().handler(new dev.atelier.http.MethodNotAllowed(router));
    router.route().failureHandler(new FailureHandler());

    vertx.setPeriodic(IDLE_CHECK_MILLIS, id -> vertx.executeBlocking(() -> {
      idleRules.enforce(Instant.now());
      return null;
    }, false));
    if (config.cullingEnabled()) {
      vertx.setPeriodic(config.cullInterval().toMillis(), id -> idleRules.cull(Instant.now()));
    }

    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setTcpNoDelay(true)
        .setMaxWebSocketFrameSize(config.maxMessageBytes())
        .setMaxWebSocketMessageSize(config.maxMessageBytes())
        .setWebSocketSubProtocols(java.util.List.of(dev.atelier.kernels.WireCodec.V1_PROTOCOL))
        // Browsers always offer permessage-deflate; compressing kernel output on the event loop
        // makes a 20 MB output arrive 3-4 times later on a local or LAN link (as jupyter_server,
        // off unless configured).
        .setPerMessageWebSocketCompressionSupported(config.websocketCompression())
        .setPerFrameWebSocketCompressionSupported(config.websocketCompression())
        .setCompressionSupported(true);
    Future<HttpServer> gateway = vertx.createHttpServer(options).requestHandler(router).listen()
        .onSuccess(s -> {
          server = s;
          String host = config.host().equals("0.0.0.0") || config.host().equals("::") ? "127.0.0.1" : config.host();
          apiUrl.accept("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + s.actualPort() + "/atelier/api/");
        });
    if (!config.frontDoorEnabled()) {
      return gateway;
    }
    Router front = new FrontDoor(vertx, config.jupyterUrl(), config.baseUrl(), channels, api).router();
    HttpServerOptions frontOptions = new HttpServerOptions(options).setPort(config.frontDoorPort());
    return gateway.compose(g -> vertx.createHttpServer(frontOptions).requestHandler(front).listen()
        .onSuccess(s -> frontDoor = s));
  }
}
