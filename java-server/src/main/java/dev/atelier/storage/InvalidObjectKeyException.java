package dev.atelier.storage;

/**
 * The store cannot hold a key as itself: 400 saying why ({@link KeyPolicy}), or 409 when another
 * object's key is in the way (an object {@code a/b} where {@code a/b/c} should become a folder, on
 * a store that keeps objects as files). The caller's input, never the store's failure: not a 503.
 */
public final class InvalidObjectKeyException extends ObjectStoreException {
  private InvalidObjectKeyException(int status, String reason, String message) {
    super(status, reason, message);
  }

  public static InvalidObjectKeyException invalid(String message) {
    return new InvalidObjectKeyException(400, "Bad Request", message);
  }

  public static InvalidObjectKeyException conflict(String message) {
    return new InvalidObjectKeyException(409, "Conflict", message);
  }
}
