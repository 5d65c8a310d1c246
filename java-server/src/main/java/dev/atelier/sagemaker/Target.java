package dev.atelier.sagemaker;

import java.util.Set;

/**
 * What an {@code X-Amz-Target} header names: the service by its target prefix ({@code SageMaker},
 * {@code Logs_20140328}) and the operation after the dot. The service decides the signing name a
 * request must be scoped to.
 */
record Target(String raw, String service, String operation) {
  static final String SAGEMAKER = "sagemaker";
  static final String LOGS = "logs";

  /** The target of a header value; an unknown or missing one has a null service. */
  static Target parse(String header) {
    if (header == null) {
      return new Target("", null, null);
    }
    String h = header.trim();
    int dot = h.indexOf('.');
    if (dot <= 0 || dot == h.length() - 1) {
      return new Target(h, null, null);
    }
    String prefix = h.substring(0, dot);
    String service = switch (prefix) {
      case "SageMaker" -> SAGEMAKER;
      case "Logs_20140328" -> LOGS;
      default -> null;
    };
    return new Target(h, service, service == null ? null : h.substring(dot + 1));
  }

  /** The signing names a request with this target may be scoped to. */
  Set<String> signingNames() {
    return service == null ? Set.of(SAGEMAKER, LOGS) : Set.of(service);
  }
}
