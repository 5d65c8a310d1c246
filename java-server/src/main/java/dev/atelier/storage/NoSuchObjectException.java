package dev.atelier.storage;

/** No object at the URI (or under the prefix) asked for; the message names it. */
public class NoSuchObjectException extends ObjectStoreException {
  public NoSuchObjectException(String message) {
    super(message);
  }
}
