package dev.atelier.storage;

/** The object store failed: unreachable, refused the credentials, or another error its message names. */
public class ObjectStoreException extends RuntimeException {
  public ObjectStoreException(String message) {
    super(message);
  }

  public ObjectStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
