package dev.atelier.storage;

/**
 * The object store failed: it cannot be reached, refused the credentials, or answered with an
 * error. The message names the endpoint or the {@code s3://} URI and says what happened.
 */
public class ObjectStoreException extends RuntimeException {
  public ObjectStoreException(String message) {
    super(message);
  }

  public ObjectStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
