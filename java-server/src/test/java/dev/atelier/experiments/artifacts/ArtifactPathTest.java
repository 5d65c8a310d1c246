package dev.atelier.experiments.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.experiments.artifacts.ArtifactPath.Kind;
import org.junit.jupiter.api.Test;

class ArtifactPathTest {
  @Test
  void aRunsArtifactMapsToItsKeyBelowExperiments() {
    ArtifactPath p = ArtifactPath.of("3/abc/artifacts/model/MLmodel", "path", Kind.FILE);
    assertThat(p.key()).isEqualTo("experiments/3/abc/artifacts/model/MLmodel");
    assertThat(p.folderKey()).isEqualTo("experiments/3/abc/artifacts/model/MLmodel/");
    assertThat(p.fileName()).isEqualTo("MLmodel");
  }

  @Test
  void aFolderMayEndWithASlashAndTheRootIsEmpty() {
    assertThat(ArtifactPath.of("3/abc/artifacts/", "path", Kind.FOLDER).folderKey())
        .isEqualTo("experiments/3/abc/artifacts/");
    assertThat(ArtifactPath.of(null, "path", Kind.FOLDER).folderKey()).isEqualTo("experiments/");
  }

  @Test
  void rawPathsAreDecodedOnceWithPlusKeptAsItself() {
    assertThat(ArtifactPath.ofRaw("1/r/artifacts/a%20b+c%25.txt", "p", Kind.FILE).value())
        .isEqualTo("1/r/artifacts/a b+c%.txt");
  }

  @Test
  void traversalsSeparatorsAndControlCharactersAreRefusedNamingTheField() {
    String[] bad = {"..", "a/../b", "/etc/passwd", "C:/x", "a\\b", "a//b", "a/./b", "a#b", "a\u0000b", "a\nb",
        "a/%2e%2e/b", "%252e%252e/x"};
    for (String path : bad) {
      assertThatThrownBy(() -> ArtifactPath.of(path, "path", Kind.FILE)).as(path)
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Invalid path").hasMessageContaining("(path)");
    }
    assertThatThrownBy(() -> ArtifactPath.of("", "path", Kind.FILE)).hasMessageStartingWith("path:");
    assertThatThrownBy(() -> ArtifactPath.of("dir/", "path", Kind.FILE)).hasMessageContaining("names a folder");
    assertThatThrownBy(() -> ArtifactPath.ofRaw("%zz", "path", Kind.FILE)).hasMessageContaining("percent-encoded");
  }

  @Test
  void aLiteralPercentIsAName() {
    assertThat(ArtifactPath.of("1/r/artifacts/100%.txt", "path", Kind.FILE).value()).isEqualTo("1/r/artifacts/100%.txt");
  }

  @Test
  void htmlAndScriptsAreServedAsText() {
    assertThat(ArtifactRoutes.servedType("text/html")).startsWith("text/plain");
    assertThat(ArtifactRoutes.servedType("image/svg+xml")).startsWith("text/plain");
    assertThat(ArtifactRoutes.servedType("application/javascript")).startsWith("text/plain");
    assertThat(ArtifactRoutes.servedType("image/png")).isEqualTo("image/png");
  }
}
