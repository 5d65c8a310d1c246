package dev.atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The server's SM_* variables against the table of cases the in-image toolkit is checked against
 * too (kernel-gateway/tests/sm_environment_cases.json), so the two cannot drift apart.
 */
class TrainingEnvironmentTest {
  static JsonNode cases() throws Exception {
    Path file = Path.of(System.getProperty("atelier.projectRoot", ".."), "kernel-gateway", "tests",
        "sm_environment_cases.json");
    return Json.mapper().readTree(Files.readString(file));
  }

  static Map<String, String> environment(JsonNode c) {
    Map<String, String> hps = new LinkedHashMap<>();
    c.get("hyperparameters").properties().forEach(e -> hps.put(e.getKey(), e.getValue().asText()));
    Map<String, JsonNode> channels = new LinkedHashMap<>();
    c.get("channels").properties().forEach(e -> channels.put(e.getKey(), e.getValue()));
    ObjectNode resources = Json.mapper().createObjectNode().put("current_host", "algo-1");
    resources.putArray("hosts").add("algo-1");
    return TrainingEnvironment.of(c.get("job_name").asText(), hps, channels, resources,
        c.get("instance_type").asText(), c.get("num_cpus").asLong(), c.get("num_gpus").asInt());
  }

  @Test
  void everyCaseGivesTheToolkitsExactValues() throws Exception {
    for (JsonNode c : cases().get("cases")) {
      Map<String, String> env = environment(c);
      String name = c.get("name").asText();
      c.get("expected").properties().forEach(e ->
          assertThat(env.get(e.getKey())).as("%s: %s", name, e.getKey()).isEqualTo(e.getValue().asText()));
      c.get("absent").forEach(a -> assertThat(env).as(name).doesNotContainKey(a.asText()));
      JsonNode training = Json.mapper().readTree(env.get("SM_TRAINING_ENV"));
      c.get("training_env").properties().forEach(e ->
          assertThat(training.get(e.getKey())).as("%s: SM_TRAINING_ENV.%s", name, e.getKey()).isEqualTo(e.getValue()));
    }
  }

  @Test
  void sagemakerParametersNeverReachTheProgram() throws Exception {
    JsonNode c = cases().get("cases").get(0);
    Map<String, String> env = environment(c);
    assertThat(env.keySet()).noneMatch(k -> k.startsWith("SM_HP_SAGEMAKER"));
    assertThat(env.get("SM_HPS")).doesNotContain("sagemaker_");
    assertThat(env.get("SM_USER_ARGS")).doesNotContain("sagemaker_");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      0.25                 | 0.25
      1e-05                | 1e-05
      0.0001               | 0.0001
      1e16                 | 1e+16
      1e15                 | 1000000000000000.0
      4.0                  | 4.0
      -2.5e-7              | -2.5e-07
      123456789.125        | 123456789.125
      0.1                  | 0.1
      1.7976931348623157e308 | 1.7976931348623157e+308
      """)
  void floatsAreWrittenAsPythonReprWritesThem(double value, String python) {
    assertThat(PythonJson.floatRepr(value)).isEqualTo(python);
  }

  @Test
  void valuesAreDecodedAsJsonLoadsDecodesThemOrKeptAsStrings() {
    assertThat(PythonJson.decode("4").isInt()).isTrue();
    assertThat(PythonJson.decode("\"adam\"").asText()).isEqualTo("adam");
    assertThat(PythonJson.decode("adam").asText()).isEqualTo("adam");
    assertThat(PythonJson.decode("4 5").asText()).isEqualTo("4 5");
    assertThat(PythonJson.decode("").asText()).isEmpty();
    assertThat(PythonJson.decode(" [1, 2] ").isArray()).isTrue();
    assertThat(PythonJson.dumps(Json.mapper().createObjectNode().put("b", "\u00e9\n\u007f\"").put("a", true)))
        .isEqualTo("{\"a\":true,\"b\":\"\\u00e9\\n\\u007f\\\"\"}");
  }
}
