package dev.atelier.endpoints.bluegreen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.endpoints.bluegreen.DeploymentPolicy.Type;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** UpdateEndpoint's DeploymentConfig: read with its defaults, each bad field a 400 naming its path. */
class DeploymentPolicyTest {
  private static final String ROUTING = "DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration";

  private static JsonNode json(String s) throws Exception {
    return Json.mapper().readTree(s.replace('\'', '"'));
  }

  private static DeploymentPolicy parse(String s) throws Exception {
    return DeploymentPolicy.parse(json(s));
  }

  private static String routing(String routing) {
    return "{'BlueGreenUpdatePolicy': {'TrafficRoutingConfiguration': " + routing + "}}";
  }

  private static void refused(String config, String fieldAndMessage) {
    assertThatThrownBy(() -> parse(config)).isInstanceOf(ApiException.class)
        .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400))
        .hasMessageStartingWith(fieldAndMessage);
  }

  @Test
  void withoutADeploymentConfigTheUpdateIsAllAtOnceWithoutWaits() throws Exception {
    assertThat(DeploymentPolicy.parse(null)).isEqualTo(DeploymentPolicy.DEFAULT);
    DeploymentPolicy p = DeploymentPolicy.DEFAULT;
    assertThat(p.type()).isEqualTo(Type.ALL_AT_ONCE);
    assertThat(p.waitInterval()).isZero();
    assertThat(p.terminationWait()).isZero();
    assertThat(p.maximumExecutionTimeout()).isEqualTo(Duration.ofSeconds(3600));
    assertThat(p.alarms()).isEmpty();
  }

  @Test
  void aCanaryIsReadWithItsWaitsAndAlarms() throws Exception {
    DeploymentPolicy p = parse("{'BlueGreenUpdatePolicy': {'TrafficRoutingConfiguration': {'Type': 'CANARY',"
        + " 'WaitIntervalInSeconds': 2, 'CanarySize': {'Type': 'CAPACITY_PERCENT', 'Value': 25}},"
        + " 'TerminationWaitInSeconds': 5, 'MaximumExecutionTimeoutInSeconds': 900},"
        + " 'AutoRollbackConfiguration': {'Alarms': [{'AlarmName': 'Invocation5XXErrorRate > 5'},"
        + " {'AlarmName': 'ModelLatencyP99 > 250000'}]}}");
    assertThat(p.type()).isEqualTo(Type.CANARY);
    assertThat(p.waitInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.size().share(8)).isEqualTo(0.25);
    assertThat(p.terminationWait()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.maximumExecutionTimeout()).isEqualTo(Duration.ofSeconds(900));
    assertThat(p.alarms()).extracting(Alarm::metric)
        .containsExactly(Alarm.Metric.Invocation5XXErrorRate, Alarm.Metric.ModelLatencyP99);
    assertThat(p.alarms()).extracting(Alarm::threshold).containsExactly(5.0, 250000.0);
    JsonNode used = p.toJson();
    assertThat(DeploymentPolicy.parse(used)).isEqualTo(p);
    assertThat(used.at("/BlueGreenUpdatePolicy/TrafficRoutingConfiguration/CanarySize/Value").asInt()).isEqualTo(25);
  }

  @Test
  void aLinearStepInInstancesIsAShareOfTheNewFleet() throws Exception {
    DeploymentPolicy p = parse(routing("{'Type': 'LINEAR', 'WaitIntervalInSeconds': 1,"
        + " 'LinearStepSize': {'Type': 'INSTANCE_COUNT', 'Value': 1}}"));
    assertThat(p.size().share(4)).isEqualTo(0.25);
    p.checkAgainst(4);
    assertThatThrownBy(() -> p.checkAgainst(1)).isInstanceOf(ApiException.class)
        .hasMessageStartingWith(ROUTING + ".LinearStepSize.Value: 1 of the new fleet's 1 instances is 100.0%");
    assertThatThrownBy(() -> p.checkAgainst(20)).hasMessageContaining("from 10% to 50%");
    DeploymentPolicy canary = parse(routing("{'Type': 'CANARY', 'CanarySize': {'Type': 'INSTANCE_COUNT', 'Value': 2}}"));
    canary.checkAgainst(4);
    assertThatThrownBy(() -> canary.checkAgainst(3)).hasMessageStartingWith(ROUTING + ".CanarySize.Value:")
        .hasMessageContaining("at most 50%");
  }

  @Test
  void badTypesAndSizesAreRefusedNamingTheField() {
    refused(routing("{'Type': 'SOMETIMES'}"), ROUTING + ".Type: 'SOMETIMES' is not supported");
    refused(routing("{}"), ROUTING + ".Type: is required");
    refused("{'BlueGreenUpdatePolicy': {}}", "DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration: is"
        + " required");
    refused(routing("{'Type': 'CANARY'}"), ROUTING + ".CanarySize: is required for Type CANARY");
    refused(routing("{'Type': 'CANARY', 'CanarySize': {'Type': 'CAPACITY_PERCENT', 'Value': 60}}"),
        ROUTING + ".CanarySize.Value: 60 is out of range [1, 50]");
    refused(routing("{'Type': 'CANARY', 'CanarySize': {'Type': 'PERCENT', 'Value': 5}}"),
        ROUTING + ".CanarySize.Type: 'PERCENT' is not supported");
    refused(routing("{'Type': 'LINEAR', 'LinearStepSize': {'Type': 'CAPACITY_PERCENT', 'Value': 5}}"),
        ROUTING + ".LinearStepSize.Value: 5 is out of range [10, 50]");
    refused(routing("{'Type': 'LINEAR', 'LinearStepSize': {'Type': 'CAPACITY_PERCENT', 'Value': 55}}"),
        ROUTING + ".LinearStepSize.Value: 55 is out of range [10, 50]");
    refused(routing("{'Type': 'ALL_AT_ONCE', 'CanarySize': {'Type': 'CAPACITY_PERCENT', 'Value': 5}}"),
        ROUTING + ".CanarySize: is for Type CANARY only");
    refused(routing("{'Type': 'ALL_AT_ONCE', 'Colour': 'blue'}"), ROUTING + ".Colour: unknown field");
  }

  @Test
  void outOfRangeSecondsAreRefusedNamingTheField() {
    refused(routing("{'Type': 'ALL_AT_ONCE', 'WaitIntervalInSeconds': 3601}"),
        ROUTING + ".WaitIntervalInSeconds: 3601 is out of range [0, 3600]");
    refused(routing("{'Type': 'ALL_AT_ONCE', 'WaitIntervalInSeconds': 1.5}"),
        ROUTING + ".WaitIntervalInSeconds: must be a whole number");
    refused("{'BlueGreenUpdatePolicy': {'TrafficRoutingConfiguration': {'Type': 'ALL_AT_ONCE'},"
        + " 'TerminationWaitInSeconds': -1}}", "DeploymentConfig.BlueGreenUpdatePolicy.TerminationWaitInSeconds: -1");
    refused("{'BlueGreenUpdatePolicy': {'TrafficRoutingConfiguration': {'Type': 'ALL_AT_ONCE'},"
        + " 'MaximumExecutionTimeoutInSeconds': 60}}",
        "DeploymentConfig.BlueGreenUpdatePolicy.MaximumExecutionTimeoutInSeconds: 60 is out of range [600, 14400]");
    refused("{'RollingUpdatePolicy': {}}", "DeploymentConfig.RollingUpdatePolicy: rolling updates are not supported");
  }

  @Test
  void anUpdateWhoseWaitsDoNotFitInItsMaximumExecutionTimeoutIsRefusedNamingTheField() throws Exception {
    // LINEAR steps of 10%: 9 steps of 60 s, then 60 s of termination wait: 600 s of waits.
    String linear = "{'BlueGreenUpdatePolicy': {'TrafficRoutingConfiguration': {'Type': 'LINEAR',"
        + " 'WaitIntervalInSeconds': 60, 'LinearStepSize': {'Type': 'CAPACITY_PERCENT', 'Value': 10}},"
        + " 'TerminationWaitInSeconds': 60, 'MaximumExecutionTimeoutInSeconds': %d}}";
    DeploymentPolicy tight = parse(String.format(linear, 600));
    assertThat(ShiftSchedule.of(tight, 4).length()).isEqualTo(Duration.ofSeconds(600));
    assertThatThrownBy(() -> tight.checkAgainst(4)).isInstanceOf(ApiException.class)
        .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400))
        .hasMessageStartingWith("DeploymentConfig.BlueGreenUpdatePolicy.MaximumExecutionTimeoutInSeconds: 600 s is not"
            + " more than the update's waits, 600 s (WaitIntervalInSeconds of each of its 10 step(s)");
    parse(String.format(linear, 900)).checkAgainst(4);
    // Steps in instances: the waits grow with the new fleet (here 10 steps of one instance).
    DeploymentPolicy byInstance = parse("{'BlueGreenUpdatePolicy': {'TrafficRoutingConfiguration': {'Type': 'LINEAR',"
        + " 'WaitIntervalInSeconds': 100, 'LinearStepSize': {'Type': 'INSTANCE_COUNT', 'Value': 1}},"
        + " 'MaximumExecutionTimeoutInSeconds': 700}}");
    byInstance.checkAgainst(2);
    assertThatThrownBy(() -> byInstance.checkAgainst(10)).hasMessageContaining("MaximumExecutionTimeoutInSeconds: 700 s"
        + " is not more than the update's waits, 900 s");
    DeploymentPolicy.DEFAULT.checkAgainst(20);
  }

  @Test
  void unknownAlarmFormsAreRefusedNamingTheAlarmAndTheAcceptedForms() {
    refused("{'AutoRollbackConfiguration': {'Alarms': [{'AlarmName': 'Invocation5XXErrorRate > 5'},"
        + " {'AlarmName': 'my-cloudwatch-alarm'}]}}",
        "DeploymentConfig.AutoRollbackConfiguration.Alarms[1].AlarmName: 'my-cloudwatch-alarm' is not a built-in"
            + " alarm; the accepted forms are 'Invocation5XXErrorRate > <percent>' or 'ModelLatencyP99 >"
            + " <microseconds>'");
    refused("{'AutoRollbackConfiguration': {'Alarms': [{'AlarmName': 'CPUUtilization > 5'}]}}",
        "DeploymentConfig.AutoRollbackConfiguration.Alarms[0].AlarmName: 'CPUUtilization > 5' is not a built-in");
    refused("{'AutoRollbackConfiguration': {'Alarms': [{'AlarmName': 'Invocation5XXErrorRate > 100'}]}}",
        "DeploymentConfig.AutoRollbackConfiguration.Alarms[0].AlarmName: an error rate threshold must be below 100");
    refused("{'AutoRollbackConfiguration': {'Alarms': [{}]}}",
        "DeploymentConfig.AutoRollbackConfiguration.Alarms[0].AlarmName: is required");
    refused("{'AutoRollbackConfiguration': {'Alarms': ['x']}}",
        "DeploymentConfig.AutoRollbackConfiguration.Alarms[0]: must be an object");
  }

  @Test
  void alarmsWithoutABlueGreenPolicyWatchAnAllAtOnceUpdate() throws Exception {
    DeploymentPolicy p = parse("{'AutoRollbackConfiguration': {'Alarms': [{'AlarmName': 'ModelLatencyP99>1000'}]}}");
    assertThat(p.type()).isEqualTo(Type.ALL_AT_ONCE);
    assertThat(p.alarms()).singleElement().satisfies(a -> assertThat(a.threshold()).isEqualTo(1000));
  }
}
