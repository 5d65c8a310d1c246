package dev.atelier.http;

/**
 * A failure that carries its HTTP status: thrown by business code, turned into a JSON body
 * {@code {"reason", "message"}} by {@link FailureHandler}. The message is for a person. An API that
 * promises machine-readable codes (MLflow's {@code RESOURCE_DOES_NOT_EXIST}, ...) adds one with
 * {@link #withErrorCode}; the body then carries it as {@code error_code}.
 */
public class ApiException extends RuntimeException {
  private final int status;
  private final String reason;
  private String errorCode;

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

  /** The code the body carries as {@code error_code}, or null. */
  public String errorCode() {
    return errorCode;
  }

  /** Sets the machine-readable code the body carries as {@code error_code}; returns this. */
  public ApiException withErrorCode(String code) {
    this.errorCode = code;
    return this;
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
