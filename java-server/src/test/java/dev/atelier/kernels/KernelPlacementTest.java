package dev.atelier.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.http.ApiException;
import dev.atelier.catalog.ImageCatalog;
import dev.atelier.catalog.InstanceCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a kernel runs: the start request's choice, else the notebook's saved metadata, else the defaults. */
class KernelPlacementTest {
  @TempDir
  Path root;

  private KernelPlacement placement;

  @BeforeEach
  void setUp() {
    InstanceCatalog types = InstanceCatalog.load(null, null, 0);
    ImageCatalog images = new ImageCatalog(null, () -> List.of("python3"), ImageCatalog.LOCAL);
    placement = new KernelPlacement(root, types, images);
  }

  @Test
  void withNothingSavedOrAskedTheKernelRunsOnTheDefaults() {
    KernelPlacement.Target t = placement.target(Map.of());
    assertThat(t.type().name()).isEqualTo("ml.t3.medium");
    assertThat(t.image().name()).isEqualTo("local");
  }

  @Test
  void theNotebooksSavedInstanceTypeIsUsedAndTheRequestOverridesIt() throws Exception {
    Files.writeString(root.resolve("a.ipynb"), "{\"cells\": [], \"metadata\": {\"instance_type\": \"ml.m5.large\"}}");
    assertThat(placement.target(Map.of("JPY_SESSION_NAME", root + "/a.ipynb")).type().name())
        .isEqualTo("ml.m5.large");
    assertThat(placement.target(Map.of("ATELIER_NOTEBOOK_PATH", "a.ipynb")).type().name())
        .isEqualTo("ml.m5.large");
    assertThat(placement.target(Map.of("JPY_SESSION_NAME", root + "/a.ipynb", "KERNEL_INSTANCE_TYPE", " ml.c5.large "))
        .type().name()).isEqualTo("ml.c5.large");
  }

  @Test
  void aBlankRequestValueFallsBackToTheNotebookAndANotebookOutsideTheRootIsNotRead() throws Exception {
    Files.writeString(root.resolve("a.ipynb"), "{\"metadata\": {\"instance_type\": \"ml.m5.large\"}}");
    assertThat(placement.target(Map.of("JPY_SESSION_NAME", "a.ipynb", "KERNEL_INSTANCE_TYPE", " ")).type().name())
        .isEqualTo("ml.m5.large");
    Path outside = Files.createTempFile("outside", ".ipynb");
    try {
      Files.writeString(outside, "{\"metadata\": {\"instance_type\": \"ml.m5.large\"}}");
      assertThat(placement.target(Map.of("JPY_SESSION_NAME", outside.toString())).type().name())
          .isEqualTo("ml.t3.medium");
    } finally {
      Files.delete(outside);
    }
  }

  @Test
  void anUnknownTypeOrAnImageThatNeedsDockerIsA400NamingIt() {
    assertThatThrownBy(() -> placement.target(Map.of("KERNEL_INSTANCE_TYPE", "ml.nope")))
        .isInstanceOf(ApiException.class).hasMessageContaining("ml.nope")
        .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400));
    assertThatThrownBy(() -> placement.target(Map.of("KERNEL_IMAGE", "atelier/base")))
        .isInstanceOf(ApiException.class).hasMessageContaining("atelier/base")
        .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400));
  }

  @Test
  void aKernelsNotebookPathIsRelativeToTheRootWhenItLiesUnderIt() {
    assertThat(placement.notebookPath(root + "/sub/a.ipynb")).isEqualTo("sub/a.ipynb");
    assertThat(placement.notebookPath("sub/a.ipynb")).isEqualTo("sub/a.ipynb");
    assertThat(placement.notebookPath("/elsewhere/a.ipynb")).isEqualTo("/elsewhere/a.ipynb");
    assertThat(placement.notebookPath(" ")).isNull();
    assertThat(placement.notebookPath(null)).isNull();
  }
}
