package dev.atelier.runtime;

/** The kernel agent refused a request or could not be reached; the message is for a person. */
public final class AgentException extends RuntimeException {
  public AgentException(String message) {
    super(message);
  }
}
