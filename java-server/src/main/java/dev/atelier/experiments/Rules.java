package dev.atelier.experiments;

import dev.atelier.experiments.Model.Point;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** MLflow's limits and naming rules, enforced before anything is written. */
final class Rules {
  static final int MAX_METRICS_PER_BATCH = 1_000;
  static final int MAX_PARAMS_TAGS_PER_BATCH = 100;
  static final int MAX_ENTITIES_PER_BATCH = 1_000;
  static final int MAX_KEY_LENGTH = 250;
  static final int MAX_PARAM_VALUE_LENGTH = 6_000;
  static final int MAX_TAG_VALUE_LENGTH = 8_000;
  static final int MAX_EXPERIMENT_NAME_LENGTH = 500;
  static final int MAX_SEARCH_RESULTS = 50_000;

  /** MLflow's characters for metric, param and tag keys: a key is also a path in some stores. */
  private static final Pattern KEY = Pattern.compile("[\\w\\-. /:]+", Pattern.UNICODE_CHARACTER_CLASS);

  private Rules() {}

  static void key(String kind, String key) {
    if (key == null || key.isEmpty()) {
      throw MlflowErrors.missing("key");
    }
    if (!KEY.matcher(key).matches() || key.startsWith("/") || List.of(key.split("/")).contains("..")) {
      throw MlflowErrors.invalid("Invalid " + kind + " name: '" + key + "'. Names may only contain alphanumerics,"
          + " underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/), and may not be a"
          + " path that goes up ('..') or starts with '/'.");
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw MlflowErrors.invalid(kind + " name '" + key.substring(0, 40) + "...' had length " + key.length()
          + ", which exceeded length limit of " + MAX_KEY_LENGTH);
    }
  }

  /** Tag keys are free-form in MLflow apart from length (mlflow.* tags hold dots and more). */
  static void tag(String key, String value) {
    if (key == null || key.isEmpty()) {
      throw MlflowErrors.missing("key");
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw MlflowErrors.invalid("Tag key '" + key.substring(0, 40) + "...' had length " + key.length()
          + ", which exceeded length limit of " + MAX_KEY_LENGTH);
    }
    if (value != null && value.length() > MAX_TAG_VALUE_LENGTH) {
      throw MlflowErrors.invalid("Tag value for key '" + key + "' had length " + value.length()
          + ", which exceeded length limit of " + MAX_TAG_VALUE_LENGTH);
    }
  }

  static void param(String key, String value) {
    key("param", key);
    if (value != null && value.length() > MAX_PARAM_VALUE_LENGTH) {
      throw MlflowErrors.invalid("Param value for key '" + key + "' had length " + value.length()
          + ", which exceeded length limit of " + MAX_PARAM_VALUE_LENGTH);
    }
  }

  static void metric(Point p) {
    key("metric", p.key());
  }

  /** The batch limits, checked before any entry is looked at, and one value per param key. */
  static void batch(int metrics, List<Map.Entry<String, String>> params, int tags) {
    if (metrics > MAX_METRICS_PER_BATCH) {
      throw tooMany(MAX_METRICS_PER_BATCH, "metrics", metrics);
    }
    if (params.size() > MAX_PARAMS_TAGS_PER_BATCH) {
      throw tooMany(MAX_PARAMS_TAGS_PER_BATCH, "params", params.size());
    }
    if (tags > MAX_PARAMS_TAGS_PER_BATCH) {
      throw tooMany(MAX_PARAMS_TAGS_PER_BATCH, "tags", tags);
    }
    int total = metrics + params.size() + tags;
    if (total > MAX_ENTITIES_PER_BATCH) {
      throw MlflowErrors.invalid("A batch logging request can contain at most " + MAX_ENTITIES_PER_BATCH
          + " metrics, params, and tags in total. Got " + total + " in total. Please split up the entries across"
          + " multiple requests and try again.");
    }
    Map<String, String> seen = new HashMap<>();
    for (Map.Entry<String, String> p : params) {
      String before = seen.putIfAbsent(p.getKey(), p.getValue());
      if (before != null && !before.equals(p.getValue())) {
        throw MlflowErrors.invalid("Duplicate parameter keys have been submitted: ['" + p.getKey() + "']. Please"
            + " ensure the request contains only one param value per param key.");
      }
    }
  }

  private static RuntimeException tooMany(int limit, String what, int got) {
    return MlflowErrors.invalid("A batch logging request can contain at most " + limit + " " + what + ". Got " + got
        + " " + what + ". Please split up " + what + " across multiple requests and try again.");
  }

  static int maxResults(Long requested, int dflt, int max) {
    if (requested == null) {
      return dflt;
    }
    if (requested < 1 || requested > max) {
      throw MlflowErrors.invalid("Invalid value " + requested + " for parameter 'max_results' supplied. It must be"
          + " a positive integer at most " + max + ".");
    }
    return requested.intValue();
  }

  static void experimentName(String name) {
    if (name == null || name.isEmpty()) {
      throw MlflowErrors.invalid("Invalid experiment name: '" + (name == null ? "" : name) + "'. An experiment name"
          + " must be a non-empty string.");
    }
    if (name.length() > MAX_EXPERIMENT_NAME_LENGTH) {
      throw MlflowErrors.invalid("Experiment name had length " + name.length() + ", which exceeded length limit of "
          + MAX_EXPERIMENT_NAME_LENGTH);
    }
  }
}
