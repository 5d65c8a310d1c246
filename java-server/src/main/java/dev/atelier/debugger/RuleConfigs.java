package dev.atelier.debugger;

import static dev.atelier.jobs.Fields.bad;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.catalog.InstanceType;
import dev.atelier.http.ApiException;
import dev.atelier.jobs.Fields;
import dev.atelier.jobs.TrainingCompanion;
import dev.atelier.storage.KeyPolicy;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads {@code DebugRuleConfigurations} and {@code ProfilerRuleConfigurations}, naming the field at fault. */
final class RuleConfigs {
  /** SageMaker runs at most 20 rules of each list beside a job. */
  static final int MAX_RULES = 20;
  /** SageMaker's resource name rule; the name is also part of the rule container's name. */
  static final Pattern NAME = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}");
  /** SageMaker's rule evaluator images, one account per region: they mean the built-in rule image here. */
  static final Pattern SAGEMAKER_RULE_IMAGE = Pattern.compile(
      "[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/sagemaker-debugger-rules(:[\\w.-]+)?");
  static final String DEFAULT_INSTANCE_TYPE = "ml.t3.medium";
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern PARAM_KEY = Pattern.compile(".{1,256}");

  /**
   * One rule to run beside the job.
   *
   * @param field its place in the request, for messages ({@code DebugRuleConfigurations[0]})
   * @param kind {@code debugger} or {@code profiler}
   * @param image the image the rule container runs (the built-in rule image for built-in rules)
   * @param runner whether the image runs {@code python -m atelier.debugger.rule_runner}; false for a
   *     custom rule image with its own command
   * @param source a custom rule's source ({@code source_s3_uri}), or null
   * @param localPath where the rule writes its outputs inside its container
   * @param outputUri where those outputs are uploaded, or null for the default place
   */
  record Rule(String field, String kind, String name, String image, boolean runner, InstanceType type,
      Map<String, String> params, S3Uri source, String localPath, S3Uri outputUri) {}

  private final TrainingCompanion.Request request;
  private final Set<String> buckets;
  private final String builtInImage;

  RuleConfigs(TrainingCompanion.Request request, Set<String> buckets, String builtInImage) {
    this.request = request;
    this.buckets = buckets;
    this.builtInImage = builtInImage;
  }

  /** Whether {@code image} names the built-in rule image (Atelier's, or SageMaker's rule evaluator's). */
  boolean builtIn(String image) {
    return image.equals(builtInImage) || SAGEMAKER_RULE_IMAGE.matcher(image).matches();
  }

  List<Rule> parse(String field, String kind) {
    JsonNode list = request.body().get(field);
    List<Rule> out = new ArrayList<>();
    if (list == null || list.isNull()) {
      return out;
    }
    if (!list.isArray()) {
      throw bad(field, "must be an array of rule configurations");
    }
    if (list.size() > MAX_RULES) {
      throw bad(field, "has " + list.size() + " rules; SageMaker runs at most " + MAX_RULES + " beside a job");
    }
    for (int i = 0; i < list.size(); i++) {
      out.add(rule(list.get(i), field + "[" + i + "]", kind));
    }
    return out;
  }

  private Rule rule(JsonNode n, String p, String kind) {
    if (!n.isObject()) {
      throw bad(p, "must be an object {RuleConfigurationName, RuleEvaluatorImage, RuleParameters, ...}");
    }
    Fields.onlyKnown(n, p, Set.of("RuleConfigurationName", "LocalPath", "S3OutputPath", "RuleEvaluatorImage",
        "InstanceType", "VolumeSizeInGB", "RuleParameters"));
    String name = Fields.string(n, "RuleConfigurationName", p, true, 256);
    if (!NAME.matcher(name).matches()) {
      throw bad(p + ".RuleConfigurationName", "'" + name + "' must be letters, digits and hyphens, starting and"
          + " ending with a letter or digit (SageMaker's name pattern)");
    }
    String imageField = p + ".RuleEvaluatorImage";
    String image = Fields.string(n, "RuleEvaluatorImage", p, true, 255);
    if (!image.matches("[a-z0-9][a-zA-Z0-9._/:@-]*")) {
      throw bad(imageField, "'" + image + "' is not an image reference such as " + builtInImage);
    }
    boolean builtIn = builtIn(image);
    InstanceType type = instanceType(n, p);
    Fields.integer(n, "VolumeSizeInGB", p, false, 0, 16384);
    String lp = Fields.string(n, "LocalPath", p, false, 4096);
    String localPath = lp == null || lp.isEmpty() ? "/opt/ml/processing/outputs" : outputsPath(lp, p + ".LocalPath");
    S3Uri output = DebugConfig.output(n, "S3OutputPath", p, false, request.keys(), buckets);
    Map<String, String> params = Fields.stringMap(n, "RuleParameters", p, 100, 256, 2500, PARAM_KEY);
    String pp = p + ".RuleParameters";
    S3Uri source = null;
    String sourceText = params.get("source_s3_uri");
    if (sourceText != null) {
      source = Fields.s3(sourceText, pp + ".source_s3_uri", request.keys(), KeyPolicy.Use.OBJECT);
      if (!(source.key().endsWith(".py") || source.key().endsWith(".tar.gz") || source.key().endsWith(".tgz"))) {
        throw bad(pp + ".source_s3_uri", "'" + source + "' must be a Python file (.py) or a tar.gz of the rule's"
            + " source");
      }
      String cls = params.get("rule_to_invoke");
      if (cls == null || !IDENTIFIER.matcher(cls).matches()) {
        throw bad(pp + ".rule_to_invoke", cls == null ? "is required with source_s3_uri: the name of the rule's class"
            : "'" + cls + "' is not a Python class name");
      }
      checkCommon(params, pp);
    } else if (builtIn) {
      builtInParams(params, pp, kind);
    }
    String runImage = builtIn ? builtInImage : image;
    boolean runner = builtIn || source != null;
    return new Rule(p, kind, name, runImage, runner, type, params, source, localPath, output);
  }

  private InstanceType instanceType(JsonNode n, String p) {
    String t = Fields.string(n, "InstanceType", p, false, 64);
    try {
      return request.types().require(t == null ? DEFAULT_INSTANCE_TYPE : t);
    } catch (ApiException e) {
      throw bad(p + ".InstanceType", e.getMessage());
    }
  }

  private static void builtInParams(Map<String, String> params, String pp, String kind) {
    Map<String, Map<String, RuleCatalog.Type>> catalog = kind.equals("profiler") ? RuleCatalog.PROFILER
        : RuleCatalog.DEBUGGER;
    String invoke = params.get("rule_to_invoke");
    if (invoke == null) {
      throw bad(pp + ".rule_to_invoke", "is required for the built-in rule image: one of "
          + String.join(", ", catalog.keySet()));
    }
    Map<String, RuleCatalog.Type> own = catalog.get(invoke);
    if (own == null) {
      Map<String, Map<String, RuleCatalog.Type>> other = kind.equals("profiler") ? RuleCatalog.DEBUGGER
          : RuleCatalog.PROFILER;
      throw bad(pp + ".rule_to_invoke", "'" + invoke + "' is not a built-in " + kind + " rule"
          + (other.containsKey(invoke) ? " (it is a " + (kind.equals("profiler") ? "debugger" : "profiler")
              + " rule: put it in " + (kind.equals("profiler") ? "DebugRuleConfigurations" : "ProfilerRuleConfigurations")
              + ")" : "") + "; built-in " + kind + " rules: " + String.join(", ", catalog.keySet()));
    }
    boolean report = invoke.equals(RuleCatalog.REPORT);
    for (Map.Entry<String, String> e : params.entrySet()) {
      RuleCatalog.Type type = own.containsKey(e.getKey()) ? own.get(e.getKey()) : RuleCatalog.COMMON.get(e.getKey());
      if (type == null && report) {
        type = RuleCatalog.reportParameter(e.getKey());
      }
      if (type == null) {
        throw bad(pp + "." + e.getKey(), "is not a parameter of " + invoke + (report
            ? " (it takes <rule>_<parameter> for the profiler rules, such as CPUBottleneck_threshold"
            : " (its parameters: " + String.join(", ", own.keySet())) + "; any rule also takes "
            + String.join(", ", RuleCatalog.COMMON.keySet()) + ")");
      }
      String problem = RuleCatalog.problem(type, e.getValue());
      if (problem != null) {
        throw bad(pp + "." + e.getKey(), problem);
      }
    }
  }

  /** The parameters every rule takes are checked on custom rules too. */
  private static void checkCommon(Map<String, String> params, String pp) {
    for (Map.Entry<String, String> e : params.entrySet()) {
      RuleCatalog.Type type = RuleCatalog.COMMON.get(e.getKey());
      String problem = type == null ? null : RuleCatalog.problem(type, e.getValue());
      if (problem != null) {
        throw bad(pp + "." + e.getKey(), problem);
      }
    }
  }

  private static String outputsPath(String lp, String path) {
    if (!lp.startsWith("/") || lp.contains("/../") || lp.endsWith("/..") || lp.contains("\\") || lp.contains(":")) {
      throw bad(path, "'" + lp + "' must be an absolute path without '..'");
    }
    String n = lp.replaceAll("/+$", "");
    if (n.isEmpty() || n.equals("/opt/ml/processing") || n.startsWith("/opt/ml/processing/input")) {
      throw bad(path, "'" + lp + "' would hide the rule's inputs; use a folder such as /opt/ml/processing/outputs");
    }
    return n;
  }
}
