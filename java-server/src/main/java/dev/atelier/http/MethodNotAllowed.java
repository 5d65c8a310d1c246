package dev.atelier.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The last handler of a router: a request no route took is a 405 with {@code Allow} when its path
 * is served under other methods (as tornado, and so jupyter_server and Kernel Gateway, answer
 * {@code PUT /api/kernels}), and a 404 otherwise. Vert.x would answer 405 itself, but a router
 * whose last route catches everything for a JSON 404 never gets there.
 */
public final class MethodNotAllowed implements Handler<RoutingContext> {
  private final Router router;
  private final Map<String, Pattern> patterns = new ConcurrentHashMap<>();

  public MethodNotAllowed(Router router) {
    this.router = router;
  }

  @Override
  public void handle(RoutingContext ctx) {
    // The path the routes were matched against ("a/b/.." is "a"), so a request whose normalized path
    // no route serves is a 404 even when its raw form looks like a served path.
    String path = ctx.normalizedPath();
    Set<String> allowed = allowed(path);
    String asked = ctx.request().method().name();
    if (allowed.isEmpty() || allowed.contains(asked)) {
      ctx.fail(ApiException.notFound("no such resource: " + asked + " " + path));
      return;
    }
    String allow = String.join(", ", allowed);
    ctx.response().putHeader("Allow", allow);
    ctx.fail(new ApiException(405, "Method Not Allowed", asked + " is not allowed on " + path + "; allowed: " + allow));
  }

  /** The methods the router serves this path with, in alphabetical order; empty when it serves none. */
  Set<String> allowed(String path) {
    Set<String> methods = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      Set<HttpMethod> served = route.methods();
      String template = route.getPath();
      if (served == null || served.isEmpty() || template == null) {
        continue; // handlers for every method (auth, fallbacks) and regex routes say nothing here
      }
      if (patterns.computeIfAbsent(template, MethodNotAllowed::compile).matcher(path).matches()) {
        served.forEach(m -> methods.add(m.name()));
      }
    }
    return methods;
  }

  /** {@code /api/kernels/:id} -> {@code /api/kernels/[^/]+}, as Vert.x matches path parameters. */
  private static Pattern compile(String template) {
    java.util.List<String> parts = new java.util.ArrayList<>();
    for (String segment : template.split("/", -1)) {
      parts.add(segment.startsWith(":") ? "[^/]+" : Pattern.quote(segment));
    }
    return Pattern.compile(String.join("/", parts));
  }
}
