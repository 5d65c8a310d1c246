package dev.atelier.jobs;

import static dev.atelier.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.support.SharedServer;
import dev.atelier.support.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile job requests through the API of a real server: refused with a 400 naming the field,
 * before anything is stored or run (so with or without Docker on the machine).
 */
@ExtendWith(VertxExtension.class)
@ExtendWith(SharedServer.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class JobRequestsIT {
  private static WebClient http;

  @BeforeAll
  static void start(TestServer shared) {
    http = shared.http();
  }

  private static JsonObject training(String name) {
    return new JsonObject("""
        {"TrainingJobName": "%s",
         "AlgorithmSpecification": {"TrainingImage": "atelier/sklearn:latest", "TrainingInputMode": "File"},
         "InputDataConfig": [{"ChannelName": "train",
           "DataSource": {"S3DataSource": {"S3Uri": "s3://atelier/data/iris/", "S3DataType": "S3Prefix"}}}],
         "OutputDataConfig": {"S3OutputPath": "s3://atelier/jobs"},
         "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
         "StoppingCondition": {"MaxRuntimeInSeconds": 600}}""".formatted(name));
  }

  private static HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
    return await(http.post("/atelier/api/" + path).putHeader("Authorization", "token " + TestServer.TOKEN)
        .sendJsonObject(body));
  }

  private static void assertRefusedAndNothingStored(String kind, String name, HttpResponse<Buffer> r, String field)
      throws Exception {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("message")).startsWith(field + ": ");
    HttpResponse<Buffer> after = await(http.get("/atelier/api/" + kind + "/" + name)
        .putHeader("Authorization", "token " + TestServer.TOKEN).send());
    assertThat(after.statusCode()).as("%s was stored", name).isEqualTo(404);
  }

  @Test
  void aChannelNamedDotDotIsRefusedNamingTheField() throws Exception {
    JsonObject body = training("dots-channel");
    body.getJsonArray("InputDataConfig").getJsonObject(0).put("ChannelName", "..");
    assertRefusedAndNothingStored("training-jobs", "dots-channel", post("training-jobs", body),
        "InputDataConfig[0].ChannelName");
  }

  @Test
  void anOutputPathTheStoreCannotHoldIsRefusedBeforeTraining() throws Exception {
    for (String path : new String[] {"s3://atelier/p/dot/./out", "s3://atelier/p/odd//out", "s3://atelier//out"}) {
      JsonObject body = training("bad-output");
      body.getJsonObject("OutputDataConfig").put("S3OutputPath", path);
      assertRefusedAndNothingStored("training-jobs", "bad-output", post("training-jobs", body),
          "OutputDataConfig.S3OutputPath");
    }
  }

  @Test
  void aChannelUriTheStoreCannotHoldIsRefusedNamingTheField() throws Exception {
    JsonObject body = training("bad-channel");
    body.getJsonArray("InputDataConfig").getJsonObject(0).getJsonObject("DataSource").getJsonObject("S3DataSource")
        .put("S3Uri", "s3://atelier/data//iris/");
    assertRefusedAndNothingStored("training-jobs", "bad-channel", post("training-jobs", body),
        "InputDataConfig[0].DataSource.S3DataSource.S3Uri");
  }

  @Test
  void aProcessingOutputTheStoreCannotHoldIsRefusedNamingTheField() throws Exception {
    JsonObject body = new JsonObject("""
        {"ProcessingJobName": "bad-processing",
         "AppSpecification": {"ImageUri": "atelier/datascience:latest"},
         "ProcessingOutputConfig": {"Outputs": [{"OutputName": "clean",
           "S3Output": {"S3Uri": "s3://atelier/clean/./x", "LocalPath": "/opt/ml/processing/output"}}]},
         "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.t3.medium"}}}""");
    assertRefusedAndNothingStored("processing-jobs", "bad-processing", post("processing-jobs", body),
        "ProcessingOutputConfig.Outputs[0].S3Output.S3Uri");
  }

  @Test
  void aBadExperimentConfigIsRefusedNamingTheField() throws Exception {
    String[][] cases = {
        {"{\"ExperimentName\": \"has space\"}", "ExperimentConfig.ExperimentName"},
        {"{\"TrialName\": \"-starts-with-hyphen\"}", "ExperimentConfig.TrialName"},
        {"{\"RunName\": \"%s\"}".formatted("r".repeat(121)), "ExperimentConfig.RunName"},
        {"{\"RunName\": 7}", "ExperimentConfig.RunName"},
        {"{\"ExperimentNam\": \"typo\"}", "ExperimentConfig.ExperimentNam"},
        {"\"not-an-object\"", "ExperimentConfig"}};
    for (String[] c : cases) {
      JsonObject body = training("bad-experiment");
      body.put("ExperimentConfig", new io.vertx.core.json.JsonArray("[" + c[0] + "]").getValue(0));
      assertRefusedAndNothingStored("training-jobs", "bad-experiment", post("training-jobs", body), c[1]);
      JsonObject processing = new JsonObject("""
          {"ProcessingJobName": "bad-experiment-p",
           "AppSpecification": {"ImageUri": "atelier/datascience:latest"},
           "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.t3.medium"}}}""");
      processing.put("ExperimentConfig", body.getValue("ExperimentConfig"));
      assertRefusedAndNothingStored("processing-jobs", "bad-experiment-p", post("processing-jobs", processing), c[1]);
    }
  }
}
