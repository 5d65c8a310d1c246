package dev.atelier.endpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.storage.KeyPolicy;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** The endpoints API's requests: each bad one a 400 whose message starts with the field at fault. */
class EndpointRequestsTest {
  private static final InstanceCatalog TYPES = InstanceCatalog.load(null, null, 0);

  private static JsonNode json(String s) throws Exception {
    return Json.mapper().readTree(s.replace('\'', '"'));
  }

  private static AbstractThrowableAssert<?, ?> refused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
      String fieldAndMessage) {
    return assertThatThrownBy(call).isInstanceOf(ApiException.class)
        .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400))
        .hasMessageStartingWith(fieldAndMessage);
  }

  private static String config(String variants) {
    return "{'EndpointConfigName': 'cfg', 'ProductionVariants': [" + variants + "]}";
  }

  private static String variant(String name, String type, int count, String weight) {
    return "{'VariantName': '" + name + "', 'ModelName': 'm', 'InstanceType': '" + type
        + "', 'InitialInstanceCount': " + count + (weight == null ? "" : ", 'InitialVariantWeight': " + weight) + "}";
  }

  @Test
  void aModelNeedsItsNameAndAContainerOrATrainingJobButNotBoth() throws Exception {
    refused(() -> EndpointRequests.model(json("{'PrimaryContainer': {'Image': 'local'}}"), KeyPolicy.ANY_S3),
        "ModelName: is required");
    refused(() -> EndpointRequests.model(json("{'ModelName': 'm'}"), KeyPolicy.ANY_S3), "PrimaryContainer: is required");
    refused(() -> EndpointRequests.model(json("{'ModelName': 'm', 'PrimaryContainer': {}}"), KeyPolicy.ANY_S3),
        "PrimaryContainer.Image: is required");
    refused(() -> EndpointRequests.model(json("{'ModelName': 'm', 'FromTrainingJob': 'j', 'PrimaryContainer':"
        + " {'Image': 'local'}}"), KeyPolicy.ANY_S3), "FromTrainingJob: give PrimaryContainer or FromTrainingJob");
    refused(() -> EndpointRequests.model(json("{'ModelName': 'm', 'PrimaryContainer': {'Image': 'local',"
        + " 'ModelDataUrl': 'http://x/model.tar.gz'}}"), KeyPolicy.ANY_S3), "PrimaryContainer.ModelDataUrl:");
    refused(() -> EndpointRequests.model(json("{'ModelName': 'bad_name', 'FromTrainingJob': 'j'}"), KeyPolicy.ANY_S3),
        "ModelName: 'bad_name' must be");
    refused(() -> EndpointRequests.model(json("{'ModelName': 'm', 'PrimaryContainer': {'Image': 'local',"
        + " 'Environment': {'A': 1}}}"), KeyPolicy.ANY_S3), "PrimaryContainer.Environment.A: must be a string");
    refused(() -> EndpointRequests.model(json("{'ModelName': 'm', 'Colour': 'red', 'FromTrainingJob': 'j'}"),
        KeyPolicy.ANY_S3), "Colour: unknown field");
  }

  @Test
  void aModelIsReadWithItsEnvironmentAndTags() throws Exception {
    var m = EndpointRequests.model(json("{'ModelName': 'iris', 'PrimaryContainer': {'Image': 'atelier/sklearn',"
        + " 'ModelDataUrl': 's3://atelier/jobs/iris/output/model.tar.gz', 'Environment': {'A': 'b'}},"
        + " 'Tags': [{'Key': 'team', 'Value': 'ml'}]}"), KeyPolicy.ANY_S3);
    assertThat(m.name()).isEqualTo("iris");
    assertThat(m.image()).isEqualTo("atelier/sklearn");
    assertThat(m.environment()).containsEntry("A", "b");
    assertThat(m.tags().get(0).path("Key").asText()).isEqualTo("team");
    assertThat(EndpointRequests.model(json("{'ModelName': 'iris2', 'FromTrainingJob': 'job-1'}"), KeyPolicy.ANY_S3)
        .fromTrainingJob()).isEqualTo("job-1");
  }

  @Test
  void aConfigIsReadWithItsVariantsTypesCountsAndWeights() throws Exception {
    var c = EndpointRequests.config(json(config(variant("a", "ml.t3.medium", 2, "0.25") + ","
        + variant("b", "ml.m5.large", 1, null))), TYPES);
    assertThat(c.variants()).hasSize(2);
    assertThat(c.variants().get(0).instanceType().name()).isEqualTo("ml.t3.medium");
    assertThat(c.variants().get(0).instanceCount()).isEqualTo(2);
    assertThat(c.variants().get(0).weight()).isEqualTo(0.25);
    assertThat(c.variants().get(1).weight()).isEqualTo(1.0);
  }

  @Test
  void aBadConfigNamesTheVariantAndField() throws Exception {
    refused(() -> EndpointRequests.config(json("{'EndpointConfigName': 'cfg'}"), TYPES), "ProductionVariants: is required");
    refused(() -> EndpointRequests.config(json(config("")), TYPES), "ProductionVariants: is required");
    refused(() -> EndpointRequests.config(json(config(variant("a", "ml.t3.medium", 1, "0") + ","
        + variant("b", "ml.t3.medium", 1, "0"))), TYPES), "ProductionVariants: every InitialVariantWeight is 0");
    refused(() -> EndpointRequests.config(json(config(variant("a", "ml.t3.medium", 1, null) + ","
        + variant("a", "ml.t3.medium", 1, null))), TYPES), "ProductionVariants[1].VariantName: 'a' is used");
    refused(() -> EndpointRequests.config(json(config(variant("a", "ml.nope.large", 1, null))), TYPES),
        "ProductionVariants[0].InstanceType: unknown instance type 'ml.nope.large'");
    refused(() -> EndpointRequests.config(json(config(variant("a", "ml.t3.medium", 0, null))), TYPES),
        "ProductionVariants[0].InitialInstanceCount: 0 is out of range");
    refused(() -> EndpointRequests.config(json(config(variant("a", "ml.t3.medium", 1, "-1"))), TYPES),
        "ProductionVariants[0].InitialVariantWeight: -1 is out of range");
    refused(() -> EndpointRequests.config(json(config(variant("a", "ml.t3.medium", 1, "'x'"))), TYPES),
        "ProductionVariants[0].InitialVariantWeight: must be a number");
    refused(() -> EndpointRequests.config(json(config("{'VariantName': 'a', 'InstanceType': 'ml.t3.medium',"
        + " 'InitialInstanceCount': 1}")), TYPES), "ProductionVariants[0].ModelName: is required");
    StringBuilder eleven = new StringBuilder();
    for (int i = 0; i < 11; i++) {
      eleven.append(i == 0 ? "" : ",").append(variant("v" + i, "ml.t3.medium", 1, null));
    }
    refused(() -> EndpointRequests.config(json(config(eleven.toString())), TYPES),
        "ProductionVariants: has 11 items; at most 10");
  }

  @Test
  void anEndpointNeedsItsNameAndConfig() throws Exception {
    refused(() -> EndpointRequests.endpoint(json("{'EndpointName': 'ep'}")), "EndpointConfigName: is required");
    refused(() -> EndpointRequests.endpoint(json("{'EndpointConfigName': 'c'}")), "EndpointName: is required");
    assertThat(EndpointRequests.endpoint(json("{'EndpointName': 'ep', 'EndpointConfigName': 'c'}")).configName())
        .isEqualTo("c");
  }

  @Test
  void anEndpointCannotBeNamedMetricsThePrometheusPath() throws Exception {
    refused(() -> EndpointRequests.endpoint(json("{'EndpointName': 'metrics', 'EndpointConfigName': 'c'}")),
        "EndpointName: 'metrics' cannot name an endpoint: endpoints/metrics is the path of the endpoints' Prometheus");
    assertThat(EndpointRequests.endpoint(json("{'EndpointName': 'metrics-2', 'EndpointConfigName': 'c'}")).name())
        .isEqualTo("metrics-2");
  }

  @Test
  void weightsAndCapacitiesNameTheEntryAtFault() throws Exception {
    refused(() -> EndpointRequests.weightsAndCapacities(json("{}")), "DesiredWeightsAndCapacities: is required");
    refused(() -> EndpointRequests.weightsAndCapacities(json("{'DesiredWeightsAndCapacities': [{'VariantName': 'a'}]}")),
        "DesiredWeightsAndCapacities[0]: give DesiredWeight, DesiredInstanceCount or both");
    refused(() -> EndpointRequests.weightsAndCapacities(json("{'DesiredWeightsAndCapacities': [{'VariantName': 'a',"
        + " 'DesiredInstanceCount': 0}]}")), "DesiredWeightsAndCapacities[0].DesiredInstanceCount: 0 is out of range");
    refused(() -> EndpointRequests.weightsAndCapacities(json("{'DesiredWeightsAndCapacities': [{'VariantName': 'a',"
        + " 'DesiredWeight': 1}, {'VariantName': 'a', 'DesiredWeight': 2}]}")),
        "DesiredWeightsAndCapacities[1].VariantName: 'a' is named twice");
    var d = EndpointRequests.weightsAndCapacities(json("{'DesiredWeightsAndCapacities': [{'VariantName': 'a',"
        + " 'DesiredWeight': 0.5, 'DesiredInstanceCount': 3}]}"));
    assertThat(d).containsExactly(new EndpointRequests.Desired("a", 0.5, 3));
  }
}
