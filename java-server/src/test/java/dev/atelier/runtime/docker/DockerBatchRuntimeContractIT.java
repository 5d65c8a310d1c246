package dev.atelier.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.runtime.BatchRuntime;
import dev.atelier.runtime.BatchRuntimeContract;
import dev.atelier.runtime.RuntimeFailure;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The batch contract on a real Docker engine (the job containers of {@link JobContainers}), the
 * jobs in the base instance image; fails, never skips, when the engine or the image is missing.
 * Plus what only containers do: a missing image is refused as a missing image.
 */
class DockerBatchRuntimeContractIT extends BatchRuntimeContract {
  @Override
  protected BatchRuntime createRuntime() {
    return new JobContainers(DockerTestEngine.require());
  }

  @Override
  protected String image() {
    return DockerTestEngine.IMAGE;
  }

  @Override
  protected List<String> python() {
    return List.of("python");
  }

  @Override
  protected String mountPoint(Path host) {
    return "/opt/ml/contract";
  }

  @Test
  void aMissingImageIsAMissingImageSayingHowToBuildIt() {
    assertThatThrownBy(() -> runtime.requireImage("atelier/no-such-image:latest"))
        .isInstanceOfSatisfying(RuntimeFailure.class, e -> {
          assertThat(e.kind()).isEqualTo(RuntimeFailure.Kind.IMAGE_MISSING);
          assertThat(e.status()).isEqualTo(400);
        })
        .hasMessageContaining("atelier/no-such-image:latest").hasMessageContaining("images/build.sh");
    assertThatThrownBy(() -> runtime.create(new BatchRuntime.Spec("atelier-batch-contract-missing",
        "atelier/no-such-image:latest", List.of(), List.of(), Map.of(), Map.of(), Map.of(), 0, 0, null)))
        .isInstanceOfSatisfying(RuntimeFailure.class, e -> assertThat(e.kind()).isEqualTo(RuntimeFailure.Kind.IMAGE_MISSING));
  }
}
