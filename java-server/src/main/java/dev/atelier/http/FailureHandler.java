package dev.atelier.http;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single place where failures become HTTP answers: JSON {@code {"reason", "message"}}
 * (JupyterLab shows {@code message}), with {@code error_code} when the failure carries one; 4xx and a
 * deliberate 501 logged briefly, other 5xx with the stack trace; never a stack
 * trace to the client.
 */
public final class FailureHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

  @Override
  public void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    while ((failure instanceof java.util.concurrent.CompletionException
        || failure instanceof java.util.concurrent.ExecutionException) && failure.getCause() != null) {
      failure = failure.getCause();
    }
    int status;
    String reason;
    String message;
    String errorCode = null;
    if (failure instanceof ApiException api) {
      errorCode = api.errorCode();
      status = api.status();
      reason = api.reason();
      message = api.getMessage();
    } else if (failure instanceof HttpException http) {
      status = http.getStatusCode();
      reason = reasonPhrase(status);
      message = http.getPayload() != null ? http.getPayload() : defaultMessage(status);
    } else if (failure != null && failure.getClass().getName().startsWith("io.netty.handler.codec.http.multipart.")) {
      // The body was sent as a form (a Content-Type such as multipart/form-data) that the body handler
      // could not decode: the caller's request, not a server fault. The API reads JSON bodies.
      status = 400;
      reason = reasonPhrase(status);
      message = "the request body could not be read as the form its Content-Type says it is: send JSON"
          + " (Content-Type: application/json)";
    } else if (failure == null) {
      status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      reason = reasonPhrase(status);
      message = defaultMessage(status);
    } else {
      status = 500;
      reason = "Internal Server Error";
      message = "internal error: " + failure.getClass().getSimpleName()
          + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
    }
    // The path and the message can quote what the caller sent: escaped, so that it cannot add lines to the log.
    String request = ctx.request().method() + " " + LogText.of(ctx.request().path());
    if (status == 501 && failure instanceof ApiException) {
      // A deliberate answer (a feature this server does not offer, such as MLflow's presigned
      // uploads, on which the client falls back): one line, no stack trace.
      LOG.info("{} -> {} {}", request, status, LogText.of(message));
    } else if (status >= 500) {
      LOG.error("{} -> {}", request, status, LogText.failure(failure));
    } else {
      LOG.info("{} -> {} {}", request, status, LogText.of(message));
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    JsonObject body = new JsonObject();
    if (errorCode != null) {
      body.put("error_code", errorCode);
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(body.put("reason", reason).put("message", message).encode());
  }

  private static String defaultMessage(int status) {
    return switch (status) {
      case 401 -> "a valid token is required: send 'Authorization: token <token>'";
      case 404 -> "no such resource";
      case 405 -> "method not allowed on this resource";
      case 413 -> "request body is too large";
      default -> reasonPhrase(status);
    };
  }

  static String reasonPhrase(int status) {
    return io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
  }
}
