package dev.atelier.storage;

import dev.atelier.http.ApiException;

/**
 * The object store failed: it cannot be reached, refused the credentials, or answered with an
 * error. The message names the endpoint or the {@code s3://} URI and says what happened. An API
 * call that meets it answers 503: not the client's fault, and worth retrying.
 */
public class ObjectStoreException extends ApiException {
  public ObjectStoreException(String message) {
    this(message, null);
  }

  public ObjectStoreException(String message, Throwable cause) {
    super(503, "Service Unavailable", message, cause);
  }

  protected ObjectStoreException(int status, String reason, String message) {
    super(status, reason, message, null);
  }
}
