package dev.atelier.frontdoor;

import dev.atelier.http.FailureHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.proxy.handler.ProxyHandler;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.net.URI;

/**
 * The URL the user opens. Kernel channels ({@code {base}api/kernels/{id}/channels}) are served by
 * Atelier's relay (both JupyterLab protocols, binary buffers, large messages, no Nagle delay);
 * Atelier's API is served under {@code {base}atelier/}; everything else streams through to
 * jupyter_server on its loopback port, cookies, XSRF and redirects untouched. What it serves itself
 * passes jupyter_server's own checks first: who the caller is ({@link JupyterAuth}), and that
 * another web site is not acting through the user's browser ({@link CrossSiteGuard}).
 */
public final class FrontDoor {
  private final Vertx vertx;
  private final URI jupyterUrl;
  private final String baseUrl;
  private final java.util.function.BiConsumer<Router, String> api;

  /** @param api mounts Atelier's API (kernel channels included) on a router under a base URL */
  public FrontDoor(Vertx vertx, URI jupyterUrl, String baseUrl, java.util.function.BiConsumer<Router, String> api) {
    this.vertx = vertx;
    this.jupyterUrl = jupyterUrl;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
    this.api = api;
  }

  public Router router() {
    JupyterAuth auth = new JupyterAuth(vertx, jupyterUrl, baseUrl);
    // Another web site's page can make the browser send the login cookie: what the front door
    // serves itself gets jupyter_server's own origin and XSRF checks (the rest is jupyter_server's).
    CrossSiteGuard crossSite = new CrossSiteGuard(vertx, jupyterUrl, baseUrl, false);
    Router router = Router.router(vertx);
    // The checks go first; the kernels capability's channels route, mounted with the API, serves the socket.
    router.get(baseUrl + "api/kernels/:id/channels").handler(auth::kernelAccess).handler(crossSite::handle);
    router.route(baseUrl + "atelier/*").handler(auth::userAccess).handler(crossSite::handle);
    api.accept(router, baseUrl);
    router.route(baseUrl + "atelier/*").handler(new dev.atelier.http.MethodNotAllowed(router));
    router.route(baseUrl + "atelier/*").failureHandler(new FailureHandler());
    router.get(baseUrl + "api/kernels/:id/channels").failureHandler(new FailureHandler());
    router.route().handler(ProxyHandler.create(proxy()));
    return router;
  }

  private HttpProxy proxy() {
    HttpProxy proxy = HttpProxy.reverseProxy(vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64)));
    SocketAddress origin = SocketAddress.inetSocketAddress(jupyterUrl.getPort(), jupyterUrl.getHost());
    // jupyter_server must see the host the browser used: it names its login cookie after it and
    // checks WebSocket origins (terminals, events) against it. The request is made to jupyter_server's
    // address under the browser's authority, which plain requests and WebSocket upgrades alike
    // carry as their Host (the proxy drops a Host header an interceptor sets on upgrades).
    proxy.origin(context -> {
      HostAndPort browser = context.request().proxiedRequest().authority();
      RequestOptions options = new RequestOptions().setServer(origin);
      if (browser != null) {
        options.setHost(browser.host()).setPort(browser.port() > 0 ? browser.port() : 80);
      } else {
        options.setHost(jupyterUrl.getHost()).setPort(jupyterUrl.getPort());
      }
      return context.client().request(options);
    });
    proxy.addInterceptor(new ProxyInterceptor() {
      @Override
      public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        return context.sendRequest().recover(err -> Future.succeededFuture(unavailable(context, err)));
      }
    }, true);
    return proxy;
  }

  /** jupyter_server is down: a page that says so, JSON for API clients; the next request tries again. */
  private ProxyResponse unavailable(ProxyContext context, Throwable err) {
    String accept = context.request().headers().get("Accept");
    boolean html = accept != null && accept.contains("text/html");
    String message = "JupyterLab's server (jupyter_server at " + jupyterUrl + ") is not answering: "
        + err.getMessage() + ". Atelier keeps trying; reload in a moment.";
    ProxyResponse response = context.request().response().setStatusCode(502).setStatusMessage("Bad Gateway");
    response.headers().clear();
    if (html) {
      response.setBody(Body.body(Buffer.buffer("<!doctype html><title>JupyterLab is not answering</title>"
          + "<h1>JupyterLab is not answering</h1><p>" + escape(message) + "</p>"), io.vertx.httpproxy.MediaType.parse("text/html; charset=utf-8")));
    } else {
      response.setBody(Body.body(Buffer.buffer(new io.vertx.core.json.JsonObject()
          .put("reason", "Bad Gateway").put("message", message).encode()), io.vertx.httpproxy.MediaType.parse("application/json; charset=utf-8")));
    }
    return response;
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
