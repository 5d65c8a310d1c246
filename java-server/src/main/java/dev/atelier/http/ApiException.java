package dev.atelier.http;

/**
 * A failure that carries its HTTP status: thrown by business code, turned into a JSON body
 * {@code {"reason", "message"}} by {@link FailureHandler}. The message is for a person.
 */
public class ApiException extends RuntimeException {
  private final int status;
  private final String reason;

  public ApiException(int status, String reason, String message) {
    this(status, reason, message, null);
  }

  public ApiException(int status, String reason, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.reason = reason;
  }

  public int status() {
    return status;
  }

  public String reason() {
    return reason;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, "Bad Request", message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "Not Found", message);
  }

  public static ApiException conflict(String message) {
    return new ApiException(409, "Conflict", message);
  }

  public static ApiException unavailable(String message) {
    return new ApiException(503, "Service Unavailable", message);
  }
}
