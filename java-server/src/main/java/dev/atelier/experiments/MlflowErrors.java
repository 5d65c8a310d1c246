package dev.atelier.experiments;

import dev.atelier.http.ApiException;

/**
 * MLflow's error codes with the HTTP statuses its tracking server answers them with, so that the
 * MLflow client raises the same {@code MlflowException} against Atelier as against MLflow.
 */
public final class MlflowErrors {
  public static final String INVALID_PARAMETER_VALUE = "INVALID_PARAMETER_VALUE";
  public static final String RESOURCE_DOES_NOT_EXIST = "RESOURCE_DOES_NOT_EXIST";
  public static final String RESOURCE_ALREADY_EXISTS = "RESOURCE_ALREADY_EXISTS";
  public static final String BAD_REQUEST = "BAD_REQUEST";

  private MlflowErrors() {}

  /** 400 INVALID_PARAMETER_VALUE: the request names something wrongly or breaks a rule. */
  public static ApiException invalid(String message) {
    return new ApiException(400, "Bad Request", message).withErrorCode(INVALID_PARAMETER_VALUE);
  }

  /** 404 RESOURCE_DOES_NOT_EXIST. */
  public static ApiException notFound(String message) {
    return new ApiException(404, "Not Found", message).withErrorCode(RESOURCE_DOES_NOT_EXIST);
  }

  /** 400 RESOURCE_ALREADY_EXISTS, as MLflow answers a second experiment of the same name. */
  public static ApiException exists(String message) {
    return new ApiException(400, "Bad Request", message).withErrorCode(RESOURCE_ALREADY_EXISTS);
  }

  static ApiException missing(String field) {
    return invalid("Missing value for required parameter '" + field + "'. See the API docs for more information"
        + " about request parameters.");
  }

  static ApiException noExperiment(String id) {
    return notFound("No Experiment with id=" + id + " exists");
  }

  static ApiException noRun(String id) {
    return notFound("Run with id=" + id + " not found");
  }
}
