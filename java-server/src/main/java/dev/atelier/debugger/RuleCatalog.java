package dev.atelier.debugger;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The built-in rules the rule image runs, by their {@code rule_to_invoke} name, with SageMaker's
 * parameter names and what type each parameter's value must read as. Values are strings in the
 * request (RuleParameters is a map of strings); the types are checked here so that a mistyped
 * parameter is refused at CreateTrainingJob rather than crashing the rule later.
 */
final class RuleCatalog {
  /** How a parameter's string value must read. */
  enum Type {
    INT("a whole number such as 10"),
    FLOAT("a number such as 0.1"),
    BOOL("True or False"),
    REGEX("regular expressions separated by commas"),
    MODE("a mode (TRAIN, EVAL, PREDICT or GLOBAL)"),
    STRING("a string"),
    JSON("a JSON object");

    final String says;

    Type(String says) {
      this.says = says;
    }
  }

  /** What every rule takes, built-in or not (the runner's own parameters). */
  static final Map<String, Type> COMMON = params(
      "rule_to_invoke", Type.STRING, "action_json", Type.JSON, "stop_training_on_fire", Type.BOOL,
      "source_s3_uri", Type.STRING, "training_job_name_prefix", Type.STRING);

  static final Map<String, Map<String, Type>> DEBUGGER = new LinkedHashMap<>();
  static final Map<String, Map<String, Type>> PROFILER = new LinkedHashMap<>();
  /** The report takes {@code <rule>_<parameter>} for each profiler rule it runs. */
  static final String REPORT = "ProfilerReport";

  static {
    DEBUGGER.put("VanishingGradient", params("threshold", Type.FLOAT));
    DEBUGGER.put("ExplodingTensor", params("collection_names", Type.STRING, "tensor_regex", Type.REGEX,
        "only_nan", Type.BOOL));
    DEBUGGER.put("LossNotDecreasing", params("collection_names", Type.STRING, "tensor_regex", Type.REGEX,
        "use_losses_collection", Type.BOOL, "num_steps", Type.INT, "diff_percent", Type.FLOAT,
        "increase_threshold_percent", Type.FLOAT, "mode", Type.MODE));
    DEBUGGER.put("Overfit", params("tensor_regex", Type.REGEX, "start_step", Type.INT, "patience", Type.INT,
        "ratio_threshold", Type.FLOAT));
    DEBUGGER.put("Overtraining", params("patience_train", Type.INT, "patience_validation", Type.INT,
        "delta", Type.FLOAT));
    DEBUGGER.put("PoorWeightInitialization", params("activation_inputs_regex", Type.REGEX, "threshold", Type.FLOAT,
        "distribution_range", Type.FLOAT, "patience", Type.INT, "steps", Type.INT));
    DEBUGGER.put("SaturatedActivation", params("collection_names", Type.STRING, "tensor_regex", Type.REGEX,
        "threshold_tanh_min", Type.FLOAT, "threshold_tanh_max", Type.FLOAT, "threshold_sigmoid_min", Type.FLOAT,
        "threshold_sigmoid_max", Type.FLOAT, "threshold_inactivity", Type.FLOAT, "threshold_layer", Type.FLOAT));
    DEBUGGER.put("DeadRelu", params("tensor_regex", Type.REGEX, "threshold_inactivity", Type.FLOAT,
        "threshold_layer", Type.FLOAT));
    DEBUGGER.put("ClassImbalance", params("threshold_imbalance", Type.FLOAT, "threshold_misprediction", Type.FLOAT,
        "samples", Type.INT, "argmax", Type.BOOL, "labels_regex", Type.REGEX, "predictions_regex", Type.REGEX));
    DEBUGGER.put("TreeDepth", params("depth", Type.FLOAT));
    PROFILER.put("LowCPUUtilization", params("threshold_p95", Type.FLOAT, "threshold_p5", Type.FLOAT,
        "window", Type.INT, "patience", Type.INT, "scan_interval_us", Type.INT));
    PROFILER.put("CPUBottleneck", params("threshold", Type.FLOAT, "gpu_threshold", Type.FLOAT,
        "cpu_threshold", Type.FLOAT, "patience", Type.INT, "scan_interval_us", Type.INT));
    PROFILER.put("IOBottleneck", params("threshold", Type.FLOAT, "gpu_threshold", Type.FLOAT,
        "io_threshold", Type.FLOAT, "patience", Type.INT, "scan_interval_us", Type.INT));
    PROFILER.put("MaxInitializationTime", params("threshold", Type.FLOAT, "scan_interval_us", Type.INT));
    PROFILER.put(REPORT, Map.of());
  }

  /**
   * The type of a ProfilerReport parameter ({@code CPUBottleneck_threshold}: the rule's own
   * parameter), or null when it names no profiler rule's parameter.
   */
  static Type reportParameter(String key) {
    int us = key.indexOf('_');
    if (us < 1) {
      return null;
    }
    for (Map.Entry<String, Map<String, Type>> e : PROFILER.entrySet()) {
      if (!e.getKey().equals(REPORT) && e.getKey().equalsIgnoreCase(key.substring(0, us))) {
        return e.getValue().get(key.substring(us + 1));
      }
    }
    return null;
  }

  private RuleCatalog() {}

  private static Map<String, Type> params(Object... kv) {
    Map<String, Type> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Type) kv[i + 1]);
    }
    return m;
  }

  /** Null when {@code value} reads as {@code type}; otherwise what is wrong, for a person. */
  static String problem(Type type, String value) {
    String v = value.strip();
    switch (type) {
      case INT -> {
        try {
          Long.parseLong(v);
          return null;
        } catch (NumberFormatException e) {
          return "'" + value + "' is not " + type.says;
        }
      }
      case FLOAT -> {
        try {
          double d = Double.parseDouble(v);
          return Double.isNaN(d) ? "'" + value + "' is not " + type.says : null;
        } catch (NumberFormatException e) {
          return "'" + value + "' is not " + type.says;
        }
      }
      case BOOL -> {
        return java.util.Set.of("true", "false", "1", "0", "yes", "no").contains(v.toLowerCase(java.util.Locale.ROOT))
            ? null : "'" + value + "' is not " + type.says;
      }
      case REGEX -> {
        // The rules read a list: each comma-separated part is one expression.
        for (String part : value.split(",")) {
          String problem = part.isBlank() ? null : regexProblem(part.strip());
          if (problem != null) {
            return problem;
          }
        }
        return null;
      }
      case MODE -> {
        return v.isEmpty() || v.equals("None") || java.util.Set.of("TRAIN", "EVAL", "PREDICT", "GLOBAL")
            .contains(v.toUpperCase(java.util.Locale.ROOT)) ? null : "'" + value + "' is not " + type.says;
      }
      case JSON -> {
        try {
          return dev.atelier.http.Json.mapper().readTree(value).isObject() ? null : "'" + value + "' is not " + type.says;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          return "is not " + type.says + ": " + e.getOriginalMessage();
        }
      }
      default -> {
        return null;
      }
    }
  }

  /**
   * Null when the regular expression compiles; otherwise why not. The hook and the rules are
   * Python, so Python's own spellings of named groups are read as Java's before compiling.
   */
  static String regexProblem(String regex) {
    String java = regex.replace("(?P<", "(?<").replaceAll("\\(\\?P=(\\w+)\\)", "\\\\k<$1>");
    try {
      Pattern.compile(java);
      return null;
    } catch (java.util.regex.PatternSyntaxException e) {
      return "'" + regex + "' is not a valid regular expression: " + e.getDescription() + " near index " + e.getIndex();
    }
  }
}
