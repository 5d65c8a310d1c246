package dev.atelier.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnerOnlyFileTest {
  @TempDir Path dir;

  @Test
  void createsTheFileOwnerOnlyWithItsContentAndNoTemporaryLeftBehind() throws Exception {
    Path file = dir.resolve("nested/secret");
    assertThat(OwnerOnlyFile.createOnce(file, "s3cret".getBytes(StandardCharsets.UTF_8), "the secret")).isTrue();
    assertThat(Files.readString(file)).isEqualTo("s3cret");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    try (var files = Files.list(file.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("secret");
    }
  }

  @Test
  void neverOverwritesAnExistingFile() throws Exception {
    Path file = dir.resolve("secret");
    Files.writeString(file, "first");
    assertThat(OwnerOnlyFile.createOnce(file, "second".getBytes(StandardCharsets.UTF_8), "the secret")).isFalse();
    assertThat(Files.readString(file)).isEqualTo("first");
  }

  @Test
  void exactlyOneOfManyConcurrentWritersWins() throws Exception {
    Path file = dir.resolve("secret");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Boolean>> writers = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        byte[] content = ("writer-" + i).getBytes(StandardCharsets.UTF_8);
        writers.add(() -> OwnerOnlyFile.createOnce(file, content, "the secret"));
      }
      int winners = 0;
      for (Future<Boolean> f : pool.invokeAll(writers)) {
        winners += f.get() ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
      assertThat(Files.readString(file)).startsWith("writer-");
    } finally {
      pool.shutdownNow();
    }
  }
}
