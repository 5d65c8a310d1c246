package dev.atelier.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretSealTest {
  @Test
  void aSealedSecretOpensOnlyWithItsKeyFileAndItsLabel(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("access-keys.seal");
    SecretSeal seal = SecretSeal.open(file);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    String sealed = seal.seal("the-secret", "AKATEXAMPLE");
    assertThat(sealed).doesNotContain("the-secret");
    assertThat(seal.seal("the-secret", "AKATEXAMPLE")).isNotEqualTo(sealed);
    assertThat(SecretSeal.open(file).open(sealed, "AKATEXAMPLE")).isEqualTo("the-secret");
    assertThat(seal.open(sealed, "AKATOTHER")).isNull();
    assertThat(SecretSeal.open(dir.resolve("another.seal")).open(sealed, "AKATEXAMPLE")).isNull();
    assertThat(seal.open("not base64!", "AKATEXAMPLE")).isNull();
  }
}
