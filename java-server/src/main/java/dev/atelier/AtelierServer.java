package dev.atelier;

import dev.atelier.config.AtelierConfig;
import dev.atelier.frontdoor.FrontDoor;
import dev.atelier.http.ApiException;
import dev.atelier.http.FailureHandler;
import dev.atelier.http.Routes;
import dev.atelier.http.TokenAuth;
import dev.atelier.kernels.ChannelsHandler;
import dev.atelier.kernels.GatewayRoutes;
import dev.atelier.kernels.KernelPanelRoutes;
import dev.atelier.kernels.KernelService;
import dev.atelier.kernels.Version;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.Instant;
import java.util.Map;

/**
 * The HTTP side of the server: one router, the token check in front of every route, the one
 * failure handler, and each capability's routes mounted on it.
 */
public final class AtelierServer extends VerticleBase {
  private final AtelierConfig config;
  private final KernelService kernels;
  private HttpServer server;
  private HttpServer frontDoor;

  public AtelierServer(AtelierConfig config, KernelService kernels) {
    this.config = config;
    this.kernels = kernels;
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
    router.get("/atelier/api/health").handler(ctx ->
        Routes.json(ctx, 200, Map.of("status", "ok", "version", Version.VALUE)));
    new GatewayRoutes(vertx, kernels).mount(router);
    ChannelsHandler channels = new ChannelsHandler(kernels, config.clientBufferBytes());
    router.get("/api/kernels/:id/channels").handler(channels);
    KernelPanelRoutes panel = new KernelPanelRoutes(vertx, kernels);
    panel.mount(router);
    router.route().last().handler(ctx -> ctx.fail(ApiException.notFound(
        "no such resource: " + ctx.request().method() + " " + ctx.request().path())));
    router.route().failureHandler(new FailureHandler());

    if (config.cullingEnabled()) {
      vertx.setPeriodic(config.cullInterval().toMillis(), id -> kernels.cullIdle(Instant.now()));
    }

    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setTcpNoDelay(true)
        .setMaxWebSocketFrameSize(config.maxMessageBytes())
        .setMaxWebSocketMessageSize(config.maxMessageBytes())
        .setWebSocketSubProtocols(java.util.List.of(dev.atelier.kernels.WireCodec.V1_PROTOCOL))
        .setCompressionSupported(true);
    Future<HttpServer> gateway = vertx.createHttpServer(options).requestHandler(router).listen()
        .onSuccess(s -> server = s);
    if (!config.frontDoorEnabled()) {
      return gateway;
    }
    Router front = new FrontDoor(vertx, config.jupyterUrl(), config.baseUrl(), channels, panel).router();
    HttpServerOptions frontOptions = new HttpServerOptions(options).setPort(config.frontDoorPort());
    return gateway.compose(g -> vertx.createHttpServer(frontOptions).requestHandler(front).listen()
        .onSuccess(s -> frontDoor = s));
  }
}
