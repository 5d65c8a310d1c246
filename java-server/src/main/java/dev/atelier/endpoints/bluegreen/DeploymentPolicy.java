package dev.atelier.endpoints.bluegreen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.jobs.Fields;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * UpdateEndpoint's {@code DeploymentConfig}, checked field by field: how traffic moves to the new
 * fleet (ALL_AT_ONCE, CANARY or LINEAR, with WaitIntervalInSeconds), how long the old fleet stays up
 * idle once the new one has it all (TerminationWaitInSeconds), how long the whole update may take
 * (MaximumExecutionTimeoutInSeconds) and the alarms that roll it back.
 *
 * @param size the canary's or the linear step's size; null for ALL_AT_ONCE
 */
public record DeploymentPolicy(Type type, Duration waitInterval, Size size, Duration terminationWait,
    Duration maximumExecutionTimeout, List<Alarm> alarms) {
  static final String PATH = "DeploymentConfig";
  static final String ROUTING = PATH + ".BlueGreenUpdatePolicy.TrafficRoutingConfiguration";

  public enum Type { ALL_AT_ONCE, CANARY, LINEAR }

  /** {@code INSTANCE_COUNT} of the new fleet's instances, or {@code CAPACITY_PERCENT}. */
  public record Size(boolean instanceCount, int value) {
    /** The share of the new fleet's traffic this size is, for a fleet of {@code instances}. */
    public double share(int instances) {
      return instanceCount ? (double) value / Math.max(1, instances) : value / 100.0;
    }

    ObjectNode toJson() {
      return Json.mapper().createObjectNode().put("Type", instanceCount ? "INSTANCE_COUNT" : "CAPACITY_PERCENT")
          .put("Value", value);
    }
  }

  /** Without a DeploymentConfig: all at once, no waits, no alarms (SageMaker's default). */
  public static final DeploymentPolicy DEFAULT = new DeploymentPolicy(Type.ALL_AT_ONCE, Duration.ZERO, null,
      Duration.ZERO, Duration.ofSeconds(3600), List.of());

  /** The policy of {@code config} (the request's DeploymentConfig, or null for the default). */
  public static DeploymentPolicy parse(JsonNode config) {
    if (config == null || config.isNull()) {
      return DEFAULT;
    }
    if (!config.isObject()) {
      throw Fields.bad(PATH, "must be an object");
    }
    Fields.onlyKnown(config, PATH, Set.of("BlueGreenUpdatePolicy", "AutoRollbackConfiguration", "RollingUpdatePolicy"));
    if (config.has("RollingUpdatePolicy")) {
      throw Fields.bad(PATH + ".RollingUpdatePolicy", "rolling updates are not supported; use BlueGreenUpdatePolicy");
    }
    List<Alarm> alarms = alarms(Fields.object(config, "AutoRollbackConfiguration", PATH, false));
    JsonNode bg = Fields.object(config, "BlueGreenUpdatePolicy", PATH, false);
    if (bg == null) {
      return new DeploymentPolicy(DEFAULT.type, DEFAULT.waitInterval, null, DEFAULT.terminationWait,
          DEFAULT.maximumExecutionTimeout, alarms);
    }
    String bgPath = PATH + ".BlueGreenUpdatePolicy";
    Fields.onlyKnown(bg, bgPath, Set.of("TrafficRoutingConfiguration", "TerminationWaitInSeconds",
        "MaximumExecutionTimeoutInSeconds"));
    JsonNode routing = Fields.object(bg, "TrafficRoutingConfiguration", bgPath, true);
    Fields.onlyKnown(routing, ROUTING, Set.of("Type", "WaitIntervalInSeconds", "CanarySize", "LinearStepSize"));
    String typeName = Fields.oneOf(routing, "Type", ROUTING, null, "ALL_AT_ONCE", "CANARY", "LINEAR");
    if (typeName == null) {
      throw Fields.bad(ROUTING + ".Type", "is required (ALL_AT_ONCE, CANARY or LINEAR)");
    }
    Type type = Type.valueOf(typeName);
    long wait = orZero(Fields.integer(routing, "WaitIntervalInSeconds", ROUTING, false, 0, 3600));
    Size canary = size(routing, "CanarySize", 1, 50);
    Size step = size(routing, "LinearStepSize", 10, 50);
    Size size = switch (type) {
      case CANARY -> required(canary, "CanarySize", type);
      case LINEAR -> required(step, "LinearStepSize", type);
      case ALL_AT_ONCE -> null;
    };
    if (type != Type.CANARY && canary != null) {
      throw Fields.bad(ROUTING + ".CanarySize", "is for Type CANARY only, not " + type);
    }
    if (type != Type.LINEAR && step != null) {
      throw Fields.bad(ROUTING + ".LinearStepSize", "is for Type LINEAR only, not " + type);
    }
    long termination = orZero(Fields.integer(bg, "TerminationWaitInSeconds", bgPath, false, 0, 3600));
    Long max = Fields.integer(bg, "MaximumExecutionTimeoutInSeconds", bgPath, false, 600, 14400);
    return new DeploymentPolicy(type, Duration.ofSeconds(wait), size, Duration.ofSeconds(termination),
        max == null ? DEFAULT.maximumExecutionTimeout : Duration.ofSeconds(max), alarms);
  }

  /**
   * Checks the policy against the new fleet's {@code instances}: the sizes given in instances (a
   * canary of at most half of them, a linear step of 10% to 50% of them), and that the update's
   * waits (every WaitIntervalInSeconds of its steps and the TerminationWaitInSeconds) fit within
   * MaximumExecutionTimeoutInSeconds, as SageMaker asks: an update that cannot end in time would
   * always be rolled back at its end.
   */
  public void checkAgainst(int instances) {
    checkSizes(instances);
    Duration waits = ShiftSchedule.of(this, instances).length();
    if (waits.compareTo(maximumExecutionTimeout) >= 0) {
      throw Fields.bad(PATH + ".BlueGreenUpdatePolicy.MaximumExecutionTimeoutInSeconds",
          maximumExecutionTimeout.toSeconds() + " s is not more than the update's waits, " + waits.toSeconds()
              + " s (WaitIntervalInSeconds of each of its " + ShiftSchedule.of(this, instances).steps()
              + " step(s) and TerminationWaitInSeconds); it must be larger, with room to start the new fleet");
    }
  }

  private void checkSizes(int instances) {
    if (size == null || !size.instanceCount) {
      return;
    }
    double share = size.share(instances);
    String field = type == Type.CANARY ? "CanarySize" : "LinearStepSize";
    double min = type == Type.CANARY ? 0 : 0.1;
    if (share > 0.5 || share < min) {
      throw Fields.bad(ROUTING + "." + field + ".Value", size.value + " of the new fleet's " + instances
          + " instances is " + Math.round(share * 1000) / 10.0 + "% of its capacity; it must be "
          + (type == Type.CANARY ? "at most 50%" : "from 10% to 50%"));
    }
  }

  private static Size size(JsonNode routing, String field, int minPercent, int maxPercent) {
    JsonNode n = Fields.object(routing, field, ROUTING, false);
    if (n == null) {
      return null;
    }
    String path = ROUTING + "." + field;
    Fields.onlyKnown(n, path, Set.of("Type", "Value"));
    String kind = Fields.oneOf(n, "Type", path, null, "INSTANCE_COUNT", "CAPACITY_PERCENT");
    if (kind == null) {
      throw Fields.bad(path + ".Type", "is required (INSTANCE_COUNT or CAPACITY_PERCENT)");
    }
    boolean instances = kind.equals("INSTANCE_COUNT");
    long value = Fields.integer(n, "Value", path, true, instances ? 1 : minPercent, instances ? 1000 : maxPercent);
    return new Size(instances, (int) value);
  }

  private static Size required(Size size, String field, Type type) {
    if (size == null) {
      throw Fields.bad(ROUTING + "." + field, "is required for Type " + type);
    }
    return size;
  }

  private static List<Alarm> alarms(JsonNode rollback) {
    if (rollback == null) {
      return List.of();
    }
    String path = PATH + ".AutoRollbackConfiguration";
    Fields.onlyKnown(rollback, path, Set.of("Alarms"));
    JsonNode list = Fields.array(rollback, "Alarms", path, 10);
    List<Alarm> alarms = new ArrayList<>();
    if (list == null) {
      return List.of();
    }
    for (int i = 0; i < list.size(); i++) {
      String p = path + ".Alarms[" + i + "]";
      JsonNode a = list.get(i);
      if (!a.isObject()) {
        throw Fields.bad(p, "must be an object {AlarmName}");
      }
      Fields.onlyKnown(a, p, Set.of("AlarmName"));
      alarms.add(Alarm.parse(Fields.string(a, "AlarmName", p, true, 255), p + ".AlarmName"));
    }
    return List.copyOf(alarms);
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }

  /** The DeploymentConfig as used, defaults filled in (DescribeEndpoint's LastDeploymentConfig). */
  public ObjectNode toJson() {
    ObjectNode n = Json.mapper().createObjectNode();
    ObjectNode bg = n.putObject("BlueGreenUpdatePolicy");
    ObjectNode routing = bg.putObject("TrafficRoutingConfiguration");
    routing.put("Type", type.name()).put("WaitIntervalInSeconds", waitInterval.toSeconds());
    if (size != null) {
      routing.set(type == Type.CANARY ? "CanarySize" : "LinearStepSize", size.toJson());
    }
    bg.put("TerminationWaitInSeconds", terminationWait.toSeconds());
    bg.put("MaximumExecutionTimeoutInSeconds", maximumExecutionTimeout.toSeconds());
    ArrayNode list = n.putObject("AutoRollbackConfiguration").putArray("Alarms");
    alarms.forEach(a -> list.addObject().put("AlarmName", a.name()));
    return n;
  }
}
