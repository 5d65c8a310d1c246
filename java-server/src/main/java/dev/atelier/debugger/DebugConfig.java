package dev.atelier.debugger;

import static dev.atelier.jobs.Fields.bad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.jobs.Fields;
import dev.atelier.jobs.TrainingCompanion;
import dev.atelier.storage.KeyPolicy;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The debugger's part of a CreateTrainingJob request, validated with SageMaker's shapes and limits
 * ({@code DebugHookConfig}, {@code DebugRuleConfigurations}, {@code ProfilerConfig},
 * {@code ProfilerRuleConfigurations}), each error naming its field.
 *
 * @param hook the DebugHookConfig the container is given ({@code debughookconfig.json}), defaults
 *     filled in; null when the job saves no tensors
 * @param localPath where the container writes tensors
 * @param tensorsUri where they are uploaded: {@code <S3OutputPath>/<job>/debug-output}, as SageMaker
 *     keeps them (the sagemaker SDK's {@code latest_job_debugger_artifacts_path()})
 * @param profiler the profiler's settings, null when it is off
 */
record DebugConfig(ObjectNode hook, String localPath, S3Uri tensorsUri, List<RuleConfigs.Rule> rules,
    Profiler profiler, List<RuleConfigs.Rule> profilerRules) {

  static final String DEFAULT_LOCAL_PATH = "/opt/ml/output/tensors";
  /** SageMaker's profiling intervals. */
  static final Set<Long> INTERVALS = Set.of(100L, 200L, 500L, 1000L, 5000L, 60000L);
  private static final Pattern CONFIG_KEY = Pattern.compile(".{1,256}");
  /** Container paths the job's own contract uses, which tensors must not be written over. */
  private static final List<String> RESERVED = List.of("/opt/ml/input", "/opt/ml/model", "/opt/ml/code",
      "/opt/ml/checkpoints", "/opt/ml/output/data");

  /**
   * @param config the ProfilerConfig the container is given ({@code profilerconfig.json}), defaults filled in
   * @param base the profiler's S3OutputPath: samples go to {@code base/<job>/profiler-output/}
   */
  record Profiler(long intervalMillis, S3Uri base, ObjectNode config) {}

  /** Whether the request asks for anything of the debugger. */
  boolean any() {
    return hook != null || profiler != null || !rules.isEmpty() || !profilerRules.isEmpty();
  }

  /**
   * @param defaultBucket the server's default bucket, which debugger output may always go to
   * @param builtInImage the image that runs the built-in rules
   */
  static DebugConfig parse(TrainingCompanion.Request r, String defaultBucket, String builtInImage) {
    JsonNode body = r.body();
    Set<String> buckets = new java.util.LinkedHashSet<>(List.of(defaultBucket, r.outputPath().bucket()));
    RuleConfigs rules = new RuleConfigs(r, buckets, builtInImage);
    List<RuleConfigs.Rule> debugRules = rules.parse("DebugRuleConfigurations", "debugger");
    List<RuleConfigs.Rule> profilerRules = rules.parse("ProfilerRuleConfigurations", "profiler");
    Set<String> names = new HashSet<>();
    for (RuleConfigs.Rule rule : concat(debugRules, profilerRules)) {
      if (!names.add(rule.name())) {
        throw bad(rule.field() + ".RuleConfigurationName", "'" + rule.name() + "' names two rules; each rule"
            + " configuration needs a name of its own");
      }
    }

    ObjectNode hook = null;
    String localPath = DEFAULT_LOCAL_PATH;
    S3Uri tensors = null;
    JsonNode h = Fields.object(body, "DebugHookConfig", "", false);
    if (h != null || !debugRules.isEmpty()) {
      hook = h == null ? Json.mapper().createObjectNode() : ((ObjectNode) h).deepCopy();
      String p = "DebugHookConfig";
      Fields.onlyKnown(hook, p, Set.of("S3OutputPath", "LocalPath", "HookParameters", "CollectionConfigurations"));
      S3Uri base;
      if (h != null) {
        base = output(hook, "S3OutputPath", p, true, r.keys(), buckets);
      } else {
        base = r.outputPath();
        hook.put("S3OutputPath", base.toString());
      }
      tensors = tensorsUri(base, r.jobName());
      Fields.below(tensors, "index/000000000000/000000000000_worker_0.json", p + ".S3OutputPath", r.keys());
      String lp = Fields.string(hook, "LocalPath", p, false, 4096);
      if (lp != null && !lp.isEmpty()) {
        localPath = localPath(lp, p + ".LocalPath");
      }
      hook.put("LocalPath", localPath);
      hookParameters(Fields.stringMap(hook, "HookParameters", p, 20, 256, 256, CONFIG_KEY), p + ".HookParameters");
      collections(hook, p);
    }
    return new DebugConfig(hook, localPath, tensors, debugRules, profiler(r, buckets, profilerRules), profilerRules);
  }

  private static Profiler profiler(TrainingCompanion.Request r, Set<String> buckets, List<RuleConfigs.Rule> rules) {
    JsonNode c = Fields.object(r.body(), "ProfilerConfig", "", false);
    String p = "ProfilerConfig";
    if (c == null && rules.isEmpty()) {
      return null;
    }
    ObjectNode config = c == null ? Json.mapper().createObjectNode() : ((ObjectNode) c).deepCopy();
    Fields.onlyKnown(config, p, Set.of("S3OutputPath", "ProfilingIntervalInMilliseconds", "ProfilingParameters",
        "DisableProfiler"));
    JsonNode disable = config.get("DisableProfiler");
    if (disable != null && !disable.isNull() && !disable.isBoolean()) {
      throw bad(p + ".DisableProfiler", "must be true or false");
    }
    S3Uri base = output(config, "S3OutputPath", p, false, r.keys(), buckets);
    Long interval = Fields.integer(config, "ProfilingIntervalInMilliseconds", p, false, 1, 60_000);
    if (interval != null && !INTERVALS.contains(interval)) {
      throw bad(p + ".ProfilingIntervalInMilliseconds", interval + " is not one of SageMaker's intervals"
          + " (100, 200, 500, 1000, 5000, 60000)");
    }
    Fields.stringMap(config, "ProfilingParameters", p, 20, 256, 256, CONFIG_KEY);
    if (disable != null && disable.asBoolean()) {
      if (!rules.isEmpty()) {
        throw bad("ProfilerRuleConfigurations", "profiler rules read what the profiler records, and"
            + " ProfilerConfig.DisableProfiler is true: remove the rules or enable the profiler");
      }
      return null;
    }
    if (base == null) {
      base = r.outputPath();
      config.put("S3OutputPath", base.toString());
    }
    Fields.below(base, r.jobName() + "/profiler-output/system/0000000000.jsonl", p + ".S3OutputPath", r.keys());
    long ms = interval == null ? 500 : interval;
    config.put("ProfilingIntervalInMilliseconds", ms);
    return new Profiler(ms, base, config);
  }

  /** Where a job's tensors are below the hook's S3OutputPath. */
  static S3Uri tensorsUri(S3Uri hookOutput, String jobName) {
    return hookOutput.child(jobName + "/debug-output");
  }

  /** Known hook parameters must read as their type; the others go to the hook as they are. */
  static void hookParameters(Map<String, String> params, String path) {
    for (Map.Entry<String, String> e : params.entrySet()) {
      String key = e.getKey();
      String last = key.contains(".") ? key.substring(key.lastIndexOf('.') + 1) : key;
      RuleCatalog.Type type = switch (last) {
        case "save_interval", "start_step", "end_step" -> RuleCatalog.Type.INT;
        case "include_regex" -> RuleCatalog.Type.REGEX;
        case "save_raw_tensor", "save_all", "export_tensorboard", "save_shape" -> RuleCatalog.Type.BOOL;
        default -> null;
      };
      String problem = null;
      if (type != null) {
        problem = RuleCatalog.problem(type, e.getValue());
        if (problem == null && type == RuleCatalog.Type.INT && last.equals("save_interval")
            && Long.parseLong(e.getValue().strip()) < 1) {
          problem = "must be 1 or more";
        }
      } else if (last.equals("save_steps")) {
        problem = steps(e.getValue());
      } else if (last.equals("reductions") || last.equals("abs_reductions") || last.equals("norms")
          || last.equals("abs_norms")) {
        problem = reductions(e.getValue());
      }
      if (problem != null) {
        throw bad(path + "." + key, problem);
      }
    }
  }

  private static String steps(String v) {
    for (String s : v.split(",")) {
      if (!s.strip().isEmpty() && RuleCatalog.problem(RuleCatalog.Type.INT, s) != null) {
        return "'" + v + "' must be step numbers separated by commas, such as 0,10,20";
      }
    }
    return null;
  }

  /** The hook's reductions (l2 is norm's other name). */
  private static final Set<String> REDUCTIONS = Set.of("mean", "norm", "min", "max", "std", "variance",
      "abs_mean", "abs_norm", "abs_min", "abs_max", "abs_std", "abs_variance", "histogram", "l2");

  private static String reductions(String v) {
    for (String s : v.split(",")) {
      String x = s.strip().toLowerCase(java.util.Locale.ROOT);
      if (!x.isEmpty() && !REDUCTIONS.contains(x)) {
        return "'" + x + "' is not a reduction (known: " + String.join(", ", new java.util.TreeSet<>(REDUCTIONS)) + ")";
      }
    }
    return null;
  }

  private static void collections(JsonNode hook, String p) {
    JsonNode list = Fields.array(hook, "CollectionConfigurations", p, 20);
    Set<String> seen = new HashSet<>();
    for (int i = 0; list != null && i < list.size(); i++) {
      String cp = p + ".CollectionConfigurations[" + i + "]";
      JsonNode c = list.get(i);
      if (!c.isObject()) {
        throw bad(cp, "must be an object {CollectionName, CollectionParameters}");
      }
      Fields.onlyKnown(c, cp, Set.of("CollectionName", "CollectionParameters"));
      String name = Fields.string(c, "CollectionName", cp, true, 256);
      if (name.isBlank()) {
        throw bad(cp + ".CollectionName", "must not be empty");
      }
      if (!seen.add(name)) {
        throw bad(cp + ".CollectionName", "'" + name + "' is configured twice");
      }
      hookParameters(Fields.stringMap(c, "CollectionParameters", cp, 20, 256, 256, CONFIG_KEY),
          cp + ".CollectionParameters");
    }
  }

  /** An absolute container path that is not one the job's own contract uses. */
  static String localPath(String lp, String path) {
    if (!lp.startsWith("/") || lp.contains("/../") || lp.endsWith("/..") || lp.contains("\\") || lp.contains(":")) {
      throw bad(path, "'" + lp + "' must be an absolute path without '..'");
    }
    String n = lp.replaceAll("/+$", "");
    if (n.isEmpty() || n.equals("/opt/ml") || n.equals("/opt/ml/output") || n.equals("/opt")) {
      throw bad(path, "'" + lp + "' would hide the folders of the training contract; use a folder of its own"
          + " such as " + DEFAULT_LOCAL_PATH);
    }
    for (String r : RESERVED) {
      if (n.equals(r) || n.startsWith(r + "/")) {
        throw bad(path, "'" + lp + "' is inside " + r + ", which the training contract uses; use a folder of its"
            + " own such as " + DEFAULT_LOCAL_PATH);
      }
    }
    return n;
  }

  /**
   * An output S3 URI in a bucket the job may write to: the server's default bucket or the bucket
   * of the job's own OutputDataConfig.S3OutputPath.
   */
  static S3Uri output(JsonNode parent, String field, String path, boolean required, KeyPolicy keys,
      Set<String> buckets) {
    S3Uri uri = Fields.s3(parent, field, path, required, keys, KeyPolicy.Use.PREFIX);
    if (uri != null && !buckets.contains(uri.bucket())) {
      throw bad(Fields.join(path, field), "'" + uri + "' is outside the buckets this job may write to ("
          + String.join(", ", buckets) + "): use the bucket of OutputDataConfig.S3OutputPath or the server's"
          + " default bucket");
    }
    return uri;
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
