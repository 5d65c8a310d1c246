package dev.atelier.debugger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A rule's DebugRuleEvaluationStatus from its runner's status lines and its exit. */
class RuleStatusTest {
  private static final Instant T0 = Instant.parse("2026-12-07T15:00:00Z");
  private static final Instant T1 = Instant.parse("2026-12-07T15:00:05Z");

  static RuleStatus status(Map<String, String> params) {
    RuleConfigs.Rule rule = new RuleConfigs.Rule("DebugRuleConfigurations[0]", "debugger", "VanishingGradient",
        DebuggerCapability.BUILT_IN_RULE_IMAGE, true, DebugConfigTest.TYPES.require("ml.t3.medium"), params, null,
        "/opt/ml/processing/outputs", null);
    return new RuleStatus(rule, "arn:atelier:sagemaker:us-east-1:000000000000:processing-job/x", "dbg-job", T0);
  }

  static String line(String json) {
    return RuleStatus.PREFIX + json;
  }

  @Test
  void aNewRuleIsInProgress() {
    ObjectNode j = status(Map.of()).toJson();
    assertThat(j.path("RuleEvaluationStatus").asText()).isEqualTo("InProgress");
    assertThat(j.path("RuleConfigurationName").asText()).isEqualTo("VanishingGradient");
    assertThat(j.path("RuleEvaluationJobArn").asText()).endsWith("processing-job/x");
    assertThat(j.path("LastModifiedTime").asText()).isEqualTo(T0.toString());
  }

  @Test
  void onlyPrefixedJsonWithAKnownStatusIsAStatusLine() {
    assertThat(RuleStatus.parse("IssuesFound at step 3")).isNull();
    assertThat(RuleStatus.parse("ATELIER_RULE_STATUS not json")).isNull();
    assertThat(RuleStatus.parse(line("{\"status\": \"Fine\"}"))).isNull();
    assertThat(RuleStatus.parse(line("[1, 2]"))).isNull();
    assertThat(RuleStatus.parse(" " + line("{\"status\": \"InProgress\"}"))).isNull();
    RuleStatus.Line l = RuleStatus.parse(line("{\"status\": \"IssuesFound\", \"details\": \"vanished\", \"step\": 12,"
        + " \"tensor\": \"gradients/dense/kernel\", \"mode\": \"TRAIN\", \"action\": \"StopTraining\"}"));
    assertThat(l).isEqualTo(new RuleStatus.Line("IssuesFound", "vanished", 12L, "gradients/dense/kernel", "TRAIN",
        "StopTraining"));
  }

  @Test
  void aLaterIssueKeepsTheFirstStepAndTensorTheRuleFiredOn() {
    RuleStatus s = status(Map.of());
    s.onOutput(line("{\"status\": \"IssuesFound\", \"details\": \"d0 vanished\", \"step\": 0,"
        + " \"tensor\": \"gradients/d0/kernel\", \"mode\": \"TRAIN\"}"), T1);
    s.onOutput(line("{\"status\": \"IssuesFound\", \"details\": \"d0 vanished again\", \"step\": 500,"
        + " \"tensor\": \"gradients/d0/bias\", \"mode\": \"TRAIN\"}"), T1);
    ObjectNode j = s.toJson();
    assertThat(j.path("Step").asLong()).isZero();
    assertThat(j.path("TensorName").asText()).isEqualTo("gradients/d0/kernel");
    assertThat(j.path("StatusDetails").asText()).isEqualTo("d0 vanished");
    // The runner's final line repeats the first issue, with the count: taken.
    s.onOutput(line("{\"status\": \"IssuesFound\", \"details\": \"d0 vanished (2 issues in all)\", \"step\": 0,"
        + " \"tensor\": \"gradients/d0/kernel\", \"mode\": \"TRAIN\"}"), T1);
    assertThat(s.toJson().path("StatusDetails").asText()).isEqualTo("d0 vanished (2 issues in all)");
  }

  @Test
  void theLastLineWinsAndTheExitKeepsAFinalStatus() {
    RuleStatus s = status(Map.of());
    assertThat(s.onOutput(line("{\"status\": \"InProgress\", \"details\": \"step 5 evaluated\"}"), T1)).isFalse();
    assertThat(s.onOutput("some other output", T1)).isFalse();
    assertThat(s.onOutput(line("{\"status\": \"IssuesFound\", \"details\": \"mean |grad| 1e-9 < 1e-7\", \"step\": 20,"
        + " \"tensor\": \"gradients/dense/kernel\", \"mode\": \"TRAIN\", \"action\": null}"), T1)).isFalse();
    ObjectNode j = s.toJson();
    assertThat(j.path("RuleEvaluationStatus").asText()).isEqualTo("IssuesFound");
    assertThat(j.path("StatusDetails").asText()).isEqualTo("mean |grad| 1e-9 < 1e-7");
    assertThat(j.path("Step").asLong()).isEqualTo(20);
    assertThat(j.path("TensorName").asText()).isEqualTo("gradients/dense/kernel");
    assertThat(j.path("Mode").asText()).isEqualTo("TRAIN");
    assertThat(j.path("LastModifiedTime").asText()).isEqualTo(T1.toString());
    s.onExit(0, false, false, T1);
    assertThat(s.status()).isEqualTo("IssuesFound");
    assertThat(s.done()).isTrue();
  }

  @Test
  void stopTrainingIsAskedOnceByTheLineOrByTheRulesParameters() {
    RuleStatus s = status(Map.of());
    String fire = line("{\"status\": \"IssuesFound\", \"details\": \"x\", \"action\": \"StopTraining\"}");
    assertThat(s.onOutput(fire, T1)).isTrue();
    assertThat(s.onOutput(fire, T1)).as("once").isFalse();

    RuleStatus onFire = status(Map.of("stop_training_on_fire", "True"));
    assertThat(onFire.onOutput(line("{\"status\": \"IssuesFound\", \"details\": \"x\"}"), T1)).isTrue();
    RuleStatus prefixed = status(Map.of("action_json", "{\"StopTraining\": {\"training_job_prefix\": \"dbg-\"}}"));
    assertThat(prefixed.onOutput(line("{\"status\": \"IssuesFound\", \"details\": \"x\"}"), T1)).isTrue();
    RuleStatus other = status(Map.of("action_json", "{\"StopTraining\": {\"training_job_prefix\": \"other-\"}}"));
    assertThat(other.onOutput(line("{\"status\": \"IssuesFound\", \"details\": \"x\"}"), T1))
        .as("another job's prefix").isFalse();
    RuleStatus fine = status(Map.of("stop_training_on_fire", "True"));
    assertThat(fine.onOutput(line("{\"status\": \"NoIssuesFound\", \"details\": \"x\"}"), T1)).isFalse();
  }

  @Test
  void aCrashIsAnErrorWithItsReasonOrTheTailOfItsLog() {
    RuleStatus reported = status(Map.of());
    reported.onOutput(line("{\"status\": \"InProgress\"}"), T1);
    reported.onOutput(line("{\"status\": \"Error\", \"details\": \"KeyError: 'gradients'\"}"), T1);
    reported.onExit(1, false, false, T1);
    assertThat(reported.status()).isEqualTo("Error");
    assertThat(reported.details()).isEqualTo("KeyError: 'gradients'");

    RuleStatus silent = status(Map.of());
    silent.onOutput("Traceback (most recent call last):", T1);
    silent.onOutput("ZeroDivisionError: division by zero", T1);
    silent.onExit(3, false, false, T1);
    assertThat(silent.status()).isEqualTo("Error");
    assertThat(silent.details()).startsWith("the rule container exited with code 3")
        .contains("ZeroDivisionError: division by zero");

    RuleStatus oom = status(Map.of());
    oom.onExit(137, true, false, T1);
    assertThat(oom.details()).contains("out of memory").contains("ml.t3.medium");

    RuleStatus noFinal = status(Map.of());
    noFinal.onOutput(line("{\"status\": \"InProgress\"}"), T1);
    noFinal.onExit(0, false, false, T1);
    assertThat(noFinal.status()).isEqualTo("Error");
    assertThat(noFinal.details()).contains("without reporting a final status");
  }

  @Test
  void aRuleStillEvaluatingAfterItsGraceIsStoppingThenStopped() {
    RuleStatus s = status(Map.of());
    s.onOutput(line("{\"status\": \"InProgress\", \"details\": \"waiting for step 40\"}"), T1);
    s.stopping(T1);
    assertThat(s.status()).isEqualTo("Stopping");
    s.onExit(143, false, true, T1);
    assertThat(s.status()).isEqualTo("Stopped");
    assertThat(s.details()).contains("120 s after the training job ended").contains("waiting for step 40");
    s.onOutput(line("{\"status\": \"NoIssuesFound\"}"), T1);
    assertThat(s.status()).as("after its end nothing changes it").isEqualTo("Stopped");

    RuleStatus never = status(Map.of());
    never.neverStarted("Stopped: the training job ended before its container ran", T1);
    assertThat(never.status()).isEqualTo("Stopped");
  }

  @Test
  void detailsAreCutToSageMakersLimit() {
    RuleStatus s = status(Map.of());
    s.onOutput(line("{\"status\": \"IssuesFound\", \"details\": \"" + "x".repeat(3000) + "\"}"), T1);
    assertThat(s.toJson().path("StatusDetails").asText()).hasSize(1024).endsWith("...");
  }
}
