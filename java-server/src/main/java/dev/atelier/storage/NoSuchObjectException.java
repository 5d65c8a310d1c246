package dev.atelier.storage;

/** No object (or bucket) matches: the message names the {@code s3://} URI. Answers 404. */
public class NoSuchObjectException extends ObjectStoreException {
  public NoSuchObjectException(String message) {
    super(404, "Not Found", message);
  }
}
