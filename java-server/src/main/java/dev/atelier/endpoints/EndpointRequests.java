package dev.atelier.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.catalog.InstanceType;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.jobs.Fields;
import dev.atelier.storage.KeyPolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The endpoints API's requests, read and checked whole before anything is stored: a 400 names the
 * field by its path ({@code ProductionVariants[1].InitialVariantWeight}) and says what is wrong.
 * Whether a named model or config exists is the service's to check (a 404 or 400 then).
 */
final class EndpointRequests {
  /** SageMaker's limits: variants per config, instances per variant, tags per resource. */
  static final int MAX_VARIANTS = 10;
  static final int MAX_INSTANCES = 20;
  static final int MAX_TAGS = 50;
  private static final Pattern ENV_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]{0,1023}");

  private EndpointRequests() {}

  /** CreateModel: a primary container, or Atelier's {@code FromTrainingJob}. */
  record ModelRequest(String name, String image, String modelDataUrl, Map<String, String> environment,
      String fromTrainingJob, ArrayNode tags) {}

  /** One production variant of a config; the model is checked to exist by the service. */
  record VariantRequest(String name, String model, InstanceType instanceType, int instanceCount, double weight) {}

  record ConfigRequest(String name, List<VariantRequest> variants, JsonNode dataCapture, ArrayNode tags) {}

  record EndpointRequest(String name, String configName, ArrayNode tags) {}

  /** One entry of UpdateEndpointWeightsAndCapacities; null fields are left as they are. */
  record Desired(String variant, Double weight, Integer instanceCount) {}

  static ModelRequest model(JsonNode body, KeyPolicy keys) {
    Fields.onlyKnown(body, "", Set.of("ModelName", "PrimaryContainer", "FromTrainingJob", "Tags",
        "ExecutionRoleArn", "EnableNetworkIsolation"));
    String name = Fields.name(body, "ModelName", "");
    ArrayNode tags = tags(body);
    String job = Fields.string(body, "FromTrainingJob", "", false, 63);
    JsonNode container = Fields.object(body, "PrimaryContainer", "", false);
    if (job != null && container != null) {
      throw Fields.bad("FromTrainingJob", "give PrimaryContainer or FromTrainingJob, not both");
    }
    if (job != null) {
      if (!Fields.NAME.matcher(job).matches()) {
        throw Fields.bad("FromTrainingJob", "'" + job + "' is not a training job name");
      }
      return new ModelRequest(name, null, null, Map.of(), job, tags);
    }
    if (container == null) {
      throw Fields.bad("PrimaryContainer", "is required (or FromTrainingJob, the name of a Completed training job)");
    }
    Fields.onlyKnown(container, "PrimaryContainer", Set.of("Image", "ModelDataUrl", "Environment", "Mode",
        "ContainerHostname"));
    String image = Fields.string(container, "Image", "PrimaryContainer", true, 255);
    if (image.isBlank()) {
      throw Fields.bad("PrimaryContainer.Image", "must not be empty");
    }
    String url = Fields.string(container, "ModelDataUrl", "PrimaryContainer", false, 1024);
    if (url != null) {
      Fields.s3(url, "PrimaryContainer.ModelDataUrl", keys, KeyPolicy.Use.OBJECT);
    }
    Map<String, String> env = Fields.stringMap(container, "Environment", "PrimaryContainer", 100, 1024, 1024,
        ENV_NAME);
    return new ModelRequest(name, image, url, env, null, tags);
  }

  static ConfigRequest config(JsonNode body, InstanceCatalog types) {
    Fields.onlyKnown(body, "", Set.of("EndpointConfigName", "ProductionVariants", "DataCaptureConfig", "Tags",
        "KmsKeyId"));
    String name = Fields.name(body, "EndpointConfigName", "");
    JsonNode list = Fields.array(body, "ProductionVariants", "", MAX_VARIANTS);
    if (list == null || list.isEmpty()) {
      throw Fields.bad("ProductionVariants", "is required: 1 to " + MAX_VARIANTS + " variants");
    }
    List<VariantRequest> variants = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String p = "ProductionVariants[" + i + "]";
      JsonNode v = list.get(i);
      if (!v.isObject()) {
        throw Fields.bad(p, "must be an object");
      }
      Fields.onlyKnown(v, p, Set.of("VariantName", "ModelName", "InstanceType", "InitialInstanceCount",
          "InitialVariantWeight"));
      String variant = Fields.name(v, "VariantName", p);
      if (!names.add(variant)) {
        throw Fields.bad(p + ".VariantName", "'" + variant + "' is used by another variant; variant names are unique");
      }
      String model = Fields.name(v, "ModelName", p);
      String type = Fields.string(v, "InstanceType", p, true, 64);
      InstanceType t;
      try {
        t = types.require(type);
      } catch (ApiException e) {
        throw Fields.bad(p + ".InstanceType", e.getMessage());
      }
      int count = Fields.integer(v, "InitialInstanceCount", p, true, 1, MAX_INSTANCES).intValue();
      Double weight = weight(v, "InitialVariantWeight", p);
      variants.add(new VariantRequest(variant, model, t, count, weight == null ? 1.0 : weight));
    }
    if (variants.stream().allMatch(v -> v.weight() == 0)) {
      throw Fields.bad("ProductionVariants", "every InitialVariantWeight is 0; at least one variant needs traffic");
    }
    JsonNode capture = Fields.object(body, "DataCaptureConfig", "", false);
    if (capture != null) {
      dev.atelier.endpoints.capture.DataCaptureConfig.parse(capture, "DataCaptureConfig");
    }
    return new ConfigRequest(name, variants, capture, tags(body));
  }

  /** The one name an endpoint cannot have: {@code endpoints/metrics} is Prometheus' path. */
  static final String RESERVED_NAME = "metrics";

  static EndpointRequest endpoint(JsonNode body) {
    Fields.onlyKnown(body, "", Set.of("EndpointName", "EndpointConfigName", "Tags", "DeploymentConfig"));
    String name = Fields.name(body, "EndpointName", "");
    if (RESERVED_NAME.equals(name)) {
      throw Fields.bad("EndpointName", "'" + RESERVED_NAME + "' cannot name an endpoint: endpoints/" + RESERVED_NAME
          + " is the path of the endpoints' Prometheus metrics; choose another name");
    }
    return new EndpointRequest(name, Fields.name(body, "EndpointConfigName", ""), tags(body));
  }

  static List<Desired> weightsAndCapacities(JsonNode body) {
    Fields.onlyKnown(body, "", Set.of("EndpointName", "DesiredWeightsAndCapacities"));
    JsonNode list = Fields.array(body, "DesiredWeightsAndCapacities", "", MAX_VARIANTS);
    if (list == null || list.isEmpty()) {
      throw Fields.bad("DesiredWeightsAndCapacities", "is required: one entry per variant to change");
    }
    List<Desired> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String p = "DesiredWeightsAndCapacities[" + i + "]";
      JsonNode d = list.get(i);
      if (!d.isObject()) {
        throw Fields.bad(p, "must be an object");
      }
      Fields.onlyKnown(d, p, Set.of("VariantName", "DesiredWeight", "DesiredInstanceCount"));
      String variant = Fields.name(d, "VariantName", p);
      if (!names.add(variant)) {
        throw Fields.bad(p + ".VariantName", "'" + variant + "' is named twice");
      }
      Double weight = weight(d, "DesiredWeight", p);
      Long count = Fields.integer(d, "DesiredInstanceCount", p, false, 1, MAX_INSTANCES);
      if (weight == null && count == null) {
        throw Fields.bad(p, "give DesiredWeight, DesiredInstanceCount or both");
      }
      out.add(new Desired(variant, weight, count == null ? null : count.intValue()));
    }
    return out;
  }

  /** A weight: a number from 0 to 1000, or null when absent. */
  static Double weight(JsonNode parent, String field, String path) {
    JsonNode n = parent.get(field);
    String p = Fields.join(path, field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isNumber()) {
      throw Fields.bad(p, "must be a number");
    }
    double w = n.asDouble();
    if (!(w >= 0) || w > 1000 || Double.isInfinite(w)) {
      throw Fields.bad(p, n.asText() + " is out of range [0, 1000]");
    }
    return w;
  }

  /** SageMaker's Tags: up to 50 {@code {Key, Value}}; kept as sent. */
  static ArrayNode tags(JsonNode body) {
    JsonNode list = Fields.array(body, "Tags", "", MAX_TAGS);
    ArrayNode out = Json.mapper().createArrayNode();
    if (list == null) {
      return out;
    }
    for (int i = 0; i < list.size(); i++) {
      String p = "Tags[" + i + "]";
      JsonNode t = list.get(i);
      if (!t.isObject()) {
        throw Fields.bad(p, "must be an object {Key, Value}");
      }
      Fields.onlyKnown(t, p, Set.of("Key", "Value"));
      String key = Fields.string(t, "Key", p, true, 128);
      String value = Fields.string(t, "Value", p, false, 256);
      out.addObject().put("Key", key).put("Value", value == null ? "" : value);
    }
    return out;
  }
}
