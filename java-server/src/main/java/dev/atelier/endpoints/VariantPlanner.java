package dev.atelier.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.catalog.ImageCatalog;
import dev.atelier.catalog.InstanceType;
import dev.atelier.endpoints.EndpointStore.Kind;
import dev.atelier.http.ApiException;
import dev.atelier.runtime.ServiceRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Plans an endpoint config's variants from their models as they are now, each on its runtime. */
final class VariantPlanner {
  private final ModelsAndConfigs definitions;
  private final Map<String, ServiceRuntime> runtimes;
  private final Path stageDir;

  VariantPlanner(ModelsAndConfigs definitions, Map<String, ServiceRuntime> runtimes, Path stageDir) {
    this.definitions = definitions;
    this.runtimes = runtimes;
    this.stageDir = stageDir;
  }

  /** The config's variants, planned from their models as they are now. */
  List<Deployment.Variant> plans(String endpoint, JsonNode config, long generation) {
    List<Deployment.Variant> out = new ArrayList<>();
    for (JsonNode v : config.path("ProductionVariants")) {
      out.add(plan(endpoint, v, generation));
    }
    return List.copyOf(out);
  }

  /** A variant's plan from its config entry and its model, as they are now. */
  private Deployment.Variant plan(String endpoint, JsonNode v, long generation) {
    String variant = v.path("VariantName").asText();
    String modelName = v.path("ModelName").asText();
    ObjectNode model;
    try {
      model = definitions.describe(Kind.MODEL, modelName);
    } catch (ApiException e) {
      throw ApiException.notFound("EndpointConfigName: variant " + variant + " names the model '" + modelName
          + "', which was deleted");
    }
    JsonNode c = model.path("PrimaryContainer");
    String image = c.path("Image").asText();
    ImageCatalog.Image entry = definitions.images().require(image);
    InstanceType type = definitions.types().require(v.path("InstanceType").asText());
    Map<String, String> env = new LinkedHashMap<>();
    c.path("Environment").properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
    String service = VariantPlan.serviceName(endpoint, variant, generation);
    Path dir = stageDir.resolve(service);
    String submit = env.get("SAGEMAKER_SUBMIT_DIRECTORY");
    Path code = submit != null && submit.startsWith("s3://") ? dir.resolve("code") : null;
    VariantPlan p = new VariantPlan(variant, modelName, service, entry.runtime(),
        ImageCatalog.LOCAL.equals(image) ? image : entry.name(), type.name(), type.vcpus(), type.memoryBytes(),
        v.path("InitialInstanceCount").asInt(1), v.path("InitialVariantWeight").asDouble(1.0),
        c.path("ModelDataUrl").asText(null), env, dir.resolve("model"), code);
    return new Deployment.Variant(p, runtimes.get(p.runtime()));
  }
}
