package dev.atelier.storage;

import io.minio.errors.ErrorResponseException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Set;

/** Turns the SDK's failures into {@link ObjectStoreException}s a person can act on. */
final class Failures {
  private static final Set<String> MISSING = Set.of("NoSuchKey", "NoSuchBucket", "NoSuchUpload");
  private static final Set<String> REFUSED = Set.of(
      "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken");
  /** What S3 and MinIO answer for a key they will not hold: the caller's input, so a 400. */
  private static final Set<String> BAD_KEY = Set.of("XMinioInvalidObjectName", "InvalidObjectName", "KeyTooLongError");

  private Failures() {}

  static ObjectStoreException of(String endpoint, ObjectStore.S3Uri at, ErrorResponseException e) {
    String code = e.errorResponse().code();
    String detail = e.errorResponse().message();
    if (MISSING.contains(code)) {
      return new NoSuchObjectException(("NoSuchBucket".equals(code) ? "no such bucket: s3://" + at.bucket() + "/ (for "
          : "no such object: ") + at + ("NoSuchBucket".equals(code) ? ")" : ""));
    }
    if (BAD_KEY.contains(code)) {
      return InvalidObjectKeyException.invalid("'" + at + "': the object store at " + endpoint
          + " cannot hold this key: " + code + (detail == null ? "" : " (" + detail + ")"));
    }
    if (REFUSED.contains(code)) {
      return new ObjectStoreException("the object store at " + endpoint + " refused the request for " + at
          + ": " + code + (detail == null ? "" : " (" + detail + ")") + "; check the access and secret keys", e);
    }
    return new ObjectStoreException("the object store at " + endpoint + " answered " + code
        + (detail == null ? "" : " (" + detail + ")") + " for " + at, e);
  }

  static ObjectStoreException io(String endpoint, ObjectStore.S3Uri at, IOException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (e instanceof ConnectException || root instanceof ConnectException || e instanceof UnknownHostException
        || root instanceof UnknownHostException) {
      return new ObjectStoreException("the object store at " + endpoint + " cannot be reached: " + message(root), e);
    }
    if (e instanceof SocketTimeoutException || root instanceof SocketTimeoutException) {
      return new ObjectStoreException("the object store at " + endpoint + " did not answer in time (" + at + ")", e);
    }
    return new ObjectStoreException("the object store at " + endpoint + " failed on " + at + ": " + message(e), e);
  }

  private static String message(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
