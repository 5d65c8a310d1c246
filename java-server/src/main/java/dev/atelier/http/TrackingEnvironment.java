package dev.atelier.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The variables that point an unmodified MLflow client at this server, set in every kernel and job
 * container Atelier starts, so that {@code import mlflow; mlflow.log_metric(...)} needs no setup.
 */
public final class TrackingEnvironment {
  private static final String API_PATH = "atelier/api/";

  private TrackingEnvironment() {}

  /**
   * The MLflow tracking URI for the API address kernels are given ({@code http://127.0.0.1:8890/atelier/api/}):
   * the same origin with {@code atelier/mlflow} ({@code http://127.0.0.1:8890/atelier/mlflow}), the
   * root the client adds {@code api/2.0/mlflow/...} and {@code api/2.0/mlflow-artifacts/...} to.
   */
  public static String trackingUri(String apiUrl) {
    String base = apiUrl.endsWith(API_PATH) ? apiUrl.substring(0, apiUrl.length() - API_PATH.length())
        : apiUrl.endsWith("/") ? apiUrl : apiUrl + "/";
    return base + "atelier/mlflow";
  }

  /**
   * {@code MLFLOW_TRACKING_URI} and {@code MLFLOW_TRACKING_TOKEN} (which the client sends as
   * {@code Authorization: Bearer}), and {@code MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT}: the client
   * prints a link to the MLflow UI's page of each run it ends, and Atelier has no MLflow UI (its
   * runs are in the Experiments panel); empty while the server does not listen yet ({@code apiUrl} null).
   *
   * @param token today the server's own token, as kernels get it in {@code ATELIER_TOKEN}; once
   *     users have their own (the hub), each kernel and job gets one scoped to its user
   */
  public static Map<String, String> of(String apiUrl, String token) {
    Map<String, String> env = new LinkedHashMap<>();
    if (apiUrl != null) {
      env.put("MLFLOW_TRACKING_URI", trackingUri(apiUrl));
      env.put("MLFLOW_TRACKING_TOKEN", token);
      env.put("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true");
    }
    return env;
  }
}
