package dev.atelier.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.runtime.ServiceRuntime;
import dev.atelier.runtime.ServiceRuntime.ServiceSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What runs for one production variant, kept with its endpoint so that a restarted server adopts
 * its replicas without reading the model or the config again (either may have been deleted since,
 * as SageMaker allows): the service, the image and the runtime it runs on, the staged model, the
 * environment, the limits of its instance type, its weight and instance count.
 *
 * @param runtime {@code docker} or {@code process}, from the image catalog's entry for the image
 * @param modelDir the host folder the model is staged in
 * @param codeDir the host folder a training job's source is staged in, or null
 */
record VariantPlan(String variant, String model, String service, String runtime, String image, String instanceType,
    double cpus, long memoryBytes, int instanceCount, double weight, String modelDataUrl, Map<String, String> environment,
    Path modelDir, Path codeDir) {
  /** Where a container reads its model and its source (SageMaker's paths). */
  static final String MODEL_PATH = "/opt/ml/model";
  static final String CODE_PATH = "/opt/ml/code";
  /** The port SageMaker's inference containers listen on. */
  static final int CONTAINER_PORT = 8080;
  static final String HEALTH_PATH = "/ping";
  static final String LABEL_ENDPOINT = "dev.atelier.endpoint";
  static final String LABEL_VARIANT = "dev.atelier.endpoint-variant";
  /** Every service name of an endpoint starts with this, so a restarted server tells its own. */
  static final String SERVICE_PREFIX = "ep-";

  VariantPlan {
    environment = Map.copyOf(environment);
  }

  VariantPlan withCount(int count) {
    return new VariantPlan(variant, model, service, runtime, image, instanceType, cpus, memoryBytes, count, weight,
        modelDataUrl, environment, modelDir, codeDir);
  }

  VariantPlan withWeight(double w) {
    return new VariantPlan(variant, model, service, runtime, image, instanceType, cpus, memoryBytes, instanceCount, w,
        modelDataUrl, environment, modelDir, codeDir);
  }

  /**
   * The service for {@code replicas} copies: the image's own entrypoint with {@code serve} in a
   * container listening on 8080, the model bound read-only at {@code /opt/ml/model}; or, for the
   * process runtime, {@code python -m atelier.toolkit serve} told its model folder in
   * {@code SM_MODEL_DIR} and its port in {@code PORT}.
   */
  ServiceSpec spec(String endpoint, int replicas, String python) {
    Map<String, String> env = new LinkedHashMap<>(environment);
    Map<String, String> binds = new LinkedHashMap<>();
    Map<String, String> labels = Map.of(LABEL_ENDPOINT, endpoint, LABEL_VARIANT, variant);
    env.put("SAGEMAKER_ENDPOINT_NAME", endpoint);
    env.put("SAGEMAKER_VARIANT_NAME", variant);
    if ("process".equals(runtime)) {
      env.put("SM_MODEL_DIR", modelDir.toString());
      if (codeDir != null) {
        env.put("SAGEMAKER_SUBMIT_DIRECTORY", codeDir.toString());
      }
      env.put("PYTHONUNBUFFERED", "1");
      return new ServiceSpec(service, image, List.of(python, "-m", "atelier.toolkit"), List.of("serve"), env, labels,
          Map.of(), replicas, cpus, memoryBytes, HEALTH_PATH, 0);
    }
    binds.put(modelDir.toString(), MODEL_PATH + ServiceRuntime.READ_ONLY);
    env.put("SM_MODEL_DIR", MODEL_PATH);
    if (codeDir != null) {
      binds.put(codeDir.toString(), CODE_PATH + ServiceRuntime.READ_ONLY);
      env.put("SAGEMAKER_SUBMIT_DIRECTORY", CODE_PATH);
    }
    env.putIfAbsent("HOME", "/tmp");
    env.put("PYTHONUNBUFFERED", "1");
    return new ServiceSpec(service, image, List.of(), List.of("serve"), env, labels, binds, replicas, cpus,
        memoryBytes, HEALTH_PATH, CONTAINER_PORT);
  }

  /**
   * The service's name: unique per endpoint and variant, at most 63 characters, and recognisable
   * ({@code ep-<endpoint>-<hash>}); the hash keeps long names apart after they are cut.
   */
  static String serviceName(String endpoint, String variant, long generation) {
    String hash;
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest((endpoint + "/" + variant + "/" + generation).getBytes(StandardCharsets.UTF_8));
      hash = HexFormat.of().formatHex(d, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    String head = endpoint.length() > 48 ? endpoint.substring(0, 48) : endpoint;
    return SERVICE_PREFIX + head + "-" + hash;
  }

  ObjectNode toJson() {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("VariantName", variant).put("ModelName", model).put("Service", service).put("Runtime", runtime)
        .put("Image", image).put("InstanceType", instanceType).put("Cpus", cpus).put("MemoryBytes", memoryBytes)
        .put("InstanceCount", instanceCount).put("Weight", weight).put("ModelDataUrl", modelDataUrl)
        .put("ModelDir", modelDir.toString()).put("CodeDir", codeDir == null ? null : codeDir.toString());
    n.set("Environment", Json.mapper().valueToTree(environment));
    return n;
  }

  static VariantPlan fromJson(JsonNode n) {
    Map<String, String> env = new LinkedHashMap<>();
    n.path("Environment").properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
    String code = n.path("CodeDir").asText(null);
    return new VariantPlan(n.path("VariantName").asText(), n.path("ModelName").asText(), n.path("Service").asText(),
        n.path("Runtime").asText(), n.path("Image").asText(), n.path("InstanceType").asText(),
        n.path("Cpus").asDouble(), n.path("MemoryBytes").asLong(), n.path("InstanceCount").asInt(),
        n.path("Weight").asDouble(), n.path("ModelDataUrl").asText(null), env, Path.of(n.path("ModelDir").asText()),
        code == null ? null : Path.of(code));
  }
}
