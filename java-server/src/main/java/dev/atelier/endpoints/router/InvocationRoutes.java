package dev.atelier.endpoints.router;

import dev.atelier.endpoints.router.Routes.Route;
import dev.atelier.endpoints.router.Routes.Variant;
import dev.atelier.http.ApiException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * SageMaker's InvokeEndpoint: {@code POST {base}atelier/api/endpoints/:name/invocations} and, at the
 * API listener's root, {@code POST /endpoints/:name/invocations} (the SageMaker runtime's path). Each
 * request goes to one variant of the endpoint (by weight, or the one named in {@code
 * X-Amzn-SageMaker-Target-Variant}) and to the instance of that variant with the fewest requests in
 * flight, whose {@code POST /invocations} answers it (see {@link Invocation}).
 *
 * <p>Refusals are the server's JSON errors (see {@code FailureHandler}) with the code botocore reads in
 * {@code x-amzn-ErrorType}: unknown endpoint 404, an endpoint neither InService nor Updating 400, an
 * unknown target variant 400, a body over 6 MB 413 (ValidationError); no instance to take the
 * request 503 (ServiceUnavailable). A model's own failure is SageMaker's ModelError (424).
 */
public final class InvocationRoutes {
  /** SageMaker's payload limit for real-time endpoints. */
  static final long MAX_BODY = 6L * 1024 * 1024;
  /** SageMaker's: a container answers an invocation within 60 s. */
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  /**
   * A refused body up to this size is read and dropped, so that a client that sends the whole body
   * before it reads the answer (botocore) gets the 413 rather than a reset connection; a larger one
   * closes the connection.
   */
  static final long DRAIN_LIMIT = 64L * 1024 * 1024;
  static final String TARGET_VARIANT = "X-Amzn-SageMaker-Target-Variant";
  static final String ERROR_TYPE = "x-amzn-ErrorType";
  /** Connections kept per instance: a model server takes one request a worker, the rest queue here. */
  private static final int POOL_PER_INSTANCE = 256;

  private final Vertx vertx;
  private final Routes routes;
  private final VariantMetrics metrics;
  private final Balancer balancer = new Balancer();
  private final HttpClientAgent client;
  private final long timeoutMillis;
  private final InvocationCapture capture;

  public InvocationRoutes(Vertx vertx, Routes routes, VariantMetrics metrics) {
    this(vertx, routes, metrics, InvocationCapture.NONE);
  }

  /** With data capture: {@code capture} is asked about every invocation (see {@link InvocationCapture}). */
  public InvocationRoutes(Vertx vertx, Routes routes, VariantMetrics metrics, InvocationCapture capture) {
    this(vertx, routes, metrics, TIMEOUT, capture);
  }

  InvocationRoutes(Vertx vertx, Routes routes, VariantMetrics metrics, Duration timeout) {
    this(vertx, routes, metrics, timeout, InvocationCapture.NONE);
  }

  InvocationRoutes(Vertx vertx, Routes routes, VariantMetrics metrics, Duration timeout, InvocationCapture capture) {
    this.vertx = vertx;
    this.routes = routes;
    this.metrics = metrics;
    this.capture = capture == null ? InvocationCapture.NONE : capture;
    this.timeoutMillis = timeout.toMillis();
    HttpClientOptions options = new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_1_1)
        .setKeepAlive(true)
        // Below the model server's own keep-alive (gunicorn's 5 s), so that this side closes an
        // idle connection first and never sends on one the container is closing.
        .setKeepAliveTimeout(4)
        .setTcpNoDelay(true)
        .setConnectTimeout(2000)
        // The answer's bytes go to the caller as the container wrote them.
        .setDecompressionSupported(false);
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(POOL_PER_INSTANCE).setMaxWaitQueueSize(-1);
    this.client = vertx.createHttpClient(options, pool);
  }

  /** Mounts {@code {baseUrl}atelier/api/endpoints/:name/invocations}; may be called for several routers. */
  public void mount(Router router, String baseUrl) {
    router.post(baseUrl + "atelier/api/endpoints/:name/invocations").handler(this::invoke);
  }

  /** Mounts {@code /endpoints/:name/invocations}, the SageMaker runtime's path, at the router's root. */
  public void mountRoot(Router router) {
    router.post("/endpoints/:name/invocations").handler(this::invoke);
  }

  /** Closes the connections to the instances. */
  public void close() {
    client.close();
  }

  /** The live routing of endpoints. */
  Routes routes() {
    return routes;
  }

  /** For tests: requests in flight per instance are tracked only while there are some. */
  Balancer balancer() {
    return balancer;
  }

  /** Requests in flight from this server to the instance now (a fleet that leaves the routing waits for 0). */
  public int inFlight(Routes.Instance instance) {
    return balancer.outstanding(instance);
  }

  private void invoke(RoutingContext ctx) {
    long started = System.nanoTime();
    String name = ctx.pathParam("name");
    Route route = routes.route(name);
    if (route == null) {
      refuse(ctx, "ValidationError", ApiException.notFound("endpoint '" + Balancer.abbreviate(String.valueOf(name))
          + "' does not exist: create it (POST endpoints) or check the name (GET endpoints lists them)"));
      return;
    }
    if (!"InService".equals(route.status()) && !"Updating".equals(route.status())
        && !"RollingBack".equals(route.status())) {
      refuse(ctx, "ValidationError", ApiException.badRequest("endpoint '" + name + "' is " + route.status()
          + ": it takes invocations when it is InService (or Updating, or RollingBack)"));
      return;
    }
    Variant variant;
    try {
      variant = Balancer.variant(route, ctx.request().getHeader(TARGET_VARIANT), ThreadLocalRandom.current());
    } catch (ApiException e) {
      refuse(ctx, e.status() == 503 ? "ServiceUnavailable" : "ValidationError", e);
      return;
    }
    long length;
    try {
      length = contentLength(ctx);
    } catch (ApiException e) {
      refuse(ctx, "ValidationError", e);
      return;
    }
    if (length > MAX_BODY) {
      metrics.record(name, variant.name(), VariantMetrics.Outcome.CLIENT_ERROR, -1, 0);
      if (length > DRAIN_LIMIT) {
        ctx.response().putHeader("Connection", "close");
      }
      refuse(ctx, "ValidationError", tooLarge(length));
      return;
    }
    new Invocation(this, ctx, name, variant, started, length).start();
  }

  /** The request's Content-Length, or -1 without one. */
  private static long contentLength(RoutingContext ctx) {
    String header = ctx.request().getHeader("Content-Length");
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("Content-Length: '" + Balancer.abbreviate(header) + "' is not a number");
    }
  }

  static ApiException tooLarge(long length) {
    return new ApiException(413, "Payload Too Large", "the request body is "
        + (length >= 0 ? length + " bytes" : "larger than that") + "; an invocation's body is at most "
        + MAX_BODY + " bytes (6 MB), as on SageMaker: send large inputs to S3 and pass their URI instead");
  }

  /** Fails the request with the code botocore reads from {@code x-amzn-ErrorType}. */
  static void refuse(RoutingContext ctx, String errorType, ApiException e) {
    if (!ctx.response().headWritten()) {
      ctx.response().putHeader(ERROR_TYPE, errorType);
    }
    // The body is not needed: let the connection drain it rather than stall.
    if (!ctx.request().isEnded()) {
      ctx.request().resume();
    }
    ctx.fail(e);
  }

  Vertx vertx() {
    return vertx;
  }

  HttpClientAgent client() {
    return client;
  }

  VariantMetrics metrics() {
    return metrics;
  }

  long timeoutMillis() {
    return timeoutMillis;
  }

  InvocationCapture capture() {
    return capture;
  }
}
