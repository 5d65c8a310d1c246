package dev.atelier.runtime;

import dev.atelier.http.ApiException;

/**
 * A runtime could not do what it was asked: an image that is not built, an engine that cannot be
 * reached, a workload that would not start. It carries the HTTP status the one failure handler
 * answers with and a message for a person (what happened, and what to do next), so a missing
 * image reaches the user as a missing image, not as an internal error.
 */
public final class RuntimeFailure extends ApiException {
  /** What went wrong, which decides the status. */
  public enum Kind {
    /** The image named in the request is not on the engine: the caller's to fix (400). */
    IMAGE_MISSING(400, "Bad Request"),
    /** The request cannot be run as given, such as an option this runtime does not offer (400). */
    REFUSED(400, "Bad Request"),
    /** The engine behind the runtime does not answer: nothing the caller can fix (503). */
    ENGINE_UNREACHABLE(503, "Service Unavailable"),
    /** The runtime tried and failed (500). */
    FAILED(500, "Internal Server Error");

    final int status;
    final String reason;

    Kind(int status, String reason) {
      this.status = status;
      this.reason = reason;
    }
  }

  private final Kind kind;

  public RuntimeFailure(Kind kind, String message, Throwable cause) {
    super(kind.status, kind.reason, message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** Whether the caller can fix it (a 4xx), rather than the machine (a 5xx). */
  public boolean callersFault() {
    return status() < 500;
  }

  /** The image is not on the engine; says how Atelier's images are built. */
  public static RuntimeFailure imageMissing(String image) {
    return new RuntimeFailure(Kind.IMAGE_MISSING, "image " + image + " is not built here: run 'bash images/build.sh'"
        + " to build Atelier's images, or load it with docker load", null);
  }

  /** The engine does not answer; {@code why} is the client's own explanation. */
  public static RuntimeFailure engineUnreachable(String engine, Throwable why) {
    return new RuntimeFailure(Kind.ENGINE_UNREACHABLE, "the " + engine + " is not reachable: " + rootMessage(why), why);
  }

  public static RuntimeFailure refused(String message) {
    return new RuntimeFailure(Kind.REFUSED, message, null);
  }

  public static RuntimeFailure failed(String message, Throwable cause) {
    return new RuntimeFailure(Kind.FAILED, message, cause);
  }

  /**
   * The same failure told about the request field that caused it ({@code field: message}); a
   * failure that is not the caller's is returned as it is, since no field is at fault.
   */
  public RuntimeFailure about(String field) {
    return callersFault() ? new RuntimeFailure(kind, field + ": " + getMessage(), getCause()) : this;
  }

  /** The innermost cause's message: docker-java wraps the engine's own words several times. */
  public static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
