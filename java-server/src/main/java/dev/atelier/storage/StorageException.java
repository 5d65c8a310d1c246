package dev.atelier.storage;

/** The metadata store failed: the message says which store and why. */
public final class StorageException extends RuntimeException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
