package dev.atelier.sagemaker;

/**
 * A refusal in AWS's JSON 1.1 error shape: {@code {"__type": code, "message"}} with an HTTP status.
 * botocore reads the error code only from {@code __type}, so the code is what clients and waiters
 * match on ({@code ValidationException}, {@code ResourceInUse}, {@code InvalidSignatureException}).
 */
final class AwsException extends RuntimeException {
  private final int status;
  private final String code;

  AwsException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  /** Input the service rejects: the message names the field. */
  static AwsException validation(String message) {
    return new AwsException(400, "ValidationException", message);
  }

  /** The answer SageMaker gives for a job it does not know, which the SDK's waiters match on. */
  static AwsException notFound() {
    return validation("Requested resource not found.");
  }
}
