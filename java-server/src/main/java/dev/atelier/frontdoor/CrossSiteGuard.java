package dev.atelier.frontdoor;

import dev.atelier.http.ApiException;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refuses what another web site could make a logged-in browser send with the user's cookies: a
 * WebSocket opened from a foreign origin, or a state-changing request without the {@code _xsrf}
 * value. jupyter_server itself decides, so every setting of its own applies unchanged
 * ({@code allow_origin}, {@code allow_origin_pat}, {@code disable_check_xsrf},
 * {@code allow_remote_access}, and which credentials count as a token): the caller's credentials,
 * Host, Origin and {@code _xsrf} values are sent to {@code POST {base}api/me}, a route without a
 * POST method, which jupyter_server answers 405 once its origin and XSRF checks have passed, 404
 * when it refuses the origin and 403 when the {@code _xsrf} value is missing or wrong. A request
 * jupyter_server takes as token-authenticated passes both checks, as it does there.
 *
 * <p>A WebSocket can carry no header of the page's choosing, so only its origin is in question:
 * its probe carries an {@code _xsrf} cookie and header pair of the guard's own making.
 */
public final class CrossSiteGuard {
  private static final long TTL_NANOS = 30_000_000_000L;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final List<String> PASSED_HEADERS = List.of(
      "Authorization", "Origin", "Referer", "Sec-Fetch-Site", "X-XSRFToken", "X-CSRFToken");

  /** What a request needs checked. */
  enum Check { NONE, ORIGIN, ORIGIN_AND_XSRF }

  private final HttpClient client;
  private final SocketAddress jupyter;
  private final URI jupyterUrl;
  private final String baseUrl;
  private final boolean cookiesOnly;
  private final Map<String, Long> allowedUntil = new ConcurrentHashMap<>();

  /**
   * @param cookiesOnly check only requests that carry a cookie: behind jupyter-server-proxy (gateway
   *     mode) every request carries Atelier's token, which jupyter-server-proxy puts in place of the
   *     browser's Authorization header, and only a browser sends cookies
   */
  public CrossSiteGuard(Vertx vertx, URI jupyterUrl, String baseUrl, boolean cookiesOnly) {
    this.client = vertx.createHttpClient();
    this.jupyterUrl = jupyterUrl;
    this.jupyter = SocketAddress.inetSocketAddress(jupyterUrl.getPort(), jupyterUrl.getHost());
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
    this.cookiesOnly = cookiesOnly;
  }

  /** Route handler: the request goes on, or fails with 403 naming why. */
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Check check = checkFor(request.method(), request.headers());
    if (check == Check.NONE || (cookiesOnly && request.getHeader("Cookie") == null)) {
      ctx.next();
      return;
    }
    String host = request.authority() == null ? null : request.authority().toString();
    String origin = origin(request.headers());
    String key = cacheKey(request, check, host);
    Long until = allowedUntil.get(key);
    if (until != null && until - System.nanoTime() > 0) {
      ctx.next();
      return;
    }
    RequestOptions options = probe(request, check, origin);
    request.pause();
    client.request(options)
        .compose(req -> req.send().compose(res -> res.body().map(b -> new Answer(res.statusCode(), b.toString()))))
        .onComplete(ar -> {
          request.resume();
          if (ar.failed()) {
            ctx.fail(new ApiException(502, "Bad Gateway", "JupyterLab's server at " + jupyterUrl
                + " is not answering, so the request's origin and _xsrf value cannot be checked: "
                + ar.cause().getMessage()));
            return;
          }
          ApiException refusal = refusal(ar.result().status(), jupyterMessage(ar.result().body()), origin, host, check);
          if (refusal != null) {
            ctx.fail(refusal);
            return;
          }
          allowedUntil.put(key, System.nanoTime() + TTL_NANOS);
          if (allowedUntil.size() > 10_000) {
            allowedUntil.clear();
          }
          ctx.next();
        });
  }

  /** Everything jupyter_server's answer depends on, digested: no credential is kept in memory. */
  private static String cacheKey(HttpServerRequest request, Check check, String host) {
    String[] parts = new String[PASSED_HEADERS.size() + 5];
    int i = 0;
    for (String name : PASSED_HEADERS) {
      parts[i++] = request.getHeader(name);
    }
    parts[i++] = check.name();
    parts[i++] = host;
    parts[i++] = request.getParam("token");
    parts[i++] = request.getParam("_xsrf");
    parts[i] = request.getHeader("Cookie");
    return JupyterAuth.digest(parts);
  }

  /** {@code POST {base}api/me} with what jupyter_server would see of the request. */
  private RequestOptions probe(HttpServerRequest request, Check check, String origin) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (String name : PASSED_HEADERS) {
      String value = request.getHeader(name);
      if (value != null) {
        headers.set(name, value);
      }
    }
    if (origin != null) {
      headers.set("Origin", origin);
    }
    String cookie = request.getHeader("Cookie");
    if (check == Check.ORIGIN) {
      // Only the origin is in question: an _xsrf pair of the guard's own satisfies the XSRF check.
      String pair = HexFormat.of().formatHex(randomBytes());
      headers.remove("X-CSRFToken");
      headers.set("X-XSRFToken", pair);
      cookie = withCookie(cookie, "_xsrf", pair);
    }
    if (cookie != null) {
      headers.set("Cookie", cookie);
    }
    StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
    String token = request.getParam("token");
    if (token != null) {
      query.add("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
    }
    String xsrf = check == Check.ORIGIN_AND_XSRF ? request.getParam("_xsrf") : null;
    if (xsrf != null) {
      query.add("_xsrf=" + URLEncoder.encode(xsrf, StandardCharsets.UTF_8));
    }
    RequestOptions options = new RequestOptions().setServer(jupyter).setMethod(HttpMethod.POST)
        .setURI(baseUrl + "api/me" + query).setHeaders(headers).setTimeout(10_000);
    if (request.authority() != null) {
      // jupyter_server compares the Origin with the Host the browser used, not its own address.
      options.setHost(request.authority().host());
      if (request.authority().port() > 0) {
        options.setPort(request.authority().port());
      }
    }
    return options;
  }

  private record Answer(int status, String body) {}

  private static byte[] randomBytes() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return b;
  }

  /** What jupyter_server checks for this request: WebSocket origins, and XSRF on every write. */
  static Check checkFor(HttpMethod method, MultiMap headers) {
    String upgrade = headers.get("Upgrade");
    if (HttpMethod.GET.equals(method) && upgrade != null && upgrade.equalsIgnoreCase("websocket")) {
      return Check.ORIGIN;
    }
    if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method)) {
      return Check.NONE;
    }
    return Check.ORIGIN_AND_XSRF;
  }

  /** The Origin header, or the older WebSocket clients' Sec-WebSocket-Origin, as jupyter_server reads it. */
  static String origin(MultiMap headers) {
    String origin = headers.get("Origin");
    return origin != null ? origin : headers.get("Sec-WebSocket-Origin");
  }

  /** A Cookie header with the named cookie set to a value (any earlier one of that name dropped). */
  static String withCookie(String cookie, String name, String value) {
    StringJoiner out = new StringJoiner("; ");
    if (cookie != null) {
      for (String part : cookie.split(";")) {
        String p = part.trim();
        int eq = p.indexOf('=');
        String n = eq < 0 ? p : p.substring(0, eq).trim();
        if (!p.isEmpty() && !n.equals(name)) {
          out.add(p);
        }
      }
    }
    out.add(name + "=" + value);
    return out.toString();
  }

  private static String jupyterMessage(String body) {
    try {
      String m = new JsonObject(body).getString("message");
      return m == null ? "" : m;
    } catch (RuntimeException e) {
      return "";
    }
  }

  /**
   * jupyter_server's answer to the probe, as a refusal to send the caller; null when it allowed
   * the request (405: its checks passed, and the probe route has no POST).
   */
  static ApiException refusal(int status, String jupyterMessage, String origin, String host, Check check) {
    if (status == 405) {
      return null;
    }
    String what = check == Check.ORIGIN ? "a WebSocket" : "a request that changes something";
    if (status == 404 || (status == 403 && check == Check.ORIGIN)) {
      return new ApiException(403, "Forbidden", "refused " + what + " from another web site: its Origin "
          + origin + " is not the address JupyterLab is open at (" + host + ") and jupyter_server's "
          + "ServerApp.allow_origin / allow_origin_pat do not allow it. Open JupyterLab at this address, "
          + "or send the token (Authorization: token ...) from scripts");
    }
    if (status == 403) {
      return new ApiException(403, "Forbidden", "refused " + what + " made with the login cookie without a valid "
          + "_xsrf value (jupyter_server: " + (jupyterMessage.isBlank() ? "Forbidden" : jupyterMessage) + "): send "
          + "the _xsrf cookie's value in an X-XSRFToken header, as JupyterLab does, or the token in an "
          + "Authorization: token ... header");
    }
    return new ApiException(502, "Bad Gateway", "JupyterLab's server answered " + status
        + " when asked to check the request's origin and _xsrf value" + (jupyterMessage.isBlank() ? "" : ": " + jupyterMessage));
  }
}
