package dev.atelier.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.catalog.ImageCatalog;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.endpoints.EndpointRequests.ConfigRequest;
import dev.atelier.endpoints.EndpointRequests.ModelRequest;
import dev.atelier.endpoints.EndpointRequests.VariantRequest;
import dev.atelier.endpoints.EndpointStore.Kind;
import dev.atelier.endpoints.EndpointStore.Resource;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.jobs.Fields;
import dev.atelier.jobs.Job;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Models and endpoint configs: SageMaker's CreateModel (or Atelier's FromTrainingJob, which reads
 * the container from a Completed training job) and CreateEndpointConfig, describe, list, delete.
 * Each row records who created it. Deleting either leaves the endpoints made from it running, as
 * in SageMaker: an endpoint keeps its own copy of what it runs.
 */
final class ModelsAndConfigs {
  private final EndpointStore store;
  private final ImageCatalog images;
  private final InstanceCatalog types;
  /** A training job's description by name, or a 404. */
  private final Function<String, ObjectNode> trainingJob;
  private final String region;
  private final String user;
  private final Clock clock;

  ModelsAndConfigs(EndpointStore store, ImageCatalog images, InstanceCatalog types,
      Function<String, ObjectNode> trainingJob, String region, String user, Clock clock) {
    this.store = store;
    this.images = images;
    this.types = types;
    this.trainingJob = trainingJob;
    this.region = region;
    this.user = user;
    this.clock = clock;
  }

  String arn(String kind, String name) {
    return "arn:atelier:sagemaker:" + region + ":000000000000:" + kind + "/" + name.toLowerCase(java.util.Locale.ROOT);
  }

  InstanceCatalog types() {
    return types;
  }

  ImageCatalog images() {
    return images;
  }

  /** CreateModel; returns its ARN. */
  String createModel(ModelRequest m) {
    String image = m.image();
    String url = m.modelDataUrl();
    Map<String, String> env = new LinkedHashMap<>(m.environment());
    if (m.fromTrainingJob() != null) {
      ObjectNode job;
      try {
        job = trainingJob.apply(m.fromTrainingJob());
      } catch (ApiException e) {
        throw new ApiException(e.status(), e.reason(), "FromTrainingJob: " + e.getMessage());
      }
      String status = job.path("TrainingJobStatus").asText();
      if (!"Completed".equals(status)) {
        throw ApiException.conflict("FromTrainingJob: the training job '" + m.fromTrainingJob() + "' is " + status
            + "; a model is made from a Completed training job");
      }
      image = job.path("AlgorithmSpecification").path("TrainingImage").asText();
      url = job.path("ModelArtifacts").path("S3ModelArtifacts").asText(null);
      if (url == null) {
        throw ApiException.conflict("FromTrainingJob: the training job '" + m.fromTrainingJob()
            + "' has no ModelArtifacts.S3ModelArtifacts");
      }
      JsonNode hps = job.path("HyperParameters");
      putUnquoted(env, "SAGEMAKER_PROGRAM", hps.path("sagemaker_program").asText(null));
      putUnquoted(env, "SAGEMAKER_SUBMIT_DIRECTORY", hps.path("sagemaker_submit_directory").asText(null));
    }
    String field = m.fromTrainingJob() != null ? "FromTrainingJob" : "PrimaryContainer.Image";
    try {
      images.require(image);
    } catch (ApiException e) {
      throw e.status() == 400 ? Fields.bad(field, e.getMessage()) : e;
    }
    Instant now = clock.instant();
    ObjectNode d = Json.mapper().createObjectNode();
    d.put("ModelName", m.name());
    d.put("ModelArn", arn("model", m.name()));
    ObjectNode c = d.putObject("PrimaryContainer");
    c.put("Image", image);
    c.put("ModelDataUrl", url);
    c.set("Environment", Json.mapper().valueToTree(env));
    if (m.fromTrainingJob() != null) {
      d.put("FromTrainingJob", m.fromTrainingJob());
    }
    d.put("CreationTime", now.toString());
    d.putObject("CreatedBy").put("UserProfileName", user);
    d.set("Tags", m.tags());
    store.insert(Kind.MODEL, new Resource(m.name(), user, now.toEpochMilli(), d));
    return d.get("ModelArn").asText();
  }

  private static void putUnquoted(Map<String, String> env, String key, String value) {
    if (value != null && !env.containsKey(key)) {
      env.put(key, value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
          ? value.substring(1, value.length() - 1) : value);
    }
  }

  /** CreateEndpointConfig; every variant's model must exist. Returns its ARN. */
  String createConfig(ConfigRequest r) {
    for (int i = 0; i < r.variants().size(); i++) {
      VariantRequest v = r.variants().get(i);
      if (store.get(Kind.MODEL, v.model()) == null) {
        throw ApiException.notFound("ProductionVariants[" + i + "].ModelName: no model named '" + v.model() + "'");
      }
    }
    Instant now = clock.instant();
    ObjectNode d = Json.mapper().createObjectNode();
    d.put("EndpointConfigName", r.name());
    d.put("EndpointConfigArn", arn("endpoint-config", r.name()));
    ArrayNode list = d.putArray("ProductionVariants");
    for (VariantRequest v : r.variants()) {
      list.addObject().put("VariantName", v.name()).put("ModelName", v.model())
          .put("InstanceType", v.instanceType().name()).put("InitialInstanceCount", v.instanceCount())
          .put("InitialVariantWeight", v.weight());
    }
    if (r.dataCapture() != null) {
      d.set("DataCaptureConfig", r.dataCapture());
    }
    d.put("CreationTime", now.toString());
    d.putObject("CreatedBy").put("UserProfileName", user);
    d.set("Tags", r.tags());
    store.insert(Kind.CONFIG, new Resource(r.name(), user, now.toEpochMilli(), d));
    return d.get("EndpointConfigArn").asText();
  }

  ObjectNode describe(Kind kind, String name) {
    Resource r = store.get(kind, name);
    if (r == null) {
      throw ApiException.notFound("no " + kind.noun + " named '" + name + "'");
    }
    return r.description();
  }

  /** {@code {Models: [{ModelName, ModelArn, CreationTime}]}} or the configs' likewise. */
  ObjectNode list(Kind kind) {
    ObjectNode body = Json.mapper().createObjectNode();
    String nameField = kind == Kind.MODEL ? "ModelName" : "EndpointConfigName";
    String arnField = kind == Kind.MODEL ? "ModelArn" : "EndpointConfigArn";
    ArrayNode list = body.putArray(kind == Kind.MODEL ? "Models" : "EndpointConfigs");
    for (Resource r : store.list(kind)) {
      list.addObject().put(nameField, r.name()).put(arnField, r.description().path(arnField).asText())
          .put("CreationTime", Instant.ofEpochMilli(r.createdAt()).toString()).put("CreatedBy", r.createdBy());
    }
    return body;
  }

  void delete(Kind kind, String name) {
    if (!store.delete(kind, name)) {
      throw ApiException.notFound("no " + kind.noun + " named '" + name + "'");
    }
  }

  /** The variants of a stored config, as it was created. */
  List<JsonNode> variants(ObjectNode config) {
    List<JsonNode> out = new java.util.ArrayList<>();
    config.path("ProductionVariants").forEach(out::add);
    return out;
  }

  /** The training job kind's name, for the lookup the caller wires. */
  static String trainingKind() {
    return Job.TRAINING;
  }
}
