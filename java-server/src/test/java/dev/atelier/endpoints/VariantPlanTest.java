package dev.atelier.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.runtime.ServiceRuntime.ServiceSpec;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What runs for a variant: the service each runtime is given, its name, and its stored form. */
class VariantPlanTest {
  private static VariantPlan plan(String runtime, Path code) {
    return new VariantPlan("blue", "iris", "ep-iris-0123456789", runtime, "docker".equals(runtime)
        ? "atelier/sklearn:latest" : "local", "ml.t3.medium", 2, 4L << 30, 2, 0.5,
        "s3://atelier/m/model.tar.gz", Map.of("A", "b"), Path.of("/data/ep/model"), code);
  }

  @Test
  void aContainerRunsServeOn8080WithTheModelBoundReadOnlyAndTheTypesLimits() {
    ServiceSpec s = plan("docker", Path.of("/data/ep/code")).spec("iris", 2, "/venv/bin/python");
    assertThat(s.entrypoint()).isEmpty();
    assertThat(s.command()).containsExactly("serve");
    assertThat(s.containerPort()).isEqualTo(8080);
    assertThat(s.healthPath()).isEqualTo("/ping");
    assertThat(s.replicas()).isEqualTo(2);
    assertThat(s.cpus()).isEqualTo(2);
    assertThat(s.memoryBytes()).isEqualTo(4L << 30);
    assertThat(s.binds()).containsEntry("/data/ep/model", "/opt/ml/model:ro").containsEntry("/data/ep/code",
        "/opt/ml/code:ro");
    assertThat(s.env()).containsEntry("A", "b").containsEntry("SM_MODEL_DIR", "/opt/ml/model")
        .containsEntry("SAGEMAKER_SUBMIT_DIRECTORY", "/opt/ml/code");
    assertThat(s.labels()).containsEntry(VariantPlan.LABEL_ENDPOINT, "iris").containsEntry(VariantPlan.LABEL_VARIANT,
        "blue");
  }

  @Test
  void aLocalProcessRunsTheToolkitsServeToldItsModelFolder() {
    ServiceSpec s = plan("process", null).spec("iris", 1, "/venv/bin/python");
    assertThat(s.entrypoint()).containsExactly("/venv/bin/python", "-m", "atelier.toolkit");
    assertThat(s.command()).containsExactly("serve");
    assertThat(s.containerPort()).isZero();
    assertThat(s.binds()).isEmpty();
    assertThat(s.env()).containsEntry("SM_MODEL_DIR", "/data/ep/model").doesNotContainKey("SAGEMAKER_SUBMIT_DIRECTORY");
  }

  @Test
  void serviceNamesAreShortUniqueAndValidForEveryRuntime() {
    String longName = "a".repeat(63);
    String one = VariantPlan.serviceName(longName, "variant-one", 1);
    String two = VariantPlan.serviceName(longName, "variant-two", 1);
    assertThat(one).hasSizeLessThanOrEqualTo(63).startsWith("ep-").matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    assertThat(one).isNotEqualTo(two).isNotEqualTo(VariantPlan.serviceName(longName, "variant-one", 2));
    assertThat(VariantPlan.serviceName("iris", "blue", 7)).isEqualTo(VariantPlan.serviceName("iris", "blue", 7));
  }

  @Test
  void aPlanIsStoredAndReadBackWhole() {
    VariantPlan p = plan("docker", Path.of("/data/ep/code"));
    assertThat(VariantPlan.fromJson(p.toJson())).isEqualTo(p);
    VariantPlan q = plan("process", null).withCount(5).withWeight(0);
    assertThat(VariantPlan.fromJson(q.toJson())).isEqualTo(q);
  }
}
