package dev.atelier.debugger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.jobs.TrainingCompanion;
import dev.atelier.storage.KeyPolicy;
import dev.atelier.storage.ObjectStore.S3Uri;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The debugger's part of CreateTrainingJob: SageMaker's shapes, and every refusal names its field. */
class DebugConfigTest {
  static final InstanceCatalog TYPES = InstanceCatalog.load(null, null, 0);
  static final String IMAGE = DebuggerCapability.BUILT_IN_RULE_IMAGE;

  static ObjectNode body() throws Exception {
    return (ObjectNode) Json.mapper().readTree("""
        {"TrainingJobName": "dbg-1",
         "OutputDataConfig": {"S3OutputPath": "s3://models/jobs"},
         "DebugHookConfig": {"S3OutputPath": "s3://models/dbg-1/tensors", "LocalPath": "/opt/ml/output/tensors",
           "HookParameters": {"save_interval": "5", "include_regex": "dense.*"},
           "CollectionConfigurations": [{"CollectionName": "gradients",
             "CollectionParameters": {"save_interval": "10", "reductions": "mean,norm,histogram"}}]},
         "DebugRuleConfigurations": [{"RuleConfigurationName": "VanishingGradient",
           "RuleEvaluatorImage": "503895931360.dkr.ecr.us-east-1.amazonaws.com/sagemaker-debugger-rules:latest",
           "InstanceType": "ml.t3.medium", "VolumeSizeInGB": 0,
           "RuleParameters": {"rule_to_invoke": "VanishingGradient", "threshold": "0.0000001",
             "action_json": "{\\"StopTraining\\": {\\"training_job_prefix\\": \\"dbg\\"}}"}}],
         "ProfilerConfig": {"ProfilingIntervalInMilliseconds": 500},
         "ProfilerRuleConfigurations": [{"RuleConfigurationName": "LowCPU", "RuleEvaluatorImage": "atelier/datascience:latest",
           "RuleParameters": {"rule_to_invoke": "LowCPUUtilization", "threshold_p95": "70"}}]}""");
  }

  static DebugConfig parse(ObjectNode body) {
    S3Uri out = S3Uri.parse(body.path("OutputDataConfig").path("S3OutputPath").asText());
    return DebugConfig.parse(new TrainingCompanion.Request(body, body.path("TrainingJobName").asText(), out,
        KeyPolicy.FILESYSTEM, TYPES), "atelier", IMAGE);
  }

  static String refusal(ObjectNode body) {
    try {
      parse(body);
    } catch (ApiException e) {
      assertThat(e.status()).isEqualTo(400);
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + body);
  }

  static ObjectNode at(ObjectNode body, String pointer) {
    return (ObjectNode) body.at(pointer);
  }

  @Test
  void aCompleteRequestIsReadWithSageMakersShapes() throws Exception {
    DebugConfig c = parse(body());
    assertThat(c.tensorsUri().toString()).as("SageMaker's place below the hook's S3OutputPath")
        .isEqualTo("s3://models/dbg-1/tensors/dbg-1/debug-output");
    assertThat(c.localPath()).isEqualTo("/opt/ml/output/tensors");
    assertThat(c.rules()).singleElement().satisfies(r -> {
      assertThat(r.name()).isEqualTo("VanishingGradient");
      assertThat(r.image()).as("SageMaker's rule image means the built-in one").isEqualTo(IMAGE);
      assertThat(r.runner()).isTrue();
      assertThat(r.kind()).isEqualTo("debugger");
    });
    assertThat(c.profiler().intervalMillis()).isEqualTo(500);
    assertThat(c.profiler().base().toString()).as("the job's output path by default").isEqualTo("s3://models/jobs");
    assertThat(c.profilerRules()).singleElement().satisfies(r -> assertThat(r.kind()).isEqualTo("profiler"));
  }

  @Test
  void rulesWithoutAHookConfigGetTheDefaultOneAndNoProfilerConfigMeansNoProfiler() throws Exception {
    ObjectNode b = body();
    b.remove("DebugHookConfig");
    b.remove("ProfilerConfig");
    b.remove("ProfilerRuleConfigurations");
    DebugConfig c = parse(b);
    assertThat(c.hook().path("S3OutputPath").asText()).as("the job's output path").isEqualTo("s3://models/jobs");
    assertThat(c.tensorsUri().toString()).isEqualTo("s3://models/jobs/dbg-1/debug-output");
    assertThat(c.hook().path("LocalPath").asText()).isEqualTo(DebugConfig.DEFAULT_LOCAL_PATH);
    assertThat(c.profiler()).isNull();
    b.remove("DebugRuleConfigurations");
    assertThat(parse(b).any()).isFalse();
  }

  @Test
  void anUnknownBuiltInRuleIsRefusedWithTheRulesThereAre() throws Exception {
    ObjectNode b = body();
    at(b, "/DebugRuleConfigurations/0/RuleParameters").put("rule_to_invoke", "VanishingGradients");
    assertThat(refusal(b)).startsWith("DebugRuleConfigurations[0].RuleParameters.rule_to_invoke: 'VanishingGradients'"
        + " is not a built-in debugger rule").contains("VanishingGradient, ExplodingTensor");
  }

  @Test
  void aProfilerRuleInTheDebuggerListSaysWhereItBelongs() throws Exception {
    ObjectNode b = body();
    at(b, "/DebugRuleConfigurations/0/RuleParameters").put("rule_to_invoke", "CPUBottleneck");
    assertThat(refusal(b)).startsWith("DebugRuleConfigurations[0].RuleParameters.rule_to_invoke:")
        .contains("put it in ProfilerRuleConfigurations");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "threshold|small|'small' is not a number",
      "threshold|NaN|'NaN' is not a number",
      "stop_training_on_fire|maybe|'maybe' is not True or False",
      "action_json|[1|is not a JSON object",
      "num_steps|10|is not a parameter of VanishingGradient"})
  void aRuleParameterOfTheWrongTypeNamesTheParameter(String key, String value, String says) throws Exception {
    ObjectNode b = body();
    at(b, "/DebugRuleConfigurations/0/RuleParameters").put(key, value);
    assertThat(refusal(b)).startsWith("DebugRuleConfigurations[0].RuleParameters." + key + ": ").contains(says);
  }

  @Test
  void eachRulesOwnParametersHaveTheirTypes() throws Exception {
    ObjectNode b = body();
    ObjectNode p = at(b, "/DebugRuleConfigurations/0/RuleParameters");
    p.removeAll();
    p.put("rule_to_invoke", "LossNotDecreasing").put("num_steps", "1.5");
    assertThat(refusal(b)).startsWith("DebugRuleConfigurations[0].RuleParameters.num_steps: '1.5' is not a whole number");
    p.put("num_steps", "10").put("mode", "TRAINING");
    assertThat(refusal(b)).startsWith("DebugRuleConfigurations[0].RuleParameters.mode: 'TRAINING' is not a mode");
    p.put("mode", "EVAL").put("tensor_regex", "loss.*,val_(");
    assertThat(refusal(b)).startsWith("DebugRuleConfigurations[0].RuleParameters.tensor_regex: 'val_(' is not a valid");
    p.put("tensor_regex", "loss.*,val_loss");
    assertThat(parse(b).rules()).hasSize(1);

    ObjectNode r = at(b, "/ProfilerRuleConfigurations/0/RuleParameters");
    r.removeAll();
    r.put("rule_to_invoke", "ProfilerReport").put("CPUBottleneck_threshold", "60").put("lowcpuutilization_window", "5");
    assertThat(parse(b).profilerRules()).hasSize(1);
    r.put("CPUBottleneck_threshold", "high");
    assertThat(refusal(b)).startsWith("ProfilerRuleConfigurations[0].RuleParameters.CPUBottleneck_threshold: 'high'");
    r.remove("CPUBottleneck_threshold");
    r.put("Nothing_threshold", "1");
    assertThat(refusal(b)).startsWith("ProfilerRuleConfigurations[0].RuleParameters.Nothing_threshold: is not a"
        + " parameter of ProfilerReport");
  }

  @Test
  void aRegexThatDoesNotCompileIsRefusedWhereverItIs() throws Exception {
    ObjectNode b = body();
    at(b, "/DebugHookConfig/HookParameters").put("include_regex", "dense(");
    assertThat(refusal(b)).startsWith("DebugHookConfig.HookParameters.include_regex: 'dense(' is not a valid regular"
        + " expression");
    b = body();
    at(b, "/DebugHookConfig/CollectionConfigurations/0/CollectionParameters").put("include_regex", "[a-");
    assertThat(refusal(b)).startsWith(
        "DebugHookConfig.CollectionConfigurations[0].CollectionParameters.include_regex: '[a-' is not a valid");
    b = body();
    at(b, "/DebugRuleConfigurations/0/RuleParameters").put("rule_to_invoke", "ExplodingTensor")
        .put("tensor_regex", "*grad").remove("threshold");
    assertThat(refusal(b)).startsWith("DebugRuleConfigurations[0].RuleParameters.tensor_regex:");
    b = body();
    at(b, "/DebugHookConfig/HookParameters").put("include_regex", "(?P<layer>dense)_(?P=layer)");
    assertThat(parse(b).hook()).as("Python's named groups compile").isNotNull();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "/DebugHookConfig|S3OutputPath|s3://elsewhere/t|DebugHookConfig.S3OutputPath: 's3://elsewhere/t' is outside the"
          + " buckets this job may write to (atelier, models)",
      "/ProfilerConfig|S3OutputPath|s3://elsewhere/p|ProfilerConfig.S3OutputPath: 's3://elsewhere/p' is outside",
      "/DebugRuleConfigurations/0|S3OutputPath|s3://elsewhere/r|DebugRuleConfigurations[0].S3OutputPath: "
          + "'s3://elsewhere/r' is outside",
      "/DebugHookConfig|S3OutputPath|http://models/t|DebugHookConfig.S3OutputPath: ",
      "/DebugHookConfig|S3OutputPath|s3://models/a/../b|DebugHookConfig.S3OutputPath: "})
  void outputsOutsideTheAllowedBucketsOrNotS3AreRefused(String pointer, String field, String value, String says)
      throws Exception {
    ObjectNode b = body();
    at(b, pointer).put(field, value);
    assertThat(refusal(b)).startsWith(says);
  }

  @Test
  void theDefaultBucketIsAllowedToo() throws Exception {
    ObjectNode b = body();
    at(b, "/DebugHookConfig").put("S3OutputPath", "s3://atelier/t");
    assertThat(parse(b).tensorsUri().bucket()).isEqualTo("atelier");
  }

  @Test
  void moreThanTwentyRulesAreRefused() throws Exception {
    ObjectNode b = body();
    ArrayNode rules = b.withArray("DebugRuleConfigurations");
    for (int i = 1; i <= 20; i++) {
      ObjectNode r = rules.get(0).deepCopy();
      r.put("RuleConfigurationName", "VG-" + i);
      rules.add(r);
    }
    assertThat(refusal(b)).startsWith("DebugRuleConfigurations: has 21 rules; SageMaker runs at most 20");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "bad_name", "-starts", "ends-", "with space", "''"})
  void ruleNamesFollowSageMakersPattern(String name) throws Exception {
    ObjectNode b = body();
    at(b, "/DebugRuleConfigurations/0").put("RuleConfigurationName", name);
    assertThat(refusal(b)).startsWith("DebugRuleConfigurations[0].RuleConfigurationName: ");
  }

  @Test
  void twoRulesOfOneNameAreRefused() throws Exception {
    ObjectNode b = body();
    at(b, "/ProfilerRuleConfigurations/0").put("RuleConfigurationName", "VanishingGradient");
    assertThat(refusal(b)).startsWith("ProfilerRuleConfigurations[0].RuleConfigurationName: 'VanishingGradient'"
        + " names two rules");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "/DebugHookConfig|LocalPath|relative/path|DebugHookConfig.LocalPath: 'relative/path' must be an absolute path",
      "/DebugHookConfig|LocalPath|/opt/ml/input/config|DebugHookConfig.LocalPath: '/opt/ml/input/config' is inside",
      "/DebugHookConfig|Extra|x|DebugHookConfig.Extra: unknown field",
      "/DebugHookConfig/HookParameters|save_interval|0|DebugHookConfig.HookParameters.save_interval: must be 1",
      "/DebugHookConfig/HookParameters|save_interval|often|DebugHookConfig.HookParameters.save_interval: 'often'",
      "/DebugHookConfig/CollectionConfigurations/0/CollectionParameters|reductions|mean,median|"
          + "DebugHookConfig.CollectionConfigurations[0].CollectionParameters.reductions: 'median' is not a reduction",
      "/DebugRuleConfigurations/0|InstanceType|ml.nope.large|DebugRuleConfigurations[0].InstanceType: ",
      "/DebugRuleConfigurations/0|RuleEvaluatorImage|Not An Image|DebugRuleConfigurations[0].RuleEvaluatorImage: ",
      "/ProfilerRuleConfigurations/0/RuleParameters|rule_to_invoke|ProfilerReportz|"
          + "ProfilerRuleConfigurations[0].RuleParameters.rule_to_invoke: 'ProfilerReportz' is not a built-in profiler"})
  void otherBadFieldsAreNamed(String pointer, String field, String value, String says) throws Exception {
    ObjectNode b = body();
    at(b, pointer).put(field, value);
    assertThat(refusal(b)).startsWith(says);
  }

  @Test
  void profilerIntervalsAreSageMakersAndProfilerRulesNeedTheProfiler() throws Exception {
    ObjectNode b = body();
    at(b, "/ProfilerConfig").put("ProfilingIntervalInMilliseconds", 750);
    assertThat(refusal(b)).startsWith("ProfilerConfig.ProfilingIntervalInMilliseconds: 750 is not one of");
    b = body();
    at(b, "/ProfilerConfig").put("ProfilingIntervalInMilliseconds", "500");
    assertThat(refusal(b)).startsWith("ProfilerConfig.ProfilingIntervalInMilliseconds: must be a whole number");
    b = body();
    at(b, "/ProfilerConfig").put("DisableProfiler", true);
    assertThat(refusal(b)).startsWith("ProfilerRuleConfigurations: profiler rules read what the profiler records");
    b.remove("ProfilerRuleConfigurations");
    assertThat(parse(b).profiler()).isNull();
  }

  @Test
  void customRulesNeedTheirClassAndASourceFile() throws Exception {
    ObjectNode b = body();
    ObjectNode p = at(b, "/DebugRuleConfigurations/0/RuleParameters");
    p.removeAll();
    p.put("source_s3_uri", "s3://models/rules/my_rule.py").put("rule_to_invoke", "MyRule").put("anything", "goes");
    at(b, "/DebugRuleConfigurations/0").put("RuleEvaluatorImage", "atelier/base:latest");
    DebugConfig c = parse(b);
    assertThat(c.rules().get(0).source().toString()).isEqualTo("s3://models/rules/my_rule.py");
    assertThat(c.rules().get(0).runner()).isTrue();
    p.put("rule_to_invoke", "my-rule");
    assertThat(refusal(b)).startsWith("DebugRuleConfigurations[0].RuleParameters.rule_to_invoke: 'my-rule' is not a"
        + " Python class name");
    p.put("rule_to_invoke", "MyRule").put("source_s3_uri", "s3://models/rules/my_rule.txt");
    assertThat(refusal(b)).startsWith("DebugRuleConfigurations[0].RuleParameters.source_s3_uri: ");
    p.remove("source_s3_uri");
    assertThat(parse(b).rules().get(0).runner()).as("a custom image without a source runs its own command").isFalse();
  }
}
