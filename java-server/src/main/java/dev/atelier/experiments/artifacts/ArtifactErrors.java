package dev.atelier.experiments.artifacts;

import dev.atelier.http.ApiException;
import dev.atelier.storage.InvalidObjectKeyException;
import dev.atelier.storage.NoSuchObjectException;

/**
 * The artifact routes' failures in MLflow's terms: its HTTP statuses and its error codes
 * ({@code INVALID_PARAMETER_VALUE}, {@code RESOURCE_DOES_NOT_EXIST}, ...), carried by an
 * {@link ApiException} so that the server's one failure handler writes them.
 */
final class ArtifactErrors {
  static final String INVALID_PARAMETER_VALUE = "INVALID_PARAMETER_VALUE";
  static final String RESOURCE_DOES_NOT_EXIST = "RESOURCE_DOES_NOT_EXIST";
  static final String NOT_IMPLEMENTED = "NOT_IMPLEMENTED";

  private ArtifactErrors() {}

  static ApiException invalid(String message) {
    return error(400, "Bad Request", INVALID_PARAMETER_VALUE, message);
  }

  static ApiException missing(String message) {
    return error(404, "Not Found", RESOURCE_DOES_NOT_EXIST, message);
  }

  static ApiException notImplemented(String message) {
    return error(501, "Not Implemented", NOT_IMPLEMENTED, message);
  }

  /** A store's failure as MLflow names it; other failures (the store unreachable: 503) as they are. */
  static Throwable of(Throwable failure) {
    if (failure instanceof NoSuchObjectException e) {
      return missing(e.getMessage());
    }
    if (failure instanceof InvalidObjectKeyException e) {
      // Also the 409 of a store that keeps objects as files (an artifact where a folder is):
      // MLflow answers a path it cannot store with INVALID_PARAMETER_VALUE.
      return invalid(e.getMessage());
    }
    return failure;
  }

  private static ApiException error(int status, String reason, String code, String message) {
    return new ApiException(status, reason, message).withErrorCode(code);
  }
}
