package dev.atelier.endpoints.router;

import dev.atelier.endpoints.router.Routes.Instance;
import dev.atelier.endpoints.router.Routes.Variant;
import dev.atelier.endpoints.router.VariantMetrics.Outcome;
import dev.atelier.http.ApiException;
import dev.atelier.http.LogText;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One invocation, on the caller's event loop from start to end. The body is read first (at most 6
 * MB, as SageMaker does before it calls a container), so that it can be sent again: a connection
 * that fails before the container answered is tried once more on another healthy instance of the
 * variant (the same one when it is the only one), then answered 503. The container's answer is piped
 * to the caller as it arrives, with its Content-Type and Custom-Attributes; a non-2xx answer becomes
 * SageMaker's ModelError (424) with OriginalStatusCode and OriginalMessage; no answer within the
 * timeout, a 408 of the same shape.
 */
final class Invocation {
  private static final Logger LOG = LoggerFactory.getLogger(Invocation.class);
  /** Request headers the SageMaker runtime hands to the container. */
  private static final List<String> PASSED = List.of("Content-Type", "Accept",
      "X-Amzn-SageMaker-Custom-Attributes", "X-Amzn-SageMaker-Inference-Id");
  static final String CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes";
  static final String INVOKED_VARIANT = "X-Amzn-Invoked-Production-Variant";

  private final InvocationRoutes owner;
  private final RoutingContext ctx;
  private final String endpoint;
  /** The variant drawn for it; drawn again from the current routing when its instance fails. */
  private Variant variant;
  private final long started;
  private final long length;
  /** When the invocation arrived, for a captured one. */
  private java.time.Instant arrived;
  private Buffer body;
  private long received;
  private boolean refused;
  private Instance instance;
  private HttpClientRequest outgoing;
  private long sentAt;
  private long answeredAt;
  private long timer = -1;
  private boolean done;
  /** Whether data capture wants this invocation; then the answer's bytes are copied as they stream. */
  private boolean capturing;
  private CopyingStream copying;

  Invocation(InvocationRoutes owner, RoutingContext ctx, String endpoint, Variant variant, long started, long length) {
    this.owner = owner;
    this.ctx = ctx;
    this.endpoint = endpoint;
    this.variant = variant;
    this.started = started;
    this.length = length;
  }

  /** Reads the body, counting its bytes (a chunked one has no length up front), then sends it. */
  void start() {
    HttpServerRequest request = ctx.request();
    capturing = sampled();
    if (capturing) {
      arrived = java.time.Instant.now();
    }
    body = Buffer.buffer(length >= 0 ? (int) length : 4096);
    ctx.response().closeHandler(v -> abandon());
    ctx.response().exceptionHandler(e -> abandon()); // a caller gone mid-answer: expected, not an error
    if (request.isEnded()) {
      send(null);
      return;
    }
    request.handler(chunk -> {
      received += chunk.length();
      if (refused) {
        if (received > InvocationRoutes.DRAIN_LIMIT) {
          request.connection().close(); // not worth reading to its end
        }
        return;
      }
      if (received > InvocationRoutes.MAX_BODY) {
        refused = true;
        body = null;
        done = true;
        record(Outcome.CLIENT_ERROR, -1, 0);
        InvocationRoutes.refuse(ctx, "ValidationError", InvocationRoutes.tooLarge(-1));
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(e -> abandon());
    if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
      ctx.response().writeContinue(); // curl waits a second for it before a body over 1 MB
    }
    request.endHandler(v -> {
      if (!refused) {
        send(null);
      }
    });
    request.resume();
  }

  /** Sends the body to an instance of the variant other than {@code failed} (when there is one). */
  private void send(Instance failed) {
    if (done) {
      return;
    }
    Instance next = owner.balancer().instance(variant, failed, ThreadLocalRandom.current());
    if (next == null) {
      unavailable("variant '" + variant.name() + "' of endpoint '" + endpoint + "' has no healthy instance");
      return;
    }
    instance = next;
    owner.balancer().acquire(next);
    if (timer < 0) {
      timer = owner.vertx().setTimer(owner.timeoutMillis(), id -> timeout());
    }
    sentAt = System.nanoTime();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(next.port()).setURI("/invocations");
    MultiMap in = ctx.request().headers();
    for (String h : PASSED) {
      String value = in.get(h);
      if (value != null) {
        options.putHeader(h, value);
      }
    }
    Instance attempt = next;
    owner.client().request(options)
        .compose(r -> {
          if (done) {
            r.reset();
            return io.vertx.core.Future.<HttpClientResponse>failedFuture("the invocation ended before it was sent");
          }
          outgoing = r;
          r.exceptionHandler(ignored -> {}); // a reset is ours; failures arrive through send's future
          return r.send(body);
        })
        .onSuccess(response -> answered(attempt, response))
        .onFailure(e -> connectionFailed(attempt, failed, e));
  }

  private void connectionFailed(Instance attempt, Instance failedBefore, Throwable e) {
    ended(attempt);
    outgoing = null;
    if (done) {
      return;
    }
    if (failedBefore == null) {
      LOG.info("invocation of {}/{}: instance {} (port {}) failed before answering ({}); trying again",
          LogText.of(endpoint), variant.name(), attempt.id(), attempt.port(), LogText.of(describe(e)));
      redraw(attempt);
      send(attempt);
      return;
    }
    unavailable("variant '" + variant.name() + "' of endpoint '" + endpoint + "' could not be reached: instance "
        + attempt.id() + " failed (" + describe(e) + ")" + (attempt.equals(failedBefore) ? " twice"
            : ", and so did instance " + failedBefore.id() + " before it")
        + "; the endpoint's instances may be restarting, try again in a moment");
  }

  /** Before the one retry: the variant again from the endpoint's routing now (see {@link Balancer#redraw}). */
  private void redraw(Instance failed) {
    variant = Balancer.redraw(owner.routes().route(endpoint), ctx.request().getHeader(InvocationRoutes.TARGET_VARIANT),
        variant, failed, ThreadLocalRandom.current());
  }

  private void answered(Instance attempt, HttpClientResponse response) {
    // The reset that ends an abandoned exchange reaches the answer as an exception: ours, expected.
    quiet(response);
    if (done) {
      ended(attempt);
      resetOutgoing();
      return;
    }
    if (response.statusCode() / 100 != 2) {
      modelFailed(attempt, response);
      return;
    }
    HttpServerResponse out = ctx.response();
    out.setStatusCode(200).putHeader(INVOKED_VARIANT, variant.name());
    copy(response, out, "Content-Type");
    copy(response, out, CUSTOM_ATTRIBUTES);
    // As the container wrote it: the listener's compression would hold each answer up on the event
    // loop (and SageMaker's runtime does not compress either). Vert.x drops "identity" as it sends.
    String encoding = response.getHeader("Content-Encoding");
    out.putHeader("Content-Encoding", encoding != null ? encoding : "identity");
    String contentLength = response.getHeader("Content-Length");
    if (contentLength != null) {
      out.putHeader("Content-Length", contentLength);
    } else {
      out.setChunked(true);
    }
    response.end().onComplete(ar -> answeredAt = System.nanoTime());
    CopyingStream source = new CopyingStream(response, capturing ? InvocationRoutes.MAX_BODY : -1);
    copying = capturing ? source : null;
    String responseType = response.getHeader("Content-Type");
    // Not ended on a failure: a broken-off answer must not reach the caller as a complete one.
    source.pipe().endOnFailure(false).to(out).onComplete(ar -> {
      ended(attempt);
      if (ar.failed()) {
        quiet(response); // the pipe has let go of the answer; the reset below reaches it
      }
      if (ar.failed() && !done) {
        // A write to a caller that reset its connection can fail before the response knows it is
        // closed: the side that failed is the one whose stream did, not whether the response is closed.
        if (!source.sourceFailed() || out.closed()) {
          abandon(); // the caller went away mid-answer
          return;
        }
        // The container broke off its answer: the caller cannot be told more.
        LOG.info("invocation of {}/{}: instance {} broke off its answer: {}", LogText.of(endpoint), variant.name(),
            attempt.id(), LogText.of(describe(ar.cause())));
        done = true;
        resetOutgoing();
        out.reset();
        record(Outcome.SERVER_ERROR, -1, 0);
        return;
      }
      finish(Outcome.OK);
      captured(responseType);
    });
  }

  /** Whether data capture wants this invocation; a failing capture never fails an invocation. */
  private boolean sampled() {
    try {
      return owner.capture().sample(endpoint);
    } catch (RuntimeException e) {
      LOG.warn("data capture of {}: {}", LogText.of(endpoint), LogText.of(describe(e)));
      return false;
    }
  }

  /** Hands a successful invocation to data capture when it wanted this one. */
  private void captured(String responseType) {
    if (copying == null) {
      return;
    }
    byte[] answer = copying.copy();
    copying = null;
    if (answer == null) {
      return; // longer than the limit: not captured
    }
    try {
      owner.capture().captured(new InvocationCapture.Captured(endpoint, variant.name(),
          ctx.request().getHeader("X-Amzn-SageMaker-Inference-Id"), ctx.request().getHeader("Content-Type"),
          body == null ? new byte[0] : body.getBytes(), responseType, answer, arrived));
    } catch (RuntimeException e) {
      LOG.warn("data capture of {}: {}", LogText.of(endpoint), LogText.of(describe(e)));
    }
  }

  /** A non-2xx answer: ModelError with what the container said. */
  private void modelFailed(Instance attempt, HttpClientResponse response) {
    int status = response.statusCode();
    ModelError.read(response, original -> {
      answeredAt = System.nanoTime();
      ended(attempt);
      if (done) {
        return;
      }
      String kind = status >= 400 && status < 500 ? "client" : "server";
      LOG.info("invocation of {}/{}: instance {} answered {}", LogText.of(endpoint), variant.name(), attempt.id(), status);
      ModelError.answer(ctx, 424, variant.name(), status, original, "Received " + kind + " error (" + status
          + ") from variant '" + variant.name() + "' (instance " + attempt.id() + ") with message \"" + original
          + "\". See the instance's log for more information.");
      finish(status >= 400 && status < 500 ? Outcome.CLIENT_ERROR : Outcome.SERVER_ERROR);
    });
  }

  private void timeout() {
    timer = -1;
    if (done) {
      return;
    }
    done = true; // first: the reset below fails the exchange, which must not be tried again
    Instance slow = instance;
    resetOutgoing();
    if (slow != null) {
      LOG.info("invocation of {}/{}: instance {} did not answer within {} ms", LogText.of(endpoint), variant.name(),
          slow.id(), owner.timeoutMillis());
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      record(Outcome.SERVER_ERROR, -1, 0);
      return;
    }
    ctx.response().headers().clear(); // the container's, if its answer's head came but no byte of it
    ModelError.answer(ctx, 408, variant.name(), 0, "", "Your invocation timed out while waiting for a response from variant '"
        + variant.name() + "'" + (slow == null ? "" : " (instance " + slow.id() + ")") + ": the model must"
        + " answer within " + owner.timeoutMillis() / 1000.0 + " s. Check the instance's log and its latency metrics.");
    record(Outcome.SERVER_ERROR, -1, 0);
  }

  private void unavailable(String message) {
    done = true;
    cancelTimer();
    record(Outcome.SERVER_ERROR, -1, 0);
    InvocationRoutes.refuse(ctx, "ServiceUnavailable", ApiException.unavailable(message));
  }

  /** The exchange with the instance is over: it has one request fewer in flight. */
  private void ended(Instance attempt) {
    if (attempt == instance) {
      owner.balancer().release(attempt);
      instance = null;
    }
  }

  /** The answer is out: the timer goes and the invocation counts. */
  private void finish(Outcome outcome) {
    if (done) {
      return;
    }
    done = true;
    cancelTimer();
    long end = System.nanoTime();
    long answered = answeredAt > 0 ? answeredAt : end;
    long model = Math.max(0, (answered - sentAt) / 1000);
    long total = Math.max(0, (end - started) / 1000);
    record(outcome, model, Math.max(0, total - model));
  }

  /**
   * The caller went away before its whole answer (a client's timeout, a closed notebook): an
   * everyday event, counted as abandoned, not as an error. The exchange with the instance stops.
   */
  private void abandon() {
    if (done) {
      return;
    }
    done = true;
    cancelTimer();
    LOG.debug("invocation of {}/{}: the caller went away before its answer", LogText.of(endpoint), variant.name());
    resetOutgoing();
    record(Outcome.ABANDONED, -1, 0);
  }

  /** Handles the answer's exceptions from now on, unless it has been read to its end already. */
  private void quiet(HttpClientResponse response) {
    try {
      response.exceptionHandler(this::resetSeen);
    } catch (IllegalStateException ended) {
      // Read to its end: nothing more can fail on it.
    }
  }

  /** The container's answer failed once the exchange had ended on this side (our own reset). */
  private void resetSeen(Throwable e) {
    LOG.debug("invocation of {}/{}: the answer ended after the exchange: {}", LogText.of(endpoint), variant.name(),
        LogText.of(describe(e)));
  }

  private void resetOutgoing() {
    HttpClientRequest r = outgoing;
    outgoing = null;
    if (r != null) {
      r.reset();
    }
  }

  private void cancelTimer() {
    if (timer >= 0) {
      owner.vertx().cancelTimer(timer);
      timer = -1;
    }
  }

  /** Counts the invocation in the variant's metrics and, for a new fleet's variant, in its window. */
  private void record(Outcome outcome, long modelMicros, long overheadMicros) {
    owner.metrics().record(endpoint, variant.name(), outcome, modelMicros, overheadMicros);
    FleetWindow window = variant.window();
    if (window != null) {
      window.record(outcome, modelMicros);
    }
  }

  private static String describe(Throwable e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static void copy(HttpClientResponse from, HttpServerResponse to, String header) {
    String value = from.getHeader(header);
    if (value != null) {
      to.putHeader(header, value);
    }
  }
}
