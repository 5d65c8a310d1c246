package dev.atelier.endpoints.scaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * A variant's scaling, as Application Auto Scaling's RegisterScalableTarget and a target-tracking
 * PutScalingPolicy on {@code SageMakerVariantInvocationsPerInstance} say it: {@code {MinCapacity,
 * MaxCapacity, TargetTrackingScalingPolicyConfiguration: {TargetValue, ScaleOutCooldown,
 * ScaleInCooldown, DisableScaleIn, PredefinedMetricSpecification: {PredefinedMetricType}}}}.
 * TargetValue is invocations per instance per minute; cooldowns are seconds (300 by default).
 */
public record ScalingPolicy(int minCapacity, int maxCapacity, double targetValue, int scaleOutCooldown,
    int scaleInCooldown, boolean disableScaleIn) {
  public static final String METRIC = "SageMakerVariantInvocationsPerInstance";
  /** AWS's default cooldown, in seconds. */
  public static final int DEFAULT_COOLDOWN = 300;
  /** The most instances a variant may scale to here. */
  public static final int MAX_INSTANCES = 100;
  private static final String TRACKING = "TargetTrackingScalingPolicyConfiguration";

  /** Reads and checks the JSON; a problem is a 400 naming the field by its path. */
  public static ScalingPolicy parse(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw bad("", "the body must be an object such as {\"MinCapacity\": 1, \"MaxCapacity\": 4, \"" + TRACKING
          + "\": {\"TargetValue\": 70}}");
    }
    onlyKnown(node, "", Set.of("MinCapacity", "MaxCapacity", TRACKING));
    int min = integer(node, "MinCapacity", "", null, 1, MAX_INSTANCES);
    int max = integer(node, "MaxCapacity", "", null, 1, MAX_INSTANCES);
    if (max < min) {
      throw bad("MaxCapacity", max + " is below MinCapacity (" + min + ")");
    }
    JsonNode t = node.get(TRACKING);
    if (t == null || t.isNull()) {
      throw bad(TRACKING, "is required: {\"TargetValue\": <invocations per instance per minute>}");
    }
    if (!t.isObject()) {
      throw bad(TRACKING, "must be an object {\"TargetValue\", \"ScaleOutCooldown\", \"ScaleInCooldown\"}");
    }
    String p = TRACKING + ".";
    onlyKnown(t, TRACKING, Set.of("TargetValue", "ScaleOutCooldown", "ScaleInCooldown", "DisableScaleIn",
        "PredefinedMetricSpecification"));
    JsonNode target = t.get("TargetValue");
    if (target == null || target.isNull()) {
      throw bad(p + "TargetValue", "is required: the invocations per instance per minute to keep each instance at");
    }
    if (!target.isNumber() || !(target.asDouble() > 0) || target.asDouble() > 1e9) {
      throw bad(p + "TargetValue", "must be a number above 0 (invocations per instance per minute), not "
          + abbreviate(target.toString()));
    }
    int out = integer(t, "ScaleOutCooldown", p, DEFAULT_COOLDOWN, 0, 86_400);
    int in = integer(t, "ScaleInCooldown", p, DEFAULT_COOLDOWN, 0, 86_400);
    boolean disableIn = false;
    JsonNode d = t.get("DisableScaleIn");
    if (d != null && !d.isNull()) {
      if (!d.isBoolean()) {
        throw bad(p + "DisableScaleIn", "must be true or false");
      }
      disableIn = d.asBoolean();
    }
    JsonNode spec = t.get("PredefinedMetricSpecification");
    if (spec != null && !spec.isNull()) {
      if (!spec.isObject()) {
        throw bad(p + "PredefinedMetricSpecification", "must be an object {\"PredefinedMetricType\": \"" + METRIC + "\"}");
      }
      onlyKnown(spec, p + "PredefinedMetricSpecification", Set.of("PredefinedMetricType", "ResourceLabel"));
      JsonNode type = spec.get("PredefinedMetricType");
      if (type == null || !METRIC.equals(type.asText())) {
        throw bad(p + "PredefinedMetricSpecification.PredefinedMetricType", "must be " + METRIC
            + " (the only metric endpoints scale on here)");
      }
    }
    return new ScalingPolicy(min, max, target.asDouble(), out, in, disableIn);
  }

  /** The policy in the shape {@link #parse} reads. */
  public ObjectNode toJson() {
    ObjectNode n = Json.mapper().createObjectNode().put("MinCapacity", minCapacity).put("MaxCapacity", maxCapacity);
    ObjectNode t = n.putObject(TRACKING);
    t.put("TargetValue", targetValue).put("ScaleOutCooldown", scaleOutCooldown).put("ScaleInCooldown", scaleInCooldown)
        .put("DisableScaleIn", disableScaleIn);
    t.putObject("PredefinedMetricSpecification").put("PredefinedMetricType", METRIC);
    return n;
  }

  private static int integer(JsonNode node, String field, String prefix, Integer fallback, int min, int max) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      if (fallback == null) {
        throw bad(prefix + field, "is required: a whole number from " + min + " to " + max);
      }
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
      throw bad(prefix + field, "must be a whole number from " + min + " to " + max + ", not " + abbreviate(v.toString()));
    }
    return (int) v.asLong();
  }

  private static void onlyKnown(JsonNode node, String path, Set<String> known) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
      String f = it.next();
      if (!known.contains(f)) {
        throw bad((path.isEmpty() ? "" : path + ".") + abbreviate(f), "is not a field"
            + (path.isEmpty() ? "" : " of " + path) + " (known: " + String.join(", ", new TreeSet<>(known)) + ")");
      }
    }
  }

  private static ApiException bad(String field, String problem) {
    return ApiException.badRequest(field.isEmpty() ? problem : field + ": " + problem);
  }

  private static String abbreviate(String s) {
    String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
