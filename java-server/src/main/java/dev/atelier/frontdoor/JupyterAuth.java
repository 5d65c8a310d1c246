package dev.atelier.frontdoor;

import dev.atelier.http.ApiException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides who may use the front door's own routes by asking jupyter_server, with the caller's own
 * cookie, token or Authorization header, exactly as jupyter_server would decide: a kernel socket
 * needs {@code GET {base}api/kernels/{id}} to succeed, Atelier's API needs {@code GET {base}api/me}.
 * Positive answers are cached briefly; refusals are never cached.
 */
public final class JupyterAuth {
  private static final long TTL_NANOS = 30_000_000_000L;

  private final HttpClient client;
  private final SocketAddress jupyter;
  private final String baseUrl;
  private final Map<String, Long> allowedUntil = new ConcurrentHashMap<>();

  public JupyterAuth(Vertx vertx, URI jupyterUrl, String baseUrl) {
    this.client = vertx.createHttpClient();
    this.jupyter = SocketAddress.inetSocketAddress(jupyterUrl.getPort(), jupyterUrl.getHost());
    this.baseUrl = baseUrl;
  }

  /** Route handler: the caller may open the kernel's channels, or gets 403 before any upgrade. */
  public void kernelAccess(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    check(ctx, "api/kernels/" + id, "kernel " + id);
  }

  /** Route handler: the caller is a user of this jupyter_server, or gets 403. */
  public void userAccess(RoutingContext ctx) {
    check(ctx, "api/me", "Atelier's API");
  }

  private void check(RoutingContext ctx, String path, String what) {
    String authorization = ctx.request().getHeader("Authorization");
    String cookie = ctx.request().getHeader("Cookie");
    String token = ctx.request().getParam("token");
    if (authorization == null && cookie == null && token == null) {
      ctx.fail(new ApiException(403, "Forbidden", "sign in to JupyterLab first: no token or cookie was sent"));
      return;
    }
    String key = digest(path, authorization, cookie, token, ctx.request().authority() == null ? "" : ctx.request().authority().toString());
    Long until = allowedUntil.get(key);
    if (until != null && until - System.nanoTime() > 0) {
      ctx.next();
      return;
    }
    RequestOptions options = new RequestOptions()
        .setServer(jupyter)
        .setMethod(HttpMethod.GET)
        .setURI(baseUrl + path + (token == null ? "" : "?token=" + java.net.URLEncoder.encode(token, StandardCharsets.UTF_8)))
        .setTimeout(10_000);
    if (ctx.request().authority() != null) {
      // jupyter_server names its login cookie after the host the browser used, so it must see
      // that host, not its own loopback address (the proxy keeps it the same way).
      options.setHost(ctx.request().authority().host());
      if (ctx.request().authority().port() > 0) {
        options.setPort(ctx.request().authority().port());
      }
    }
    if (authorization != null) {
      options.putHeader("Authorization", authorization);
    }
    if (cookie != null) {
      options.putHeader("Cookie", cookie);
    }
    ctx.request().pause();
    client.request(options)
        .compose(req -> req.send().compose(res -> res.body().map(b -> res.statusCode())))
        .onComplete(ar -> {
          ctx.request().resume();
          if (ar.failed()) {
            ctx.fail(new ApiException(502, "Bad Gateway",
                "JupyterLab's server at " + jupyter + " is not answering, so access cannot be checked: "
                    + ar.cause().getMessage()));
          } else if (ar.result() == 200) {
            allowedUntil.put(key, System.nanoTime() + TTL_NANOS);
            if (allowedUntil.size() > 10_000) {
              allowedUntil.clear();
            }
            ctx.next();
          } else {
            ctx.fail(new ApiException(403, "Forbidden",
                "JupyterLab's server did not allow these credentials to use " + what + " (it answered " + ar.result() + ")"));
          }
        });
  }

  /** A SHA-256 of the parts (null and empty told apart), for cache keys that hold no credential. */
  static String digest(String... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        sha.update((p == null ? "\u0000" : p).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0x1f);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
