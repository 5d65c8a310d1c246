package dev.atelier;

import dev.atelier.config.AtelierConfig;
import dev.atelier.frontdoor.CrossSiteGuard;
import dev.atelier.frontdoor.FrontDoor;
import dev.atelier.http.Capability;
import dev.atelier.http.EventStream;
import dev.atelier.http.FailureHandler;
import dev.atelier.http.MethodNotAllowed;
import dev.atelier.http.Routes;
import dev.atelier.http.TokenAuth;
import dev.atelier.kernels.Version;
import dev.atelier.kernels.WireCodec;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The HTTP side of the server: one router with the token check in front of every route, the event
 * stream, each capability's routes mounted on it (and through the front door), and the one failure
 * handler.
 */
public final class AtelierServer extends VerticleBase {
  private final AtelierConfig config;
  private final List<Capability> capabilities;
  private final EventStream events;
  private final Consumer<String> apiUrl;
  private final dev.atelier.http.ScopedTokens scoped;
  private HttpServer server;
  private HttpServer frontDoor;

  /**
   * @param apiUrl hears where kernels reach Atelier's API once the server listens
   * @param scoped the scoped tokens the server's token check accepts where their audience is admitted
   */
  public AtelierServer(AtelierConfig config, List<Capability> capabilities, EventStream events,
      Consumer<String> apiUrl, dev.atelier.http.ScopedTokens scoped) {
    this.config = config;
    this.scoped = scoped;
    this.capabilities = List.copyOf(capabilities);
    this.events = events;
    this.apiUrl = apiUrl;
  }

  /** {@code status} and {@code version}, then each capability's part, in their order. */
  private void health(RoutingContext ctx) {
    vertx.executeBlocking(() -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", "ok");
      body.put("version", Version.VALUE);
      capabilities.forEach(c -> c.health(body));
      return body;
    }, false).onSuccess(b -> Routes.json(ctx, 200, b)).onFailure(ctx::fail);
  }

  /** Atelier's API under a base URL: health, the event stream, every capability. */
  private void mountApi(Router router, String baseUrl) {
    router.get(baseUrl + "atelier/api/health").handler(this::health);
    events.mount(router, baseUrl);
    capabilities.forEach(c -> c.mount(router, baseUrl));
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
    capabilities.forEach(Capability::start);
    Router router = Router.router(vertx);
    capabilities.forEach(c -> c.mountSigned(router));
    router.route().handler(new TokenAuth(config.token(), scoped));
    // Behind jupyter-server-proxy (gateway mode) a browser's request arrives with Atelier's token
    // in place of its own Authorization header, and jupyter-server-proxy leaves the XSRF check to
    // the app it proxies: a request that carries the browser's cookies gets jupyter_server's
    // origin and XSRF checks here, asked of the jupyter_server at jupyterUrl.
    router.route("/atelier/*").handler(new CrossSiteGuard(vertx, config.jupyterUrl(), config.baseUrl(), true)::handle);
    capabilities.forEach(c -> c.mountRoot(router));
    mountApi(router, "/");
    router.route().last().handler(new MethodNotAllowed(router));
    router.route().failureHandler(new FailureHandler());

    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setTcpNoDelay(true)
        .setMaxWebSocketFrameSize(config.maxMessageBytes())
        .setMaxWebSocketMessageSize(config.maxMessageBytes())
        .setWebSocketSubProtocols(List.of(WireCodec.V1_PROTOCOL))
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
    Router front = new FrontDoor(vertx, config.jupyterUrl(), config.baseUrl(), this::mountApi).router();
    HttpServerOptions frontOptions = new HttpServerOptions(options).setPort(config.frontDoorPort());
    return gateway.compose(g -> vertx.createHttpServer(frontOptions).requestHandler(front).listen()
        .onSuccess(s -> frontDoor = s));
  }
}
